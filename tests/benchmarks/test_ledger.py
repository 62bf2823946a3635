"""The ledger benchmark's measuring helpers (benchmarks/ledger.py) on a small database."""

from django.db import connection
from django.urls import reverse

from benchmarks.ledger import timed_get
from tests.conftest import sign_in


def test_a_page_s_queries_are_counted_when_the_query_log_is_already_full(client, officer, settings):
    # The growth run staged its casework in the measuring process: 9,000 statements logged (the
    # log's bound) before the first page, and every page was counted 0 (docs/performance.md,
    # 2026-12-01: "queries per taxpayer page, most: 0 at 10,000").
    settings.DEBUG = True
    sign_in(client, officer)
    url = reverse("home")
    timed_get(client, url)  # the first request of a session reads more (as the benchmark warms)
    _, on_an_empty_log, _ = timed_get(client, url)
    connection.queries_log.extend({"sql": "SELECT 1", "time": "0.000"} for _ in range(9_000))
    assert len(connection.queries_log) == connection.queries_log.maxlen
    _, on_a_full_log, _ = timed_get(client, url)
    assert on_a_full_log == on_an_empty_log > 0
