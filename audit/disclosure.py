"""開示請求 (Part IV): everything held about one taxpayer, assembled into one PDF.

Every kind of record is listed item by item with the items' Japanese names (the same names the
schema's comments use), so nothing is summarised away: the ledger with its payments, negotiation
records, pledges and their schedules, inquiries, dispositions and their rows, documents issued.
The 個人番号 is stated as held with only its last four digits printed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils import timezone

from audit.history import STAMP_NAMES, shown
from taxpayers.individual_numbers import decrypt
from taxpayers.ledger import ledger_for
from taxpayers.models import PrescriptionEvent, Taxpayer

HIDDEN = {
    "individual_number_ciphertext",
    "individual_number_digest",
    "search_name",
    "search_kana",
    "search_address",
    "phone_digits",
    "name_grams",
    "kana_grams",
    "address_grams",
}


@dataclass
class Section:
    title: str
    records: list[list[tuple[str, str]]]


def items(record: models.Model) -> list[tuple[str, str]]:
    """(item name, value) for every stored item of one record, bookkeeping included last."""
    fields = [f for f in record._meta.concrete_fields if not f.primary_key and f.attname not in HIDDEN]
    ordered = [f for f in fields if f.attname not in STAMP_NAMES] + [
        f for f in fields if f.attname in STAMP_NAMES
    ]
    result = []
    for field in ordered:
        if field.is_relation and field.related_model is Taxpayer:
            continue
        value = getattr(record, field.attname)
        if isinstance(field, models.JSONField):
            continue  # a document's recorded content: its items are printed in the ledger and rows
        result.append((str(field.verbose_name), shown(field, value)))
    return result


def number_held(taxpayer: Taxpayer) -> str:
    if not taxpayer.individual_number_ciphertext:
        return "保有していません"
    number = decrypt(taxpayer.individual_number_ciphertext, atena_number=taxpayer.atena_number)
    return f"保有しています（下4桁 {number[-4:]}。全桁は窓口で本人確認の上お示しします）"


def assemble(taxpayer: Taxpayer) -> dict:
    today = timezone.localdate()
    pledges = list(taxpayer.pledges.order_by("pk"))
    dispositions = list(taxpayer.dispositions.order_by("pk"))
    sections = [
        Section("宛名", [items(taxpayer)]),
        Section("送付先", [items(r) for r in taxpayer.mailing_addresses.order_by("pk")]),
        Section("交渉記録", [items(r) for r in taxpayer.negotiation_records.order_by("record_number")]),
        Section("分納誓約", [items(r) for r in pledges]),
        Section("分納誓約の回", [items(r) for p in pledges for r in p.schedule.order_by("pk")]),
        Section("照会", [items(r) for r in taxpayer.inquiries.order_by("pk")]),
        Section("滞納処分", [items(r) for r in dispositions]),
        Section("滞納処分の明細", [items(r) for d in dispositions for r in d.rows.order_by("pk")]),
        Section(
            "時効の事由",
            [
                items(r)
                for r in PrescriptionEvent.objects.filter(assessment__taxpayer=taxpayer).order_by("pk")
            ],
        ),
        Section("発行した文書", [items(r) for r in taxpayer.documents.order_by("pk")]),
    ]
    return {
        "taxpayer": taxpayer,
        "assembled_at": timezone.localtime(),
        "individual_number": number_held(taxpayer),
        "ledger": ledger_for(taxpayer, as_of=today),
        "sections": sections,
    }
