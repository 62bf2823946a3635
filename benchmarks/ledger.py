"""Benchmark of the taxpayer ledger at city scale (issue 3); part of `python -m benchmarks`.

    WAKO_ENV=development .venv/bin/python -m benchmarks.ledger [--persons 100000] [--samples 200]

Builds the dataset with generate_demo if the ledger holds fewer persons than asked, stages
casework on it through the services (`ensure_casework`: cases in every state, an access log, the
stored 不納欠損 candidates) if it has none, then measures, on this machine, in this process (server time: the Django handler, templates and
queries, no network), each next to a baseline measured in the same run:
  * taxpayer page (収納状況照会) — p50/p95 and query counts for the smallest and largest histories;
  * search — p50/p95 over name, kana, address, birth date, phone and notice-number queries;
    (baseline for both: the signed-in menu page, which reads no taxpayer);
  * わたしの仕事, 全職員の仕事 and 時効が近い期別 — p50/p95 and query counts (target p95 ≤ 100 ms);
  * full reconcile (baseline: one pass reading every installment and payment);
  * importing 1,000,000 assessment rows (new notices for existing taxpayers), committed, then deleted
    (baseline: the same-work SQL pipeline), with peak memory at two file sizes, and a 更正 file of
    100,000 rows (benchmarks/imports.py); `--no-import` leaves it out (the growth run's smaller city).
`--json` prints one JSON line (what benchmarks/growth.py reads).
Measurements, not assertions: benchmarks/report.py states each target and whether it was met.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wako_collections.settings")
os.environ.setdefault("WAKO_ENV", "development")

import django

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.middleware import SESSION_SEEN_KEY, SESSION_STARTED_KEY  # noqa: E402
from accounts.models import AuthenticatorApp, Staff  # noqa: E402
from benchmarks.stats import percentile  # noqa: E402
from taxpayers.demo import generate  # noqa: E402
from taxpayers.models import Assessment, InstallmentBalance, Payment, Taxpayer  # noqa: E402
from taxpayers.reconciliation import reconcile  # noqa: E402
from wako_collections.demo import load_demo_accounts  # noqa: E402


def signed_in_client(staff_number: str = "S1001") -> Client:
    from django_otp import DEVICE_ID_SESSION_KEY

    officer = Staff.objects.get(staff_number=staff_number)
    client = Client()
    client.force_login(officer)
    session = client.session
    session[SESSION_STARTED_KEY] = session[SESSION_SEEN_KEY] = time.time()
    session[DEVICE_ID_SESSION_KEY] = AuthenticatorApp.objects.get(user=officer).persistent_id
    session.save()
    return client


def timed_get(client: Client, url: str, params=None) -> tuple[float, int, int]:
    # The capture counts along the connection's query log, bounded at 9,000 statements: once full
    # (a process that staged its casework first, as the growth run's does) it counted 0.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url, params or {})
        elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, len(queries.captured_queries), response.status_code


def bench_taxpayer_page(client: Client, samples: int, rng: random.Random) -> dict:
    ids = list(Taxpayer.objects.values_list("atena_number", flat=True))
    chosen = rng.sample(ids, min(samples, len(ids)))
    times, counts = [], []
    for atena in chosen:
        elapsed, queries, _ = timed_get(client, reverse("taxpayers:detail", args=[atena]))
        times.append(elapsed)
        counts.append(queries)
    # Like with like: a taxpayer owing nothing has every year folded and computes no line (six
    # queries fewer, whatever the length), so the extremes are drawn among those owing something.
    owing = Assessment.objects.exclude(balance__status=InstallmentBalance.Status.PAID).values("taxpayer_id")
    history = (
        Assessment.objects.filter(taxpayer_id__in=owing)
        .values("taxpayer__atena_number")
        .annotate(n=django.db.models.Count("id"))
        .order_by("n")
    )
    smallest, largest = history.first(), history.last()
    extremes = {}
    for label, row in (("fewest", smallest), ("most", largest)):
        _, queries, _ = timed_get(client, reverse("taxpayers:detail", args=[row["taxpayer__atena_number"]]))
        extremes[label] = (row["n"], queries)
    return {
        "p50": percentile(times, 0.5),
        "p95": percentile(times, 0.95),
        "queries": (min(counts), max(counts)),
        "extremes": extremes,
    }


def mixed_search_queries(samples: int, rng: random.Random) -> list[dict]:
    """The mixed search's queries: six classes — 姓 名, the kana surname (in lower case, as typed),
    the last 8 characters of the address, the phone number, the birth date, a 通知書番号 — the same
    number of each (`samples` // 6, at least 10), drawn with `rng` from the data. The same classes
    in the same proportions at every size of city, so the growth run compares like with like (the
    draw of `order_by("?")` was unseeded, and a corporation drawn, having no birth date, left the
    birth-date class short and the other classes larger, by chance)."""
    per_class = max(samples // 6, 10)
    people = list(Taxpayer.objects.order_by("id").values_list("id", flat=True))
    born = [
        born_on
        for born_on in Taxpayer.objects.filter(birth_date__isnull=False)
        .order_by("id")
        .values_list("birth_date", flat=True)
        if born_on is not None
    ]
    chosen = Taxpayer.objects.in_bulk(rng.sample(people, min(per_class, len(people))))
    first, last = (
        Assessment.objects.order_by("id").values_list("id", flat=True)[:1][0],
        Assessment.objects.latest("id").id,
    )
    notices = [
        Assessment.objects.filter(id__gte=rng.randint(first, last))
        .order_by("id")
        .values_list("notice_number", flat=True)[:1][0]
        for _ in range(per_class)
    ]
    classes = [
        [{"name": p.name.split(" ")[0] + " " + p.name.split(" ")[-1]} for p in chosen.values()],
        [{"name": p.name_kana.split(" ")[0].lower()} for p in chosen.values()],
        [{"address": p.address[-8:]} for p in chosen.values()],
        [{"phone": p.phone} for p in chosen.values()],
        [{"birth_date": born_on.isoformat()} for born_on in rng.sample(born, min(per_class, len(born)))],
        [{"notice_number": notice} for notice in notices],
    ]
    queries = [query for each in classes for query in each]
    rng.shuffle(queries)
    return queries


def bench_search(client: Client, samples: int, rng: random.Random) -> dict:
    """The mixed search (mixed_search_queries): server time p50/p95 over every query."""
    queries = mixed_search_queries(samples, rng)
    times = [timed_get(client, reverse("taxpayers:search"), query)[0] for query in queries]
    return {"p50": percentile(times, 0.5), "p95": percentile(times, 0.95), "n": len(times)}


def search_term_classes() -> dict[str, dict]:
    """The short and unselective terms staff type, drawn from the data (the most common of each,
    the worst case): a 2-kanji surname (佐藤), its first 2 kana (サト), a district (広沢), one
    character of an address (南), the city (和光市), a phone prefix (048), each alone."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT split_part(name, ' ', 1) s FROM taxpayers_taxpayer WHERE char_length(split_part(name, ' ', 1)) = 2 "
            "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
        )
        surname = cursor.fetchone()[0]
        cursor.execute(
            "SELECT left(split_part(name_kana, ' ', 1), 2) FROM taxpayers_taxpayer GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
        )
        kana = cursor.fetchone()[0]
        cursor.execute(
            "SELECT substring(address from '[都道府県](.+?[市区町村])'), substring(address from '[市区町村]([^0-9０-９-]+?)[0-9０-９]') d "
            "FROM taxpayers_taxpayer GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1"
        )
        city, district = cursor.fetchone()
        cursor.execute(
            "SELECT left(phone_digits, 3) FROM taxpayers_taxpayer GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        )
        phone = cursor.fetchone()[0]
    return {
        "2-kanji surname": {"name": surname},
        "2 kana": {"name": kana},
        "district": {"address": district},
        "1-character address": {"address": district[-1:]},
        "city": {"address": city},
        "phone prefix": {"phone": phone},
    }


def bench_search_classes(client: Client, samples: int) -> dict:
    """Each class of search_term_classes: server time p50/p95 over `samples` requests (first page
    and, where there is one, the second), the answer's status and the number of matches shown."""
    result = {}
    for label, params in search_term_classes().items():
        client.get(reverse("taxpayers:search"), params)  # warm
        times = []
        for n in range(samples):
            started = time.perf_counter()
            response = client.get(reverse("taxpayers:search"), {**params, **({"page": 2} if n % 2 else {})})
            times.append((time.perf_counter() - started) * 1000)
        html = response.content.decode()
        shown = re.search(r"全([0-9,]+)件|([0-9,]+)件以上", html)
        result[label] = {
            "term": next(iter(params.values())),
            "p50": percentile(times, 0.5),
            "p95": percentile(times, 0.95),
            "matches": (shown.group(1) or shown.group(2) + "+") if shown else None,
            "refused": 'role="alert"' in html,  # a form error: asked for a narrower search
        }
    return result


def bench_queues(samples: int) -> dict:
    """わたしの仕事 (an officer with every taxpayer assigned would be the worst case; the demo officer
    as generated), 全職員の仕事 (a supervisor) and 時効が近い期別: p50/p95 and query counts. Their
    時効 lists are indexed queries on the renewed 時効予定日 reconcile stores (issue 16), so the
    query count does not depend on the number of cases. Target: p95 ≤ 100 ms at 100,000 persons."""
    officer, supervisor = signed_in_client("S1001"), signed_in_client("S2001")
    pages = {
        "my_work": (officer, reverse("negotiations:my_work")),
        "all_work": (supervisor, reverse("negotiations:queues")),
        "prescriptions_due": (officer, reverse("dispositions:prescriptions_due")),
    }
    result = {}
    for name, (client, url) in pages.items():
        timed_get(client, url)  # warm
        runs = [timed_get(client, url) for _ in range(max(samples // 10, 10))]
        times = [elapsed for elapsed, _, _ in runs]
        result[name] = {
            "p50": percentile(times, 0.5),
            "p95": percentile(times, 0.95),
            "queries": (min(q for _, q, _ in runs), max(q for _, q, _ in runs)),
        }
    return result


def wal_lsn() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        return cursor.fetchone()[0]


def wal_bytes_since(lsn: str) -> int:
    """WAL written by the whole server since `lsn` (other sessions included: run on a quiet server)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", [lsn])
        return int(cursor.fetchone()[0])


def bench_reconcile() -> dict:
    """reconcile at the city's size, each run committed, with the WAL it wrote; beside them the
    baseline that does the same reading: the single per-installment aggregate of payments
    (reconcile's own join and GROUP BY a.id).

    1. the first run into empty balances (every installment computed and written);
    2. the daily run on the same day (nothing changed since);
    3. the daily run on the next day — the nightly job's run: no input changed, but 延滞金 moved and
       what came due changed state (`seconds`, `daily_wal`, `changed`, `computed`: the target's row);
    4. a full run (`full=True`, the 1st of the month's) back on today, which also puts the ledger back
       to today for the pages measured after this; the next day's run record is then removed, so no
       later run sees a run settled ahead."""
    from datetime import timedelta

    from django.utils import timezone

    from taxpayers.models import ReconcileRun

    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE taxpayers_installmentbalance, taxpayers_taxpayerbalance")
        cursor.execute("CHECKPOINT")

    def run(**options) -> tuple[float, int, object]:
        lsn, started = wal_lsn(), time.perf_counter()
        summary = reconcile(**options)
        return time.perf_counter() - started, wal_bytes_since(lsn), summary

    first, first_wal, summary = run()
    same_day, same_day_wal, again = run()
    seconds, daily_wal, next_day = run(as_of=today + timedelta(days=1))
    full, full_wal, restored = run(as_of=today, full=True)
    ReconcileRun.objects.filter(as_of__gt=today).delete()
    assert (summary.scope, again.scope, next_day.scope, restored.scope) == ("all", "diff", "diff", "all")
    return {
        "first": first,
        "first_wal": first_wal,
        "seconds": seconds,
        "daily_wal": daily_wal,
        "installments": summary.installments,
        "changed": next_day.changed,
        "computed": next_day.installments,
        "same_day": same_day,
        "same_day_wal": same_day_wal,
        "same_day_changed": again.changed,
        "same_day_computed": again.installments,
        "full": full,
        "full_wal": full_wal,
        "baseline_aggregate": bench_baseline_aggregate(),
    }


def bench_baseline_aggregate() -> float:
    """The single per-installment aggregate reconcile cannot do without: every installment with the
    sum and last day of its payments (LEFT JOIN, GROUP BY a.id), read to the end on the server."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), sum(paid) FROM (SELECT a.id, coalesce(sum(p.amount), 0) AS paid, "
            "max(p.received_on) AS last FROM taxpayers_assessment a LEFT JOIN taxpayers_payment p "
            "ON p.assessment_id = a.id AND p.received_on <= current_date GROUP BY a.id) per_installment"
        )
    return time.perf_counter() - started


def bench_import(rows: int) -> dict:
    """The 調定 import (benchmarks/imports.py): `rows` new rows beside the same-work SQL pipeline,
    a quarter of the file for its peak memory, and a 更正 file of a tenth of it; each run in a fresh
    process (its peak RSS its own) and committed."""
    from benchmarks import imports

    return imports.measure(rows=rows, small_rows=rows // 4, corrections=rows // 10)


def bench_baseline_page(client: Client, samples: int) -> dict:
    """The signed-in menu: terminal, session, OTP and menu checks and the page frame, no ledger —
    what every page costs before it reads a taxpayer."""
    timed = [timed_get(client, reverse("home")) for _ in range(samples)]
    times = [elapsed for elapsed, _queries, _status in timed]
    return {"p50": percentile(times, 0.5), "p95": percentile(times, 0.95), "queries": timed[-1][1]}


def bench_baseline_scan() -> float:
    """One pass over every installment and payment (a sum per table): reading what reconcile reads."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), sum(principal) FROM taxpayers_assessment")
        cursor.execute("SELECT count(*), sum(amount) FROM taxpayers_payment")
    return time.perf_counter() - started


def bench_pages(samples: int) -> dict:
    """Every URL pattern of the URL × role table (benchmarks/pages.py)."""
    from benchmarks import pages

    return pages.measure(samples)


def ensure_dataset(persons: int) -> dict:
    """Generates persons until the ledger holds `persons`; what it holds and how long that took."""
    load_demo_accounts()
    have = Taxpayer.objects.count()
    started = time.perf_counter()
    if have < persons:
        generate(persons=persons - have, seed=have + 1)
        reconcile()  # as generate_demo does: balances for the pages, the load run and batches
    return {
        "generated_seconds": time.perf_counter() - started if have < persons else None,
        "counts": (Taxpayer.objects.count(), Assessment.objects.count(), Payment.objects.count()),
    }


# Casework staged on the benchmark's city (wako_collections.demo_cases, through each app's service):
# a city of 100,000 persons has tens of thousands of delinquent taxpayers; an office of a few
# officers works a few thousand of them at a time (100 in each of the 13 states; about 0.1 s a case
# on a quiet machine, 1.7 s under the load of 2026-12-01: 650 cases and the reconcile took 18 min).
CASES = 1_300
# The access log an office writes (taxpayers.access.record_access): each member of staff opening
# about 150 single taxpayers and 20 lists (search, queues: 20 taxpayers each) on each working day
# of the last 60 days, 2% of them after hours and 10% outside the officer's cases.
ACCESS_DAYS, SINGLE_VIEWS, LIST_VIEWS = 60, 150, 20


def ensure_collection_awaiting_distribution() -> str | None:
    """The number of a 取立 waiting for its 配当計算書 (the page `dispositions:distribution_new`
    opens on no other), recorded through `record_collection` with other claimants on the newest
    approved 債権差押 that takes it when the casework holds none; nothing is posted as 収納 until
    the 配当 (国税徴収法第129条), so no standing changes. None when no 差押 takes one."""
    from dispositions.collections import CollectionError, record_collection
    from dispositions.models import CLAIM_CATEGORIES, Collection, Disposition, DispositionCode
    from wako_collections.actors import Actor

    waiting = (
        Collection.objects.filter(status=Collection.Status.AWAITING_DISTRIBUTION).order_by("-pk").first()
    )
    if waiting is not None:
        return waiting.number
    actor = Actor.for_staff(Staff.objects.get(staff_number="S1001"), "T0001")
    seizures = Disposition.objects.filter(
        code=DispositionCode.SEIZURE, category__in=CLAIM_CATEGORIES, status=Disposition.Status.APPROVED
    ).order_by("-pk")
    for seizure in seizures[:20]:
        try:
            collection = record_collection(
                actor=actor,
                disposition=seizure,
                collected_on=django.utils.timezone.localdate(),
                amount=10_000,
                method=Collection.Method.TRANSFER,
                other_claimants=True,
            )
        except CollectionError:
            continue
        return collection.number
    return None


def ensure_casework(cases: int = CASES) -> dict:
    """Stages `cases` cases in every state (約束, 分納誓約, 差押, 執行停止, 猶予, 減免, 照会, 催告 …) on
    the delinquent taxpayers, spread across the officers they are assigned to, through the services
    (`demo_cases.stage_cases`), then the access log and the stored 不納欠損 candidates (the nightly
    job's), so that every URL pattern has a record to open. Nothing when casework exists."""
    from dispositions.writeoffs import store_writeoff_candidates
    from wako_collections import demo_cases

    if demo_cases.already_staged():
        return {"staged_seconds": None, "awaiting_distribution": ensure_collection_awaiting_distribution()}
    started = time.perf_counter()
    counts = demo_cases.stage_cases(cases=cases)
    staged = time.perf_counter() - started
    started = time.perf_counter()
    rows = generate_access_log()
    logged = time.perf_counter() - started
    started = time.perf_counter()
    store_writeoff_candidates(on=django.utils.timezone.localdate())
    return {
        "awaiting_distribution": ensure_collection_awaiting_distribution(),
        "staged_seconds": staged,
        "counts": dict(counts),
        "access_rows": rows,
        "access_seconds": logged,
        "candidates_seconds": time.perf_counter() - started,
    }


def vacuum_analyze() -> dict:
    """VACUUM (ANALYZE) of the whole benchmark database before anything is measured: what autovacuum
    does on a city's server between the nightly jobs and the morning. Without it, on a server where
    autovacuum is off (this machine's), the casework tables have no statistics (the planner takes them
    for one row) and the balance tables' index-only scans visit the heap. Its time, for the report."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        autovacuum = cursor.fetchone()[0]
        cursor.execute("VACUUM (ANALYZE)")
    return {"seconds": time.perf_counter() - started, "autovacuum": autovacuum}


def generate_access_log(seed: int = 1) -> int:
    """The access log of ACCESS_DAYS working days (see ACCESS_DAYS above), as record_access writes
    it, bulk-inserted (a log: no history). Returns the number of rows."""
    from datetime import datetime, timedelta
    from datetime import time as clock

    from django.utils import timezone

    from taxpayers.deadlines import is_closed
    from taxpayers.models import TaxpayerAccess

    rng = random.Random(seed)  # noqa: S311
    staff = list(Staff.objects.filter(is_active=True).exclude(staff_number__startswith="S9"))
    assigned = list(Taxpayer.objects.values_list("atena_number", "assigned_officer_id"))
    everyone = [atena for atena, _ in assigned]
    own = {member.pk: [a for a, officer in assigned if officer == member.pk] for member in staff}
    today = timezone.localdate()
    rows = []
    for back in range(ACCESS_DAYS, 0, -1):
        day = today - timedelta(days=back)
        if is_closed(day):
            continue
        for member in staff:
            mine = own[member.pk] or everyone
            for n in range(SINGLE_VIEWS + LIST_VIEWS):
                late = rng.random() < 0.02
                hour = rng.choice((7, 19, 21)) if late else rng.randint(9, 16)
                moment = timezone.make_aware(datetime.combine(day, clock(hour, rng.randint(0, 59))))
                if n < SINGLE_VIEWS:
                    atena = [rng.choice(everyone) if rng.random() < 0.1 else rng.choice(mine)]
                    page = "宛名・収納状況照会"
                else:
                    atena, page = rng.sample(everyone, 20), "検索"
                rows.append(
                    TaxpayerAccess(
                        occurred_at=moment,
                        staff_number=member.staff_number,
                        terminal_number="T0001",
                        page=page,
                        atena_numbers=atena,
                    )
                )
    TaxpayerAccess.objects.bulk_create(rows, batch_size=5_000)
    return len(rows)


def cases_for(persons: int) -> int:
    """Casework in proportion to the city (CASES at 100,000 persons), for the growth run's smaller
    city: a city a tenth the size has a tenth of the cases in its queues."""
    return max(CASES * persons // 100_000, 13)


def measure(
    *, persons: int = 100_000, samples: int = 200, import_rows: int | None = 1_000_000, cases: int = CASES
) -> dict:
    """Every ledger figure at `persons`; `import_rows` None leaves the import out (the growth run)."""
    rng = random.Random(1)  # noqa: S311
    ensure_dataset(persons)
    ensure_casework(cases)
    reconciled = bench_reconcile()
    reconciled["baseline_scan"] = bench_baseline_scan()
    client = signed_in_client()
    result = {
        "reconcile": reconciled,
        "baseline_page": bench_baseline_page(client, samples),
        "page": bench_taxpayer_page(client, samples, rng),
        "search": bench_search(client, samples, rng),
        "search_classes": bench_search_classes(client, max(samples // 10, 20)),
        "queues": bench_queues(samples),
        "pages": bench_pages(max(samples // 10, 20)),  # p95 of 20: the second slowest
    }
    if import_rows is not None:
        result["import"] = bench_import(import_rows)
    return result


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--import-rows", type=int, default=1_000_000)
    parser.add_argument("--no-import", action="store_true", help="leave the 1,000,000-row import out")
    parser.add_argument(
        "--cases", default=str(CASES), help=f"cases staged when there are none ({CASES}), or 'proportional'"
    )
    parser.add_argument("--json", action="store_true", help="one JSON line, with the dataset and casework")
    args = parser.parse_args(argv)
    cases = cases_for(args.persons) if args.cases == "proportional" else int(args.cases)
    result = {"dataset": ensure_dataset(args.persons), "casework": ensure_casework(cases)}
    result["vacuum"] = vacuum_analyze()
    result |= measure(
        persons=args.persons,
        samples=args.samples,
        import_rows=None if args.no_import else args.import_rows,
        cases=cases,
    )
    if args.json:
        import json

        print(json.dumps(result, ensure_ascii=False, default=str))
    else:
        print(result)


if __name__ == "__main__":
    sys.exit(main())
