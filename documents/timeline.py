"""Documents and dispositions in the taxpayer's timeline (registered in DocumentsConfig.ready)."""

from dispositions.models import Disposition
from documents.models import Document
from negotiations.queues import TimelineEntry


def document_entries(taxpayer, limit):
    return [
        TimelineEntry(
            document.issued_on,
            "文書",
            f"{document.get_form_code_display()} {document.number}",
            f"{document.total_amount:,}円" + ("（催告）" if document.is_legal_notice else ""),
            record=document,
        )
        for document in Document.objects.filter(taxpayer=taxpayer).order_by("-issued_on")[:limit]
    ]


def disposition_entries(taxpayer, limit):
    return [
        TimelineEntry(
            disposition.planned_on,
            "滞納処分",
            f"{disposition.get_code_display()} {disposition.number}（{disposition.get_status_display()}）",
            disposition.reason,
            record=disposition,
        )
        for disposition in Disposition.objects.filter(taxpayer=taxpayer).order_by("-planned_on")[:limit]
    ]
