"""Dispositions: eligibility, drafting by an officer, approval (決裁) by a second person,
cancellation with 区分 and 理由, and the 時効 events they cause. One transaction each, history
on every row, the drafter's and approver's staff numbers and terminals recorded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dispositions.models import (
    POSTPONEMENT_CODES,
    SEIZURE_CATEGORIES,
    SUSPENSION_CATEGORIES,
    DelinquencyCategory,
    Disposition,
    DispositionCode,
    DispositionRow,
)
from taxpayers.late_charges import rates_for
from taxpayers.models import ASSESSMENT_KEY_FIELDS, Assessment, PrescriptionEvent, Taxpayer
from taxpayers.prescription import period_end
from taxpayers.settlement import ReceivedPayment, settle
from taxpayers.subjects import rule_for
from wako_collections.actors import Actor, acting_as
from wako_collections.eras import format_date
from wako_collections.records import next_number, save_tracked, stamp

DEMAND_WAITING_DAYS = 10  # 地方税法第331条第1項ほか: 督促状を発した日から起算して10日を経過した日


class DispositionError(Exception):
    """A refused disposition action; the message is shown to staff."""


@dataclass(frozen=True)
class Eligibility:
    assessment: Assessment
    eligible: bool
    why_not: str
    principal: int
    fee: int
    late_charge: int


def _settlement(assessment: Assessment, on: date, rates):
    rule = rule_for(assessment.subject_code)
    return settle(
        principal=assessment.principal,
        fee=assessment.demand_fee,
        due_date=assessment.due_date,
        payments=[ReceivedPayment(p.received_on, p.amount) for p in assessment.payments.all()],
        as_of=on,
        first_band_months=settings.NHI_PREMIUM_FIRST_BAND_MONTHS if rule.is_premium else 1,
        order=settings.PAYMENT_ALLOCATION_ORDER,
        rates=rates,
        extended_from=assessment.late_charge_extended_from,
    )


def suspended_assessment_ids(taxpayer: Taxpayer) -> set[int]:
    """Installments under an approved, uncancelled 執行停止 (not offered for seizure)."""
    return set(
        DispositionRow.objects.filter(
            disposition__taxpayer=taxpayer,
            disposition__status=Disposition.Status.APPROVED,
            disposition_code=DispositionCode.SUSPENSION,
            cancelled_on__isnull=True,
        ).values_list("assessment_id", flat=True)
    )


def eligibility(taxpayer: Taxpayer, *, code: str, on: date) -> list[Eligibility]:
    """Every installment of the taxpayer with something owed, and whether it can be covered by a
    disposition of `code` on `on` — for 差押: 督促状 sent and 10 days passed (地方税法第331条第1項
    ほか), not under 執行停止; for any disposition but 不納欠損, 時効 not completed (地方税法第18条:
    the claim is then extinguished)."""
    from taxpayers.chains import time_barred_on

    stopped = suspended_assessment_ids(taxpayer)
    rates = rates_for(on)[0]
    result = []
    for assessment in (
        Assessment.objects.filter(taxpayer=taxpayer)
        .prefetch_related("payments", "prescription_events")
        .order_by("due_date")
    ):
        settled = _settlement(assessment, on, rates)
        owed = settled.outstanding_principal + settled.outstanding_fee
        if owed == 0 and settled.late_charge == 0:
            continue
        why_not = ""
        barred_on = time_barred_on(assessment, on=on) if code != DispositionCode.WRITE_OFF else None
        if barred_on:
            why_not = (
                f"時効が完成しています（{format_date(barred_on)}）。不納欠損の対象です（地方税法第18条）。"
            )
        elif assessment.pk in stopped:
            why_not = "執行停止中のため処分できません。"
        elif on <= assessment.due_date:
            why_not = "納期限が到来していません。"
        elif code in (DispositionCode.SEIZURE, DispositionCode.JOINT_SEIZURE):
            if assessment.demand_issued_on is None:
                why_not = "督促状を発していないため差押できません（地方税法第331条第1項）。"
            elif on <= assessment.demand_issued_on + timedelta(days=DEMAND_WAITING_DAYS):
                allowed = assessment.demand_issued_on + timedelta(days=DEMAND_WAITING_DAYS + 1)
                why_not = f"督促状を発した日から10日を経過していません（{format_date(allowed)}以降に差押できます）。"
        result.append(
            Eligibility(
                assessment,
                not why_not,
                why_not,
                settled.outstanding_principal,
                settled.outstanding_fee,
                settled.late_charge,
            )
        )
    return result


def _next_number(on: date) -> str:
    return next_number(Disposition, "number", f"S{on.year}")


def draft_disposition(
    *,
    actor: Actor,
    taxpayer: Taxpayer,
    assessment_ids: Sequence[int],
    code: str,
    category: str,
    reason: str,
    planned_on: date,
    property_description: str = "",
    third_party_name: str = "",
    third_party_address: str = "",
    postponed_until: date | None = None,
) -> Disposition:
    """An officer's draft; it takes effect only when a supervisor approves it."""
    if code in POSTPONEMENT_CODES:
        if postponed_until is None or postponed_until < planned_on:
            raise DispositionError(
                "徴収の猶予・換価の猶予には、処分予定日以後の猶予期間の終期を入力してください。"
            )
        if postponed_until > period_end(planned_on, 1):
            raise DispositionError(
                "猶予期間は1年以内です（地方税法第15条第1項・第15条の5第1項）。延長は別の処分として起案してください。"
            )
    else:
        postponed_until = None
    if (
        code in (DispositionCode.SEIZURE, DispositionCode.JOINT_SEIZURE)
        and category not in SEIZURE_CATEGORIES
    ):
        raise DispositionError("差押・参加差押には財産の種類（処分区分）を選んでください。")
    if code == DispositionCode.SUSPENSION and category not in SUSPENSION_CATEGORIES:
        raise DispositionError("執行停止には地方税法第15条の7第1項の号（処分区分）を選んでください。")
    if code == DispositionCode.IMMEDIATE_EXTINCTION and category != "71":
        # 第15条の7第5項: only where 第1号 applies (no property) and collection is clearly impossible.
        raise DispositionError(
            "即時消滅は、第1号（滞納処分をすることができる財産がない）に当たり、徴収できないことが明らかな場合に限られます。"
            "処分区分に第1号を選び、理由に徴収できないことが明らかな事情を記載してください。"
        )
    if not reason.strip():
        raise DispositionError("処分理由を入力してください。")
    by_id = {e.assessment.pk: e for e in eligibility(taxpayer, code=code, on=planned_on)}
    chosen = [by_id.get(pk) for pk in assessment_ids]
    if not chosen or any(item is None for item in chosen):
        raise DispositionError("処分の対象とする未納の期別を選んでください。")
    refused = [item for item in chosen if not item.eligible]
    if refused:
        raise DispositionError(" ".join(f"{item.assessment}: {item.why_not}" for item in refused))
    this_year = planned_on.year - (1 if planned_on.month < 4 else 0)
    with transaction.atomic(), acting_as(actor):
        disposition = Disposition(
            number=_next_number(planned_on),
            taxpayer=taxpayer,
            code=code,
            category=category,
            reason=reason.strip(),
            planned_on=planned_on,
            postponed_until=postponed_until,
            property_description=property_description,
            third_party_name=third_party_name,
            third_party_address=third_party_address,
            drafted_by=actor.staff_number,
            drafted_terminal=actor.terminal_number,
        )
        stamp(disposition, actor)
        save_tracked(disposition, reason="起案")
        for item in chosen:
            assessment = item.assessment
            row = DispositionRow(
                disposition=disposition,
                assessment=assessment,
                **{name: getattr(assessment, name) for name in ASSESSMENT_KEY_FIELDS},
                disposition_code=code,
                disposition_category=category,
                disposition_reason=reason.strip(),
                delinquency_category=DelinquencyCategory.CURRENT
                if assessment.tax_year >= this_year
                else DelinquencyCategory.ARREARS,
                principal=item.principal,
                demand_fee=item.fee,
                late_charge=item.late_charge,
            )
            stamp(row, actor)
            save_tracked(row, reason="起案")
    return disposition


