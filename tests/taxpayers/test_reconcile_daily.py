"""reconcile's daily run (issue 21): it computes only the installments whose inputs changed (recorded
by PostgreSQL triggers in ChangedInputs) and those whose standing moves with the day — and what it
stores is what a run over every installment would have stored, day after day, whatever was written
in between and however (ORM saves, QuerySet.update, bulk writes, deletes, rows dated ahead)."""

import random
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection, transaction

from taxpayers import reconciliation
from taxpayers.models import (
    Assessment,
    ChangedInputs,
    InstallmentBalance,
    Payment,
    ReconcileRun,
    Taxpayer,
    TaxpayerBalance,
    WriteOffReason,
    WrittenOff,
)
from taxpayers.reconciliation import BALANCE_FIELDS, TOTAL_FIELDS, reconcile
from taxpayers.services import record_prescription_event
from taxpayers.settlement import PaymentStatus
from tests.assessments import add_assessment
from tests.taxpayers.test_ledger_exemptions import approved
from tests.taxpayers.test_reconcile_skip import add_payment
from wako_collections.actors import acting_as
from wako_collections.records import stamp

pytestmark = pytest.mark.django_db

START = date(2024, 6, 24)  # a week before 納期限 2024-06-30 / 07-01 and a month boundary


@pytest.fixture(autouse=True)
def ledger_without_runs(ledger):
    """The test ledger, its set-up runs (on the real day, after START) forgotten."""
    ReconcileRun.objects.all().delete()


def balances() -> dict:
    return {
        row[0]: row[1:] for row in InstallmentBalance.objects.values_list("assessment_id", *BALANCE_FIELDS)
    }


def totals() -> dict:
    return {row[0]: row[1:] for row in TaxpayerBalance.objects.values_list("taxpayer_id", *TOTAL_FIELDS)}


def full_run_would_store(day: date) -> tuple[dict, dict]:
    """What a run over every installment stores on `day`, rolled back afterwards."""
    point = transaction.savepoint()
    reconcile(as_of=day, full=True)
    stored = balances(), totals()
    transaction.savepoint_rollback(point)
    return stored


def marked() -> set[int]:
    return set(ChangedInputs.objects.values_list("assessment_id", flat=True))


def test_every_payment_status_is_classified_for_the_daily_run():
    classified = (
        reconciliation.MOVING_STATUSES
        + reconciliation.TRANSITIONAL_STATUSES
        + reconciliation.SETTLED_STATUSES
    )
    assert sorted(classified) == sorted(PaymentStatus.values)


def test_the_triggers_mark_every_kind_of_write(ledger, batch_actor):
    assessment = Assessment.objects.get(notice_number="210000101")
    other = Assessment.objects.exclude(pk=assessment.pk).first()
    ChangedInputs.objects.all().delete()

    add_payment(assessment, batch_actor, on=date(2024, 7, 3), amount=1_000, receipt="RD01")  # an ORM save
    assert set(ChangedInputs.objects.values_list("assessment_id", "effective_on")) == {
        (assessment.pk, None),  # now
        (assessment.pk, date(2024, 7, 3)),  # and on the day it was received
    }
    ChangedInputs.objects.all().delete()
    Assessment.objects.filter(pk=other.pk).update(demand_issued_on=date(2024, 7, 1))  # QuerySet.update
    assert marked() == {other.pk}
    ChangedInputs.objects.all().delete()
    Payment.objects.filter(receipt_number="RD01").update(assessment=other)  # moved: both
    assert marked() == {assessment.pk, other.pk}
    ChangedInputs.objects.all().delete()
    with acting_as(batch_actor):
        Payment.objects.filter(receipt_number="RD01").delete()  # a delete
    assert marked() == {other.pk}
    ChangedInputs.objects.all().delete()
    with connection.cursor() as cursor:  # set-based SQL, as the imports write
        cursor.execute(
            "UPDATE taxpayers_assessment SET principal = principal WHERE taxpayer_id = %s",
            [other.taxpayer_id],
        )
    assert marked() == set(
        Assessment.objects.filter(taxpayer_id=other.taxpayer_id).values_list("pk", flat=True)
    )


def test_a_run_takes_the_marks_due_by_its_day_and_leaves_those_ahead(ledger, batch_actor):
    assessment = Assessment.objects.get(notice_number="210000101")
    with time_machine.travel(START, tick=False):
        reconcile(as_of=START)
        add_payment(assessment, batch_actor, on=START + timedelta(days=3), amount=1_000, receipt="RD02")
        assert reconcile(as_of=START).scope == "diff"
    assert set(ChangedInputs.objects.values_list("effective_on", flat=True)) == {START + timedelta(days=3)}
    with time_machine.travel(START + timedelta(days=3), tick=False):
        reconcile()
    assert not ChangedInputs.objects.exists()


