"""照会文書: inquiries about a taxpayer's property and residence, from drafting to the answer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.db import transaction

from dispositions.models import Inquiry, InquiryTarget
from taxpayers.models import Taxpayer
from wako_collections.actors import Actor, acting_as
from wako_collections.eras import format_date
from wako_collections.numbering import NumberKind
from wako_collections.records import next_number, save_tracked, stamp

ANSWER_FIELDS = ("answer", "account", "balance", "salary", "payday", "found_address", "answer_note")


class InquiryError(Exception):
    """A refused inquiry action; the message is shown to staff."""


def _next(prefix: str, field: str) -> str:
    return next_number(Inquiry, field, prefix)


def _create(
    actor: Actor,
    taxpayer: Taxpayer,
    target: InquiryTarget,
    purpose: str,
    answer_due: date,
    batch: str,
    on: date,
):
    inquiry = Inquiry(
        number=_next(NumberKind.INQUIRY.prefix(on), "number"),
        batch_number=batch,
        taxpayer=taxpayer,
        target=target,
        purpose=purpose,
        answer_due=answer_due,
    )
    stamp(inquiry, actor)
    save_tracked(inquiry, reason="照会の作成")
    return inquiry


def create_inquiries(
    *,
    actor: Actor,
    taxpayer: Taxpayer,
    targets: Sequence[InquiryTarget],
    purpose: str,
    answer_due: date,
    today: date,
) -> list[Inquiry]:
    """One taxpayer to many targets."""
    if not targets:
        raise InquiryError("照会先を1件以上選んでください。")
    if answer_due <= today:
        raise InquiryError("回答期限は今日より後の日付にしてください。")
    with transaction.atomic(), acting_as(actor):
        return [_create(actor, taxpayer, target, purpose, answer_due, "", today) for target in targets]


def create_batch(
    *,
    actor: Actor,
    taxpayers: Sequence[Taxpayer],
    target: InquiryTarget,
    purpose: str,
    answer_due: date,
    today: date,
) -> list[Inquiry]:
    """Many taxpayers to one target, under one batch number (one letter with a list)."""
    if not taxpayers:
        raise InquiryError("対象の宛名を1件以上指定してください。")
    if answer_due <= today:
        raise InquiryError("回答期限は今日より後の日付にしてください。")
    with transaction.atomic(), acting_as(actor):
        batch = _next(NumberKind.INQUIRY_BATCH.prefix(today), "batch_number")
        return [_create(actor, taxpayer, target, purpose, answer_due, batch, today) for taxpayer in taxpayers]


def mark_sent(*, actor: Actor, inquiries: Sequence[Inquiry], sent_on: date) -> int:
    with transaction.atomic(), acting_as(actor):
        count = 0
        for inquiry in Inquiry.objects.select_for_update().filter(
            pk__in=[i.pk for i in inquiries], sent_on__isnull=True
        ):
            inquiry.sent_on = sent_on
            save_tracked(inquiry, reason="照会の発送", update_fields=["sent_on", *stamp(inquiry, actor)])
            count += 1
    return count


def record_answer(
    *, actor: Actor, inquiry: Inquiry, answered_on: date, values: dict, expected_version: int
) -> Inquiry:
    """Records the answer; refused if someone changed the inquiry since it was opened."""
    if not values.get("answer"):
        raise InquiryError("回答の内容を選んでください。")
    with transaction.atomic(), acting_as(actor):
        current = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
        if current.version != expected_version:
            raise InquiryError(
                "この照会は開いた後に他の職員が更新しました。画面を開き直して確認してください。"
            )
        if current.sent_on is None:
            raise InquiryError("発送していない照会には回答を登録できません。先に発送日を登録してください。")
        current.answered_on = answered_on
        for name in ANSWER_FIELDS:
            setattr(
                current,
                name,
                values.get(name)
                if values.get(name) is not None
                else Inquiry._meta.get_field(name).get_default(),
            )
        save_tracked(
            current,
            reason="回答の登録",
            update_fields=["answered_on", *ANSWER_FIELDS, *stamp(current, actor)],
        )
    return current


def overdue(*, today: date):
    return (
        Inquiry.objects.filter(sent_on__isnull=False, answered_on__isnull=True, answer_due__lt=today)
        .select_related("taxpayer", "target")
        .order_by("answer_due")
    )


ANSWERS_RECENT_DAYS = 7  # ホーム and 照会一覧 「回答あり」: answers recorded in the last week


def answered_recently(*, today: date, officer=None):
    """照会 whose answer came in the last ANSWERS_RECENT_DAYS days (today included), newest first;
    with `officer`, only that officer's taxpayers."""
    found = Inquiry.objects.filter(
        answered_on__gt=today - timedelta(days=ANSWERS_RECENT_DAYS), answered_on__lte=today
    )
    if officer is not None:
        found = found.filter(taxpayer__assigned_officer=officer)
    return found.order_by("-answered_on", "-id")


def draft_prefill(inquiry: Inquiry) -> dict:
    """The 差押 draft an answer that found property suggests."""
    category = {
        Inquiry.Answer.ACCOUNT_FOUND: "11",
        Inquiry.Answer.SALARY_FOUND: "12",
        Inquiry.Answer.POLICY_FOUND: "14",
    }.get(inquiry.answer, "11")
    detail = inquiry.account or (
        f"月額給与 {inquiry.salary:,}円（毎月{inquiry.payday}日払）" if inquiry.salary else ""
    )
    return {
        "code": "01",
        "category": category,
        "property_description": detail,
        "third_party_name": inquiry.target.name,
        "third_party_branch": inquiry.target.branch,
        "third_party_postal_code": inquiry.target.postal_code,
        "third_party_address": inquiry.target.address,
        "reason": f"照会 {inquiry.number} の回答（{format_date(inquiry.answered_on)}）により財産を確認",
    }
