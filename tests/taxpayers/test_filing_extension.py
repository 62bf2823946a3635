"""法人市民税 with an extended filing deadline (申告期限の延長): imported from the 調定 CSV, and its
extension-period 延滞金 (地方税法第327条) in reconcile, the ledger and 収納状況照会.

Issue 15's example: 法人税割 3,000,000円, 法定納期限 2024-05-31, extended to 2024-07-01 (6/30 is a
Sunday), paid 2024-07-01: 31日 × 0.9% = 2,293円 → 2,200円.
"""

from datetime import date

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from taxpayers.importing import ImportRejected, run_import, start_log
from taxpayers.ledger import ledger_for
from taxpayers.models import Assessment, Taxpayer
from taxpayers.reconciliation import reconcile
from tests.conftest import sign_in
from tests.taxpayers.conftest import ASSESSMENT_HEADER, PAYMENT_HEADER, PERSON_HEADER, PERSONS

pytestmark = pytest.mark.django_db

HEADER = ASSESSMENT_HEADER + ",申告期限延長"
CORPORATE = "000000103,04,0000,112291,112291,1,2024,2023,240000103,1,2024-07-01,2024-05-31,3000000,,,1"
PAID_ON_THE_EXTENDED_DEADLINE = (
    "R2400103,04,0000,112291,112291,1,2024,2023,240000103,1,2024-07-01,2024-07-02,3000000,2"
)


def import_file(kind, path, actor):
    return run_import(
        log=start_log(kind=kind, path=path, file_name=path.name, actor=actor), path=path, actor=actor
    )


@pytest.fixture
def persons(write_csv, batch_actor):
    import_file("persons", write_csv("p.csv", PERSON_HEADER, PERSONS), batch_actor)


@pytest.fixture
def extended(persons, write_csv, batch_actor):
    import_file("assessments", write_csv("a.csv", HEADER, [CORPORATE]), batch_actor)
    import_file("payments", write_csv("r.csv", PAYMENT_HEADER, [PAID_ON_THE_EXTENDED_DEADLINE]), batch_actor)
    return Assessment.objects.get(notice_number="240000103")


def test_the_extension_is_imported_with_both_dates(extended):
    assert extended.filing_deadline_extended
    assert (extended.statutory_due_date, extended.due_date) == (date(2024, 5, 31), date(2024, 7, 1))
    assert extended.late_charge_extended_from == date(2024, 5, 31)


def test_paid_on_the_extended_deadline_it_still_owes_the_extension_period_charge(extended):
    reconcile(as_of=date(2024, 8, 1))
    extended.refresh_from_db()
    balance = extended.balance
    assert (balance.outstanding_principal, balance.late_charge, balance.status) == (0, 2_200, "delinquent")


def test_the_ledger_and_the_reconciled_balance_agree(extended):
    reconcile(as_of=date(2024, 8, 1))
    [line] = ledger_for(Taxpayer.objects.get(atena_number="000000103"), as_of=date(2024, 8, 1)).lines
    assert line.settlement.late_charge == 2_200 == Assessment.objects.get(pk=extended.pk).balance.late_charge


def test_paid_by_the_statutory_due_date_there_is_no_extension_charge(persons, write_csv, batch_actor):
    import_file("assessments", write_csv("a.csv", HEADER, [CORPORATE]), batch_actor)
    early = PAID_ON_THE_EXTENDED_DEADLINE.replace("2024-07-01,2024-07-02", "2024-05-31,2024-06-01")
    import_file("payments", write_csv("r.csv", PAYMENT_HEADER, [early]), batch_actor)
    reconcile(as_of=date(2024, 8, 1))
    balance = Assessment.objects.get(notice_number="240000103").balance
    assert (balance.late_charge, balance.status) == (0, "paid")


def test_unpaid_after_the_extended_deadline_both_charges_are_projected(persons, write_csv, batch_actor):
    import_file("assessments", write_csv("a.csv", HEADER, [CORPORATE]), batch_actor)
    reconcile(as_of=date(2024, 9, 10))
    # 延長期間 2,200円 + from 7/2: 6,115円 + 28,602円 → 34,700円 = 36,900円
    assert Assessment.objects.get(notice_number="240000103").balance.late_charge == 36_900


