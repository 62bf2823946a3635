"""Retention: old access logs and closed cases' 個人番号 go; what went is recorded."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import SecurityEvent
from audit.models import RetentionRun
from audit.retention import RetentionError, closed_cases, purge, years_before
from taxpayers import individual_numbers
from taxpayers.models import Payment, Taxpayer, TaxpayerAccess
from taxpayers.reconciliation import reconcile
from tests.assessments import add_assessment
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
        assessment = add_assessment(
            taxpayer, f"15{atena_number}", tax_year=2015, due=date(2015, 6, 30), principal=20_000
        )
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


NOW = datetime(2026, 11, 27, 12, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


@time_machine.travel(NOW)
def test_old_logs_and_closed_cases_numbers_are_deleted_and_recorded(ledger, supervisor):
    closed = old_case("000000201", "123456789018", paid=True)
    owed = old_case("000000202", "123456789018", paid=False)
    reconcile(as_of=TODAY)
    for day in (date(2018, 1, 5), date(2019, 11, 26), date(2019, 11, 27), date(2026, 11, 1)):
        logged(day)

    trial = purge(operator="S2001", today=TODAY, years=7, dry_run=True)
    assert (trial.access_logs_deleted, trial.security_events_deleted) == (2, 2)
    assert trial.numbers_cleared == ["000000201"]
    assert TaxpayerAccess.objects.count() == 4  # a dry run deletes nothing
    assert Taxpayer.objects.get(atena_number="000000201").individual_number_ciphertext

    out = StringIO()
    call_command(
        "purge_retention", "--years", "7", "--operator", "S2001", "--confirm", trial.confirmation, stdout=out
    )
    assert "個人番号 1人を削除しました" in out.getvalue()
    run = RetentionRun.objects.filter(dry_run=False).get()
    assert run.cutoff == date(2019, 11, 27) and run.operator == "S2001" and run.trial == trial
    closed.refresh_from_db()
    owed.refresh_from_db()
    assert closed.individual_number_ciphertext == "" and closed.individual_number_digest == ""
    assert owed.individual_number_ciphertext  # still owed
    assert Taxpayer.objects.get(atena_number="000000101").individual_number_ciphertext  # recent activity
    removal = closed.history.first()
    assert removal.history_change_reason == "保存期間（7年）経過による個人番号の削除"
    assert removal.updated_staff_number == "S2001"  # the operator, not SYSTEM
    assert not TaxpayerAccess.objects.filter(occurred_at__date__lt=run.cutoff).exists()
    assert TaxpayerAccess.objects.filter(occurred_at__date__gte=run.cutoff).exists()
    assert list(closed_cases(run.cutoff)) == []
    logged_runs = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.RETENTION_PURGED, staff_number="S2001")
    assert [event.detail.split()[0] for event in logged_runs.order_by("occurred_at", "id")] == [
        "試行（削除なし）",
        "削除（試行",
    ]


@time_machine.travel(NOW)
def test_the_dry_run_prints_the_counts_and_the_command_to_confirm_them(ledger, supervisor):
    old_case("000000201", "123456789018", paid=True)
    reconcile(as_of=TODAY)
    out = StringIO()
    call_command("purge_retention", "--dry-run", "--operator", "S2001", stdout=out)
    trial = RetentionRun.objects.get(dry_run=True)
    assert "個人番号 1人が削除対象です（試行。何も削除していません）" in out.getvalue()
    assert f"--confirm {trial.confirmation}" in out.getvalue()
    assert Taxpayer.objects.get(atena_number="000000201").individual_number_ciphertext


@time_machine.travel(NOW)
@pytest.mark.parametrize("operator", ["NOBODY", "SYSTEM", "", "S1001", "S3001", "S9001", "S2002"])
def test_the_operator_must_be_an_active_member_of_staff_with_the_audit_menu(
    ledger, officer, read_only, administrator, supervisor, operator
):
    from accounts.roles import Role
    from tests.conftest import make_staff

    left = make_staff("S2002", Role.SUPERVISOR)
    left.is_active = False
    with acting_as(SETUP):
        left.save(update_fields=["is_active"])
    old_case("000000201", "123456789018", paid=True)
    reconcile(as_of=TODAY)
    with pytest.raises(RetentionError, match=r"有効な職員ではありません|監査の権限がありません"):
        purge(operator=operator, today=TODAY, years=7, dry_run=True)
    with pytest.raises(CommandError):
        call_command("purge_retention", "--dry-run", "--operator", operator, stdout=StringIO())
    assert not RetentionRun.objects.exists()
    assert Taxpayer.objects.get(atena_number="000000201").individual_number_ciphertext


@time_machine.travel(NOW)
@pytest.mark.parametrize("years", [0, 1, 4, -3])
def test_fewer_years_than_the_minimum_are_refused_even_for_a_dry_run(ledger, supervisor, years):
    old_case("000000201", "123456789018", paid=True)
    reconcile(as_of=TODAY)
    with pytest.raises(CommandError, match="保存年数は5年以上"):
        call_command("purge_retention", "--years", str(years), "--operator", "S2001", stdout=StringIO())
    with pytest.raises(RetentionError, match="5年以上"):
        purge(operator="S2001", today=TODAY, years=years, dry_run=True)
    assert not RetentionRun.objects.exists()
    assert Taxpayer.objects.get(atena_number="000000201").individual_number_ciphertext


@time_machine.travel(NOW)
def test_the_minimum_is_a_setting_that_can_be_raised(ledger, supervisor, settings):
    settings.RETENTION_MINIMUM_YEARS = 10
    with pytest.raises(RetentionError, match="10年以上"):
        purge(operator="S2001", today=TODAY, years=7, dry_run=True)
    assert purge(operator="S2001", today=TODAY, years=10, dry_run=True).cutoff == date(2016, 11, 27)


@time_machine.travel(NOW)
@pytest.mark.parametrize("confirmation", ["", "1", "1-000000000000", "x-y", "../../etc"])
def test_a_real_run_without_the_dry_runs_confirmation_deletes_nothing(ledger, supervisor, confirmation):
    old_case("000000201", "123456789018", paid=True)
    reconcile(as_of=TODAY)
    logged(date(2018, 1, 5))
    purge(operator="S2001", today=TODAY, years=7, dry_run=True)
    args = ["--operator", "S2001"] + (["--confirm", confirmation] if confirmation else [])
    with pytest.raises(CommandError, match="確認コードが正しくありません"):
        call_command("purge_retention", *args, stdout=StringIO())
    assert Taxpayer.objects.get(atena_number="000000201").individual_number_ciphertext
    assert TaxpayerAccess.objects.count() == 1
    assert not RetentionRun.objects.filter(dry_run=False).exists()


@time_machine.travel(NOW)
def test_a_confirmation_is_refused_for_another_operator_a_second_time_or_other_years(ledger, supervisor):
    from accounts.roles import Role
    from tests.conftest import make_staff

    make_staff("S2002", Role.SUPERVISOR)
    old_case("000000201", "123456789018", paid=True)
    reconcile(as_of=TODAY)
    trial = purge(operator="S2001", today=TODAY, years=7, dry_run=True)
    with pytest.raises(RetentionError, match="試行した職員（S2001）と実行者が違います"):
        purge(operator="S2002", today=TODAY, years=7, confirmation=trial.confirmation)
    with pytest.raises(RetentionError, match="別の日・別の保存年数"):
        purge(operator="S2001", today=TODAY, years=8, confirmation=trial.confirmation)
    purge(operator="S2001", today=TODAY, years=7, confirmation=trial.confirmation)
    with pytest.raises(RetentionError, match="既に実行されています"):
        purge(operator="S2001", today=TODAY, years=7, confirmation=trial.confirmation)


def test_a_confirmation_from_yesterday_is_refused(ledger, supervisor):
    old_case("000000201", "123456789018", paid=True)
    reconcile(as_of=TODAY)
    with time_machine.travel(NOW):
        trial = purge(operator="S2001", today=TODAY, years=7, dry_run=True)
    next_morning = datetime(2026, 11, 28, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    with time_machine.travel(next_morning), pytest.raises(RetentionError, match="別の日"):
        purge(operator="S2001", today=date(2026, 11, 28), years=7, confirmation=trial.confirmation)
    assert Taxpayer.objects.get(atena_number="000000201").individual_number_ciphertext


@time_machine.travel(NOW)
def test_a_removal_that_changed_since_the_dry_run_must_be_counted_again(ledger, supervisor):
    old_case("000000201", "123456789018", paid=True)
    reconcile(as_of=TODAY)
    trial = purge(operator="S2001", today=TODAY, years=7, dry_run=True)
    logged(date(2018, 1, 5))  # an old log the dry run did not count (e.g. restored from a backup)
    with pytest.raises(RetentionError, match="照会記録 0→1件"):
        purge(operator="S2001", today=TODAY, years=7, confirmation=trial.confirmation)
    assert Taxpayer.objects.get(atena_number="000000201").individual_number_ciphertext


def test_the_cutoff_of_29_february_falls_on_28_february():
    assert years_before(date(2028, 2, 29), 7) == date(2021, 2, 28)


@time_machine.travel(NOW)
@pytest.mark.parametrize("typed", ["s2001", "Ｓ２００１", " S2001 "])
def test_the_operator_is_read_in_the_one_spelling_of_a_staff_number(ledger, supervisor, typed):
    call_command("purge_retention", "--dry-run", "--operator", typed, stdout=StringIO())
    assert RetentionRun.objects.get(dry_run=True).operator == "S2001"
