"""reconcile: balances match the pure settlement, SQL and Python agree, reruns write nothing."""

from datetime import date, timedelta

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


def test_each_balance_carries_its_installments_taxpayer_and_a_wrong_one_is_rewritten(ledger):
    from django.db import connection

    reconcile(as_of=date(2025, 6, 25))
    stored = dict(InstallmentBalance.objects.values_list("assessment_id", "taxpayer_id"))
    # both kinds of row: settled in SQL (paid on time) and by the standing in Python (delinquent)
    assert {b.status for b in InstallmentBalance.objects.all()} >= {"paid", "delinquent"}
    assert stored == dict(Assessment.objects.values_list("id", "taxpayer_id"))
    late = Assessment.objects.get(taxpayer__atena_number="000000101", balance__status="delinquent")
    other = Assessment.objects.exclude(taxpayer_id=late.taxpayer_id).values_list("taxpayer_id", flat=True)[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE taxpayers_installmentbalance SET taxpayer_id = %s WHERE assessment_id = %s",
            [other, late.pk],
        )
    again = reconcile(as_of=date(2025, 6, 25))
    assert again.changed == 1
    assert InstallmentBalance.objects.get(pk=late.pk).taxpayer_id == late.taxpayer_id


def test_each_balance_carries_its_installments_due_date_and_a_corrected_one_follows(ledger):
    from django.db import connection

    reconcile(as_of=date(2025, 6, 25))
    assert {b.status for b in InstallmentBalance.objects.all()} >= {"paid", "delinquent"}
    stored = dict(InstallmentBalance.objects.values_list("assessment_id", "due_date"))
    assert stored == dict(Assessment.objects.values_list("id", "due_date"))
    # a 納期限 corrected on the 調定 (both kinds of row: settled in SQL and by the standing)
    late = Assessment.objects.get(taxpayer__atena_number="000000101", balance__status="delinquent")
    paid = Assessment.objects.filter(balance__status="paid").first()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE taxpayers_assessment SET due_date = due_date + 3 WHERE id = ANY(%s)", [[late.pk, paid.pk]]
        )
    reconcile(as_of=date(2025, 6, 25))
    stored = dict(InstallmentBalance.objects.values_list("assessment_id", "due_date"))
    assert stored == dict(Assessment.objects.values_list("id", "due_date"))
    assert stored[late.pk] == late.due_date + timedelta(days=3)


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


def _balances() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM taxpayers_installmentbalance ORDER BY assessment_id")
        installments = cursor.fetchall()
        cursor.execute("SELECT * FROM taxpayers_taxpayerbalance ORDER BY taxpayer_id")
        return {"installments": installments, "taxpayers": cursor.fetchall()}


def _row_versions(table: str, key: str) -> dict[int, tuple[str, str]]:
    """Each row's xmin (the transaction that wrote this version) and xmax (set when a transaction
    locks or replaces it): a row neither rewritten nor locked keeps both."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key}, xmin::text, xmax::text FROM {table}")  # noqa: S608
        return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}


def _in_new_transaction(function):
    """reconcile in a transaction of its own (the test's atomic block is one transaction, so a
    savepoint would share its xid): run through a second connection's thread."""
    import threading

    from django.db import connections

    result = {}

    def run():
        try:
            result["value"] = function()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result.get("value")


@pytest.mark.django_db(transaction=True)
def test_a_run_on_an_unchanged_ledger_neither_rewrites_nor_locks_a_balance():
    from taxpayers.demo import generate

    generate(persons=30, seed=3, today=date(2025, 6, 30))
    reconcile(as_of=date(2025, 6, 30))
    installments = _row_versions("taxpayers_installmentbalance", "assessment_id")
    taxpayers = _row_versions("taxpayers_taxpayerbalance", "taxpayer_id")
    assert len(installments) == Assessment.objects.count() > 100

    again = _in_new_transaction(lambda: reconcile(as_of=date(2025, 6, 30)))

    assert again.changed == 0
    # An INSERT … ON CONFLICT DO UPDATE … WHERE would have locked (xmax) every row it compared.
    assert _row_versions("taxpayers_installmentbalance", "assessment_id") == installments
    assert _row_versions("taxpayers_taxpayerbalance", "taxpayer_id") == taxpayers


@pytest.mark.django_db(transaction=True)
def test_a_later_day_rewrites_only_the_balances_that_moved_and_matches_a_run_from_empty():
    from django.db import connection

    from taxpayers.demo import generate

    generate(persons=30, seed=4, today=date(2025, 6, 30))
    reconcile(as_of=date(2025, 6, 30))
    before = _row_versions("taxpayers_installmentbalance", "assessment_id")

    later = _in_new_transaction(lambda: reconcile(as_of=date(2025, 9, 30)))

    after = _row_versions("taxpayers_installmentbalance", "assessment_id")
    rewritten = {key for key in after if after[key] != before.get(key)}
    assert 0 < len(rewritten) < len(after)
    assert later.changed >= len(rewritten)
    incremental = _balances()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE taxpayers_installmentbalance, taxpayers_taxpayerbalance")
    from_empty = reconcile(as_of=date(2025, 9, 30))
    assert from_empty.changed == len(incremental["installments"])
    assert _balances() == incremental


def test_a_first_run_into_empty_balances_builds_their_indexes_again_as_they_were(ledger):
    from django.db import connection

    def indexes():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'taxpayers_installmentbalance'"
                " ORDER BY indexname"
            )
            return cursor.fetchall()

    before = indexes()
    # the primary key, the status, the renewed-date and the 納期限 indexes
    assert len(before) == 4
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE taxpayers_installmentbalance, taxpayers_taxpayerbalance")
    first = reconcile(as_of=date(2025, 6, 25))
    assert first.changed == first.installments == Assessment.objects.count()
    assert indexes() == before
    assert reconcile(as_of=date(2025, 6, 25)).changed == 0
