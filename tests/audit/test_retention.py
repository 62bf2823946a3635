"""Retention: old access logs and closed cases' 個人番号 go; what went is recorded."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.models import SecurityEvent
from audit.models import RetentionRun
from audit.retention import closed_cases, purge, years_before
from taxpayers import individual_numbers
from taxpayers.models import Assessment, Payment, Taxpayer, TaxpayerAccess
from taxpayers.reconciliation import reconcile
from tests.conftest import SETUP
from wako_collections.actors import acting_as
from wako_collections.records import stamp

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 27)  # cutoff 2019-11-27 with 7 years


def old_case(atena_number, number, *, paid):
    with acting_as(SETUP):
        taxpayer = Taxpayer(
            atena_number=atena_number,
            name="旧 案件",
            name_kana="キュウ アンケン",
            address="埼玉県和光市本町1-1",
            residence_status="3",
            search_name="旧案件",
            search_kana="キュウアンケン",
            individual_number_ciphertext=individual_numbers.encrypt(number, atena_number=atena_number),
            individual_number_digest=individual_numbers.digest(number),
        )
        stamp(taxpayer, SETUP)
        taxpayer.save()
        assessment = Assessment(
            taxpayer=taxpayer,
            subject_code="01",
            subject_detail_code="0000",
            calculating_body_code="112291",
            installment_body_code="112291",
            inside_outside_code="1",
            assessment_year=2015,
            tax_year=2015,
            notice_number=f"15{atena_number}",
            logical_period=1,
            due_date=date(2015, 6, 30),
            statutory_due_date=date(2015, 6, 30),
            principal=20_000,
        )
        stamp(assessment, SETUP)
        assessment.save()
        if paid:
            payment = Payment(
                assessment=assessment,
                received_on=date(2015, 6, 20),
                accounted_on=date(2015, 6, 21),
                amount=20_000,
                channel="1",
            )
            stamp(payment, SETUP)
            payment.save()
    return taxpayer


def logged(when):
    moment = timezone.make_aware(datetime.combine(when, datetime.min.time()))
    TaxpayerAccess.objects.create(
        occurred_at=moment,
        staff_number="S1001",
        terminal_number="T0001",
        page="収納状況照会",
        atena_numbers=["1"],
    )
    SecurityEvent.objects.create(occurred_at=moment, kind=SecurityEvent.Kind.LOGGED_OUT, staff_number="S1001")


@time_machine.travel(datetime(2026, 11, 27, 12, 0, tzinfo=ZoneInfo("Asia/Tokyo")))
def test_old_logs_and_closed_cases_numbers_are_deleted_and_recorded(ledger):
    closed = old_case("000000201", "123456789018", paid=True)
    owed = old_case("000000202", "123456789018", paid=False)
    reconcile(as_of=TODAY)
    for day in (date(2018, 1, 5), date(2019, 11, 26), date(2019, 11, 27), date(2026, 11, 1)):
        logged(day)

    trial = purge(actor=SETUP, today=TODAY, years=7, dry_run=True)
    assert (trial.access_logs_deleted, trial.security_events_deleted) == (2, 2)
    assert trial.numbers_cleared == ["000000201"]
    assert TaxpayerAccess.objects.count() == 4  # a dry run deletes nothing

    call_command("purge_retention", "--years", "7", stdout=StringIO())
    run = RetentionRun.objects.filter(dry_run=False).get()
    assert run.cutoff == date(2019, 11, 27) and run.operator == "SYSTEM"
    closed.refresh_from_db()
    owed.refresh_from_db()
    assert closed.individual_number_ciphertext == "" and closed.individual_number_digest == ""
    assert owed.individual_number_ciphertext  # still owed
    assert Taxpayer.objects.get(atena_number="000000101").individual_number_ciphertext  # recent activity
    assert closed.history.first().history_change_reason == "保存期間（7年）経過による個人番号の削除"
    assert not TaxpayerAccess.objects.filter(occurred_at__date__lt=run.cutoff).exists()
    assert TaxpayerAccess.objects.filter(occurred_at__date__gte=run.cutoff).exists()
    assert list(closed_cases(run.cutoff)) == []


def test_the_cutoff_of_29_february_falls_on_28_february():
    assert years_before(date(2028, 2, 29), 7) == date(2021, 2, 28)
