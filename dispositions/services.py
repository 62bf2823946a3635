"""Dispositions: eligibility, drafting by an officer, approval (決裁) by a second person,
cancellation with 区分 and 理由 (of an approved disposition: drafted by one, approved by another),
and the 時効 events they cause. One transaction each, history
on every row, the drafter's and approver's staff numbers and terminals recorded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dispositions.models import (
    COLLECTION_POSTPONEMENT_CATEGORIES,
    POSTPONEMENT_CODES,
    SEIZURE_CATEGORIES,
    SUSPENSION_CATEGORIES,
    WAGE_CATEGORIES,
    CancellationCategory,
    DelinquencyCategory,
    Disposition,
    DispositionCancellation,
    DispositionCategory,
    DispositionCode,
    DispositionRow,
)
from dispositions.wage_limits import BaseAmountMissingError, WageInputError, compute_wage_seizure_limit
from taxpayers.late_charges import rates_for
from taxpayers.ledger import without_paid
from taxpayers.models import ASSESSMENT_KEY_FIELDS, Assessment, PrescriptionEvent, Taxpayer
from taxpayers.prescription import demand_matured_on, period_end
from taxpayers.services import record_prescription_event
from taxpayers.standing import STOPPED, holds_for_ids, standings_for
from wako_collections.actors import Actor, acting_as
from wako_collections.eras import fiscal_year_of, format_date
from wako_collections.numbering import NumberKind
from wako_collections.records import next_number, save_tracked, stamp


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


def suspended_assessment_ids(taxpayer: Taxpayer, *, on: date | None = None) -> set[int]:
    """Installments under an approved, uncancelled 執行停止 on `on` (today): 停止中 as the standing
    and the 滞納者一覧 define it (`standing.hold_exists`). Not offered for seizure."""
    held = holds_for_ids(taxpayer.assessments.values_list("pk", flat=True), as_of=on or timezone.localdate())
    return {pk for pk, states in held.items() if STOPPED in states}


def immediately_extinguished_ids(taxpayer: Taxpayer, *, on: date) -> set[int]:
    """Installments whose 即時消滅 (地方税法第15条の7第5項) was approved by `on` and not cancelled."""
    return set(
        DispositionRow.objects.filter(
            disposition__taxpayer=taxpayer,
            disposition__status=Disposition.Status.APPROVED,
            disposition_code=DispositionCode.IMMEDIATE_EXTINCTION,
            cancelled_on__isnull=True,
            disposed_on__lte=on,
        ).values_list("assessment_id", flat=True)
    )


def eligibility(taxpayer: Taxpayer, *, code: str, on: date) -> list[Eligibility]:
    """Every installment of the taxpayer with something owed, and whether it can be covered by a
    disposition of `code` on `on` — for 差押: a 督促 that took effect (its 督促状 not returned
    undelivered, or served by 公示送達: the standing's `demand`) and 10 days passed since (地方税法
    第331条第1項ほか), not under 執行停止; for any disposition but 不納欠損, 時効 not completed (地方税法第18条:
    the claim is then extinguished) and no 即時消滅 (第15条の7第5項). An installment written off
    (欠損) by `on` is not listed: nothing is owed on it."""

    extinguished = immediately_extinguished_ids(taxpayer, on=on)
    rates = rates_for(on)[0]
    result = []
    installments = (
        Assessment.objects.filter(taxpayer=taxpayer)
        .exclude(  # 欠損 (and not cancelled by `on`): nothing is owed any more
            Q(written_off__written_off_on__lte=on)
            & (Q(written_off__cancelled_on__isnull=True) | Q(written_off__cancelled_on__gt=on))
        )
        .order_by("due_date")
    )
    # Those paid in full owe nothing and are not listed: not recomputed when reconcile says so.
    installments = without_paid(installments, as_of=on)
    # The standing, as every page has it: 延滞金 with its 免除・減免, payments known by `on`.
    for standing in standings_for(installments, as_of=on, rates=rates):
        assessment = standing.installment
        settled = standing.settlement
        owed = settled.outstanding_principal + settled.outstanding_fee
        if owed == 0 and settled.late_charge == 0:
            continue
        why_not = ""
        barred_on = standing.time_barred_on if code != DispositionCode.WRITE_OFF else None
        if barred_on:
            why_not = (
                f"時効が完成しています（{format_date(barred_on)}）。不納欠損の対象です（地方税法第18条）。"
            )
        elif assessment.pk in extinguished and code != DispositionCode.WRITE_OFF:
            why_not = "即時消滅により納付義務が消滅しています（地方税法第15条の7第5項）。不納欠損の対象です。"
        elif STOPPED in standing.held:  # 停止中, as the standing and the 滞納者一覧 define it
            why_not = "執行停止中のため処分できません。"
        elif on <= assessment.due_date:
            why_not = "納期限が到来していません。"
        elif code in (DispositionCode.SEIZURE, DispositionCode.JOINT_SEIZURE):
            # The 督促 that took effect, as the standing has it: a 督促状 returned undelivered counts
            # only once served by 公示送達, and from the deemed-service day (地方税法第20条の2第3項).
            demand = standing.demand
            if demand.effective_on is None and demand.unserved:
                why_not = (
                    f"督促状（{'、'.join(demand.unserved)}）が返戻され送達されていないため差押できません。"
                    "所在調査のうえ再送付するか、公示送達をしてください（地方税法第20条・第20条の2）。"
                )
            elif demand.effective_on is None:
                why_not = "督促状を発していないため差押できません（地方税法第331条第1項）。"
            elif on <= demand_matured_on(demand.effective_on):
                allowed = demand_matured_on(demand.effective_on) + timedelta(days=1)
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


@dataclass(frozen=True)
class WageTerms:
    """One month's 給与 (or 年金) as the officer knows it, and the monthly amount to seize."""

    paid: int
    income_tax: int
    resident_tax: int
    social_insurance: int
    dependants: int
    seized_monthly_amount: int


