"""reconcile: balances match the pure settlement, SQL and Python agree, reruns write nothing."""

from datetime import date

import pytest

from taxpayers.models import Assessment, InstallmentBalance, ReconcileRun, TaxpayerBalance
from taxpayers.reconciliation import reconcile
from taxpayers.settlement import prescription_date
from taxpayers.standing import standing_of
from taxpayers.subjects import rule_for
from tests.taxpayers.conftest import ASSESSMENT_HEADER, PAYMENT_HEADER

pytestmark = pytest.mark.django_db


def test_a_second_run_on_the_same_day_changes_nothing(ledger):
    first = reconcile(as_of=date(2022, 1, 31))
    second = reconcile(as_of=date(2022, 1, 31))
    assert first.installments == second.installments == 3
    assert second.changed == 0
    assert ReconcileRun.objects.filter(scope="all").count() == 2


def test_late_charge_grows_with_the_day_and_only_those_rows_change(ledger):
    reconcile(as_of=date(2022, 1, 31))
    later = reconcile(as_of=date(2022, 6, 30))
    assert later.changed >= 1
    balance = InstallmentBalance.objects.get(assessment__notice_number="210000101")
    assert balance.late_charge > 2_600 and balance.status == "delinquent"


def test_taxpayer_totals_count_only_delinquent_installments(ledger):
    reconcile(as_of=date(2025, 6, 25))
    taro = TaxpayerBalance.objects.get(taxpayer__atena_number="000000101")
    # The 2025 resident tax was paid on time; only the 2021 fixed-asset installment is delinquent.
    assert (taro.delinquent_installments, taro.outstanding_principal) == (1, 35_000)
    # The renewed 時効予定日 (the part payment after 法定納期限 is an acknowledgement), as the
    # installment's standing has it; the base date stays on the installment's balance.
    late = Assessment.objects.get(taxpayer__atena_number="000000101", balance__status="delinquent")
    standing = standing_of(late, as_of=date(2025, 6, 25))
    assert standing.base_prescription_date == late.balance.base_prescription_date == date(2026, 5, 31)
    assert taro.earliest_prescription_date == standing.prescription_date == late.balance.prescription_date
    assert standing.prescription_date > date(2026, 5, 31)


@pytest.mark.parametrize(
    ("subject", "statutory"),
    [("01", "2024-02-28"), ("06", "2024-02-28"), ("01", "2020-02-28"), ("06", "2023-12-31")],
)
def test_sql_and_python_agree_on_the_prescription_date(ledger, write_csv, batch_actor, subject, statutory):
    from taxpayers.importing import run_import, start_log

    rows = [f"000000102,{subject},0000,112291,112291,1,2023,2023,299000001,1,{statutory},{statutory},10000,,"]
    path = write_csv("a.csv", ASSESSMENT_HEADER, rows)
    run_import(
        log=start_log(kind="assessments", path=path, file_name="a.csv", actor=batch_actor),
        path=path,
        actor=batch_actor,
    )
    pay = write_csv(
        "p.csv",
        PAYMENT_HEADER,
        [f"RX1,{subject},0000,112291,112291,1,2023,2023,299000001,1,{statutory},{statutory},10000,1"],
    )
    run_import(
        log=start_log(kind="payments", path=pay, file_name="p.csv", actor=batch_actor),
        path=pay,
        actor=batch_actor,
    )
    reconcile(as_of=date(2024, 6, 1))  # paid on time: settled by the SQL path
    assessment = Assessment.objects.get(notice_number="299000001")
    rule = rule_for(subject)
    expected = prescription_date(
        statutory_due_date=assessment.statutory_due_date,
        due_date=assessment.due_date,
        is_premium=rule.is_premium,
        years=rule.prescription_years,
    )
    assert assessment.balance.status == "paid"
    assert assessment.balance.prescription_date == assessment.balance.base_prescription_date == expected
