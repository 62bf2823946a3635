"""Several counts in one round trip: `SELECT (SELECT COUNT(*) FROM (…) c0), (SELECT COUNT(*) …)`.

ホーム shows up to six counts, each asked of the app that owns its list (the list's own queryset);
counted one by one they were six statements, six round trips and, under load, six waits for a
server process. Each queryset is reduced to its primary keys, so PostgreSQL flattens each
subquery and plans it exactly as it plans `queryset.count()` (index-only scans included).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet


def count_together(querysets: Sequence[QuerySet]) -> list[int]:
    """The `.count()` of each queryset, in order, from one statement (none for an empty list).

    A queryset whose rows are not one per primary key (DISTINCT, GROUP BY, a slice) is counted on
    its own with `.count()`: the pk reduction would change what it counts."""
    counts: dict[int, int] = {}
    together: list[tuple[int, QuerySet]] = []
    for index, queryset in enumerate(querysets):
        query = queryset.query
        if query.distinct or query.group_by is not None or query.is_sliced or query.combinator:
            counts[index] = queryset.count()
        else:
            together.append((index, queryset))
    if together:
        parts: list[str] = []
        params: list[Any] = []
        for position, (_index, queryset) in enumerate(together):
            try:
                sql, part_params = queryset.order_by().values("pk").query.sql_with_params()
            except EmptyResultSet:  # e.g. filter(pk__in=[]): Django answers 0 without asking
                sql, part_params = "SELECT 1 WHERE FALSE", ()
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS c{position})")  # noqa: S608 (Django's SQL)
            params.extend(part_params)
        aliases = {queryset.db for _index, queryset in together}
        if len(aliases) != 1:
            raise ValueError("count_together counts querysets of one database at a time")
        with connections[aliases.pop()].cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(parts)}", params)
            row = cursor.fetchone()
        for (index, _queryset), count in zip(together, row, strict=True):
            counts[index] = count
    return [counts[index] for index in range(len(querysets))]
