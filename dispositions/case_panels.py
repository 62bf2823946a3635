"""The 滞納処分 file's panels of the case page (`cases/`): the 差押・交付要求・執行停止・猶予 in force,
drafts awaiting 決裁, 照会 awaiting an answer, and the dispositions, 取立 and 照会 of the timeline.
Each function reads this app's records only; the case page calls them one by one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.urls import reverse

from dispositions.models import Collection, Disposition, DispositionCode, Inquiry
from taxpayers.models import Taxpayer
from wako_collections.eras import format_date
from wako_collections.timeline import TimelineEntry

SEIZURE_CODES = (DispositionCode.SEIZURE, DispositionCode.JOINT_SEIZURE)
POSTPONEMENT_CODES = (DispositionCode.COLLECTION_POSTPONED, DispositionCode.SALE_POSTPONED)


@dataclass
class MeasuresInProgress:
    seizures: list = field(default_factory=list)  # 差押・参加差押, approved and not cancelled
    delivery_requests: list = field(default_factory=list)  # 交付要求, approved and not cancelled
    suspensions: list = field(default_factory=list)  # 執行停止, approved and not cancelled
    postponements: list = field(default_factory=list)  # 徴収・換価の猶予 whose 猶予期限 has not passed
    drafts: list = field(default_factory=list)  # any disposition drafted and awaiting 決裁
    inquiries: list = field(default_factory=list)  # 照会 without an answer yet

    @property
    def any(self) -> bool:
        return any(
            (
                self.seizures,
                self.delivery_requests,
                self.suspensions,
                self.postponements,
                self.drafts,
                self.inquiries,
            )
        )


def measures_in_progress(taxpayer: Taxpayer, *, today: date) -> MeasuresInProgress:
    """What the office has in force or under way against the taxpayer on `today`. Two queries."""
    measures = MeasuresInProgress()
    dispositions = Disposition.objects.filter(taxpayer=taxpayer).filter(
        Q(status=Disposition.Status.DRAFT) | Q(status=Disposition.Status.APPROVED)
    )
    for disposition in dispositions.order_by("planned_on", "id"):
        if disposition.status == Disposition.Status.DRAFT:
            measures.drafts.append(disposition)
        elif disposition.code in SEIZURE_CODES:
            measures.seizures.append(disposition)
        elif disposition.code == DispositionCode.DELIVERY_REQUEST:
            measures.delivery_requests.append(disposition)
        elif disposition.code == DispositionCode.SUSPENSION:
            measures.suspensions.append(disposition)
        elif disposition.code in POSTPONEMENT_CODES and (
            disposition.postponed_until is None or disposition.postponed_until >= today
        ):
            measures.postponements.append(disposition)
    measures.inquiries = list(
        Inquiry.objects.filter(taxpayer=taxpayer, answered_on__isnull=True)
        .select_related("target")
        .order_by("answer_due", "id")
    )
    return measures


def disposition_entries(taxpayer: Taxpayer, *, limit: int) -> list[TimelineEntry]:
    """滞納処分 rows on their 処分予定日, newest first (one query)."""
    return [
        TimelineEntry(
            disposition.planned_on,
            "滞納処分",
            f"{disposition.get_code_display()} {disposition.number}（{disposition.get_status_display()}）",
            disposition.reason,
            links=(("表示", reverse("dispositions:detail", args=[disposition.number])),),
            menu="dispositions",
            record=disposition,
        )
        for disposition in Disposition.objects.filter(taxpayer=taxpayer).order_by("-planned_on", "-id")[
            :limit
        ]
    ]


def collection_entries(taxpayer: Taxpayer, *, limit: int) -> list[TimelineEntry]:
    """取立 rows (the payments they posted appear as 収納 with 収納経路 取立 or 配当), newest first."""
    return [
        TimelineEntry(
            collection.collected_on,
            "取立",
            f"取立 {collection.number}（{collection.get_status_display()}）",
            f"{collection.amount:,}円 {collection.payer_name}"
            + (f"・過誤納 {collection.surplus:,}円" if collection.surplus else ""),
            links=(("差押を表示", reverse("dispositions:detail", args=[collection.disposition.number])),),
            menu="dispositions",
            record=collection,
        )
        for collection in Collection.objects.filter(disposition__taxpayer=taxpayer)
        .select_related("disposition")
        .order_by("-collected_on", "-id")[:limit]
    ]


def inquiry_entries(taxpayer: Taxpayer, *, limit: int) -> list[TimelineEntry]:
    """照会 rows: each on its 発送日 (or, not yet sent, its 回答期限), and its answer on the 回答日."""
    entries = []
    for inquiry in (
        Inquiry.objects.filter(taxpayer=taxpayer)
        .select_related("target")
        .order_by("-answer_due", "-id")[:limit]
    ):
        link = (("表示", reverse("dispositions:inquiry_detail", args=[inquiry.number])),)
        entries.append(
            TimelineEntry(
                inquiry.sent_on or inquiry.answer_due,
                "照会",
                f"{inquiry.get_purpose_display()} {inquiry.number}（{inquiry.target}）",
                "発送済" if inquiry.sent_on else f"未発送（回答期限 {format_date(inquiry.answer_due)}）",
                links=link,
                menu="inquiries",
                record=inquiry,
            )
        )
        if inquiry.answered_on:
            entries.append(
                TimelineEntry(
                    inquiry.answered_on,
                    "照会の回答",
                    f"{inquiry.get_answer_display()} {inquiry.number}（{inquiry.target}）",
                    inquiry.answer_note,
                    links=link,
                    menu="inquiries",
                    record=inquiry,
                )
            )
    return entries