_EVENTS = {
    DispositionCode.SEIZURE: PrescriptionEvent.Kind.SEIZURE,
    DispositionCode.JOINT_SEIZURE: PrescriptionEvent.Kind.SEIZURE,
    DispositionCode.DELIVERY_REQUEST: PrescriptionEvent.Kind.DELIVERY_REQUEST,
}
_ENDS = {
    PrescriptionEvent.Kind.SEIZURE: PrescriptionEvent.Kind.SEIZURE_ENDED,
    PrescriptionEvent.Kind.DELIVERY_REQUEST: PrescriptionEvent.Kind.DELIVERY_REQUEST_ENDED,
}


def _event(actor: Actor, assessment: Assessment, kind: str, on: date, source: str) -> None:
    event = PrescriptionEvent(assessment=assessment, kind=kind, occurred_on=on, source=source)
    stamp(event, actor)
    save_tracked(event, reason=f"{event.get_kind_display()}（{source}）")


def approve_disposition(
    *, actor: Actor, disposition: Disposition, disposed_on: date | None = None
) -> Disposition:
    """決裁: a second person approves; from then the disposition has effect (and its 時効 events)."""
    with transaction.atomic(), acting_as(actor):
        disposition = Disposition.objects.select_for_update().get(pk=disposition.pk)
        if not disposition.is_draft:
            raise DispositionError(f"この処分は{disposition.get_status_display()}のため決裁できません。")
        if actor.staff_number == disposition.drafted_by:
            raise DispositionError(
                "起案した職員は自分の起案を決裁できません。他の監督者に決裁を依頼してください。"
            )
        on = disposed_on or timezone.localdate()
        disposition.status = Disposition.Status.APPROVED
        disposition.approved_by = actor.staff_number
        disposition.approved_terminal = actor.terminal_number
        disposition.approved_at = timezone.now()
        save_tracked(
            disposition,
            reason="決裁",
            update_fields=[
                "status",
                "approved_by",
                "approved_terminal",
                "approved_at",
                *stamp(disposition, actor),
            ],
        )
        for row in disposition.rows.select_related("assessment"):
            row.disposed_on = on
            save_tracked(row, reason="決裁（処分日）", update_fields=["disposed_on", *stamp(row, actor)])
            if disposition.code in _EVENTS:
                _event(actor, row.assessment, _EVENTS[disposition.code], on, f"滞納処分 {disposition.number}")
            if disposition.code in POSTPONEMENT_CODES:
                source = f"滞納処分 {disposition.number}"
                _event(actor, row.assessment, PrescriptionEvent.Kind.POSTPONEMENT, on, source)
                _event(
                    actor,
                    row.assessment,
                    PrescriptionEvent.Kind.POSTPONEMENT_ENDED,
                    disposition.postponed_until,
                    source,
                )
    return disposition


