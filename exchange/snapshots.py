"""What a tracked record looked like at a moment, and which records changed in a window, read from
their django-simple-history tables — the source of every 逆連携 file.

Reading history rather than the live tables is what makes a delta complete and a rerun identical:
* a record changed in (since, until] has at least one history row dated in it, even when a later
  change put every value back (a change followed by a revert still produces a row);
* the state written for it is its last history row dated on or before `until`, which no later
  write can alter, so the same (since, until) gives the same rows byte for byte;
* a record deleted (soft deletions keep the row; a hard one leaves a "-" history row) is still
  seen, with its last values, and flagged.

Every tracked model is saved one by one (wako_collections/records.py), so its history is complete.
Cost: one query per model (a DISTINCT ON over the history table, indexed by simple-history on the
original id and on history_date).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from django.db import models

from wako_collections.records import states_at


@dataclass(frozen=True)
class Window:
    """The changes a run covers: after `since` (None: everything, a full run) up to `until`."""

    since: datetime | None
    until: datetime

    @property
    def is_full(self) -> bool:
        return self.since is None


def changed_ids(model: type[models.Model], window: Window, *, field: str = "id") -> set[int] | None:
    """The ids (or, with `field`, another column's values, e.g. the parent's id) of the records of
    `model` with a history row in the window; None for a full run (every record counts)."""
    if window.is_full:
        return None
    history = model.history.model  # type: ignore[attr-defined]
    return set(
        history.objects.filter(history_date__gt=window.since, history_date__lte=window.until)
        .values_list(field, flat=True)
        .distinct()
    )


def union(*sets: set[int] | None) -> set[int] | None:
    """None (everything) if any is None, else the union."""
    if any(found is None for found in sets):
        return None
    return set().union(*sets)  # type: ignore[arg-type]


def states(
    model: type[models.Model], window: Window, *, ids: Iterable[int] | None = None, **filters
) -> dict[int, SimpleNamespace]:
    """Each record's last history row dated on or before `window.until` (its state then), by id, as
    its column values (`wako_collections.records.states_at`; plain values, not model instances,
    which cost ten times as much to build for a full run). `ids` None reads every record; `filters`
    narrow the history rows. A record whose last row is a deletion ("-") is kept: `is_deleted` tells."""
    return states_at(model, window.until, ids=ids, **filters)


def is_deleted(state) -> bool:
    return state.history_type == "-"
