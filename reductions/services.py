"""条例減免 of 延滞金: 申請 (an officer records the application), 決定 or 却下 (a supervisor other than
the officer: four eyes, also a database constraint), 取消 (a supervisor). One transaction each, a
history row for every change, the staff number and terminal of each step recorded."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from reductions.models import LateChargeReduction
from taxpayers.late_charges import FULL_SHARE
from taxpayers.models import Assessment
from wako_collections.actors import Actor, acting_as
from wako_collections.numbering import NumberKind
from wako_collections.records import next_number, save_tracked, stamp

Category = LateChargeReduction.Category
Status = LateChargeReduction.Status


class ReductionError(Exception):
    """A refused 減免 action; the message is shown to staff."""


def _check_period(start: date | None, end: date | None, what: str) -> None:
    if (start is None) != (end is None):
        raise ReductionError(f"{what}は初日と末日の両方を入力してください。")
    if start and end and end < start:
        raise ReductionError(f"{what}の末日が初日より前です。")


def apply_for_reduction(
    *,
    actor: Actor,
    assessment: Assessment,
    applied_on: date,
    reason: str,
    requested_start: date | None = None,
    requested_end: date | None = None,
    requested_amount: int | None = None,
) -> LateChargeReduction:
    """申請の受付: the application with its reason and the period or amount asked for."""
    if not reason.strip():
        raise ReductionError("申請理由を入力してください。")
    _check_period(requested_start, requested_end, "申請期間")
    if requested_start is None and not requested_amount:
        raise ReductionError("減免を求める期間か金額を入力してください。")
    if requested_amount is not None and requested_amount < 0:
        raise ReductionError("申請額は0円以上で入力してください。")
    if applied_on > timezone.localdate():
        raise ReductionError("申請日に未来の日付は入力できません。")
    with transaction.atomic(), acting_as(actor):
        Assessment.objects.select_for_update().get(pk=assessment.pk)
        if LateChargeReduction.objects.filter(
            assessment=assessment, status__in=[Status.APPLIED, Status.DECIDED]
        ).exists():
            raise ReductionError(
                "この期別には審査中又は決定済の減免があります。取り消してから申請してください。"
            )
        reduction = LateChargeReduction(
            number=next_number(LateChargeReduction, "number", NumberKind.REDUCTION.prefix(applied_on)),
            taxpayer_id=assessment.taxpayer_id,
            assessment=assessment,
            applied_on=applied_on,
            reason=reason.strip(),
            requested_start=requested_start,
            requested_end=requested_end,
            requested_amount=requested_amount,
            drafted_by=actor.staff_number,
            drafted_terminal=actor.terminal_number,
        )
        stamp(reduction, actor)
        save_tracked(reduction, reason="減免申請の受付")
    return reduction


def _locked_applied(reduction: LateChargeReduction, actor: Actor, what: str) -> LateChargeReduction:
    reduction = LateChargeReduction.objects.select_for_update().get(pk=reduction.pk)
    if reduction.status != Status.APPLIED:
        raise ReductionError(f"この減免は{reduction.get_status_display()}のため{what}できません。")
    if actor.staff_number == reduction.drafted_by:
        raise ReductionError(
            f"申請を受け付けた職員は{what}できません。他の監督者に{what}を依頼してください。"
        )
    return reduction


def decide_reduction(
    *,
    actor: Actor,
    reduction: LateChargeReduction,
    category: str,
    note: str,
    share: int | None = None,
    amount: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> LateChargeReduction:
    """決定 by a supervisor other than the officer who took the application: 区分 and 率 (1/100 %)
    over a period, or an amount. From its 決定日 the ledger's 延滞金 applies it."""
    if category not in Category.values:
        raise ReductionError("減免区分を選んでください。")
    if category == Category.AMOUNT:
        if not amount or amount < 1:
            raise ReductionError("金額による減免は、減免額（1円以上）を入力してください。")
        share, start, end = None, None, None
    else:
        _check_period(start, end, "減免期間")
        if start is None:
            raise ReductionError("全額又は割合による減免は、減免期間を入力してください。")
        if category == Category.ALL:
            share = FULL_SHARE
        elif share is None or not 1 <= share < FULL_SHARE:
            raise ReductionError(
                "減免割合は0.01%以上100%未満で入力してください（全額は全額減免を選んでください）。"
            )
        amount = None
    with transaction.atomic(), acting_as(actor):
        reduction = _locked_applied(reduction, actor, "決定")
        reduction.status = Status.DECIDED
        reduction.category = category
        reduction.decided_share, reduction.decided_amount = share, amount
        reduction.decided_start, reduction.decided_end = start, end
        _decided(reduction, actor, note, reason="減免決定")
        _refresh_balance(reduction)
    return reduction


def reject_reduction(*, actor: Actor, reduction: LateChargeReduction, note: str) -> LateChargeReduction:
    """却下 by a supervisor other than the officer who took the application, with the reason."""
    if not note.strip():
        raise ReductionError("却下の理由を入力してください。")
    with transaction.atomic(), acting_as(actor):
        reduction = _locked_applied(reduction, actor, "却下")
        reduction.status = Status.REJECTED
        _decided(reduction, actor, note, reason="減免申請の却下")
    return reduction


def _decided(reduction: LateChargeReduction, actor: Actor, note: str, *, reason: str) -> None:
    reduction.decision_note = note.strip()
    reduction.decided_on = timezone.localdate()
    reduction.decided_by = actor.staff_number
    reduction.decided_terminal = actor.terminal_number
    stamp(reduction, actor)
    save_tracked(reduction, reason=reason)


def _refresh_balance(reduction: LateChargeReduction) -> None:
    """A 減免 decided or cancelled changes the installment's 延滞金: its stored balance (滞納者一覧,
    queues) is reconciled in the same transaction, as the ledger already shows it."""
    from taxpayers.reconciliation import reconcile

    reconcile(assessment_ids=[reduction.assessment_id])


def cancel_reduction(
    *, actor: Actor, reduction: LateChargeReduction, reason: str, cancelled_on: date | None = None
) -> LateChargeReduction:
    """取消 of a decided 減免 (偽りの申請、事由の消滅 …) by a supervisor: from then the ledger
    charges the full 延滞金 again."""
    if not reason.strip():
        raise ReductionError("取消の理由を入力してください。")
    on = cancelled_on or timezone.localdate()
    with transaction.atomic(), acting_as(actor):
        reduction = LateChargeReduction.objects.select_for_update().get(pk=reduction.pk)
        if reduction.status != Status.DECIDED:
            raise ReductionError(f"この減免は{reduction.get_status_display()}のため取り消せません。")
        decided_on = reduction.decided_on or on  # a decided reduction has its day (constraint)
        if on < decided_on or on > timezone.localdate():
            raise ReductionError("取消日は決定日から本日までの日を入力してください。")
        reduction.status = Status.CANCELLED
        reduction.cancelled_on = on
        reduction.cancellation_reason = reason.strip()
        reduction.cancelled_by = actor.staff_number
        reduction.cancelled_terminal = actor.terminal_number
        stamp(reduction, actor)
        save_tracked(reduction, reason=f"減免の取消: {reason.strip()}")
        _refresh_balance(reduction)
    return reduction