def test_the_daily_run_computes_the_day_and_not_the_settled(ledger, batch_actor, monkeypatch):
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    on_time = add_assessment(taxpayer, "249900101", tax_year=2023, due=date(2023, 6, 30), principal=10_000)
    late = add_assessment(taxpayer, "249900102", tax_year=2023, due=date(2023, 7, 31), principal=20_000)
    add_payment(on_time, batch_actor, on=date(2023, 6, 20), amount=10_000, receipt="RP01")
    add_payment(late, batch_actor, on=date(2023, 9, 1), amount=20_000, receipt="RP02")  # 延滞金 left: Python
    with time_machine.travel(START, tick=False):
        first = reconcile()
    assert first.scope == "all"
    paid = set(InstallmentBalance.objects.filter(status="paid").values_list("assessment_id", flat=True))
    assert on_time.pk in paid
    computed: list[int] = []
    original = reconciliation._settled_row
    monkeypatch.setattr(
        reconciliation, "_settled_row", lambda row, *a: computed.append(row[0]) or original(row, *a)
    )
    steady = dict(
        InstallmentBalance.objects.filter(status="delinquent").values_list("assessment_id", "steady_through")
    )
    next_day = START + timedelta(days=1)
    with time_machine.travel(next_day, tick=False):
        daily = reconcile()
    assert daily.scope == "diff"
    # a 滞納 installment is computed again once its row may have moved (the day after its stored
    # steady_through, or every day without one), never the paid
    due = {pk for pk, through in steady.items() if through is None or through < next_day}
    assert due <= set(computed) and not (steady.keys() - due) & set(computed) and not paid & set(computed)
    assert steady.keys() - due  # 延滞金 that does not reach the next 100円 the next day is left
    assert daily.installments < first.installments


def test_a_full_run_is_made_when_the_daily_run_cannot_be_trusted(ledger):
    with time_machine.travel(START, tick=False):
        assert reconcile().scope == "all"  # no run over every installment by these rules yet
        assert reconcile().scope == "diff"
        assert reconcile(full=True).scope == "all"
        assert reconcile(as_of=START - timedelta(days=1)).scope == "all"  # back-dated
        assert reconcile().scope == "all"  # a back-dated run since the last full one
        assert reconcile().scope == "diff"
        assert reconcile(as_of=START + timedelta(days=5)).scope == "diff"  # ahead of the day
        assert reconcile().scope == "all"  # a run already settled to a later day
        ReconcileRun.objects.update(rules="older rules")
        assert reconcile().scope == "all"


def scenario_day(rng: random.Random, day: date, actor, officer, supervisor, counter: list[int]) -> None:
    """One day's writes, drawn from `rng`: payments (in part, in full, dated back or ahead), 督促 by
    QuerySet.update, a 更正, a 時効 event, a 欠損 dated ahead and its cancellation, a payment taken back."""
    assessments = list(Assessment.objects.order_by("pk"))
    for _ in range(rng.randint(0, 3)):
        target = rng.choice(assessments)
        counter[0] += 1
        add_payment(
            target,
            actor,
            on=day + timedelta(days=rng.choice([-3, -1, 0, 0, 1, 4])),
            amount=rng.choice([1_000, 5_000, target.principal, target.principal + target.demand_fee]),
            receipt=f"RS{counter[0]:05d}",
        )
    move = rng.random()
    target = rng.choice(assessments)
    if move < 0.15:
        Assessment.objects.filter(pk=target.pk, demand_issued_on__isnull=True).update(
            demand_issued_on=day, demand_fee=100
        )
    elif move < 0.25:
        Assessment.objects.filter(pk=target.pk).update(principal=target.principal + 1_000)
    elif move < 0.35:
        record_prescription_event(
            actor=actor, assessment=target, kind="acknowledgement", on=day, source=f"承認 {day}"
        )
    elif move < 0.45 and not WrittenOff.objects.filter(assessment=target).exists():
        with acting_as(actor):
            written = WrittenOff(
                assessment=target,
                written_off_on=day + timedelta(days=2),  # decided ahead of its day
                fiscal_year=day.year,
                reason=WriteOffReason.PRESCRIPTION,
                article="地方税法第18条第1項",
                extinguished_on=day,
                principal=0,
                demand_fee=0,
                late_charge=0,
                source=f"K{counter[0]:04d}",
            )
            stamp(written, actor)
            written.save()
    elif move < 0.5:
        WrittenOff.objects.filter(cancelled_on__isnull=True).update(cancelled_on=day + timedelta(days=1))
    elif move < 0.6:
        with acting_as(actor):  # a payment taken back
            Payment.objects.filter(pk__in=Payment.objects.order_by("-pk").values("pk")[:1]).delete()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_day_after_day_the_daily_run_stores_what_a_full_run_would(
    ledger, batch_actor, officer, supervisor, seed
):
    rng = random.Random(seed)
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    # installments that move through 未到来 → 納期内 → 滞納 during the days
    for number, due in enumerate([date(2024, 6, 28), date(2024, 7, 1), date(2024, 7, 31), date(2024, 8, 30)]):
        add_assessment(
            taxpayer, f"24990{number:04d}", tax_year=2024, due=due, principal=30_000 + number * 7_000
        )
    approved(officer, supervisor, code="07", category="72", on=START)  # an 執行停止: relieved 延滞金
    counter = [0]
    day = START
    with time_machine.travel(day, tick=False):
        reconcile()
    for _ in range(12):
        day += timedelta(days=rng.choice([1, 1, 2, 5]))
        with time_machine.travel(day, tick=False):
            scenario_day(rng, day, batch_actor, officer, supervisor, counter)
            summary = reconcile()
            assert summary.scope == "diff"
            assert (balances(), totals()) == full_run_would_store(day), day


