"""The documents' panel of the case page (`cases/`): every document issued to the taxpayer, as
rows of the timeline, each linked to its own page."""

from __future__ import annotations

from django.urls import reverse

from documents.models import Document
from taxpayers.models import Taxpayer
from wako_collections.timeline import TimelineEntry


def document_entries(taxpayer: Taxpayer, *, limit: int) -> list[TimelineEntry]:
    """文書 rows on their 発行日, newest first (one query)."""
    return [
        TimelineEntry(
            document.issued_on,
            "文書",
            f"{document.get_form_code_display()} {document.number}",
            f"{document.total_amount:,}円" + ("（催告）" if document.is_legal_notice else ""),
            links=(("表示", reverse("documents:detail", args=[document.number])),),
            menu="documents",
            record=document,
        )
        for document in Document.objects.filter(taxpayer=taxpayer).order_by("-issued_on", "-id")[:limit]
    ]
