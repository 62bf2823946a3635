"""Documents and dispositions in the taxpayer's timeline (registered in DocumentsConfig.ready)."""

from dispositions.models import Collection, Disposition
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


def collection_entries(taxpayer, limit):
    """取立 (the payments it posted appear as 収納 with 収納経路 取立 or 配当)."""
    return [
        TimelineEntry(
            collection.collected_on,
            "取立",
            f"取立 {collection.number}（{collection.get_status_display()}）",
            f"{collection.amount:,}円 {collection.payer_name}"
            + (f"・過誤納 {collection.surplus:,}円" if collection.surplus else ""),
            record=collection,
        )
        for collection in Collection.objects.filter(disposition__taxpayer=taxpayer).order_by("-collected_on")[
            :limit
        ]
    ]
