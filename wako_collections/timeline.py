"""One row of a taxpayer's timeline (the case page's 経過).

Each app that owns a kind of record builds its own rows (`<app>/case_panels.py`) with the links to
its own pages; the case page (`cases/`) calls each of them explicitly and merges them by date. A
row never says how it is linked by its label: `links` are (label, URL) pairs the owning app chose,
and `menu` is the menu permission (accounts.Menu codename) a user needs to follow them — the page
shows the links only to those who hold it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime | date  # a contact has its time; everything else its day
    kind: str  # 交渉, 分納誓約, 分納予定, 収納, 時効, 文書, 滞納処分, 取立, 照会 … (shown as is)
    title: str
    detail: str = ""
    links: tuple[tuple[str, str], ...] = ()  # (label, URL), built by the owning app
    menu: str = ""  # the menu permission needed to follow `links` ("" for none)
    record: object = None

    @property
    def day(self) -> date:
        return self.when.date() if isinstance(self.when, datetime) else self.when

    @property
    def time_of_day(self) -> time | None:
        """The time shown beside the day: a contact's 入力時刻; None for a row that has only its day."""
        return self.when.time() if isinstance(self.when, datetime) else None

    @property
    def sort_key(self) -> datetime:
        """Newest first sorts on this: a day without a time counts as its start."""
        return self.when if isinstance(self.when, datetime) else datetime.combine(self.when, time.min)
