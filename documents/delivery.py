"""送達 of letters to the taxpayer: a letter returned undelivered (返戻), the 所在調査 that follows,
re-sending to a new 送付先, and 公示送達 (地方税法第20条の2).

A 督促状 or 催告書 that did not reach the taxpayer has had no legal effect. What that does to an
installment is decided in one place, `taxpayers.prescription.served` (read by the standing, so
by the 時効 chain and the 差押 gate alike); this module only records the facts, as 時効 events
with the same `source` as the document's own 督促・催告 event:

* 返戻 → a `NOT_DELIVERED` event on the 返戻日 for each installment the document's 督促・催告 named;
* 公示送達, once approved → a `DEEMED_SERVED` event on the deemed-service day (掲示開始日 + 7日);
* re-sent to a new 送付先 → a new document (a new number, linked to the returned one) whose own
  督促・催告 event is recorded on its issue day.

Every write is stamped with the officer and terminal and keeps history; the 公示送達 is drafted by
one officer and approved by another.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from documents import catalogue
from documents import content as contents
from documents.catalogue import FormCode, Prescription, Recipient
from documents.models import Document, PublicNotice, ReturnedMail, ReturnReason
from documents.services import _record, reserve_numbers
from taxpayers.models import PrescriptionEvent
from taxpayers.prescription import deemed_served_on
from taxpayers.services import new_prescription_event, record_prescription_events
from wako_collections.actors import Actor, acting_as
from wako_collections.eras import format_date
from wako_collections.numbering import NumberKind
from wako_collections.records import save_tracked, stamp

MAX_LINES = 2_000  # one 返戻 list (a day's returned post is a few hundred at most)


class DeliveryError(Exception):
    """A 送達 fact that cannot be recorded; the message (Japanese) is shown to staff."""


class ReturnListError(DeliveryError):
    """A 返戻 list refused as a whole: `lines` holds (line number, message) for every bad line."""

    def __init__(self, lines: list[tuple[int, str]]):
        self.lines = lines
        super().__init__(f"{len(lines)}行に誤りがあるため、どの返戻も登録していません。")


def event_source(document: Document) -> str:
    """The `source` of the 時効 events a document causes (documents.services.prescription_events)."""
    return f"{document.get_form_code_display()} {document.number}"


def _legal_events(document: Document) -> list[PrescriptionEvent]:
    """The 督促・催告 events this document caused (one per installment it named)."""
    return list(
        PrescriptionEvent.objects.filter(
            source=event_source(document),
            kind__in=[PrescriptionEvent.Kind.DEMAND, PrescriptionEvent.Kind.NOTICE],
        ).select_related("assessment")
    )


def _check_returnable(document: Document, returned_on: date, today: date) -> str:
    """Why this document cannot be recorded as returned on `returned_on`, or ''."""
    if catalogue.spec(document.form_code).recipient != Recipient.TAXPAYER:
        return f"{document.number} は滞納者あての文書ではありません（{document.get_form_code_display()}）。"
    if ReturnedMail.objects.filter(document=document).exists():
        return f"{document.number} は返戻を登録済みです。"
    if returned_on < document.issued_on:
        return f"返戻日（{format_date(returned_on)}）が {document.number} の発行日（{format_date(document.issued_on)}）より前です。"
    if returned_on > today:
        return "返戻日に未来の日付は入力できません。"
    return ""


def _investigate(*, actor: Actor, document: Document, returned: ReturnedMail) -> int | None:
    """A planned 所在調査 on the officer's work list (negotiations' work queue lists planned
    records due by today): one 交渉記録, 内容区分 所在調査, 予実日 the 返戻日."""
    from negotiations.models import NegotiationRecord, SubjectGroup
    from negotiations.services import record_negotiation

    if actor.staff is None:
        return None
    record = record_negotiation(
        actor=actor,
        taxpayer=document.taxpayer,
        values={
            "subject_group_code": SubjectGroup.ALL,
            "scheduled_date": returned.returned_on,
            "content": (
                f"{document} が返戻（{returned.get_reason_display()}、{format_date(returned.returned_on)}）。"
                "所在調査のうえ、新しい送付先へ再送付するか公示送達をする。"
            ),
            "result": NegotiationRecord.Result.PLANNED,
            "collection_category": NegotiationRecord.CollectionCategory.ARREARS,
            "importance": NegotiationRecord.Importance.HIGH,
            "contact_kind": NegotiationRecord.ContactKind.RESIDENCE_INVESTIGATION,
            "document_code_1": document.form_code,
        },
    )
    return record.record_number


def _record_return(
    *, actor: Actor, document: Document, returned_on: date, reason: str, note: str
) -> ReturnedMail:
    returned = ReturnedMail(document=document, returned_on=returned_on, reason=reason, note=note)
    stamp(returned, actor)
    save_tracked(returned, reason=f"返戻（{returned.get_reason_display()}）")
    source = event_source(document)
    events = [
        new_prescription_event(
            actor=actor,
            assessment=event.assessment,
            kind=PrescriptionEvent.Kind.NOT_DELIVERED,
            on=returned_on,
            source=source,
        )
        for event in _legal_events(document)
    ]
    record_prescription_events(actor=actor, events=events, reason=f"{document} の返戻（不送達）")
    returned.investigation_record_number = _investigate(actor=actor, document=document, returned=returned)
    if returned.investigation_record_number is not None:
        save_tracked(returned, reason="所在調査を作成", update_fields=["investigation_record_number"])
    return returned


def record_return(
    *, actor: Actor, document: Document, returned_on: date, reason: str, note: str = ""
) -> ReturnedMail:
    """Records one returned letter (from the document's page). Raises DeliveryError when the
    document is not a letter to the taxpayer, is already recorded as returned, or the date is
    before its issue or in the future."""
    if reason not in ReturnReason.values:
        raise DeliveryError("返戻理由を選んでください。")
    problem = _check_returnable(document, returned_on, timezone.localdate())
    if problem:
        raise DeliveryError(problem)
    with transaction.atomic(), acting_as(actor):
        return _record_return(
            actor=actor, document=document, returned_on=returned_on, reason=reason, note=note
        )


@dataclass(frozen=True)
class ReturnLine:
    line: int
    number: str
    reason: str


_BARCODE = re.compile(r"^91\d{42}$")  # GS1-128 of a 納付書 (payment_codes.ConvenienceBarcode)


def _document_number(text: str) -> str:
    """The document number a list line names: as printed (D2026000123) or, from a 納付書's
    44-digit barcode, the digits of the number in its 自由使用欄 (AI 91, company code, then the
    number's digits in 11 places; payment_codes / content.add_payment_codes)."""
    value = unicodedata.normalize("NFKC", text).strip().upper().replace(" ", "").replace("-", "")
    letters = NumberKind.DOCUMENT.letters
    if _BARCODE.match(value):
        return f"{letters}{value[8:19].lstrip('0')}"
    if value.isdigit() and len(value) == 10:  # the number without its letter
        return f"{letters}{value}"
    return value


def parse_return_list(text: str, *, default_reason: str) -> list[ReturnLine]:
    """Lines of 文書番号 (or 納付書 barcode digits), each optionally followed by a comma and a
    返戻理由 code (01…99); blank lines are skipped. Raises ReturnListError with every bad line."""
    errors: list[tuple[int, str]] = []
    items: list[ReturnLine] = []
    seen: dict[str, int] = {}
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise ReturnListError([(MAX_LINES + 1, f"一度に登録できるのは{MAX_LINES}行までです。")])
    for number, raw in enumerate(lines, start=1):
        raw = unicodedata.normalize("NFKC", raw).strip()
        if not raw:
            continue
        parts = [p.strip() for p in re.split(r"[,\t]", raw)]
        if len(parts) > 2:
            errors.append((number, "「文書番号,返戻理由コード」の形で入力してください。"))
            continue
        reason = parts[1] if len(parts) == 2 and parts[1] else default_reason
        if reason not in ReturnReason.values:
            errors.append((number, f"返戻理由コード「{reason}」はありません（01〜05、99）。"))
            continue
        document_number = _document_number(parts[0])
        if document_number in seen:
            errors.append((number, f"{document_number} は{seen[document_number]}行目と重複しています。"))
            continue
        seen[document_number] = number
        items.append(ReturnLine(number, document_number, reason))
    if errors:
        raise ReturnListError(errors)
    if not items:
        raise ReturnListError([(1, "文書番号が1行もありません。")])
    return items


def record_returns(
    *, actor: Actor, text: str, returned_on: date, default_reason: str, note: str = ""
) -> list[ReturnedMail]:
    """A list of returned letters (typed, pasted or read by a barcode reader): all or nothing.
    Every line is checked first; any error refuses the whole list (ReturnListError with each
    line's message), so nothing is half recorded. Queries: one for the documents, then per line."""
    if default_reason not in ReturnReason.values:
        raise DeliveryError("返戻理由を選んでください。")
    items = parse_return_list(text, default_reason=default_reason)
    documents = {
        d.number: d
        for d in Document.objects.filter(number__in=[i.number for i in items]).select_related("taxpayer")
    }
    today = timezone.localdate()
    errors = []
    for item in items:
        document = documents.get(item.number)
        if document is None:
            errors.append((item.line, f"文書番号 {item.number} の文書はありません。"))
            continue
        problem = _check_returnable(document, returned_on, today)
        if problem:
            errors.append((item.line, problem))
    if errors:
        raise ReturnListError(errors)
    with transaction.atomic(), acting_as(actor):
        return [
            _record_return(
                actor=actor,
                document=documents[item.number],
                returned_on=returned_on,
                reason=item.reason,
                note=note,
            )
            for item in items
        ]


@dataclass(frozen=True)
class NewAddress:
    """The 送付先 found by the 所在調査."""

    name: str
    postal_code: str
    address: str
    address_extra: str = ""


def resend_document(
    *, actor: Actor, returned: ReturnedMail, to: NewAddress, issued_on: date | None = None
) -> Document:
    """Sends the returned letter again, to the 送付先 the 所在調査 found: a new document (new number,
    the same content but the address, `reissue_of` the returned one). Its 督促 or 催告 is made by
    this sending (the returned one had no effect), so its own 時効 event is recorded on its issue
    day. Refused once re-sent or once a 公示送達 has been drafted."""
    if returned.resent_document_id:
        raise DeliveryError(
            f"{returned.document.number} は再送付済みです（{returned.resent_document.number}）。"
        )
    if PublicNotice.objects.filter(returned_mail=returned).exists():
        raise DeliveryError("公示送達を起案済みの文書は再送付できません。")
    postal = "".join(c for c in unicodedata.normalize("NFKC", to.postal_code) if c.isdigit())
    if not to.name.strip() or not to.address.strip():
        raise DeliveryError("再送付先の氏名と住所を入力してください。")
    if postal and len(postal) != 7:
        raise DeliveryError("郵便番号は数字7桁で入力してください。")
    original = returned.document
    today = issued_on or timezone.localdate()
    with transaction.atomic(), acting_as(actor):
        number = reserve_numbers(today, 1)[0]
        content = {
            **original.content,
            "number": number,
            "issued_on": format_date(today),
            "resend_of": original.number,
            "recipient": {
                **original.content.get("recipient", {}),
                "name": to.name.strip(),
                "postal_code": postal,
                "address": f"{to.address.strip()} {to.address_extra.strip()}".strip(),
            },
        }
        if original.form_code == FormCode.PAYMENT_SLIP and "slip" in original.content:
            contents.add_payment_codes(
                content,
                number=number,
                atena_number=original.taxpayer.atena_number,
                due=original.deadline or today,
                reissue_count=original.content["slip"].get("reissue_count", 0) + 1,
            )
        again = Document(
            number=number,
            form_code=original.form_code,
            taxpayer=original.taxpayer,
            issued_on=today,
            deadline=original.deadline,
            total_amount=original.total_amount,
            content=content,
            is_legal_notice=original.is_legal_notice,
            source=f"再送付（元 {original.number}）",
            reissue_of=original,
        )
        _record(again, list(original.assessments.all()), actor, f"再送付（元 {original.number}）")
        effect = catalogue.spec(original.form_code).prescription
        kinds = {
            Prescription.DEMAND: PrescriptionEvent.Kind.DEMAND,
            Prescription.NOTICE: PrescriptionEvent.Kind.NOTICE,
        }
        if effect in kinds:
            record_prescription_events(
                actor=actor,
                events=[
                    new_prescription_event(
                        actor=actor,
                        assessment=e.assessment,
                        kind=kinds[effect],
                        on=today,
                        source=event_source(again),
                    )
                    for e in _legal_events(original)
                ],
                reason=f"再送付による{PrescriptionEvent.Kind(kinds[effect]).label}（元 {original.number}）",
            )
        returned.resent_document = again
        update = stamp(returned, actor)
        save_tracked(returned, reason=f"再送付 {again.number}", update_fields=[*update, "resent_document"])
    return again


def draft_public_notice(
    *, actor: Actor, returned: ReturnedMail, posting_started_on: date, investigation: str
) -> PublicNotice:
    """Drafts the 公示送達 of a returned letter (地方税法第20条の2第1項: the address is not known
    after the 所在調査 — a 公示送達 made without the usual inquiries is void, so the inquiries made
    are required). The deemed-service day is `prescription.deemed_served_on` (同条第3項)."""
    if returned.resent_document_id:
        raise DeliveryError("再送付した文書は公示送達できません。")
    if PublicNotice.objects.filter(returned_mail=returned).exists():
        raise DeliveryError("この文書の公示送達は起案済みです。")
    if len(investigation.strip()) < 10:
        raise DeliveryError(
            "住所・居所が明らかでないとした所在調査の内容（住民票・戸籍の附票・近隣・勤務先など）を記入してください。"
        )
    if posting_started_on < returned.returned_on:
        raise DeliveryError("掲示開始日は返戻日より後の日付にしてください。")
    notice = PublicNotice(
        returned_mail=returned,
        posting_started_on=posting_started_on,
        deemed_served_on=deemed_served_on(posting_started_on),
        investigation=investigation.strip(),
        drafted_by=actor.staff_number,
        drafted_terminal=actor.terminal_number,
    )
    with transaction.atomic(), acting_as(actor):
        stamp(notice, actor)
        save_tracked(notice, reason="公示送達の起案")
    return notice


def approve_public_notice(*, actor: Actor, notice: PublicNotice) -> PublicNotice:
    """Approves a drafted 公示送達 (決裁, by someone other than the drafter) and records the
    document as served on the deemed-service day for each installment its 督促・催告 named. Until
    that day the 督促 still has no effect (the events are read as of each day)."""
    if notice.status != PublicNotice.Status.DRAFT:
        raise DeliveryError("決裁済みの公示送達です。")
    if actor.staff_number == notice.drafted_by:
        raise DeliveryError("起案した職員は決裁できません。別の職員が決裁してください。")
    document = notice.returned_mail.document
    with transaction.atomic(), acting_as(actor):
        notice.status = PublicNotice.Status.APPROVED
        notice.approved_by = actor.staff_number
        notice.approved_terminal = actor.terminal_number
        notice.approved_at = timezone.now()
        update = stamp(notice, actor)
        save_tracked(
            notice,
            reason="公示送達の決裁",
            update_fields=[
                *update,
                "status",
                "approved_by",
                "approved_terminal",
                "approved_at",
            ],
        )
        record_prescription_events(
            actor=actor,
            events=[
                new_prescription_event(
                    actor=actor,
                    assessment=e.assessment,
                    kind=PrescriptionEvent.Kind.DEEMED_SERVED,
                    on=notice.deemed_served_on,
                    source=event_source(document),
                )
                for e in _legal_events(document)
            ],
            reason=f"{document} の公示送達（{format_date(notice.deemed_served_on)}に送達とみなす）",
        )
    return notice
