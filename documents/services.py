"""Issuing documents: freeze what is printed, record it, add the 時効 event it causes (a legal
催告, a 督促), and render the PDF from the recorded content (so a reprint is identical)."""

from __future__ import annotations

import gc
from collections.abc import Sequence
from contextlib import contextmanager
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from documents import catalogue
from documents import content as contents
from documents.catalogue import FormCode, Prescription, Source
from documents.models import Document
from taxpayers.models import Assessment, PrescriptionEvent, Taxpayer
from taxpayers.services import new_prescription_event, record_prescription_events
from wako_collections.actors import Actor, acting_as
from wako_collections.numbering import NumberKind
from wako_collections.pdf import render_many, render_pdf
from wako_collections.records import bulk_create_tracked, next_number, save_tracked, stamp

DocumentError = contents.ContentError


def number_prefix(on: date) -> str:
    return NumberKind.DOCUMENT.prefix(on)


NUMBERING_LOCK = 7_340_001  # pg_advisory_xact_lock key: one writer hands out document numbers at a time


def reserve_numbers(on: date, count: int) -> list[str]:
    """`count` consecutive document numbers, after every number already used by a document or
    reserved by a batch. Call inside the transaction that writes them (or that saves the batch's
    reservation): the advisory lock is held to its end, so two writers never get the same number.
    Numbers reserved by a batch that is cancelled or fails stay unused (欠番, listed on the batch)."""
    from documents.models import Batch

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [NUMBERING_LOCK])
    prefix = number_prefix(on)
    used = next_number(Document, "number", prefix)
    reserved = next_number(Batch, "last_number", prefix)
    start = max(int(used[len(prefix) :]), int(reserved[len(prefix) :]))
    return [f"{prefix}{start + i:06d}" for i in range(count)]


def demanded(assessments: Sequence[Assessment]) -> set[int]:
    """Which of `assessments` already have a 督促 recorded here (one query for any number)."""
    return set(
        PrescriptionEvent.objects.filter(
            assessment__in=assessments, kind=PrescriptionEvent.Kind.DEMAND
        ).values_list("assessment_id", flat=True)
    )


def prescription_events(
    document: Document, assessments: Sequence[Assessment], actor: Actor, *, already: set[int] | None = None
) -> list:
    """The 時効 events a document causes: a legal 催告 (民法第150条) or a 督促 (地方税法第18条の2
    第1項第2号) — the latter only for installments with no 督促 yet (督促 is made once). A batch
    passes `already` (from `demanded`) so that it asks once, not once per document."""
    if document.reissue_of_id:
        return []
    effect = catalogue.spec(document.form_code).prescription
    if effect == Prescription.NOTICE:
        kind, reason = PrescriptionEvent.Kind.NOTICE, "催告書の発行"
    elif effect == Prescription.DEMAND:
        kind, reason = PrescriptionEvent.Kind.DEMAND, "督促状の発行"
        already = demanded(assessments) if already is None else already
        assessments = [a for a in assessments if not a.demand_issued_on and a.pk not in already]
    else:
        return []
    events = []
    for assessment in assessments:
        event = new_prescription_event(
            actor=actor,
            assessment=assessment,
            kind=kind,
            on=document.issued_on,
            source=f"{document.get_form_code_display()} {document.number}",
        )
        event._change_reason = reason  # type: ignore[attr-defined]
        events.append(event)
    return events


def _record(document: Document, assessments: Sequence[Assessment], actor: Actor, reason: str) -> Document:
    stamp(document, actor)
    save_tracked(document, reason=reason)
    document.assessments.set(assessments)
    events = prescription_events(document, assessments, actor)
    if events:
        record_prescription_events(actor=actor, events=events, reason=events[0]._change_reason)  # type: ignore[attr-defined]
    return document


def _number_content(content: dict, form_code: str, taxpayer, issued_on: date, deadline: date | None) -> str:
    """Gives the content its document number (and a 納付書 its payment codes); inside the
    transaction that records it."""
    number = reserve_numbers(issued_on, 1)[0]
    content["number"] = number
    if form_code == FormCode.PAYMENT_SLIP:
        contents.add_payment_codes(
            content, number=number, atena_number=taxpayer.atena_number, due=deadline or issued_on
        )
    return number


