"""PostgreSQL planner settings the project plans with, wherever the server runs.

The project's PostgreSQL (docker-compose.yml) runs with random_page_cost 1.1, for SSD storage and a
database held in memory; for an existing server the README gives `ALTER DATABASE … SET
random_page_cost = 1.1`. Where a plan depends on it (the daily reconcile, the search's capped count),
the code sets it for its own transaction as well (`SHIPPED`), so a server left at the default 4 (for
spinning disks) does not turn an index read into a scan.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

from django.db import connections, transaction

SHIPPED: Mapping[str, str] = {"random_page_cost": "1.1"}  # as docker-compose.yml's server


@contextlib.contextmanager
def planner_settings(alias: str, settings: Mapping[str, str]):
    """Runs its block in a transaction (a savepoint inside one) whose planner settings are
    `settings` (names and values as `SET` takes them), then puts back the values they had, so a
    request already in a transaction plans its other queries as before (after an error, the
    rollback of the transaction or savepoint puts them back). One round trip each way."""
    names = list(settings)
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join("current_setting(%s), set_config(%s, %s, true)" for _ in names),
            [value for name in names for value in (name, name, settings[name])],
        )
        before = cursor.fetchone()[::2]
        yield
        cursor.execute(
            "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in names),
            [value for name, old in zip(names, before, strict=True) for value in (name, old)],
        )
