"""The per-request frame (issue 21, "Load"): what every signed-in page pays before its own work,
before and after branch hL, alternated in one process.

    WAKO_ENV=development DEBUG=false .venv/bin/python -m benchmarks.frame [--samples 200] [--block 20]

"Before" is the same code with the idle clock written on every request (resolution 0: a session
save — UPDATE and commit — on every page), the menu's addresses reversed on every page and ホーム's
counts asked one statement each; "after" is the code as it is. The two alternate in blocks of `--block` requests, so the machine's load
falls on both alike. Pages: セキュリティキー (the frame and the user's keys, nothing else), ホーム,
わたしの仕事 and one taxpayer page, signed in as the demo officer S1001 (benchmarks.ledger). Server
time is the Django handler with every middleware, view, template and query, in-process, no network.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wako_collections.settings")
os.environ.setdefault("WAKO_ENV", "development")

import django

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts import middleware  # noqa: E402
from benchmarks.ledger import signed_in_client  # noqa: E402
from benchmarks.stats import percentile  # noqa: E402
from taxpayers.models import Taxpayer  # noqa: E402
from wako_collections import menus, today  # noqa: E402


def one_by_one(querysets):
    return [queryset.count() for queryset in querysets]


@contextmanager
def before_hl():
    """The frame as it was: the idle clock saved with every request, the menu reversed each time,
    ホーム's counts asked one statement each."""
    saved = middleware.IDLE_CLOCK_RESOLUTION_SECONDS, menus._url, today.count_together
    middleware.IDLE_CLOCK_RESOLUTION_SECONDS, menus._url, today.count_together = 0, reverse, one_by_one
    try:
        yield
    finally:
        middleware.IDLE_CLOCK_RESOLUTION_SECONDS, menus._url, today.count_together = saved


@contextmanager
def as_it_is():
    yield


def load_average() -> list[str]:
    return Path("/proc/loadavg").read_text().split()[:3]


def timed(client, url: str) -> tuple[float, int]:
    reset_queries()  # the capture counts along a log bounded at 9,000 statements
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, len(queries.captured_queries)


def measure(*, samples: int = 200, block: int = 20) -> dict:
    client = signed_in_client("S1001")
    atena = Taxpayer.objects.order_by("pk").values_list("atena_number", flat=True)[samples // 2]
    pages = {
        "セキュリティキー (frame only)": reverse("accounts:security_keys"),
        "ホーム": reverse("home"),
        "わたしの仕事": reverse("negotiations:my_work"),
        "宛名・収納状況照会": reverse("taxpayers:detail", args=[atena]),
    }
    modes = {"before": before_hl, "after": as_it_is}
    result: dict = {"load_average_before": load_average()}
    for page, url in pages.items():
        runs: dict[str, list[tuple[float, int]]] = {mode: [] for mode in modes}
        for switch in modes.values():
            with switch():
                timed(client, url)  # warm
        while min(len(r) for r in runs.values()) < samples:
            for mode, switch in modes.items():
                with switch():
                    runs[mode] += [timed(client, url) for _ in range(block)]
        result[page] = {
            mode: {
                "p50_ms": round(percentile([t for t, _ in rows], 0.5), 2),
                "p95_ms": round(percentile([t for t, _ in rows], 0.95), 2),
                "statements_per_request": round(sum(q for _, q in rows) / len(rows), 2),
                "n": len(rows),
            }
            for mode, rows in runs.items()
        }
        before, after = result[page]["before"], result[page]["after"]
        result[page]["ratio_p50"] = round(after["p50_ms"] / before["p50_ms"], 2)
        result[page]["ratio_p95"] = round(after["p95_ms"] / before["p95_ms"], 2)
    result["load_average_after"] = load_average()
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--block", type=int, default=20)
    args = parser.parse_args(argv)
    print(json.dumps(measure(samples=args.samples, block=args.block), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