def issue_document(
    *,
    actor: Actor,
    form_code: str,
    taxpayer: Taxpayer,
    assessment_ids: Sequence[int],
    issued_on: date,
    deadline: date | None = None,
) -> Document:
    """督促状, 催告書 or 納付書 for chosen installments of one taxpayer."""
    if form_code not in catalogue.codes(source=Source.LEDGER):
        raise DocumentError("この帳票は期別からは作れません。")
    if form_code != FormCode.DEMAND and deadline is None:
        raise DocumentError("催告書・納付書には納付の指定期限を入力してください。")
    if deadline is not None and deadline <= issued_on:
        raise DocumentError("指定期限は発行日より後の日付にしてください。")
    content = contents.ledger_content(form_code, taxpayer, assessment_ids, issued_on, deadline)
    with transaction.atomic(), acting_as(actor):
        number = _number_content(content, form_code, taxpayer, issued_on, deadline)
        document = Document(
            number=number,
            form_code=form_code,
            taxpayer=taxpayer,
            issued_on=issued_on,
            deadline=deadline,
            total_amount=content["totals"]["total"],
            content=content,
            is_legal_notice=catalogue.spec(form_code).prescription == Prescription.NOTICE,
        )
        assessments = list(Assessment.objects.filter(pk__in=assessment_ids, taxpayer=taxpayer))
        return _record(document, assessments, actor, "発行")


def issue_for_record(*, actor: Actor, form_code: str, record, issued_on: date) -> Document:
    """A document made from a record: 分納誓約書 or its 納付書 (pledge / scheduled payment),
    財産調査照会書 (inquiry), 差押調書 and the disposition notices (disposition)."""
    from dispositions.models import Disposition, DistributionStatement, Inquiry
    from negotiations.models import InstallmentPledge, ScheduledPayment
    from reductions.models import LateChargeReduction
    from refunds.models import Disposal

    if isinstance(record, DistributionStatement):
        if record.is_draft:
            raise DocumentError("配当計算書は決裁の後に発行します。")
        content = contents.distribution_content(record, issued_on)
        taxpayer = record.disposition.taxpayer
        assessments = [row.assessment for row in record.disposition.rows.select_related("assessment")]
        source, deadline = f"配当計算書 {record.number}", None
        form_code = FormCode.DISTRIBUTION_STATEMENT
    elif isinstance(record, ScheduledPayment):
        content = contents.pledge_slip_content(record, issued_on)
        taxpayer, assessments = record.pledge.taxpayer, list(record.pledge.assessments.all())
        source, deadline = f"分納誓約 {record.pledge.pledge_number} 第{record.sequence}回", record.due_date
        form_code = FormCode.PAYMENT_SLIP
    elif isinstance(record, InstallmentPledge):
        content = contents.pledge_content(record, issued_on)
        taxpayer, assessments = record.taxpayer, list(record.assessments.all())
        source, deadline, form_code = f"分納誓約 {record.pledge_number}", None, FormCode.PLEDGE
    elif isinstance(record, Inquiry):
        content = contents.inquiry_content(record, issued_on)
        taxpayer, assessments = record.taxpayer, []
        source, deadline, form_code = f"照会 {record.number}", record.answer_due, content["form_code"]
    elif isinstance(record, LateChargeReduction):
        if form_code not in forms_for_reduction(record):
            raise DocumentError("この減免からはその帳票は作れません（状態を確かめてください）。")
        content = contents.reduction_content(form_code, record, issued_on)
        taxpayer, assessments = record.taxpayer, [record.assessment]
        source, deadline = f"延滞金の減免 {record.number}", None
    elif isinstance(record, Disposal):
        if form_code not in forms_for_disposal(record):
            raise DocumentError("決裁済みの充当・還付からだけ、その通知書を作れます。")
        content = contents.disposal_content(record, issued_on)
        taxpayer = record.overpayment.taxpayer
        assessments = [a for a in (record.overpayment.source_assessment, record.target_assessment) if a]
        source, deadline = f"{record.get_kind_display()} {record.number}", None
    elif isinstance(record, Disposition):
        if form_code not in forms_for_disposition(record):
            raise DocumentError("この処分からはその帳票は作れません（状態や種類を確かめてください）。")
        content = contents.disposition_content(form_code, record, issued_on)
        taxpayer = record.taxpayer
        assessments = [row.assessment for row in record.rows.select_related("assessment")]
        source, deadline = f"滞納処分 {record.number}", None
    else:  # pragma: no cover - a programming error
        raise TypeError(type(record))
    with transaction.atomic(), acting_as(actor):
        number = _number_content(content, form_code, taxpayer, issued_on, deadline)
        document = Document(
            number=number,
            form_code=form_code,
            taxpayer=taxpayer,
            issued_on=issued_on,
            deadline=deadline,
            total_amount=content.get("totals", {}).get("total", 0),
            content=content,
            source=source,
        )
        return _record(document, assessments, actor, "発行")


