"""過誤納金: recording them (from any source), proposing 充当 to the same person's other arrears or
還付 to a registered account, and approving either by a second person (four eyes), with 還付加算金.

Every write carries an Actor and leaves history; one transaction each."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from refunds.interest import compute_refund_interest, one_month_after
from refunds.models import Disposal, Overpayment
from taxpayers.late_charges import rates_for
from taxpayers.ledger import ledger_for
from taxpayers.models import Assessment, Payment, Taxpayer
from taxpayers.ordinance import first_band_months
from taxpayers.reconciliation import reconcile
from taxpayers.settlement import ReceivedPayment, settle
from taxpayers.subjects import rule_for
from wako_collections.actors import Actor, acting_as
from wako_collections.numbering import NumberKind
from wako_collections.records import next_number, save_tracked, stamp

APPROVE_PERMISSION = "accounts.approve_dispositions"  # 決裁 of 充当・還付, like 滞納処分の決裁

# 地方税法第17条の4第1項: the item of the paragraph that fixes the start day, by cause.
CAUSE_ARTICLES: dict[str, str] = {
    Overpayment.Cause.DOUBLE_PAYMENT: "地方税法第17条の4第1項第4号（誤納：納付の日の翌日から起算して1月を経過する日の翌日から）",
    Overpayment.Cause.AFTER_FULL_PAYMENT: "地方税法第17条の4第1項第4号（誤納：納付の日の翌日から起算して1月を経過する日の翌日から）",
    Overpayment.Cause.AFTER_PRESCRIPTION: "地方税法第17条の4第1項第4号（時効により消滅した徴収金の納付は誤納）",
    Overpayment.Cause.AFTER_WRITE_OFF: "地方税法第17条の4第1項第4号（欠損により消滅した徴収金の納付は誤納）",
    Overpayment.Cause.REDUCTION: "地方税法第17条の4第1項第1号（更正・決定・賦課決定：納付の日（納期限前の納付は納期限）の翌日から）",
    Overpayment.Cause.REDUCTION_ON_REQUEST: "地方税法第17条の4第1項第2号（更正の請求に基づく更正：起算日を指定）",
    Overpayment.Cause.COLLECTION_SURPLUS: "国税徴収法第129条第3項（残余金の交付。還付加算金なし）",
    Overpayment.Cause.INTEREST_ON_APPROPRIATION: "地方税法第17条の4第1項（充当すべき金額に加算した還付加算金。これに加算金は付かない）",
}
_MISTAKEN = {
    Overpayment.Cause.DOUBLE_PAYMENT,
    Overpayment.Cause.AFTER_FULL_PAYMENT,
    Overpayment.Cause.AFTER_PRESCRIPTION,
    Overpayment.Cause.AFTER_WRITE_OFF,
}


class RefundError(Exception):
    """A refused 充当・還付 action; the message is shown to staff."""


@dataclass(frozen=True)
class BankAccount:
    bank_name: str
    bank_code: str
    branch_name: str
    branch_code: str
    account_type: str
    account_number: str
    account_holder_kana: str


def interest_start(*, cause: str, arose_on: date, due_date: date | None = None) -> date | None:
    """The first day of 還付加算金 for a cause (the day after the day 第17条の4第1項 fixes), or None
    when the cause bears none or the start must be given (第2号: it depends on the 更正の請求)."""
    if cause in _MISTAKEN:
        return one_month_after(arose_on) + timedelta(days=1)
    if cause == Overpayment.Cause.REDUCTION:
        paid = max(arose_on, due_date) if due_date else arose_on
        return paid + timedelta(days=1)
    return None


def record_overpayment(
    *,
    actor: Actor,
    taxpayer: Taxpayer,
    amount: int,
    cause: str,
    arose_on: date,
    source_reference: str,
    source_assessment: Assessment | None = None,
    source_payment: Payment | None = None,
    interest_from: date | None = None,
) -> Overpayment:
    """Puts one 過誤納金 in the queue. Any source may call this (reconcile's detection, a 取立
    surplus, an officer). `interest_from` overrides the start the cause gives (第2号 needs it)."""
    if amount <= 0:
        raise RefundError("過誤納金の額は1円以上で指定してください。")
    if cause not in Overpayment.Cause.values:
        raise RefundError("過誤納の発生事由が正しくありません。")
    if cause == Overpayment.Cause.REDUCTION_ON_REQUEST and interest_from is None:
        raise RefundError(
            "更正の請求に基づく更正は、還付加算金の起算日（地方税法第17条の4第1項第2号）を指定してください。"
        )
    start = interest_from or interest_start(
        cause=cause, arose_on=arose_on, due_date=source_assessment.due_date if source_assessment else None
    )
    with transaction.atomic(), acting_as(actor):
        overpayment = Overpayment(
            taxpayer=taxpayer,
            amount=amount,
            cause=cause,
            arose_on=arose_on,
            interest_from=start,
            source_assessment=source_assessment,
            source_payment=source_payment,
            source_reference=source_reference,
        )
        stamp(overpayment, actor)
        save_tracked(overpayment, reason=f"過誤納金の発生（{overpayment.get_cause_display()}）")
    return overpayment


def record_collection_surplus(
    *, actor: Actor, taxpayer: Taxpayer, amount: int, arose_on: date, source_reference: str
) -> tuple[Overpayment, bool]:
    """Puts the surplus of a 取立 (money collected beyond what the seized installments owe) or of a
    配当計算書 (the 残余金 after every claim, 国税徴収法第129条第3項, and any city share the
    installments no longer needed) in the queue, as cause 取立・配当の残余 — no 還付加算金.

    Idempotent: `source_reference` names the 取立 or 配当計算書 (「取立 T2026000001」); asked again,
    the row already queued is returned (and `False`), whatever the amount given — the database
    holds one row per reference (`refunds_overpayment_once_per_collection`). Returns the row and
    whether it was created. Raises RefundError on an amount under 1円. Two queries."""
    with transaction.atomic(), acting_as(actor):
        existing = (
            Overpayment.objects.select_for_update()
            .filter(cause=Overpayment.Cause.COLLECTION_SURPLUS, source_reference=source_reference)
            .first()
        )
        if existing is not None:
            return existing, False
        overpayment = record_overpayment(
            actor=actor,
            taxpayer=taxpayer,
            amount=amount,
            cause=Overpayment.Cause.COLLECTION_SURPLUS,
            arose_on=arose_on,
            source_reference=source_reference,
        )
    return overpayment, True


def remaining_amount(overpayment: Overpayment) -> int:
    """What of the 過誤納金 no 充当・還付 (proposed or approved, not withdrawn) has taken yet. One query."""
    taken = (
        overpayment.disposals.exclude(status=Disposal.Status.WITHDRAWN).aggregate(total=Sum("amount"))[
            "total"
        ]
        or 0
    )
    return overpayment.amount - taken


@dataclass(frozen=True)
class Arrear:
    assessment: Assessment
    outstanding: int  # 督促手数料 + 本税 + 延滞金 owed on the day asked


def other_arrears(taxpayer: Taxpayer, *, as_of: date, excluding: Assessment | None = None) -> list[Arrear]:
    """The person's installments whose 納期限 has come (a 充当 may meet one on its 納期限) with
    something owed on `as_of`, oldest 納期限 first.

    The one call through which refunds reads what is owed: today the ledger (taxpayers/ledger.py);
    when the module for an installment's standing lands, only this function changes. Oldest first:
    the practice of 充当 follows 国税通則法施行令第23条第1項 (法定納期限の早いものから), which the
    cities apply to local taxes likewise. Installments whose 時効 has completed are left out
    (extinguished, 地方税法第18条)."""
    from taxpayers.chains import time_barred_on

    ledger = ledger_for(taxpayer, as_of=as_of, outstanding_only=True)
    arrears = [
        Arrear(line.assessment, line.settlement.outstanding_total)
        for line in ledger.lines
        if line.assessment.due_date <= as_of
        and (excluding is None or line.assessment.pk != excluding.pk)
        and time_barred_on(line.assessment, on=as_of, chained=line.chain) is None
    ]
    return sorted(arrears, key=lambda arrear: (arrear.assessment.due_date, arrear.assessment.pk))


def appropriable(
    assessment: Assessment,
    *,
    fit_on: date,
    amount: int,
    as_of: date,
    pending: Sequence[tuple[date, int]] = (),
) -> int:
    """What of `amount`, posted on the installment as a 収納 on `fit_on` (after the 充当 already
    proposed to it, `pending`), it takes without overpaying — settled by the same engine as the
    ledger (`taxpayers.settlement.settle`), so the 延滞金 stops where the 充当 is deemed paid (第17条の2)
    and a real payment after `fit_on` becomes the overpaid one. Two queries."""
    rule = rule_for(assessment.subject_code)
    received = [
        ReceivedPayment(p.received_on, p.amount) for p in assessment.payments.order_by("received_on", "pk")
    ]
    received += [ReceivedPayment(day, value, "pending") for day, value in pending]
    probe = ReceivedPayment(fit_on, amount, "probe")
    rates, _ = rates_for(max(as_of, fit_on))
    result = settle(
        principal=assessment.principal,
        fee=assessment.demand_fee,
        due_date=assessment.due_date,
        payments=[*received, probe],
        as_of=max(as_of, fit_on),
        first_band_months=first_band_months(is_premium=rule.is_premium, due_date=assessment.due_date),
        order=settings.PAYMENT_ALLOCATION_ORDER,
        rates=rates,
        extended_from=assessment.late_charge_extended_from,
    )
    overpaid = sum(a.overpaid for a in result.allocations if a.payment.key == "probe")
    return amount - overpaid


def _draft(actor: Actor, overpayment: Overpayment, **fields) -> Disposal:
    disposal = Disposal(
        number=next_number(Disposal, "number", NumberKind.OVERPAYMENT_DISPOSAL.prefix(timezone.localdate())),
        overpayment=overpayment,
        drafted_by=actor.staff_number,
        drafted_terminal=actor.terminal_number,
        **fields,
    )
    stamp(disposal, actor)
    save_tracked(disposal, reason=f"{disposal.get_kind_display()}の起案")
    return disposal


def _locked_open(overpayment: Overpayment) -> Overpayment:
    """The 過誤納金, locked with its taxpayer: two proposals for one person (from two of their
    過誤納金) run one after the other, so both cannot take the same arrear."""
    Taxpayer.objects.select_for_update().filter(pk=overpayment.taxpayer_id).first()
    overpayment = Overpayment.objects.select_for_update().get(pk=overpayment.pk)
    if not overpayment.is_open:
        raise RefundError("この過誤納金は処理済みです。")
    return overpayment


def propose_appropriations(*, actor: Actor, overpayment: Overpayment, as_of: date) -> list[Disposal]:
    """起案: 充当 of the 過誤納金 to the same person's other arrears, oldest first (地方税法第17条の2
    第1項: 未納の徴収金があれば充当しなければならない), each with its 充当適状日 — the later of the
    day the 過誤納 arose and the 納期限 of the arrear. Whatever is left waits for `propose_refund`."""
    with transaction.atomic(), acting_as(actor):
        overpayment = _locked_open(overpayment)
        left = remaining_amount(overpayment)
        if left <= 0:
            raise RefundError("この過誤納金は全額について充当・還付を起案済みです。")
        drafts: list[Disposal] = []
        pending: dict[int, list[tuple[date, int]]] = defaultdict(list)
        for target_id, fit_on, amount in Disposal.objects.filter(
            overpayment__taxpayer=overpayment.taxpayer,
            kind=Disposal.Kind.APPROPRIATION,
            status=Disposal.Status.PROPOSED,
        ).values_list("target_assessment", "fit_on", "amount"):
            if fit_on is not None:  # always, for a 充当 (refunds_disposal_appropriation_has_target)
                pending[target_id].append((fit_on, amount))
        for arrear in other_arrears(
            overpayment.taxpayer, as_of=as_of, excluding=overpayment.source_assessment
        ):
            if left <= 0:
                break
            fit_on = max(overpayment.arose_on, arrear.assessment.due_date)
            amount = appropriable(
                arrear.assessment,
                fit_on=fit_on,
                amount=left,
                as_of=as_of,
                pending=pending[arrear.assessment.pk],
            )
            if amount <= 0:
                continue
            drafts.append(
                _draft(
                    actor,
                    overpayment,
                    kind=Disposal.Kind.APPROPRIATION,
                    amount=amount,
                    target_assessment=arrear.assessment,
                    fit_on=fit_on,
                )
            )
            left -= amount
        if not drafts:
            raise RefundError("充当できる未納の徴収金がありません。還付を起案してください。")
    return drafts


def propose_refund(*, actor: Actor, overpayment: Overpayment, account: BankAccount, as_of: date) -> Disposal:
    """起案: 還付 of what is left, to a registered account (地方税法第17条). Refused while the person
    has arrears the money could go to: 充当 comes first (第17条の2第1項)."""
    with transaction.atomic(), acting_as(actor):
        overpayment = _locked_open(overpayment)
        left = remaining_amount(overpayment)
        if left <= 0:
            raise RefundError("この過誤納金は全額について充当・還付を起案済みです。")
        pending = (
            Disposal.objects.filter(
                overpayment__taxpayer=overpayment.taxpayer,
                kind=Disposal.Kind.APPROPRIATION,
                status=Disposal.Status.PROPOSED,
            ).aggregate(total=Sum("amount"))["total"]
            or 0
        )
        owed = sum(
            arrear.outstanding
            for arrear in other_arrears(
                overpayment.taxpayer, as_of=as_of, excluding=overpayment.source_assessment
            )
        )
        if owed > pending:
            raise RefundError(
                "この方には未納の徴収金があります。先に充当を起案してください（地方税法第17条の2）。"
            )
        fields = {name: getattr(account, name).strip() for name in BankAccount.__dataclass_fields__}
        if not all(
            fields[name]
            for name in ("bank_code", "branch_code", "account_type", "account_number", "account_holder_kana")
        ):
            raise RefundError(
                "還付先の口座（金融機関コード、支店コード、預金種目、口座番号、口座名義）を入力してください。"
            )
        return _draft(actor, overpayment, kind=Disposal.Kind.REFUND, amount=left, **fields)


def approve_disposal(*, actor: Actor, disposal: Disposal, decided_on: date | None = None) -> Disposal:
    """決裁: a second person holding 決裁 approves the 充当 (on `decided_on`, 充当日) or the 還付
    (`decided_on` = 支出決定日). 還付加算金 runs from the cause's start to `decided_on`, or to the
    充当適状日 when that is earlier (第17条の4第1項). A 充当 posts a 収納 (収納経路 充当) on the
    target installment dated the 充当適状日 — the arrear is deemed paid then (第17条の2) — and
    the target's balance is reconciled; its 還付加算金, if any, enters the queue as a 過誤納金 of its
    own (充当 or 還付 in turn, bearing no 加算金 itself)."""
    if actor.staff is not None and not actor.staff.has_perm(APPROVE_PERMISSION):
        raise RefundError("充当・還付の決裁の権限がありません。")
    on = decided_on or timezone.localdate()
    with transaction.atomic(), acting_as(actor):
        disposal = Disposal.objects.select_for_update().select_related("overpayment").get(pk=disposal.pk)
        if not disposal.is_proposed:
            raise RefundError(
                f"この{disposal.get_kind_display()}は{disposal.get_status_display()}のため決裁できません。"
            )
        if actor.staff_number == disposal.drafted_by:
            raise RefundError(
                "起案した職員は自分の起案を決裁できません。他の監督者に決裁を依頼してください。"
            )
        Taxpayer.objects.select_for_update().filter(pk=disposal.overpayment.taxpayer_id).first()
        overpayment = Overpayment.objects.select_for_update().get(pk=disposal.overpayment_id)
        if disposal.fit_on and on < disposal.fit_on:
            raise RefundError("充当日は充当適状日より前にできません。")
        if disposal.target_assessment is not None and disposal.fit_on is not None:
            # Paid in the meantime (or changed): the 充当 would overpay the arrear.
            others = Disposal.objects.filter(
                target_assessment=disposal.target_assessment, status=Disposal.Status.PROPOSED
            ).exclude(pk=disposal.pk)
            takes = appropriable(
                disposal.target_assessment,
                fit_on=disposal.fit_on,
                amount=disposal.amount,
                as_of=on,
                pending=[
                    (day, value)
                    for day, value in others.values_list("fit_on", "amount")
                    if day is not None and day <= disposal.fit_on
                ],
            )
            if takes < disposal.amount:
                raise RefundError(
                    f"充当先の未納額が起案時より減り、充当できるのは{takes:,}円です。"
                    "この起案を取り下げて、起案し直してください。"
                )
        end = min(on, disposal.fit_on) if disposal.fit_on else on
        if overpayment.interest_from is not None:
            disposal.interest = compute_refund_interest(
                amount=disposal.amount, start=overpayment.interest_from, end=end
            ).amount
        disposal.status = Disposal.Status.APPROVED
        disposal.decided_on = on
        disposal.approved_by = actor.staff_number
        disposal.approved_terminal = actor.terminal_number
        disposal.approved_at = timezone.now()
        fields = ["status", "decided_on", "interest", "approved_by", "approved_terminal", "approved_at"]
        if disposal.kind == Disposal.Kind.APPROPRIATION:
            assert disposal.fit_on is not None  # refunds_disposal_appropriation_has_target
            payment = Payment(
                receipt_number=f"充当{disposal.number}",
                assessment=disposal.target_assessment,
                received_on=disposal.fit_on,
                accounted_on=on,
                amount=disposal.amount,
                channel=Payment.Channel.APPROPRIATION,
            )
            stamp(payment, actor)
            save_tracked(payment, reason=f"過誤納金の充当 {disposal.number}")
            disposal.payment = payment
            fields.append("payment")
        save_tracked(disposal, reason="決裁", update_fields=[*fields, *stamp(disposal, actor)])
        approved = overpayment.disposals.filter(status=Disposal.Status.APPROVED).aggregate(
            total=Sum("amount")
        )
        if approved["total"] == overpayment.amount:
            overpayment.status = Overpayment.Status.SETTLED
            save_tracked(
                overpayment, reason="充当・還付の完了", update_fields=["status", *stamp(overpayment, actor)]
            )
        if disposal.kind == Disposal.Kind.APPROPRIATION and disposal.interest:
            # 第17条の4: the 還付加算金 is added to the amount appropriated. It is money the city owes
            # like the 過誤納金 itself, so it joins the queue to be appropriated or refunded in turn.
            interest = Overpayment(
                taxpayer_id=overpayment.taxpayer_id,
                amount=disposal.interest,
                cause=Overpayment.Cause.INTEREST_ON_APPROPRIATION,
                arose_on=on,
                interest_from=None,
                source_assessment_id=disposal.target_assessment_id,
                source_reference=f"充当 {disposal.number} の還付加算金",
            )
            stamp(interest, actor)
            save_tracked(interest, reason="充当分の還付加算金")
        if disposal.target_assessment_id is not None:
            reconcile(assessment_ids=[disposal.target_assessment_id])
    return disposal


def withdraw_disposal(*, actor: Actor, disposal: Disposal) -> Disposal:
    """取下げ of a 充当・還付 not yet approved (kept, with history; its amount is free again)."""
    with transaction.atomic(), acting_as(actor):
        disposal = Disposal.objects.select_for_update().get(pk=disposal.pk)
        if not disposal.is_proposed:
            raise RefundError(
                f"この{disposal.get_kind_display()}は{disposal.get_status_display()}のため取り下げられません。"
            )
        disposal.status = Disposal.Status.WITHDRAWN
        save_tracked(disposal, reason="取下げ", update_fields=["status", *stamp(disposal, actor)])
    return disposal