def _wage_fields(*, code: str, category: str, wage: WageTerms | None, on: date) -> dict:
    """The 給与差押's columns, after checking the amount against the 差押可能額 (第76条)."""
    is_wage = code in (DispositionCode.SEIZURE, DispositionCode.JOINT_SEIZURE) and category in WAGE_CATEGORIES
    if not is_wage:
        return {}
    if wage is None:
        raise DispositionError(
            "給与・年金の差押には、1月分の支給額・源泉所得税・住民税・社会保険料・扶養親族の数と毎月の差押額を入力してください"
            "（国税徴収法第76条の差押禁止額を計算します）。"
        )
    try:
        limit = compute_wage_seizure_limit(
            paid=wage.paid,
            income_tax=wage.income_tax,
            resident_tax=wage.resident_tax,
            social_insurance=wage.social_insurance,
            dependants=wage.dependants,
            on=on,
        )
    except (WageInputError, BaseAmountMissingError) as error:
        raise DispositionError(str(error)) from None
    if wage.seized_monthly_amount <= 0:
        raise DispositionError("毎月の差押額は1円以上で入力してください。")
    if wage.seized_monthly_amount > limit.seizable:
        raise DispositionError(
            f"毎月の差押額（{wage.seized_monthly_amount:,}円）が差押可能額（{limit.seizable:,}円）を超えています。"
            f"差押禁止額は{limit.prohibited:,}円です（国税徴収法第76条第1項）。"
        )
    return {
        "wage_paid": wage.paid,
        "wage_income_tax": wage.income_tax,
        "wage_resident_tax": wage.resident_tax,
        "wage_social_insurance": wage.social_insurance,
        "wage_dependants": wage.dependants,
        "seized_monthly_amount": wage.seized_monthly_amount,
    }


