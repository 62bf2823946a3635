"""The case page's timeline: one taxpayer's story, built by calling each app's own rows explicitly
(no registration lists): contacts and pledges (negotiations), payments and 時効 events (taxpayers),
documents issued (documents), dispositions, 取立 and 照会 (dispositions).

It opens on today: rows dated after today (scheduled pledge payments, an inquiry's 回答期限 …)
are `upcoming`, the rest `past`; both newest first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dispositions import case_panels as dispositions_panels
from documents import case_panels as documents_panels
from negotiations import case_panels as negotiations_panels
from taxpayers import case_panels as taxpayers_panels
from taxpayers.models import Taxpayer
from wako_collections.timeline import TimelineEntry

LIMIT = 300  # rows per source; a case with more shows the newest of each


@dataclass
class Timeline:
    today: date
    upcoming: list[TimelineEntry] = field(default_factory=list)  # after today, newest first
    past: list[TimelineEntry] = field(default_factory=list)  # today and before, newest first


def case_timeline(taxpayer: Taxpayer, *, today: date, limit: int = LIMIT) -> Timeline:
    """Every source's rows for the taxpayer, merged newest first and split at today. About ten
    queries whatever the length of the history (each source is bounded by `limit`)."""
    entries: list[TimelineEntry] = [
        *negotiations_panels.contact_entries(taxpayer, limit=limit),
        *negotiations_panels.pledge_entries(taxpayer, limit=limit),
        *taxpayers_panels.payment_entries(taxpayer, limit=limit),
        *taxpayers_panels.prescription_entries(taxpayer, limit=limit),
        *documents_panels.document_entries(taxpayer, limit=limit),
        *dispositions_panels.disposition_entries(taxpayer, limit=limit),
        *dispositions_panels.collection_entries(taxpayer, limit=limit),
        *dispositions_panels.inquiry_entries(taxpayer, limit=limit),
    ]
    entries.sort(key=lambda entry: entry.sort_key, reverse=True)
    timeline = Timeline(today=today)
    for entry in entries:
        (timeline.upcoming if entry.day > today else timeline.past).append(entry)
    return timeline