forms_for_disposition = catalogue.forms_for_disposition


def forms_for_disposal(disposal) -> list[str]:
    """充当通知書 for an approved 充当, 還付通知書 for an approved 還付; nothing before 決裁."""
    from refunds.models import Disposal

    if disposal.status != Disposal.Status.APPROVED:
        return []
    if disposal.kind == Disposal.Kind.APPROPRIATION:
        return [FormCode.APPROPRIATION_NOTICE]
    return [FormCode.REFUND_NOTICE]


def issue_notice_with_slip(
    *,
    actor: Actor,
    form_code: str,
    taxpayer: Taxpayer,
    assessment_ids: Sequence[int],
    issued_on: date,
    deadline: date,
) -> list[Document]:
    """A 催告書 and, enclosed, the 納付書 for the same installments to the same 指定期限: two
    documents with consecutive numbers, both recorded or neither (a 納付書 holds at most
    SLIP_ROWS installments; more is refused before anything is written)."""
    if catalogue.spec(form_code).prescription != Prescription.NOTICE:
        raise DocumentError("納付書を同封できるのは催告書・最終催告書・差押予告書です。")
    with transaction.atomic():
        notice = issue_document(
            actor=actor,
            form_code=form_code,
            taxpayer=taxpayer,
            assessment_ids=assessment_ids,
            issued_on=issued_on,
            deadline=deadline,
        )
        slip = issue_document(
            actor=actor,
            form_code=FormCode.PAYMENT_SLIP,
            taxpayer=taxpayer,
            assessment_ids=assessment_ids,
            issued_on=issued_on,
            deadline=deadline,
        )
    return [notice, slip]


def issue_pledge_slips(*, actor: Actor, pledge, issued_on: date) -> list[Document]:
    """The 納付書 of every scheduled payment of a pledge still to come (納付予定日 on or after the
    issue date), in one go: consecutive numbers, all recorded or none."""
    payments = list(pledge.schedule.filter(due_date__gte=issued_on).order_by("sequence"))
    if not payments:
        raise DocumentError("これから納付する回がありません（納付予定日がすべて過ぎています）。")
    with transaction.atomic():
        return [
            issue_for_record(
                actor=actor, form_code=FormCode.PAYMENT_SLIP, record=payment, issued_on=issued_on
            )
            for payment in payments
        ]


SET_LIMIT = 60  # documents in one printed set (a pledge has at most this many payments)


def documents_in_set(first: str, last: str) -> list[Document]:
    """Documents issued together (consecutive numbers, one taxpayer), for one PDF. Empty when the
    range is not one taxpayer's or is too long."""
    if first[:5] != last[:5] or first > last:
        return []
    found = list(
        Document.objects.filter(number__gte=first, number__lte=last, number__startswith=first[:5])
        .select_related("taxpayer")
        .order_by("number")[: SET_LIMIT + 1]
    )
    if not found or len(found) > SET_LIMIT or len({d.taxpayer_id for d in found}) != 1:
        return []
    return found


