"""条例減免 of 延滞金: 申請 → 決定/却下 by another person (four eyes, also in the database) → 取消,
with history, and the decided 減免 applied to the ledger's 延滞金 through exemption_periods_for.
The fixture's 210000101 is the field case: 延滞金 9,900円 as of 2024-06-28 with no relief."""

from datetime import date

import pytest
import time_machine
from django.db import IntegrityError, transaction

from reductions import services
from reductions.models import LateChargeReduction
from taxpayers.ledger import ledger_for
from taxpayers.models import Assessment, Taxpayer
from wako_collections.actors import Actor

pytestmark = pytest.mark.django_db

AS_OF = date(2024, 6, 28)


@pytest.fixture
def assessment(ledger):
    return Assessment.objects.get(notice_number="210000101")


@pytest.fixture
def clerk(officer):
    return Actor.for_staff(officer, "T0001")


@pytest.fixture
def boss(supervisor):
    return Actor.for_staff(supervisor, "T0002")


def settlement(as_of=AS_OF):
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    return next(
        line.settlement
        for line in ledger_for(taxpayer, as_of=as_of).lines
        if line.assessment.notice_number == "210000101"
    )


def applied(clerk, assessment, **requested):
    with time_machine.travel(date(2024, 5, 1), tick=False):
        return services.apply_for_reduction(
            actor=clerk,
            assessment=assessment,
            applied_on=date(2024, 5, 1),
            reason="災害により事業用資産に損害を受けたため",
            **(requested or {"requested_start": date(2022, 4, 1), "requested_end": date(2024, 6, 28)}),
        )


def decide(boss, reduction, **decision):
    with time_machine.travel(date(2024, 5, 10), tick=False):
        return services.decide_reduction(actor=boss, reduction=reduction, note="条例第○条に該当", **decision)


def test_an_application_changes_nothing_until_it_is_decided(clerk, assessment):
    reduction = applied(clerk, assessment)
    assert reduction.number == "R2024000001" and reduction.status == "applied"
    assert settlement().late_charge == 9_900


def test_the_officer_who_took_the_application_cannot_decide_it(clerk, assessment):
    reduction = applied(clerk, assessment)
    with pytest.raises(services.ReductionError, match="他の監督者"):
        decide(clerk, reduction, category="all", start=date(2022, 4, 1), end=date(2024, 6, 28))
    with pytest.raises(services.ReductionError, match="他の監督者"):
        services.reject_reduction(actor=clerk, reduction=reduction, note="該当しない")


def test_the_database_refuses_a_decision_by_the_drafter(clerk, assessment):
    reduction = applied(clerk, assessment)
    with pytest.raises(IntegrityError), transaction.atomic():
        LateChargeReduction.objects.filter(pk=reduction.pk).update(
            status="decided",
            category="amount",
            decided_amount=1_000,
            decided_on=date(2024, 5, 10),
            decided_by=reduction.drafted_by,
        )


def test_a_decision_by_share_over_a_period_lowers_the_ledger(clerk, boss, assessment):
    reduction = decide(
        boss,
        applied(clerk, assessment),
        category="share",
        share=5_000,
        start=date(2022, 4, 1),
        end=date(2024, 6, 28),
    )
    # 133+1,441+776+750 + half of 2,294 / 3,045 / 1,501: 1,147 + 1,523 + 751 = 6,521 → 6,500円.
    assert settlement().late_charge == 6_500
    (line,) = settlement().late_charge_reliefs
    assert line.title == f"条例減免（{reduction.number}）"
    assert line.amount == 1_147 + 1_522 + 750
    assert settlement(date(2024, 5, 9)).late_charge_reliefs == ()  # before the 決定日 it is unknown


def test_a_decision_in_full_and_by_amount(clerk, boss, assessment):
    full = decide(
        boss, applied(clerk, assessment), category="all", start=date(2021, 6, 1), end=date(2024, 6, 28)
    )
    assert settlement().late_charge == 0
    with time_machine.travel(date(2024, 5, 20), tick=False):
        services.cancel_reduction(actor=boss, reduction=full, reason="申請内容に偽りがあったため")
    assert settlement().late_charge == 9_900
    by_amount = applied(clerk, assessment, requested_amount=3_000)
    decide(boss, by_amount, category="amount", amount=3_000)
    assert settlement().late_charge == 6_900
    assert settlement().late_charge_remitted == 3_000


def test_a_rejection_needs_a_reason_and_changes_nothing(clerk, boss, assessment):
    reduction = applied(clerk, assessment)
    with pytest.raises(services.ReductionError, match="却下の理由"):
        services.reject_reduction(actor=boss, reduction=reduction, note=" ")
    services.reject_reduction(actor=boss, reduction=reduction, note="条例の減免事由に該当しないため")
    assert settlement().late_charge == 9_900
    with pytest.raises(services.ReductionError, match="却下"):
        decide(boss, reduction, category="amount", amount=1_000)


def test_every_step_leaves_history_with_staff_and_terminal(clerk, boss, assessment):
    reduction = decide(boss, applied(clerk, assessment), category="amount", amount=1_000)
    with time_machine.travel(date(2024, 5, 20), tick=False):
        services.cancel_reduction(actor=boss, reduction=reduction, reason="事由が消滅したため")
    history = list(reduction.history.order_by("history_date"))
    assert [h.status for h in history] == ["applied", "decided", "cancelled"]
    assert [(h.history_staff_number, h.history_terminal_number) for h in history] == [
        (clerk.staff_number, "T0001"),
        (boss.staff_number, "T0002"),
        (boss.staff_number, "T0002"),
    ]


@pytest.mark.parametrize(
    "decision, message",
    [
        (dict(category="share", share=0, start=date(2022, 4, 1), end=date(2024, 6, 28)), "減免割合"),
        (dict(category="share", share=10_000, start=date(2022, 4, 1), end=date(2024, 6, 28)), "減免割合"),
        (dict(category="all", start=date(2024, 6, 28), end=date(2022, 4, 1)), "末日が初日より前"),
        (dict(category="all"), "減免期間"),
        (dict(category="amount", amount=0), "減免額"),
        (dict(category="other"), "減免区分"),
    ],
)
def test_an_incomplete_decision_is_refused_in_japanese(clerk, boss, assessment, decision, message):
    with pytest.raises(services.ReductionError, match=message):
        decide(boss, applied(clerk, assessment), **decision)


def test_one_standing_reduction_per_installment(clerk, assessment):
    applied(clerk, assessment)
    with pytest.raises(services.ReductionError, match="審査中又は決定済"):
        applied(clerk, assessment)