def _next_number(on: date) -> str:
    return next_number(Disposition, "number", NumberKind.DISPOSITION.prefix(on))


SEIZURE_CODES = (DispositionCode.SEIZURE, DispositionCode.JOINT_SEIZURE)


def _property_key(text: str) -> str:
    """財産の表示 or 第三債務者 as compared: NFKC, without spaces, case-folded (so that
    「普通預金　口座番号１２３４５６７」 and 「普通預金 口座番号1234567」 are one account)."""
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def same_property_seizures(
    *,
    taxpayer: Taxpayer,
    category: str,
    property_description: str,
    third_party_name: str,
    assessment_ids: Sequence[int],
    excluding: Disposition | None = None,
) -> list[Disposition]:
    """Live seizures (起案中 or 決裁済) of this taxpayer of the same property — same 処分区分, same
    第三債務者 and same 財産の表示 (the account) as compared by `_property_key` — that cover any of
    `assessment_ids`. Cost: one query with its rows."""
    live = (
        Disposition.objects.filter(
            taxpayer=taxpayer,
            code__in=SEIZURE_CODES,
            category=category,
            status__in=(Disposition.Status.DRAFT, Disposition.Status.APPROVED),
            rows__assessment_id__in=list(assessment_ids),
        )
        .exclude(pk__in=[excluding.pk] if excluding is not None else [])
        .distinct()
        .order_by("number")
    )
    return [
        d
        for d in live
        if _property_key(d.property_description) == _property_key(property_description)
        and _property_key(d.third_party_name) == _property_key(third_party_name)
    ]


def _refuse_a_second_seizure(duplicates: list[Disposition]) -> None:
    if duplicates:
        numbers = "、".join(f"{d.number}（{d.get_status_display()}）" for d in duplicates)
        raise DispositionError(
            f"同じ期別について、同じ財産（同じ第三債務者・同じ財産の表示）の差押がすでにあります: {numbers}。"
            "二重の差押はできません。既存の処分を確認してください。"
        )


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
    third_party_branch: str = "",
    third_party_postal_code: str = "",
    third_party_address: str = "",
    postponed_until: date | None = None,
    wage: WageTerms | None = None,
) -> Disposition:
    """An officer's draft; it takes effect only when a supervisor approves it. A 給与 seizure
    carries `wage` (one month's pay and the monthly amount seized), refused above the
    差押可能額 (国税徴収法第76条)."""
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
    if category in COLLECTION_POSTPONEMENT_CATEGORIES and code != DispositionCode.COLLECTION_POSTPONED:
        raise DispositionError("猶予の事由（第15条第1項各号・第2項）は徴収の猶予にだけ選べます。")
    if code == DispositionCode.SUSPENSION and category not in SUSPENSION_CATEGORIES:
        raise DispositionError("執行停止には地方税法第15条の7第1項の号（処分区分）を選んでください。")
    if code == DispositionCode.IMMEDIATE_EXTINCTION and category != DispositionCategory.NO_PROPERTY:
        # 第15条の7第5項: only where 第1号 applies (no property) and collection is clearly impossible.
        raise DispositionError(
            "即時消滅は、第1号（滞納処分をすることができる財産がない）に当たり、徴収できないことが明らかな場合に限られます。"
            "処分区分に第1号を選び、理由に徴収できないことが明らかな事情を記載してください。"
        )
    if not reason.strip():
        raise DispositionError("処分理由を入力してください。")
    wage_fields = _wage_fields(code=code, category=category, wage=wage, on=planned_on)
    by_id = {e.assessment.pk: e for e in eligibility(taxpayer, code=code, on=planned_on)}
    if not assessment_ids or any(pk not in by_id for pk in assessment_ids):
        raise DispositionError("処分の対象とする未納の期別を選んでください。")
    chosen = [by_id[pk] for pk in assessment_ids]
    refused = [item for item in chosen if not item.eligible]
    if refused:
        raise DispositionError(" ".join(f"{item.assessment}: {item.why_not}" for item in refused))
    this_year = fiscal_year_of(planned_on)
    with transaction.atomic(), acting_as(actor):
        if code in SEIZURE_CODES:
            Taxpayer.objects.select_for_update().get(pk=taxpayer.pk)  # two drafts at once meet here
            _refuse_a_second_seizure(
                same_property_seizures(
                    taxpayer=taxpayer,
                    category=category,
                    property_description=property_description,
                    third_party_name=third_party_name,
                    assessment_ids=assessment_ids,
                )
            )
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
            third_party_branch=third_party_branch,
            third_party_postal_code=third_party_postal_code,
            third_party_address=third_party_address,
            **wage_fields,
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
                delinquency_category=DelinquencyCategory.of(assessment.tax_year, this_fiscal_year=this_year),
                principal=item.principal,
                demand_fee=item.fee,
                late_charge=item.late_charge,
            )
            stamp(row, actor)
            save_tracked(row, reason="起案")
    return disposition