def forms_for_reduction(reduction) -> list[str]:
    """決定通知書 once decided or rejected; 取消通知書 once cancelled (the decision stays printable)."""
    if reduction.status in ("decided", "rejected"):
        return [FormCode.REDUCTION_DECISION]
    if reduction.status == "cancelled":
        return [FormCode.REDUCTION_CANCELLATION, FormCode.REDUCTION_DECISION]
    return []


def render_document(document: Document) -> bytes:
    """The PDF, from the content recorded at issue: a reprint is the same document."""
    return render_pdf(catalogue.spec(document.form_code).template, {"d": document.content})


def render_combined(contents_list: Sequence[dict]) -> bytes:
    """Many documents in one PDF (the batch path): each laid out on its own, so that every page
    says 「n／N頁」 of its own document, then joined; fonts are loaded once for the chunk."""
    from django.template.loader import render_to_string

    htmls = [render_to_string(catalogue.spec(c["form_code"]).template, {"d": c}) for c in contents_list]
    with rare_collections():
        return render_many(htmls)


@contextmanager
def rare_collections(threshold: int = 100_000):
    """A chunk's layout builds millions of small objects that live until the PDF is written, and
    Python's cyclic collector rescans them again and again (at the default threshold of 700
    allocations, 250 documents took 11.1 s; at 100,000, 8.0 s). Collect rarely while rendering,
    then once at the end, so memory stays bounded."""
    previous = gc.get_threshold()
    gc.set_threshold(threshold, previous[1], previous[2])
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.collect()


def reissue_document(*, actor: Actor, document: Document) -> Document:
    """A new number for the same content, linked to the original (the content is not recomputed;
    a 納付書 gets a new payment reference and its 再発行区分 counts up)."""
    with transaction.atomic(), acting_as(actor):
        today = timezone.localdate()
        number = reserve_numbers(today, 1)[0]
        again = Document(
            number=number,
            form_code=document.form_code,
            taxpayer=document.taxpayer,
            issued_on=today,
            deadline=document.deadline,
            total_amount=document.total_amount,
            content={**document.content, "number": number, "reissue_of": document.number},
            is_legal_notice=False,  # a reprint is not a new 催告
            source=document.source,
            reissue_of=document,
        )
        if document.form_code == FormCode.PAYMENT_SLIP and "slip" in document.content:
            contents.add_payment_codes(
                again.content,
                number=number,
                atena_number=document.taxpayer.atena_number,
                due=document.deadline or today,
                reissue_count=document.content["slip"].get("reissue_count", 0) + 1,
            )
        return _record(again, list(document.assessments.all()), actor, f"再発行（元 {document.number}）")


def record_many(
    documents: list[Document], assessment_ids: list[list[int]], *, actor: Actor, reason: str
) -> None:
    """Writes a batch's documents, their installments and 時効 events together (the caller holds
    the transaction): history rows for every document, nothing written if anything fails."""
    for document in documents:
        stamp(document, actor)
    bulk_create_tracked(documents, actor=actor, reason=reason)
    saved = {d.number: d for d in Document.objects.filter(number__in=[d.number for d in documents])}
    through = Document.assessments.through
    links = [
        through(document_id=saved[d.number].pk, assessment_id=aid)
        for d, ids in zip(documents, assessment_ids, strict=True)
        for aid in ids
    ]
    through.objects.bulk_create(links, batch_size=5_000)
    by_id = Assessment.objects.in_bulk({aid for ids in assessment_ids for aid in ids})
    already = (
        demanded(list(by_id.values())) if any(d.form_code == FormCode.DEMAND for d in documents) else set()
    )
    events = []
    for d, ids in zip(documents, assessment_ids, strict=True):
        caused = prescription_events(saved[d.number], [by_id[i] for i in ids], actor, already=already)
        already |= {e.assessment_id for e in caused if e.kind == PrescriptionEvent.Kind.DEMAND}
        events += caused
    record_prescription_events(actor=actor, events=events, reason="一括発行")
