"""The case page's timeline: one taxpayer's story, built by calling each app's own rows explicitly
(no registration lists): contacts and pledges (negotiations), payments and 時効 events (taxpayers),
documents issued (documents), dispositions, 取立 and 照会 (dispositions).

It opens on today. `upcoming` is the case's one list of next dates, soonest first — the summary's
次の予定 is its head and 今後の予定 the whole of it, so the two cannot disagree: the rows dated after
today (a 履行中 pledge's payments, an unsent 照会's 回答期限 …), the contacts planned and promises to
pay (negotiations; a planned contact whose day has passed stays, overdue), and the nearest renewed
時効予定日 (taxpayers, from the standing). The rest, dated today or before, is `past`, newest first."""

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
# The case page draws the newest rows of the past (issue 21: a ten-year history is ~200 rows, and
# drawing them all on every visit was a third of the page's time); the rest, up to LIMIT per source,
# on request (「すべて表示」). Every row is still built, so the page can say how many are folded.
PAST_SHOWN = 50


@dataclass
class Timeline:
    today: date
    upcoming: list[TimelineEntry] = field(default_factory=list)  # next dates, soonest first
    past: list[TimelineEntry] = field(default_factory=list)  # today and before, newest first


def case_timeline(
    taxpayer: Taxpayer, *, today: date, owed: taxpayers_panels.Owed | None = None, limit: int = LIMIT
) -> Timeline:
    """Every source's rows for the taxpayer, merged and split at today, and the next dates
    (`upcoming`: the planned contacts and promises, and with `owed` — `taxpayers.case_panels.owed_on`
    of the same day — its nearest 時効予定日). About ten queries whatever the length of the history
    (each source is bounded by `limit`)."""
    entries: list[TimelineEntry] = [
        *negotiations_panels.contact_entries(taxpayer, limit=limit),
        *negotiations_panels.pledge_entries(taxpayer, limit=limit, today=today),
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
    timeline.upcoming += negotiations_panels.planned_entries(taxpayer, today=today)
    nearest = taxpayers_panels.nearest_prescription_entry(taxpayer, owed) if owed is not None else None
    if nearest is not None:
        timeline.upcoming.append(nearest)
    timeline.upcoming.sort(key=lambda entry: entry.sort_key)
    return timeline
