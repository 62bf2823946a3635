"""Paginating long lists without counting every row.

Django's Paginator counts the whole list (`SELECT count(*)` over every match) before it shows a
page; for a search term that matches tens of thousands of taxpayers that count costs as much as
reading them all. `CappedPaginator` counts at most `cap` + 1 rows (a LIMIT inside the count) and
says 「1,000件以上」 beyond it: pages up to the cap are served, and staff are asked to narrow the
search rather than page through thousands.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from wako_collections.planner import planner_settings

SEARCH_COUNT_CAP = 1_000


class CappedPaginator(Paginator):
    """A Paginator whose `count` is min(matches, cap) and whose `capped` says there were more.
    The count is one query, `SELECT count(*) FROM (… LIMIT cap + 1)`, whose cost is bounded by the
    cap on an index that serves the list's order. Pages beyond the cap are not offered."""

    def __init__(
        self,
        object_list,
        per_page,
        *,
        cap: int | None = None,
        count_list=None,
        count_planner: Mapping[str, str] | None = None,
        **kwargs,
    ):
        """`count_list`: the same rows as `object_list` in a form that counts faster (optional).
        `count_planner`: PostgreSQL planner settings for the count query alone ({"random_page_cost":
        "1.1"}), set for its own transaction (or savepoint) and restored after it."""
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap if cap is not None else SEARCH_COUNT_CAP
        self.count_list = count_list if count_list is not None else object_list
        self.count_planner = dict(count_planner or {})

    @cached_property
    def _seen(self) -> int:
        """Rows counted, at most cap + 1 (without the list's order: a count needs none, and the
        planner may then read the rows any way it likes)."""
        capped = self.count_list.order_by()[: self.cap + 1]
        if not self.count_planner:
            return capped.count()
        with planner_settings(capped.db, self.count_planner):
            return capped.count()

    @cached_property
    def count(self) -> int:
        return min(self._seen, self.cap)

    @property
    def capped(self) -> bool:
        """More matches than the cap: the list shows only the first `cap`."""
        return self._seen > self.cap