def test_other_subjects_whose_statutory_due_date_differs_bear_no_extension_charge(
    persons, write_csv, batch_actor
):
    # A 随時 assessment of 個人市県民税: 法定納期限 earlier than the notice's 納期限 (地方税法第18条
    # 第1項第1号), 延滞金 from the day after 納期限 only. Without the flag, nothing changes.
    row = "000000101,01,0000,112291,112291,1,2024,2024,240000101,1,2024-07-01,2024-05-31,3000000,,,"
    import_file("assessments", write_csv("a.csv", HEADER, [row]), batch_actor)
    paid = "R2400101,01,0000,112291,112291,1,2024,2024,240000101,1,2024-07-01,2024-07-02,3000000,2"
    import_file("payments", write_csv("r.csv", PAYMENT_HEADER, [paid]), batch_actor)
    reconcile(as_of=date(2024, 8, 1))
    balance = Assessment.objects.get(notice_number="240000101").balance
    assert (balance.late_charge, balance.status) == (0, "paid")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        # not 法人市民税
        (CORPORATE.replace("000000103,04", "000000103,01"), "法人市民税（科目コード04）だけ"),
        # 納期限 not after 法定納期限
        (CORPORATE.replace("2024-07-01,2024-05-31", "2024-05-31,2024-05-31"), "延長後の申告期限"),
        (CORPORATE[:-1] + "2", "0=なし、1=あり"),
    ],
)
def test_an_extension_that_cannot_be_is_refused_with_its_reason(
    persons, write_csv, batch_actor, row, message
):
    with pytest.raises(ImportRejected) as raised:
        import_file("assessments", write_csv("a.csv", HEADER, [row]), batch_actor)
    assert any(message in error["message"] for error in raised.value.log.errors)
    assert Assessment.objects.count() == 0


def test_a_file_without_the_column_is_still_read_and_keeps_the_extension(extended, write_csv, batch_actor):
    old_layout = CORPORATE.rsplit(",", 1)[0].replace(",3000000,", ",3100000,")
    import_file("assessments", write_csv("a.csv", ASSESSMENT_HEADER, [old_layout]), batch_actor)
    extended.refresh_from_db()
    assert extended.principal == 3_100_000 and extended.filing_deadline_extended


def test_the_database_refuses_an_extension_on_another_subject(extended):
    with transaction.atomic(), pytest.raises(IntegrityError):
        Assessment.objects.filter(pk=extended.pk).update(subject_code="02")


def test_the_taxpayer_page_shows_the_extension_period_charge(client, officer, extended):
    with time_machine.travel(date(2024, 8, 1), tick=False):
        sign_in(client, officer)
        html = client.get(reverse("taxpayers:detail", args=["000000103"])).content.decode()
    assert "2,200" in html


def test_the_late_charge_calculator_takes_the_extended_filing_deadline(client, officer):
    sign_in(client, officer)
    query = {"amount": "3000000", "due_date": "R6.5.31", "paid_on": "R6.7.1", "first_band_months": "1"}
    html = client.get(
        reverse("taxpayers:late_charge"), {**query, "extension_until": "R6.7.1"}
    ).content.decode()
    assert "延滞金 2,200円" in html and "延長期間 " in html and "年0.9%" in html
    plain = client.get(reverse("taxpayers:late_charge"), query).content.decode()
    assert "延滞金 6,600円" in plain


def test_the_late_charge_calculator_refuses_an_extension_not_after_the_due_date(client, officer):
    sign_in(client, officer)
    html = client.get(
        reverse("taxpayers:late_charge"),
        {
            "amount": "3000000",
            "due_date": "R6.5.31",
            "paid_on": "R6.7.1",
            "first_band_months": "1",
            "extension_until": "R6.5.1",
        },
    ).content.decode()
    assert "延長された申告期限は納期限（法定納期限）より後の日付にしてください" in html


def test_rows_written_in_bulk_without_the_new_column_get_its_default():
    # copy_tracked (the demo generator's COPY path) fills a column the rows do not name with the
    # field's default, as a save would, instead of NULL.
    from taxpayers.demo import generate

    generate(persons=40, seed=1)
    assert Assessment.objects.exists()
    assert not Assessment.objects.filter(filing_deadline_extended=True).exists()
    assert not Assessment.history.filter(filing_deadline_extended=True).exists()


def test_a_pledge_projection_includes_the_extension_period_charge():
    # 分納誓約: 3,000,000円 extended 5/31 → 7/1, paid in one scheduled payment on 7/1: 2,200円.
    from negotiations.schedules import CoveredInstallment, build_schedule, simulate

    covered = [
        CoveredInstallment(
            key=1,
            principal=3_000_000,
            outstanding_principal=3_000_000,
            outstanding_fee=0,
            due_date=date(2024, 7, 1),
            prescription_date=date(2029, 5, 31),
            extended_from=date(2024, 5, 31),
        )
    ]
    schedule = build_schedule(total=3_000_000, first_date=date(2024, 7, 1), count=1)
    assert simulate(schedule, covered).late_charge_at_end == 2_200
