"""取立 and 配当 (国税徴収法第67条, 第129条〜第133条): recording the money collected from a seized
claim, posting it as 収納 on the seized installments, and the 配当計算書 when other claimants wait.

Posting reads what each installment owes on the day of the money from ONE call into the ledger
(`_owed_on`, today `taxpayers.ledger.ledger_for`), so that the merge can point it at the module
that owns an installment's standing. The money is then written as `Payment` rows (収納経路 取立 or
配当), which the ledger and `reconcile` apply 督促手数料 → 本税 → 延滞金, the 延滞金 fixed on the day
本税 is cleared (taxpayers/settlement.py).

Across installments the oldest 納期限 is paid first (then 通知書番号・期別): the order the
disposition's rows are listed in, which is also the order 時効 runs out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from dispositions.distribution import (
    CITY_SEIZURE,
    Claim,
    DistributionInputError,
    delivery_date,
    distribute,
    sending_deadline,
)
from dispositions.models import (
    SALE_CATEGORIES,
    Collection,
    Disposition,
    DispositionCode,
    DistributionClaim,
    DistributionStatement,
)
from taxpayers.models import Assessment, Payment
from taxpayers.reconciliation import reconcile
from wako_collections.actors import Actor, acting_as
from wako_collections.eras import format_date
from wako_collections.numbering import NumberKind
from wako_collections.records import next_number, save_tracked, stamp


class CollectionError(Exception):
    """A refused 取立 or 配当 action; the message is shown to staff."""


def _owed_on(disposition: Disposition, on: date) -> list[tuple[Assessment, int]]:
    """Each seized installment (oldest 納期限 first) with what it owes on `on` — 督促手数料, 本税
    and the 延滞金 to that day, which is the day it is fixed if this money clears the 本税.
    The one call into the ledger: the merge points it at the standing module."""
    from taxpayers.ledger import ledger_for

    seized = {row.assessment_id for row in disposition.rows.filter(cancelled_on__isnull=True)}
    ledger = ledger_for(disposition.taxpayer, as_of=on)
    lines = [line for line in ledger.lines if line.assessment.pk in seized]
    lines.sort(
        key=lambda line: (
            line.assessment.due_date,
            line.assessment.notice_number,
            line.assessment.logical_period,
        )
    )
    return [(line.assessment, line.settlement.outstanding_total) for line in lines]


def owed_total(disposition: Disposition, *, on: date) -> int:
    """What the seized installments owe on `on` (督促手数料 + 本税 + 延滞金)."""
    return sum(owed for _, owed in _owed_on(disposition, on))


@dataclass(frozen=True)
class Posting:
    payments: list[Payment]
    posted: int
    surplus: int


def _post(
    actor: Actor, disposition: Disposition, *, amount: int, on: date, channel: str, source: str
) -> Posting:
    """Writes `amount` as 収納 on the seized installments, oldest first, each up to what it owes;
    returns the payments and what is left (the surplus). The caller holds the transaction."""
    left = amount
    payments = []
    for index, (assessment, owed) in enumerate(_owed_on(disposition, on), start=1):
        if left == 0:
            break
        paying = min(left, owed)
        if paying <= 0:
            continue
        payment = Payment(
            receipt_number=f"{source}-{index:02d}",
            assessment=assessment,
            received_on=on,
            # booked on the day the money came in (取立日・配当日), so a ledger as of that day knows it
            accounted_on=on,
            amount=paying,
            channel=channel,
        )
        stamp(payment, actor)
        save_tracked(
            payment,
            reason=f"{Payment.Channel(channel).label}による収納（{source}、滞納処分 {disposition.number}）",
        )
        payments.append(payment)
        left -= paying
    if payments:
        transaction.on_commit(lambda: reconcile(assessment_ids=[p.assessment_id for p in payments]))
    return Posting(payments, amount - left, left)


def record_collection(
    *,
    actor: Actor,
    disposition: Disposition,
    collected_on: date,
    amount: int,
    method: str,
    payer_name: str = "",
    note: str = "",
    other_claimants: bool = False,
) -> Collection:
    """取立 on an approved, uncancelled 債権差押. Without other claimants the money is posted at once
    as 収納 (国税徴収法第67条第3項) and any surplus kept as 過誤納; with them (交付要求・参加差押・
    担保権者) it waits for a 配当計算書 (第129条第1項第2号, 第131条)."""
    if amount <= 0:
        raise CollectionError("取立額は1円以上で入力してください。")
    if method not in Collection.Method.values:
        raise CollectionError("取立の方法を選んでください。")
    today = timezone.localdate()
    if collected_on > today:
        raise CollectionError(f"取立日（{format_date(collected_on)}）が本日より後です。")
    with transaction.atomic(), acting_as(actor):
        disposition = Disposition.objects.select_for_update().get(pk=disposition.pk)
        if not disposition.is_claim_seizure:
            raise CollectionError("取立は債権（預貯金・給与・売掛金など）の差押についてのみ記録できます。")
        if not disposition.is_approved:
            raise CollectionError(
                f"この差押は{disposition.get_status_display()}のため取立を記録できません（決裁済の差押に限ります）。"
            )
        disposed_on = min(
            (day for day in disposition.rows.values_list("disposed_on", flat=True) if day), default=None
        )
        if disposed_on and collected_on < disposed_on:
            raise CollectionError(
                f"取立日（{format_date(collected_on)}）が差押の処分日（{format_date(disposed_on)}）より前です。"
            )
        collection = Collection(
            number=next_number(Collection, "number", NumberKind.COLLECTION.prefix(collected_on)),
            disposition=disposition,
            collected_on=collected_on,
            amount=amount,
            method=method,
            payer_name=(payer_name or disposition.third_party_name).strip() or "（第三債務者）",
            note=note.strip(),
            status=Collection.Status.AWAITING_DISTRIBUTION if other_claimants else Collection.Status.POSTED,
        )
        stamp(collection, actor)
        save_tracked(collection, reason=f"取立の記録（滞納処分 {disposition.number}）")
        if not other_claimants:
            posting = _post(
                actor,
                disposition,
                amount=amount,
                on=collected_on,
                channel=Payment.Channel.COLLECTION,
                source=collection.number,
            )
            collection.posted_amount, collection.surplus = posting.posted, posting.surplus
            save_tracked(
                collection,
                reason="取立金の収納" + (f"（過誤納 {posting.surplus:,}円）" if posting.surplus else ""),
                update_fields=["posted_amount", "surplus", *stamp(collection, actor)],
            )
            _queue_surplus(actor, disposition, amount=posting.surplus, on=collected_on, source=collection)
    return collection


def _queue_surplus(
    actor: Actor,
    disposition: Disposition,
    *,
    amount: int,
    on: date,
    source: Collection | DistributionStatement,
) -> None:
    """The money left after the seized installments are paid enters the 過誤納金 queue (refunds), once
    per 取立 or 配当計算書: it proposes 充当 to the person's other arrears first (地方税法第17条の2),
    else 還付 (the 残余金 goes back to the 滞納者, 国税徴収法第129条第3項). The caller holds the
    transaction, so the 取立 and its surplus are written together or not at all."""
    if amount <= 0:
        return
    from refunds.services import record_collection_surplus

    kind = "取立" if isinstance(source, Collection) else "配当"
    record_collection_surplus(
        actor=actor,
        taxpayer=disposition.taxpayer,
        amount=amount,
        arose_on=on,
        source_reference=f"{kind} {source.number}（滞納処分 {disposition.number}）",
    )


def release_due(disposition: Disposition, *, on: date | None = None) -> bool:
    """True when an approved 差押 covers installments that owe nothing any more: 差押解除 is due
    (国税徴収法第79条第1項第1号: 差押に係る国税の全額が消滅したとき), and the page prompts it."""
    if not disposition.is_approved or disposition.cancellations.filter(status="draft").exists():
        return False
    owed = _owed_on(disposition, on or timezone.localdate())
    return bool(owed) and all(amount == 0 for _, amount in owed)


def draft_distribution(
    *,
    actor: Actor,
    claims: Sequence[Claim],
    sent_on: date,
    collection: Collection | None = None,
    disposition: Disposition | None = None,
    total: int | None = None,
    received_on: date | None = None,
) -> DistributionStatement:
    """配当計算書 for a 取立 waiting for one (`collection`), or for the 換価代金 of a sold property
    (`disposition`, `total`, `received_on`: the day the buyer paid). The city's claim (差押先着手) is
    what the seized installments owe on the day the money was received, added here; `claims` are the
    others (交付要求, 担保権, 滞納処分費)."""
    if any(claim.kind == CITY_SEIZURE for claim in claims):
        raise CollectionError(
            "本市の徴収金は差押に係る期別から計算します。他の債権者の債権だけを入力してください。"
        )
    if collection is not None:
        disposition, total, received_on = collection.disposition, collection.amount, collection.collected_on
    elif disposition is None or total is None or received_on is None:
        raise CollectionError("配当する取立、または換価した差押と換価代金・受領日を指定してください。")
    if not claims and collection is not None:
        # Money collected from a claim with no other claimant goes to the 差押に係る徴収金 alone (第129条
        # 第1項) and is posted at once; the office makes no 配当計算書 then (a sale always has one). The
        # current 第131条 has no ただし書 for this: see dispositions/README.md, 配当, the doubt noted.
        raise CollectionError(
            "他の債権者がいないときは配当計算書は作成しません（取立金をそのまま収納します）。"
        )
    if received_on > timezone.localdate():
        raise CollectionError(f"換価代金等の受領日（{format_date(received_on)}）が本日より後です。")
    if sent_on < received_on:
        raise CollectionError("謄本の発送日は換価代金等の受領日以後の日を入力してください。")
    if sent_on > sending_deadline(received_on):
        origin, article = (
            ("取立ての日", "国税徴収法施行令第49条第2項")
            if collection is not None
            else ("買受代金の納付の日", "国税徴収法第131条")
        )
        raise CollectionError(
            f"配当計算書の謄本は{origin}から3日以内（初日は数えず、最終日が休日等なら翌開庁日。"
            f"{format_date(sending_deadline(received_on))}まで）に発送します（{article}、国税通則法第10条）。"
        )
    with transaction.atomic(), acting_as(actor):
        disposition = Disposition.objects.select_for_update().get(pk=disposition.pk)
        if collection is not None:
            collection = Collection.objects.select_for_update().get(pk=collection.pk)
            if collection.status != Collection.Status.AWAITING_DISTRIBUTION:
                raise CollectionError(
                    f"この取立は{collection.get_status_display()}のため配当計算書を作成できません。"
                )
            if DistributionStatement.objects.filter(collection=collection).exists():
                raise CollectionError("この取立には配当計算書が作成済みです。")
        elif not (
            disposition.is_approved
            and disposition.code == DispositionCode.SEIZURE
            and disposition.category in SALE_CATEGORIES
        ):
            raise CollectionError(
                "換価代金の配当は、決裁済の不動産・自動車・動産の差押についてのみ作成できます。"
            )
        city = Claim(
            CITY_SEIZURE,
            f"{disposition.taxpayer.name} に係る本市の徴収金（滞納処分 {disposition.number}）",
            owed_total(disposition, on=received_on),
            disposition.rows.values_list("disposed_on", flat=True).first(),
        )
        try:
            result = distribute(total=total, claims=[city, *claims])
        except DistributionInputError as error:
            raise CollectionError(str(error)) from None
        statement = DistributionStatement(
            number=next_number(DistributionStatement, "number", NumberKind.DISTRIBUTION.prefix(sent_on)),
            disposition=disposition,
            collection=collection,
            total=total,
            received_on=received_on,
            sent_on=sent_on,
            delivery_on=delivery_date(sent_on),
            city_share=result.city_share,
            residue=result.residue,
            drafted_by=actor.staff_number,
            drafted_terminal=actor.terminal_number,
        )
        stamp(statement, actor)
        source = f"取立 {collection.number}" if collection else "換価代金"
        save_tracked(statement, reason=f"配当計算書の起案（{source}）")
        for allotment in result.allotments:
            claim = DistributionClaim(
                statement=statement,
                kind=allotment.claim.kind,
                claimant_name=allotment.claim.claimant,
                claimant_address=allotment.claim.address,
                established_on=allotment.claim.established_on,
                claimed=allotment.claim.claimed,
                rank=allotment.rank,
                allotted=allotment.allotted,
                is_city=allotment.claim.kind == CITY_SEIZURE,
            )
            stamp(claim, actor)
            save_tracked(claim, reason="配当計算書の起案")
    return statement


def approve_distribution(*, actor: Actor, statement: DistributionStatement) -> DistributionStatement:
    """決裁 of a 配当計算書 by a second person holding 滞納処分の決裁; the city's share is posted as
    収納 (収納経路 配当) on the 取立日, the 取立 marked 配当済, and the 残余金 (with any share the
    installments no longer needed) queued as 過誤納金 for 充当 or 還付 (`_queue_surplus`)."""
    with transaction.atomic(), acting_as(actor):
        statement = DistributionStatement.objects.select_for_update().get(pk=statement.pk)
        if not statement.is_draft:
            raise CollectionError("この配当計算書は決裁済です。")
        if actor.staff is not None and not actor.staff.has_perm("accounts.approve_dispositions"):
            raise CollectionError("配当計算書の決裁には滞納処分の決裁の権限が必要です。")
        if actor.staff_number == statement.drafted_by:
            raise CollectionError(
                "起案した職員は自分の起案を決裁できません。他の監督者に決裁を依頼してください。"
            )
        statement.status = DistributionStatement.Status.APPROVED
        statement.approved_by = actor.staff_number
        statement.approved_terminal = actor.terminal_number
        statement.approved_at = timezone.now()
        save_tracked(
            statement,
            reason="決裁",
            update_fields=[
                "status",
                "approved_by",
                "approved_terminal",
                "approved_at",
                *stamp(statement, actor),
            ],
        )
        posting = _post(
            actor,
            statement.disposition,
            amount=statement.city_share,
            on=statement.received_on,
            channel=Payment.Channel.DISTRIBUTION,
            source=statement.number,
        )
        # What the city's share did not need (a payment dated on or before the day the money came
        # in, entered since the drafting) and the 残余金 (第129条第3項) are the 滞納者's money.
        surplus = posting.surplus + statement.residue
        collection = statement.collection
        if collection is not None:
            collection = Collection.objects.select_for_update().get(pk=collection.pk)
            collection.status = Collection.Status.DISTRIBUTED
            collection.posted_amount = posting.posted
            collection.surplus = surplus
            save_tracked(
                collection,
                reason=f"配当計算書 {statement.number} の決裁により本市配当額を収納"
                + (f"（過誤納 {surplus:,}円）" if surplus else ""),
                update_fields=["status", "posted_amount", "surplus", *stamp(collection, actor)],
            )
        _queue_surplus(
            actor, statement.disposition, amount=surplus, on=statement.received_on, source=statement
        )
    return statement