def cancel_disposition(
    *, actor: Actor, disposition: Disposition, category: str, reason: str, cancelled_on: date | None = None
) -> Disposition:
    """取消: needs 区分 and 理由. An approved 差押/交付要求 ends, which renews 時効 from the next day."""
    if not category or not reason.strip():
        raise DispositionError("処分取消区分と処分取消理由を入力してください。")
    with transaction.atomic(), acting_as(actor):
        disposition = Disposition.objects.select_for_update().get(pk=disposition.pk)
        if disposition.status == Disposition.Status.CANCELLED:
            raise DispositionError("この処分は既に取り消されています。")
        on = cancelled_on or timezone.localdate()
        was_approved = disposition.status == Disposition.Status.APPROVED
        disposition.status = Disposition.Status.CANCELLED
        save_tracked(
            disposition,
            reason=f"取消: {reason.strip()}",
            update_fields=["status", *stamp(disposition, actor)],
        )
        for row in disposition.rows.select_related("assessment"):
            row.cancelled_on = on
            row.cancellation_category = category
            row.cancellation_reason = reason.strip()
            save_tracked(
                row,
                reason=f"取消: {reason.strip()}",
                update_fields=[
                    "cancelled_on",
                    "cancellation_category",
                    "cancellation_reason",
                    *stamp(row, actor),
                ],
            )
            started = _EVENTS.get(disposition.code)
            if was_approved and started:
                _event(actor, row.assessment, _ENDS[started], on, f"滞納処分 {disposition.number} の取消")
            if was_approved and disposition.code in POSTPONEMENT_CODES and on < disposition.postponed_until:
                # 猶予の取消: the 猶予 ends on the day it is cancelled (the chain takes the first end)
                _event(
                    actor,
                    row.assessment,
                    PrescriptionEvent.Kind.POSTPONEMENT_ENDED,
                    on,
                    f"滞納処分 {disposition.number} の取消",
                )
    return disposition


SUSPENSION_YEARS = 3  # 地方税法第15条の7第4項: 執行停止が3年間継続したときは納付義務が消滅する


def suspension_watch(*, today: date, within_days: int = 180):
    """Approved 執行停止 whose 3 years end within `within_days` (or have ended), oldest first."""
    rows = (
        DispositionRow.objects.filter(
            disposition__status=Disposition.Status.APPROVED,
            disposition_code=DispositionCode.SUSPENSION,
            cancelled_on__isnull=True,
        )
        .select_related("disposition", "disposition__taxpayer")
        .order_by("disposed_on")
    )
    watch = []
    for row in rows:
        ends = _three_years_end(row.disposed_on)
        if ends <= today + timedelta(days=within_days):
            watch.append((row, ends, ends < today))
    return watch


def _three_years_end(start: date) -> date:
    from taxpayers.prescription import period_end

    return period_end(start + timedelta(days=1), SUSPENSION_YEARS)
