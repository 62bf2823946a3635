"""Issuing documents: freeze what is printed, record it, add the 時効 event of a legal 催告,
and render the PDF from the recorded content (so a reprint is identical)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.db import transaction

from documents.models import LEGAL_NOTICES, Document, FormCode
from taxpayers.ledger import ledger_for
from taxpayers.models import Assessment, PrescriptionEvent, Taxpayer
from wako_collections.actors import Actor, acting_as
from wako_collections.eras import fiscal_year_label, format_date
from wako_collections.pdf import render_pdf
from wako_collections.records import next_number, save_tracked, stamp

LEGAL_BASIS = {
    FormCode.DEMAND: "地方税法第329条第1項（市町村民税）、第371条第1項（固定資産税）ほか各税目の督促の規定",
    FormCode.NOTICE_GENERAL: "民法第150条（催告による時効の完成猶予）",
    FormCode.NOTICE_FINAL: "民法第150条（催告による時効の完成猶予）",
    FormCode.NOTICE_SEIZURE: "地方税法第331条第1項ほか（滞納処分）、国税徴収法第47条（差押の要件）",
}
TEMPLATES = {
    FormCode.DEMAND: "forms/demand.html",
    FormCode.NOTICE_GENERAL: "forms/notice.html",
    FormCode.NOTICE_FINAL: "forms/notice.html",
    FormCode.NOTICE_SEIZURE: "forms/notice.html",
}


class DocumentError(Exception):
    """A refused issue; the message is shown to staff."""


def _next_number(on: date) -> str:
    return next_number(Document, "number", f"D{on.year}")


def _content(
    form_code: str, taxpayer: Taxpayer, assessment_ids: Sequence[int], issued_on: date, deadline: date | None
) -> dict:
    ledger = ledger_for(taxpayer, as_of=deadline or issued_on)
    lines = [line for line in ledger.lines if line.assessment.pk in set(assessment_ids)]
    if not lines or len(lines) != len(set(assessment_ids)):
        raise DocumentError("記載する期別を選んでください（未納のない期別や他の宛名の期別は選べません）。")
    rows = [
        {
            "subject": line.assessment.get_subject_code_display(),
            "year": fiscal_year_label(line.assessment.tax_year),
            "notice_number": line.assessment.notice_number,
            "period": line.assessment.logical_period,
            "due_date": format_date(line.assessment.due_date),
            "principal": line.settlement.outstanding_principal,
            "fee": line.settlement.outstanding_fee,
            "late_charge": line.settlement.late_charge,
            "total": line.settlement.outstanding_total,
        }
        for line in lines
    ]
    return {
        "form": FormCode(form_code).label,
        "form_code": form_code,
        "legal_basis": LEGAL_BASIS[FormCode(form_code)],
        "issued_on": format_date(issued_on),
        "deadline": format_date(deadline) if deadline else "",
        "recipient": {
            "name": taxpayer.name,
            "postal_code": taxpayer.postal_code,
            "address": f"{taxpayer.address} {taxpayer.address_extra}".strip(),
            "atena_number": taxpayer.atena_number,
        },
        "city": {
            "name": settings.CITY_NAME,
            "department": settings.CITY_DEPARTMENT,
            "address": settings.CITY_ADDRESS,
            "phone": settings.CITY_PHONE,
        },
        "rows": rows,
        "totals": {
            key: sum(row[key] for row in rows) for key in ("principal", "fee", "late_charge", "total")
        },
    }


def issue_document(
    *,
    actor: Actor,
    form_code: str,
    taxpayer: Taxpayer,
    assessment_ids: Sequence[int],
    issued_on: date,
    deadline: date | None = None,
    reissue_of: Document | None = None,
) -> Document:
    if form_code != FormCode.DEMAND and deadline is None:
        raise DocumentError("催告書には納付の指定期限を入力してください。")
    if deadline is not None and deadline <= issued_on:
        raise DocumentError("指定期限は発行日より後の日付にしてください。")
    content = _content(form_code, taxpayer, assessment_ids, issued_on, deadline)
    with transaction.atomic(), acting_as(actor):
        document = Document(
            number=_next_number(issued_on),
            form_code=form_code,
            taxpayer=taxpayer,
            issued_on=issued_on,
            deadline=deadline,
            total_amount=content["totals"]["total"],
            content=content,
            is_legal_notice=form_code in LEGAL_NOTICES,
            reissue_of=reissue_of,
        )
        document.content["number"] = document.number
        stamp(document, actor)
        save_tracked(document, reason="再発行" if reissue_of else "発行")
        assessments = list(Assessment.objects.filter(pk__in=assessment_ids, taxpayer=taxpayer))
        document.assessments.set(assessments)
        if document.is_legal_notice:
            for assessment in assessments:
                event = PrescriptionEvent(
                    assessment=assessment,
                    kind=PrescriptionEvent.Kind.NOTICE,
                    occurred_on=issued_on,
                    source=f"{document.get_form_code_display()} {document.number}",
                )
                stamp(event, actor)
                save_tracked(event, reason="催告書の発行")
    return document


def render_document(document: Document) -> bytes:
    """The PDF, from the content recorded at issue: a reprint is the same document."""
    return render_pdf(TEMPLATES[FormCode(document.form_code)], {"d": document.content})


def reissue_document(*, actor: Actor, document: Document) -> Document:
    """A new number for the same content, linked to the original (the content is not recomputed)."""
    with transaction.atomic(), acting_as(actor):
        today = date.today()
        again = Document(
            number=_next_number(today),
            form_code=document.form_code,
            taxpayer=document.taxpayer,
            issued_on=today,
            deadline=document.deadline,
            total_amount=document.total_amount,
            content={**document.content},
            is_legal_notice=False,  # a reprint is not a new 催告
            reissue_of=document,
        )
        again.content["number"] = again.number
        again.content["reissue_of"] = document.number
        stamp(again, actor)
        save_tracked(again, reason=f"再発行（元 {document.number}）")
        again.assessments.set(document.assessments.all())
    return again