def test_the_command_says_which_run_it_made_in_wareki(ledger):
    from io import StringIO

    from django.core.management import call_command

    with time_machine.travel(START, tick=False):
        outputs = []
        for options in (["--full"], []):
            out = StringIO()
            call_command("reconcile", *options, stdout=out)
            outputs.append(out.getvalue())
    assert outputs[0].startswith("消込完了（基準日 令和6年6月24日、全件）: 期別 ")
    assert outputs[1].startswith("消込完了（基準日 令和6年6月24日、日次）: 期別 ")


def test_a_run_over_an_ids_table_plans_the_changes_it_takes_with_fresh_statistics(ledger):
    """reconcile(ids_table=…) — an import's or a 更正 file's ids — takes the changes its triggers
    recorded in the same transaction. Statistics of ChangedInputs taken when it was near empty
    made the planner expect one row and nest-loop a 1,000,000-row import's changes against its
    ids (17 minutes of CPU at 100,000 persons); the run ANALYZEs the table first, which counts the
    transaction's own rows. Checked by the planner's row count the run leaves, and the changes taken."""
    from taxpayers.models import Assessment, ChangedInputs

    ids = list(Assessment.objects.values_list("id", flat=True))
    with transaction.atomic(), connection.cursor() as cursor:
        ChangedInputs.objects.all().delete()
        cursor.execute("ANALYZE taxpayers_changedinputs")  # stale: taken empty
        cursor.execute(
            "INSERT INTO taxpayers_changedinputs (assessment_id) SELECT a FROM unnest(%s::bigint[]) a, generate_series(1, 200)",
            [ids],
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE touched_ids ON COMMIT DROP AS SELECT unnest(%s::bigint[]) AS id", [ids]
        )
        reconcile(ids_table="touched_ids")
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'taxpayers_changedinputs'")
        assert cursor.fetchone()[0] >= 200 * len(ids)  # the statistics saw the rows of the transaction
        assert not ChangedInputs.objects.filter(assessment_id__in=ids).exists()  # every change taken


def test_a_steady_installment_comes_back_the_day_after_its_prescription_date(ledger):
    """A 滞納 installment whose 延滞金 will not reach the next 100円 for weeks is left by the daily
    run only to its 時効予定日: the day after, 時効 completes — the 滞納者一覧's totals count it
    apart — and the daily run computes it again, storing what a full run would."""
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    # 法定納期限 2019-07-01: 時効予定日 2024-07-01 (5 years from the next day); 10,000円 bears
    # about 2円 a day, so its 延滞金 stays on the same 100円 for weeks
    old = add_assessment(taxpayer, "199900101", tax_year=2019, due=date(2019, 7, 1), principal=10_000)
    with time_machine.travel(START, tick=False):
        reconcile()
    stored = InstallmentBalance.objects.get(pk=old.pk)
    assert stored.prescription_date == date(2024, 7, 1) == stored.steady_through
    for day in (date(2024, 6, 30), date(2024, 7, 1), date(2024, 7, 2), date(2024, 7, 3)):
        with time_machine.travel(day, tick=False):
            assert reconcile().scope == "diff"
            assert (balances(), totals()) == full_run_would_store(day), day
    assert TaxpayerBalance.objects.get(taxpayer=taxpayer).time_barred_installments >= 1


