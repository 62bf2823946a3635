"""Writing the negotiation file and pledges: record, edit (refusing a stale edit), cancel,
evaluate promises and pledges against payments, make and revise pledges, assign officers.

Every function checks the state, then writes in one transaction under the actor, one record at
a time (so django-simple-history sees every change), with a change reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from negotiations.models import InstallmentPledge, NegotiationRecord, RefusedEdit, ScheduledPayment
from negotiations.schedules import PlannedPayment
from taxpayers.models import Assessment, Payment, PrescriptionEvent, Taxpayer
from taxpayers.services import record_prescription_event
from wako_collections.actors import Actor, acting_as
from wako_collections.eras import format_date
from wako_collections.numbering import NumberKind
from wako_collections.records import next_number, save_tracked, stamp

EDITABLE_FIELDS = (
    "subject_group_code",
    "place",
    "interviewee",
    "scheduled_date",
    "scheduled_time",
    "promised_amount",
    "content",
    "result",
    "collection_category",
    "related_number",
    "importance",
    "contact_kind",
    "document_code_1",
    "document_code_2",
)


class NegotiationError(Exception):
    """A refused change; the message is shown to the officer."""


class StaleRecordError(NegotiationError):
    """Someone saved the record after this editor opened it. `current` is the record as saved."""

    def __init__(self, current: NegotiationRecord):
        from accounts.models import Staff

        editor = (
            Staff.objects.filter(staff_number=current.staff_number)
            .values_list("full_name", flat=True)
            .first()
        )
        super().__init__(
            f"この交渉記録は、開いた後に {editor or ''}（職員番号 {current.staff_number}）が "
            f"{format_date(current.updated_on)} {current.updated_time:%H:%M} に更新しています。"
            "あなたの変更は保存していません。相手の変更を確認してから、もう一度入力してください。"
        )
        self.current = current


def _stamp_record(record: NegotiationRecord, actor: Actor) -> list[str]:
    now = timezone.localtime()
    if record._state.adding:
        record.created_on = now.date()
    record.updated_on = now.date()
    record.updated_time = now.time().replace(microsecond=0)
    record.staff_number = actor.staff_number
    record.terminal_number = actor.terminal_number
    return ["created_on", "updated_on", "updated_time", "staff_number", "terminal_number"]


def _next_record_number() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('negotiations_record_number_seq')")
        return cursor.fetchone()[0]


def _log_refused(record: NegotiationRecord, actor: Actor, expected_revision: int, values: dict) -> None:
    # Called after the edit's transaction has ended, so the refusal is kept.
    RefusedEdit.objects.create(
        record=record,
        attempted_at=timezone.now(),
        staff_number=actor.staff_number,
        terminal_number=actor.terminal_number,
        expected_revision=expected_revision,
        found_revision=record.revision,
        attempted_values={key: str(value) if value is not None else None for key, value in values.items()},
    )


def _refuse_a_promise_in_the_past(values: dict, *, since: date) -> None:
    """A promise is to pay on a day still to come: a 予実日 before the day it was made (the record's
    入力日) cannot be judged as kept or broken, so it is refused, not stored."""
    when = values.get("scheduled_date")
    if values.get("result") == NegotiationRecord.Result.PROMISED and when is not None and when < since:
        raise NegotiationError(
            "約束の予実日（入金の予定日）が約束をした日より前です。今日以後の日付を入力してください。"
        )


def record_negotiation(*, actor: Actor, taxpayer: Taxpayer, values: dict) -> NegotiationRecord:
    """A new record, by the officer at their terminal, now. `values` are the EDITABLE_FIELDS."""
    if actor.staff is None:
        raise NegotiationError("交渉記録は職員本人が入力してください。")
    _refuse_a_promise_in_the_past(values, since=timezone.localdate())
    with transaction.atomic(), acting_as(actor):
        now = timezone.localtime()
        record = NegotiationRecord(
            record_number=_next_record_number(),
            taxpayer=taxpayer,
            input_date=now.date(),
            input_time=now.time().replace(microsecond=0),
            officer_atena_number=actor.staff_atena_number,
            officer_name=actor.staff.full_name,
            revision=1,
            **{name: values.get(name) for name in EDITABLE_FIELDS if name in values},
        )
        _stamp_record(record, actor)
        record.full_clean()
        save_tracked(record, reason="交渉記録の入力")
    return record


def update_negotiation(
    *, actor: Actor, record_number: int, expected_revision: int, values: dict
) -> NegotiationRecord:
    """Saves an edit only if nobody saved since the editor loaded 履歴 `expected_revision`;
    otherwise records the refused attempt and raises StaleRecordError."""
    with transaction.atomic(), acting_as(actor):
        record = NegotiationRecord.objects.select_for_update().get(record_number=record_number)
        if record.is_cancelled:
            raise NegotiationError("取り消された交渉記録は修正できません。")
        if record.revision == expected_revision:
            changed = [
                name for name in EDITABLE_FIELDS if name in values and getattr(record, name) != values[name]
            ]
            if not changed:
                return record
            if {"scheduled_date", "result"} & set(changed):
                _refuse_a_promise_in_the_past(
                    {
                        "result": values.get("result", record.result),
                        "scheduled_date": values.get("scheduled_date", record.scheduled_date),
                    },
                    since=record.input_date,
                )
            for name in changed:
                setattr(record, name, values[name])
            record.revision += 1
            record.full_clean()
            save_tracked(
                record,
                reason="交渉記録の修正",
                update_fields=[*changed, "revision", *_stamp_record(record, actor)],
            )
            return record
    _log_refused(record, actor, expected_revision, values)
    raise StaleRecordError(record)


def cancel_negotiation(
    *, actor: Actor, record_number: int, expected_revision: int, reason: str
) -> NegotiationRecord:
    if not reason.strip():
        raise NegotiationError("取消の理由を入力してください。")
    with transaction.atomic(), acting_as(actor):
        record = NegotiationRecord.objects.select_for_update().get(record_number=record_number)
        if record.is_cancelled:
            raise NegotiationError("この交渉記録は既に取り消されています。")
        if record.revision == expected_revision:
            record.cancelled_at = timezone.now()
            record.cancel_reason = reason.strip()
            record.revision += 1
            save_tracked(
                record,
                reason=f"交渉記録の取消: {reason.strip()}",
                update_fields=["cancelled_at", "cancel_reason", "revision", *_stamp_record(record, actor)],
            )
            return record
    _log_refused(record, actor, expected_revision, {"cancel_reason": reason})
    raise StaleRecordError(record)


# --- promises ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationSummary:
    kept: int = 0
    partly_kept: int = 0
    broken: int = 0


def _paid_between(taxpayer_id: int, start: date, end: date) -> int:
    total = Payment.objects.filter(
        assessment__taxpayer_id=taxpayer_id, received_on__gte=start, received_on__lte=end
    ).aggregate(total=Sum("amount"))["total"]
    return int(total or 0)


def evaluate_promises(
    *, as_of: date | None = None, taxpayer_ids: Iterable[int] | None = None, actor: Actor | None = None
) -> EvaluationSummary:
    """Judges every promise (入金予定額 by 予実日) whose grace period has passed: kept when the
    taxpayer paid at least the promised amount from the day of the promise to 予実日 + grace,
    partly kept when less, broken (不履行) when nothing. Cost: one sum query per promise due."""
    as_of = as_of or timezone.localdate()
    actor = actor or Actor.batch("PROMISES")
    grace = timedelta(days=settings.PROMISE_GRACE_DAYS)
    due = NegotiationRecord.objects.promises().filter(
        result=NegotiationRecord.Result.PROMISED, scheduled_date__lt=as_of - grace
    )
    if taxpayer_ids is not None:
        due = due.filter(taxpayer__id__in=list(taxpayer_ids))
    counts = {"kept": 0, "partly_kept": 0, "broken": 0}
    with transaction.atomic(), acting_as(actor):
        for record in due.select_related("taxpayer").select_for_update(of=("self",)):
            paid = _paid_between(record.taxpayer.pk, record.input_date, record.scheduled_date + grace)
            if paid >= record.promised_amount:
                record.result, key = NegotiationRecord.Result.KEPT, "kept"
            elif paid > 0:
                record.result, key = NegotiationRecord.Result.PARTLY_KEPT, "partly_kept"
                record.broken = True
            else:
                record.result, key = NegotiationRecord.Result.BROKEN, "broken"
                record.broken = True
            record.promise_paid = paid
            record.revision += 1
            save_tracked(
                record,
                reason=f"約束の判定（{record.get_result_display()}）",
                update_fields=["result", "broken", "promise_paid", "revision", *_stamp_record(record, actor)],
            )
            counts[key] += 1
    return EvaluationSummary(**counts)


# --- pledges -----------------------------------------------------------------------------


def _next_pledge_number(on: date) -> str:
    return next_number(InstallmentPledge, "pledge_number", NumberKind.PLEDGE.prefix(on))


def make_pledge(
    *,
    actor: Actor,
    taxpayer: Taxpayer,
    assessments: Sequence[Assessment],
    schedule: Sequence[PlannedPayment],
    pledged_on: date,
    interval: str,
    projected_late_charges: Sequence[int] = (),
    note: str = "",
    revises: InstallmentPledge | None = None,
) -> InstallmentPledge:
    """Records a pledge and its schedule. A pledge is an acknowledgement of the debt (承認,
    地方税法第18条第2項・民法第152条): each covered installment gets a 時効 event."""
    if not assessments:
        raise NegotiationError("分納の対象とする調定を1件以上選んでください。")
    if any(a.taxpayer_id != taxpayer.pk for a in assessments):
        raise NegotiationError("他の宛名の調定は対象にできません。")
    if not schedule:
        raise NegotiationError("納付予定を作成してください。")
    if min(p.due_date for p in schedule) < pledged_on:
        raise NegotiationError("初回の納付予定日が誓約日より前です。誓約日以後の日にしてください。")
    active = taxpayer.pledges.filter(status=InstallmentPledge.Status.ACTIVE).exclude(
        pk__in=[revises.pk] if revises is not None else []
    )
    if active.filter(assessments__in=assessments).exists():
        raise NegotiationError(
            "選んだ調定には履行中の分納誓約があります。変更するときは再誓約にしてください。"
        )
    with transaction.atomic(), acting_as(actor):
        if revises is not None:
            revises = InstallmentPledge.objects.select_for_update().get(pk=revises.pk)
            if revises.status not in (InstallmentPledge.Status.ACTIVE, InstallmentPledge.Status.BROKEN):
                raise NegotiationError("この分納誓約は再誓約できません（完了・取消・再誓約済み）。")
            revises.status = InstallmentPledge.Status.REVISED
            save_tracked(revises, reason="再誓約により終了", update_fields=["status", *stamp(revises, actor)])
        pledge = InstallmentPledge(
            taxpayer=taxpayer,
            pledge_number=_next_pledge_number(pledged_on),
            pledged_on=pledged_on,
            total_amount=sum(p.amount for p in schedule),
            payment_count=len(schedule),
            interval=interval,
            revises=revises,
            note=note,
        )
        stamp(pledge, actor)
        save_tracked(pledge, reason="再誓約" if revises else "分納誓約")
        pledge.assessments.set(assessments)
        for assessment in assessments:  # a pledge acknowledges the debt (承認): it renews 時効
            record_prescription_event(
                actor=actor,
                assessment=assessment,
                kind=PrescriptionEvent.Kind.ACKNOWLEDGEMENT,
                on=pledged_on,
                source=f"分納誓約 {pledge.pledge_number}",
                reason="分納誓約による承認",
            )
        lates = list(projected_late_charges) or [0] * len(schedule)
        for payment, late in zip(schedule, lates, strict=True):
            line = ScheduledPayment(
                pledge=pledge,
                sequence=payment.sequence,
                due_date=payment.due_date,
                amount=payment.amount,
                projected_late_charge=late,
            )
            stamp(line, actor)
            save_tracked(line, reason="分納誓約の納付予定")
    return pledge


def pledge_progress(pledge: InstallmentPledge, as_of: date) -> tuple[int, int]:
    """(paid on the covered installments since the pledge, what the schedule asked by `as_of`)."""
    paid = Payment.objects.filter(
        assessment__in=pledge.assessments.all(), received_on__gte=pledge.pledged_on, received_on__lte=as_of
    ).aggregate(total=Sum("amount"))["total"]
    asked = pledge.schedule.filter(due_date__lte=as_of).aggregate(total=Sum("amount"))["total"]
    return int(paid or 0), int(asked or 0)


def evaluate_pledges(
    *, as_of: date | None = None, taxpayer_ids: Iterable[int] | None = None, actor: Actor | None = None
) -> EvaluationSummary:
    """A pledge is broken when, past the grace period, the payments on its installments fall
    short of what its schedule asked; completed when the covered installments are paid off."""
    as_of = as_of or timezone.localdate()
    actor = actor or Actor.batch("PLEDGES")
    grace = timedelta(days=settings.PLEDGE_GRACE_DAYS)
    pledges = InstallmentPledge.objects.filter(status=InstallmentPledge.Status.ACTIVE)
    if taxpayer_ids is not None:
        pledges = pledges.filter(taxpayer_id__in=list(taxpayer_ids))
    counts = {"kept": 0, "partly_kept": 0, "broken": 0}
    with transaction.atomic(), acting_as(actor):
        for pledge in pledges.select_for_update():
            outstanding = sum(
                a.balance.outstanding_principal + a.balance.outstanding_fee
                for a in pledge.assessments.select_related("balance")
                if hasattr(a, "balance")
            )
            paid, asked = pledge_progress(pledge, as_of - grace)
            if outstanding == 0 and pledge.assessments.filter(balance__isnull=False).exists():
                pledge.status = InstallmentPledge.Status.COMPLETED
                counts["kept"] += 1
            elif paid < asked:
                pledge.status = InstallmentPledge.Status.BROKEN
                pledge.broken_on = as_of
                counts["broken"] += 1
            else:
                continue
            save_tracked(
                pledge,
                reason=f"分納誓約の判定（{pledge.get_status_display()}）",
                update_fields=["status", "broken_on", *stamp(pledge, actor)],
            )
    return EvaluationSummary(**counts)


# --- assignment --------------------------------------------------------------------------


def assign_officer(
    *, actor: Actor, taxpayers: Iterable[Taxpayer], officer, district: str | None = None
) -> int:
    """Sets the 担当 (and optionally the 地区) of each taxpayer; returns how many changed."""
    changed = 0
    with transaction.atomic(), acting_as(actor):
        for taxpayer in Taxpayer.objects.select_for_update().filter(pk__in=[t.pk for t in taxpayers]):
            fields = []
            if taxpayer.assigned_officer_id != getattr(officer, "pk", None):
                taxpayer.assigned_officer = officer
                fields.append("assigned_officer")
            if district is not None and taxpayer.district != district:
                taxpayer.district = district
                fields.append("district")
            if fields:
                save_tracked(taxpayer, reason="担当の変更", update_fields=[*fields, *stamp(taxpayer, actor)])
                changed += 1
    return changed