_EVENTS: dict[str, str] = {
    DispositionCode.SEIZURE: PrescriptionEvent.Kind.SEIZURE,
    DispositionCode.JOINT_SEIZURE: PrescriptionEvent.Kind.SEIZURE,
    DispositionCode.DELIVERY_REQUEST: PrescriptionEvent.Kind.DELIVERY_REQUEST,
}
_ENDS: dict[str, str] = {
    PrescriptionEvent.Kind.SEIZURE: PrescriptionEvent.Kind.SEIZURE_ENDED,
    PrescriptionEvent.Kind.DELIVERY_REQUEST: PrescriptionEvent.Kind.DELIVERY_REQUEST_ENDED,
}
# Cancelled as 誤り (not following the law): no renewal, six months' postponement (民法第148条第2項).
_VOIDS: dict[str, str] = {
    PrescriptionEvent.Kind.SEIZURE: PrescriptionEvent.Kind.SEIZURE_VOIDED,
    PrescriptionEvent.Kind.DELIVERY_REQUEST: PrescriptionEvent.Kind.DELIVERY_REQUEST_VOIDED,
}


def _event(actor: Actor, assessment: Assessment, kind: str, on: date, source: str) -> None:
    record_prescription_event(actor=actor, assessment=assessment, kind=kind, on=on, source=source)


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
        if disposition.code in SEIZURE_CODES:  # drafts made before this rule, or both still drafts
            _refuse_a_second_seizure(
                [
                    d
                    for d in same_property_seizures(
                        taxpayer=disposition.taxpayer,
                        category=disposition.category,
                        property_description=disposition.property_description,
                        third_party_name=disposition.third_party_name,
                        assessment_ids=list(disposition.rows.values_list("assessment_id", flat=True)),
                        excluding=disposition,
                    )
                    if d.is_approved
                ]
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
                if disposition.postponed_until is not None:  # a 猶予 always has its 終期 (constraint)
                    _event(
                        actor,
                        row.assessment,
                        PrescriptionEvent.Kind.POSTPONEMENT_ENDED,
                        disposition.postponed_until,
                        source,
                    )
        _refresh_balances(disposition)
    return disposition


# The dispositions whose approval or cancellation changes an installment's 延滞金 (地方税法第15条の9)
RELIEF_CODES = {DispositionCode.SUSPENSION, *POSTPONEMENT_CODES}


def _refresh_balances(disposition: Disposition) -> None:
    """A 執行停止 or 猶予 that takes effect or ends changes the 延滞金 of its installments: their stored
    balances (滞納者一覧, queues) are reconciled in the same transaction, as the ledger already shows it."""
    if disposition.code in RELIEF_CODES:
        from taxpayers.reconciliation import reconcile

        reconcile(assessment_ids=list(disposition.rows.values_list("assessment_id", flat=True)))


def cancellation_period(disposition: Disposition) -> date:
    """The first day a cancellation of `disposition` may bear: its 処分日 (執行日) once approved —
    the latest of its rows', so that no row is cancelled before it took effect — and, for a draft,
    the day it was drafted. The last day is today: a cancellation is not dated in the future."""
    if disposition.status == Disposition.Status.APPROVED:
        days = [day for day in disposition.rows.values_list("disposed_on", flat=True) if day]
        if days:
            return max(days)
        if disposition.approved_at:
            return timezone.localdate(disposition.approved_at)
    return disposition.created_on


def _check_cancellation_date(disposition: Disposition, on: date) -> None:
    first, today = cancellation_period(disposition), timezone.localdate()
    what = "処分日" if disposition.status == Disposition.Status.APPROVED else "起案日"
    within = f"{what}（{format_date(first)}）から本日（{format_date(today)}）までの日を入力してください。"
    if on < first:
        raise DispositionError(f"処分取消日（{format_date(on)}）が{what}より前です。{within}")
    if on > today:
        raise DispositionError(f"処分取消日（{format_date(on)}）が本日より後です。{within}")


def _check_cancellation_entry(category: str, reason: str) -> None:
    if category not in CancellationCategory.values or not reason.strip():
        raise DispositionError("処分取消区分と処分取消理由を入力してください。")


def cancel_disposition(
    *, actor: Actor, disposition: Disposition, category: str, reason: str, cancelled_on: date | None = None
) -> Disposition:
    """取消 of a draft (起案中): it never took effect, so the officer cancels it alone, with 区分 and
    理由, dated from its drafting day to today. An approved disposition is cancelled only through
    `draft_cancellation` and a second person's `approve_cancellation`."""
    _check_cancellation_entry(category, reason)
    with transaction.atomic(), acting_as(actor):
        disposition = Disposition.objects.select_for_update().get(pk=disposition.pk)
        if disposition.status == Disposition.Status.CANCELLED:
            raise DispositionError("この処分は既に取り消されています。")
        if disposition.status == Disposition.Status.APPROVED:
            raise DispositionError(
                f"決裁済の処分の{disposition.cancellation_name}は、起案して他の監督者の決裁を受けてください。"
            )
        on = cancelled_on or timezone.localdate()
        _check_cancellation_date(disposition, on)
        _cancel(actor, disposition, category=category, reason=reason.strip(), on=on, how="取消")
    return disposition


def _cancel(
    actor: Actor, disposition: Disposition, *, category: str, reason: str, on: date, how: str
) -> None:
    """Writes the cancellation: status, the three 処分取消 items on each row and, for an approved
    disposition, the 時効 events its end causes. The caller holds the disposition's row lock."""
    was_approved = disposition.status == Disposition.Status.APPROVED
    disposition.status = Disposition.Status.CANCELLED
    save_tracked(disposition, reason=f"{how}: {reason}", update_fields=["status", *stamp(disposition, actor)])
    source = f"滞納処分 {disposition.number} の取消"
    for row in disposition.rows.select_related("assessment"):
        row.cancelled_on = on
        row.cancellation_category = category
        row.cancellation_reason = reason
        save_tracked(
            row,
            reason=f"{how}: {reason}",
            update_fields=[
                "cancelled_on",
                "cancellation_category",
                "cancellation_reason",
                *stamp(row, actor),
            ],
        )
        started = _EVENTS.get(DispositionCode(disposition.code))
        if was_approved and started:
            ends = _VOIDS if category == CancellationCategory.ERROR else _ENDS
            _event(actor, row.assessment, ends[started], on, source)
        if (
            was_approved
            and disposition.code in POSTPONEMENT_CODES
            and disposition.postponed_until
            and on < disposition.postponed_until
        ):
            # 猶予の取消: the 猶予 ends on the day it is cancelled (the chain takes the first end)
            _event(actor, row.assessment, PrescriptionEvent.Kind.POSTPONEMENT_ENDED, on, source)
    if was_approved:
        _refresh_balances(disposition)


def draft_cancellation(
    *, actor: Actor, disposition: Disposition, category: str, reason: str, cancelled_on: date
) -> DispositionCancellation:
    """起案 of a change of state of an approved disposition (差押の解除, 猶予の取消, 執行停止の取消 …):
    nothing changes until a second person approves it. 取消日 from the 処分日 to today."""
    _check_cancellation_entry(category, reason)
    with transaction.atomic(), acting_as(actor):
        disposition = Disposition.objects.select_for_update().get(pk=disposition.pk)
        if disposition.status != Disposition.Status.APPROVED:
            raise DispositionError(
                f"この処分は{disposition.get_status_display()}のため、取消を起案できません。"
            )
        if disposition.cancellations.filter(status=DispositionCancellation.Status.DRAFT).exists():
            raise DispositionError(
                "この処分には決裁待ちの取消の起案があります。決裁・却下または取下げの後に起案してください。"
            )
        _check_cancellation_date(disposition, cancelled_on)
        cancellation = DispositionCancellation(
            disposition=disposition,
            category=category,
            reason=reason.strip(),
            cancelled_on=cancelled_on,
            drafted_by=actor.staff_number,
            drafted_terminal=actor.terminal_number,
            drafted_at=timezone.now(),
        )
        stamp(cancellation, actor)
        save_tracked(cancellation, reason=f"{disposition.cancellation_name}の起案: {reason.strip()}")
    return cancellation


def _locked_pending(cancellation: DispositionCancellation) -> tuple[Disposition, DispositionCancellation]:
    disposition = Disposition.objects.select_for_update().get(pk=cancellation.disposition_id)
    locked = DispositionCancellation.objects.select_for_update().get(pk=cancellation.pk)
    if not locked.is_pending:
        raise DispositionError(f"この取消の起案は{locked.get_status_display()}です。")
    return disposition, locked


def _check_approver(actor: Actor, cancellation: DispositionCancellation, doing: str) -> None:
    if actor.staff is not None and not actor.staff.has_perm("accounts.approve_dispositions"):
        raise DispositionError(f"取消の{doing}には滞納処分の決裁の権限が必要です。")
    if actor.staff_number == cancellation.drafted_by:
        raise DispositionError(
            f"起案した職員は自分の起案を{doing}できません。他の監督者に決裁を依頼してください。"
        )


def _decide(actor: Actor, cancellation: DispositionCancellation, status: str, note: str, reason: str) -> None:
    cancellation.status = status
    cancellation.decided_by = actor.staff_number
    cancellation.decided_terminal = actor.terminal_number
    cancellation.decided_at = timezone.now()
    cancellation.decision_note = note
    save_tracked(
        cancellation,
        reason=reason,
        update_fields=[
            "status",
            "decided_by",
            "decided_terminal",
            "decided_at",
            "decision_note",
            *stamp(cancellation, actor),
        ],
    )


def approve_cancellation(*, actor: Actor, cancellation: DispositionCancellation) -> DispositionCancellation:
    """決裁 of a drafted cancellation by a second person holding 滞納処分の決裁; only now does the
    disposition end: status 取消, the rows' 処分取消日・区分・理由, and the 時効 events (差押・交付要求
    の終了, renewing from the next day; the 猶予's earlier end) on the drafted 取消日."""
    with transaction.atomic(), acting_as(actor):
        disposition, cancellation = _locked_pending(cancellation)
        _check_approver(actor, cancellation, "決裁")
        if disposition.status != Disposition.Status.APPROVED:
            raise DispositionError(
                f"この処分は{disposition.get_status_display()}のため、取消を決裁できません。"
            )
        _check_cancellation_date(disposition, cancellation.cancelled_on)
        _decide(actor, cancellation, DispositionCancellation.Status.APPROVED, "", "決裁")
        _cancel(
            actor,
            disposition,
            category=cancellation.category,
            reason=cancellation.reason,
            on=cancellation.cancelled_on,
            how=f"{disposition.cancellation_name}（起案 {cancellation.drafted_by}、決裁 {actor.staff_number}）",
        )
    return cancellation


def reject_cancellation(
    *, actor: Actor, cancellation: DispositionCancellation, note: str
) -> DispositionCancellation:
    """却下 by a second person holding 滞納処分の決裁, with the reason; the disposition stays as it was."""
    if not note.strip():
        raise DispositionError("却下の理由を入力してください。")
    with transaction.atomic(), acting_as(actor):
        _, cancellation = _locked_pending(cancellation)
        _check_approver(actor, cancellation, "却下")
        _decide(
            actor,
            cancellation,
            DispositionCancellation.Status.REJECTED,
            note.strip(),
            f"却下: {note.strip()}",
        )
    return cancellation


def withdraw_cancellation(
    *, actor: Actor, cancellation: DispositionCancellation, note: str = ""
) -> DispositionCancellation:
    """取下げ by the drafter while it waits; the disposition stays as it was."""
    with transaction.atomic(), acting_as(actor):
        _, cancellation = _locked_pending(cancellation)
        if actor.staff_number != cancellation.drafted_by:
            raise DispositionError("取消の起案を取り下げられるのは起案した職員だけです。")
        cancellation.status = DispositionCancellation.Status.WITHDRAWN
        cancellation.decided_at = timezone.now()
        cancellation.decision_note = note.strip()
        save_tracked(
            cancellation,
            reason="取下げ",
            update_fields=["status", "decided_at", "decision_note", *stamp(cancellation, actor)],
        )
    return cancellation


SUSPENSION_YEARS = 3  # 地方税法第15条の7第4項: 執行停止が3年間継続したときは納付義務が消滅する


def suspension_watch(*, today: date, within_days: int = 180):
    """Approved 執行停止 whose 3 years end within `within_days` (or have ended), oldest first.
    One query, bounded in SQL by the last start whose three years end in time
    (`suspension_started_by`): the rows shown are the rows read. Reading every approved 執行停止
    (a young one ends three years on) loaded 240 rows with their 処分 and 宛名 to show none at
    100,000 persons (p95 196 ms, issue 21)."""
    ends_by = today + timedelta(days=within_days)
    rows = (
        DispositionRow.objects.filter(
            disposition__status=Disposition.Status.APPROVED,
            disposition_code=DispositionCode.SUSPENSION,
            cancelled_on__isnull=True,
            disposed_on__lte=suspension_started_by(ends_by),
        )
        .select_related("disposition", "disposition__taxpayer")
        .order_by("disposed_on")
    )
    watch = []
    for row in rows:
        if row.disposed_on is None:  # the bound leaves undated rows out; for the type
            continue
        ends = suspension_ends_on(row.disposed_on)
        if ends <= ends_by:  # always, by the bound: the rule stays suspension_ends_on's
            watch.append((row, ends, ends < today))
    return watch


def suspension_started_by(ends_by: date) -> date:
    """The last day a 執行停止 can have begun for its three years to end on or before `ends_by`
    (the inverse of `suspension_ends_on`, which never decreases): from the same day three years
    earlier, a few days on, stepped back until it ends in time."""
    earlier = ends_by.replace(year=ends_by.year - SUSPENSION_YEARS, day=min(ends_by.day, 28))
    start = earlier + timedelta(days=4)
    while suspension_ends_on(start) > ends_by:
        start -= timedelta(days=1)
    return start


def suspension_ends_on(start: date) -> date:
    """The last day of the three years of a 執行停止 begun on `start` (counted from the next day,
    民法第140条): the obligation is extinguished with it (地方税法第15条の7第4項). The watch and
    不納欠損 (`dispositions.writeoffs`) both read it."""
    return period_end(start + timedelta(days=1), SUSPENSION_YEARS)