def test_a_completion_still_ahead_is_not_taken_for_one_already_made(ledger, batch_actor):
    """A 催告 returned and served by 公示送達 on a day after the 時効予定日 (the 掲示 approved
    promptly, deemed served seven days on): the chain knows already that 時効 completes on the
    時効予定日, but until that day the installment is 滞納 and its 延滞金 grows — the daily run
    stores, day after day, what a full run would (it once took such a completion for one made, and
    left the row as it stood until the 送達's own day)."""
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    # 法定納期限 2019-06-30: 時効予定日 2024-06-30; 500,000円 moves its 延滞金 by 100円 every day or so
    old = add_assessment(taxpayer, "199900201", tax_year=2019, due=date(2019, 6, 30), principal=500_000)
    day = date(2024, 6, 27)
    with time_machine.travel(day, tick=False):
        reconcile()
        for kind, on in (("notice", date(2024, 6, 10)), ("not_delivered", date(2024, 6, 20))):
            record_prescription_event(actor=batch_actor, assessment=old, kind=kind, on=on, source="催告書")
        record_prescription_event(
            actor=batch_actor, assessment=old, kind="deemed_served", on=date(2024, 7, 3), source="催告書"
        )
    while day < date(2024, 7, 4):
        day += timedelta(days=1)
        with time_machine.travel(day, tick=False):
            assert reconcile().scope == "diff"
            assert (balances(), totals()) == full_run_would_store(day), day
    stored = InstallmentBalance.objects.get(pk=old.pk)
    assert stored.prescription_date == date(2024, 6, 30) and stored.steady_through == date.max


@pytest.mark.parametrize(
    "first, last",
    [
        (date(2024, 7, 29), date(2024, 8, 3)),  # the first band ends 2024-07-31: a new rate from 08-01
        (date(2025, 12, 28), date(2026, 1, 3)),  # 1 January: the new year's rate (8.7 → 9.1%) and period
    ],
)
def test_the_daily_run_takes_a_steady_installment_up_again_when_a_new_period_starts(ledger, first, last):
    """10,000円 due 2024-06-30 bears about 2円 a day: its 延滞金 holds for weeks, but a new period
    (its own rate, its own cut to the yen) starts the day after the first band and on 1 January —
    the daily run computes it again there, day after day the same as a full run."""
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    add_assessment(taxpayer, "249900301", tax_year=2024, due=date(2024, 6, 30), principal=10_000)
    add_assessment(taxpayer, "249900302", tax_year=2024, due=date(2024, 6, 30), principal=1_234_000)
    day = first
    with time_machine.travel(day, tick=False):
        reconcile()
    while day < last:
        day += timedelta(days=1)
        with time_machine.travel(day, tick=False):
            assert reconcile().scope == "diff"
            assert (balances(), totals()) == full_run_would_store(day), day


def test_a_run_over_some_installments_between_daily_runs_keeps_them_true(ledger, batch_actor):
    """An import or a 更正 file reconciles its own installments (`reconcile(assessment_ids=…)`)
    between two nightly runs: what it stores — `steady_through` with the rest — is what a full run
    would, and the next daily runs take the installments up again on their own days."""
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    slow = add_assessment(taxpayer, "249900401", tax_year=2024, due=date(2024, 4, 30), principal=10_000)
    fast = add_assessment(taxpayer, "249900402", tax_year=2024, due=date(2024, 4, 30), principal=2_345_000)
    day = START
    with time_machine.travel(day, tick=False):
        reconcile()
    for step in range(6):
        day += timedelta(days=3)
        with time_machine.travel(day, tick=False):
            target = (slow, fast)[step % 2]
            # a 更正 between the nightly runs, reconciled at once by the import
            Assessment.objects.filter(pk=target.pk).update(principal=target.principal + 1_000 * (step + 1))
            assert reconcile(assessment_ids=[target.pk]).scope == "some"
            # its own row brought to the day (the others wait for the night)
            assert balances()[target.pk] == full_run_would_store(day)[0][target.pk], day
            assert reconcile().scope == "diff"
            assert (balances(), totals()) == full_run_would_store(day), day
