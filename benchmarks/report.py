"""docs/performance.md from one run of every benchmark (`python -m benchmarks`)."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

import django
from django.db import connection

from benchmarks.load import KNEE_P95_MS, server_words

REPORT = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def machine() -> list[str]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo") if line.startswith("model name")),
        platform.machine(),
    )
    memory = next((line.split()[1] for line in _read("/proc/meminfo") if line.startswith("MemTotal")), "0")
    with connection.cursor() as cursor:
        settings = {}
        for name in ("server_version", "shared_buffers", "work_mem", "max_connections"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    return [
        f"- {os.cpu_count()} cores ({cpu}), {int(memory) / 2**20:.0f} GiB memory, {platform.platform()}",
        f"- Python {platform.python_version()}, Django {django.get_version()}, PostgreSQL "
        f"{settings['server_version'].split()[0]} with its default configuration (shared_buffers "
        f"{settings['shared_buffers']}, work_mem {settings['work_mem']}, max_connections {settings['max_connections']})",
    ]


def _read(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def duration(seconds: int) -> str:
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"


def met(ok: bool | None) -> str:
    """The met column: yes, **no**, or — for a figure reported without a target."""
    return "—" if ok is None else "yes" if ok else "**no**"


class Table:
    """Rows of | measure | result | baseline | target | met |, remembering what fell short."""

    def __init__(self):
        self.rows: list[str] = [
            "| measure | result | baseline, same run | target | met |",
            "| --- | --- | --- | --- | --- |",
        ]
        self.short: list[str] = []

    def add(self, measure: str, result: str, baseline: str, target: str, ok: bool | None) -> None:
        """One row; `ok` None: reported, no target (not counted as short)."""
        self.rows.append(f"| {measure} | {result} | {baseline} | {target} | {met(ok)} |")
        if ok is False:
            self.short.append(f"- {measure}: {result} (target {target}).")


def ledger_rows(table: Table, ledger: dict) -> None:
    page, search, base = ledger["page"], ledger["search"], ledger["baseline_page"]
    menu = f"menu page p95 {base['p95']:.0f} ms ({base['queries']} queries)"
    fewest, most = page["extremes"]["fewest"], page["extremes"]["most"]
    reconcile, imported = ledger["reconcile"], ledger["import"]
    scan = f"reading every installment and payment once: {reconcile.get('baseline_scan', 0):.1f} s"
    table.add(
        "taxpayer page + 収納状況照会, server time, p50 / p95",
        f"{page['p50']:.0f} / {page['p95']:.0f} ms",
        menu,
        "p95 ≤ 100 ms",
        page["p95"] <= 100,
    )
    table.add(
        "queries per taxpayer page",
        f"{page['queries'][0]}–{page['queries'][1]}; owing something: {fewest[0]} installments → {fewest[1]}, "
        f"{most[0]} installments → {most[1]} (owing nothing: every year folded, no line computed, fewer)",
        f"menu page: {base['queries']} queries",
        "does not grow with the history",
        most[1] <= fewest[1],
    )
    table.add(
        f"search ({search['n']} queries: name, kana, address, birth date, phone, 通知書番号), p50 / p95",
        f"{search['p50']:.0f} / {search['p95']:.0f} ms",
        menu,
        "p95 ≤ 100 ms",
        search["p95"] <= 100,
    )
    labels = {"my_work": "わたしの仕事", "all_work": "全職員の仕事", "prescriptions_due": "時効が近い期別"}
    for name, label in labels.items():
        queue = ledger.get("queues", {}).get(name)
        if queue is None:
            continue
        table.add(
            f"{label}, server time, p50 / p95 (queries)",
            f"{queue['p50']:.0f} / {queue['p95']:.0f} ms ({queue['queries'][0]}–{queue['queries'][1]} queries)",
            menu,
            "p95 ≤ 100 ms, queries independent of the number of cases",
            queue["p95"] <= 100 and queue["queries"][0] == queue["queries"][1],
        )
    if "baseline_aggregate" in reconcile:
        aggregate = reconcile["baseline_aggregate"]
        scan = f"the single per-installment aggregate of payments: {aggregate:.1f} s"
        ratio = reconcile["seconds"] / aggregate
        table.add(
            f"`reconcile` of {reconcile['installments']:,} installments, the nightly daily run on the next day "
            f"(no input changed; {reconcile['computed']:,} installments computed: each 滞納 whose balance may move "
            f"that day — its 延滞金 reaching the next 100円, a new period, its 時効予定日 passed — what came due, "
            f"every relief; {reconcile['changed']:,} balances changed)",
            f"{reconcile['seconds']:.1f} s ({ratio:.1f}× the aggregate)",
            f"{scan}; the same day again: {reconcile['same_day']:.1f} s "
            f"({reconcile['same_day_computed']:,} computed, {reconcile['same_day_changed']:,} changed); "
            f"a full run over stored balances (the 1st of the month's): {reconcile['full']:.1f} s",
            "≤ 2.5× the aggregate, ≤ 60 s",
            ratio <= 2.5 and reconcile["seconds"] <= 60,
        )
        mib = reconcile["daily_wal"] / 2**20
        table.add(
            "WAL written by the daily `reconcile` on the next day (no input changed; 延滞金 moved; whole "
            "server, pg_current_wal_lsn)",
            f"{mib:.1f} MiB",
            f"the same day again: {reconcile['same_day_wal'] / 2**20:.1f} MiB; "
            f"first run (every row written): {reconcile['first_wal'] / 2**20:.0f} MiB",
            "≤ 10 MiB",
            mib <= 10,
        )
    else:
        table.add(
            f"full `reconcile` of {reconcile['installments']:,} installments, daily run "
            f"({reconcile['changed']:,} changed)",
            f"{reconcile['seconds']:.1f} s",
            scan,
            "≤ 60 s",
            reconcile["seconds"] <= 60,
        )
    table.add(
        "full `reconcile`, first run into empty balances (every row written)",
        f"{reconcile['first']:.1f} s",
        scan,
        "≤ 60 s",
        reconcile["first"] <= 60,
    )
    for label, row in ledger.get("search_classes", {}).items():
        answer = "refused with a message" if row["refused"] else f"{row['matches']} matches"
        table.add(
            f"search, {label} alone ({row['term']}; {answer}), server time p50 / p95",
            f"{row['p50']:.0f} / {row['p95']:.0f} ms",
            menu,
            "p95 ≤ 100 ms",
            row["p95"] <= 100,
        )
    import_rows(table, imported)


def import_rows(table: Table, imported: dict) -> None:
    """The 調定 import (benchmarks/imports.py): time against the same-work SQL pipeline, peak memory
    at two file sizes, and the 更正 file."""
    if "baseline" not in imported:  # a result from before the import was streamed
        table.add(
            f"import of {imported['rows']:,} assessment rows (validate, write, history, reconcile)",
            f"{imported['seconds']:.1f} s",
            f"COPY of the same file into a bare table: {imported['baseline_copy']:.1f} s",
            "≤ 120 s",
            imported["seconds"] <= 120,
        )
        return
    new, base, small, fix = (
        imported["import"],
        imported["baseline"],
        imported["small_import"],
        imported["correction"],
    )

    def phases(run: dict) -> str:
        return ", ".join(f"{name} {seconds:.1f}" for name, seconds in run["phases"].items())

    ratio = new["seconds"] / base["seconds"]
    table.add(
        f"import of {new['created']:,} new 調定 rows ({imported['file_mib']:.0f} MiB; streamed, checked, "
        f"staged, written with history, reconciled, committed; phases s: {phases(new)})",
        f"{new['seconds']:.1f} s ({ratio:.2f}× the SQL pipeline)",
        f"same-work SQL pipeline (COPY as text, INSERT … SELECT with history, reconcile, commit; "
        f"phases s: {phases(base)}): {base['seconds']:.1f} s",
        "≤ 1.7× the SQL pipeline, or ≤ 80 s",
        ratio <= 1.7 or new["seconds"] <= 80,
    )
    flat = new["peak_rss_mib"] <= small["peak_rss_mib"] * 1.1
    table.add(
        "import peak memory (fresh process, ru_maxrss)",
        f"{new['peak_rss_mib']:.0f} MiB at {new['created']:,} rows; {small['peak_rss_mib']:.0f} MiB at "
        f"{small['created']:,} rows",
        f"the process before importing: {new['rss_before_mib']:.0f} MiB; the SQL pipeline's: "
        f"{base['peak_rss_mib']:.0f} MiB",
        "≤ 500 MiB, flat in file size (within 10 % at 4× the rows)",
        new["peak_rss_mib"] <= 500 and flat,
    )
    table.add(
        f"更正 file: {fix['updated']:,} existing 調定 changed (UPDATE … FROM with '~' history rows, "
        f"reconciled, committed; phases s: {phases(fix)})",
        f"{fix['seconds']:.1f} s ({fix['seconds'] / max(fix['updated'], 1) * 1000:.2f} ms/row), "
        f"peak {fix['peak_rss_mib']:.0f} MiB",
        f"new rows in the same run: {new['seconds'] / max(new['created'], 1) * 1000:.3f} ms/row",
        "≤ 60 s",
        fix["seconds"] <= 60,
    )


def page_rows(table: Table, pages: dict, other: tuple[int, int, dict] | None = None) -> list[str]:
    """Every URL pattern of the URL × role table: a table of its own, and each page over its
    target among what falls short. `other`: (this run's persons, the growth run's persons, its
    pages), shown beside each page with the growth, larger city ÷ smaller (no target of its own)."""
    here_n, there_n, there_pages = other or (0, 0, {})
    extra = f" p95 at {there_n:,} persons | growth |" if other else ""
    lines = [
        "",
        "### Every page (benchmarks/pages.py)",
        "",
        "| URL name | as | p50 / p95 ms | KiB |" + extra + " target | met |",
        "| --- | --- | --- | --- |" + (" --- | --- |" if other else "") + " --- | --- |",
    ]
    for name, row in sorted(pages.items()):
        if not row["measured"]:
            lines.append(
                f"| `{name}` | — | not measured: {row['why']} | — |"
                + (" — | — |" if other else "")
                + f" p95 ≤ {row['target']} ms | — |"
            )
            continue
        ok = row["p95"] <= row["target"] and row["status"] == 200
        beside = ""
        if other:
            there = there_pages.get(name) or {}
            if there.get("measured") and there["p95"] and row["p95"]:
                ratio = row["p95"] / there["p95"] if here_n > there_n else there["p95"] / row["p95"]
                beside = f" {there['p95']:.0f} | {ratio:.2f}× |"
            else:
                beside = " not measured | — |"
        lines.append(
            f"| `{name}` | {row['persona']} | {row['p50']:.0f} / {row['p95']:.0f} | {row['bytes'] / 1024:.0f} |"
            + beside
            + f" p95 ≤ {row['target']} ms | {met(ok)} |"
        )
        if not ok:
            answered = "" if row["status"] == 200 else f", answered {row['status']} instead of the page"
            table.short.append(
                f"- page `{name}`: p95 {row['p95']:.0f} ms{answered} (target {row['target']} ms)."
            )
    return lines


GROWTH_LIMIT = 2.0  # issue 21: search grows less than 2× from 10,000 to 100,000 persons


def persons_of(run: dict) -> int:
    return run["dataset"]["counts"][0]


def growth_lines(table: Table, results: dict) -> list[str]:
    """The ledger at two city sizes side by side (the growth part, benchmarks/growth.py): each
    figure at the smaller and at the larger city and the growth ratio between them. Targets on
    growth: search (and each of its short-term classes) grows less than 2×; query counts do not
    grow. A growth target not met, a part that failed or a figure missing at one size is listed
    among what falls short."""
    grown, ledger = results.get("growth"), results.get("ledger")
    if grown is None:
        return []
    title = "### Growth: the same figures on a smaller city (benchmarks/growth.py)"
    if "failed" in grown:
        table.short.append(
            f"- growth at {grown['persons']:,} persons: not measured, the part failed ({grown['failed']})."
        )
        return ["", title, "", f"Not measured: the part failed — {grown['failed']}"]
    if ledger is None or "dataset" not in results:
        table.short.append("- growth: no larger city measured in this run (the ledger part was left out).")
        return ["", title, "", f"Only the city of {persons_of(grown):,} persons was measured in this run."]
    (small_counts, small), (large_counts, large) = sorted(
        ((grown["dataset"]["counts"], grown), (results["dataset"]["counts"], ledger)),
        key=lambda pair: pair[0][0],  # persons (a tuple in this run, a list read back from JSON)
    )
    small_n, large_n = small_counts[0], large_counts[0]
    lines = [
        "",
        title,
        "",
        f"The city of {persons_of(grown):,} persons ({grown['dataset']['counts'][1]:,} installments; its own "
        f"database `{grown['database']}`, casework in proportion) measured in this run by the same code "
        f"({grown['seconds'] / 60:.0f} min for the part"
        + (", the city generated first" if grown.get("created") else "")
        + "). Growth = the figure at the larger city ÷ the figure at the smaller.",
        "",
        f"| measure | {small_n:,} persons | {large_n:,} persons | growth | target | met |",
        "| --- | --- | --- | --- | --- | --- |",
    ]

    def row(measure: str, at_small, at_large, unit: str = " ms", target: str = "—", bound: str = "") -> None:
        """`bound`: "" (shown, no target), "ratio" (grows < GROWTH_LIMIT×) or "flat" (does not grow)."""
        if unit == "" and 0 in (at_small, at_large):
            # A signed-in page reads its session at least: 0 queries is the count that failed (the
            # capture's query log full, issue 21), not a page; not a growth of "inf×" either.
            where = " and ".join(f"{n:,}" for n, v in ((small_n, at_small), (large_n, at_large)) if v == 0)
            lines.append(
                f"| {measure} | {_figure(at_small, unit)} | {_figure(at_large, unit)} | — | {target} | **no** |"
            )
            table.short.append(
                f"- growth, {measure}: 0 queries counted at {where} persons — a page reads its session "
                "at least: the count failed, not measured."
            )
            return
        if at_small is None or at_large is None:
            lines.append(
                f"| {measure} | {_figure(at_small, unit)} | {_figure(at_large, unit)} | — | {target} | **no** |"
            )
            where = "neither size" if at_small is None and at_large is None else "one size only"
            table.short.append(f"- growth, {measure}: measured at {where}.")
            return
        ratio = at_large / at_small if at_small else float("inf")
        ok = {"": None, "ratio": ratio < GROWTH_LIMIT, "flat": at_large <= at_small}[bound]
        lines.append(
            f"| {measure} | {_figure(at_small, unit)} | {_figure(at_large, unit)} | {ratio:.2f}× | {target} | "
            + ("—" if ok is None else met(ok))
            + " |"
        )
        if ok is False:
            table.short.append(
                f"- growth, {measure}: {_figure(at_small, unit)} at {small_n:,} → {_figure(at_large, unit)} "
                f"at {large_n:,} persons ({ratio:.2f}×; target {target})."
            )

    def get(run, *keys):
        for key in keys:
            try:
                run = run[key]
            except (KeyError, IndexError, TypeError):
                return None
        return run

    below = f"grows < {GROWTH_LIMIT:.0f}×"
    same = "does not grow"
    row(
        "menu page (the frame, baseline), p95",
        get(small, "baseline_page", "p95"),
        get(large, "baseline_page", "p95"),
    )
    row("taxpayer page, p95", get(small, "page", "p95"), get(large, "page", "p95"))
    # like with like: the taxpayer owing something with the longest history at each size (the most of
    # the random sample depends on who was drawn)
    longest = [get(run, "page", "extremes", "most") or (None, None) for run in (small, large)]
    row(
        "queries of the taxpayer page of the longest history ("
        + " / ".join("—" if n is None else f"{n} installments" for n, _ in longest)
        + ")",
        longest[0][1],
        longest[1][1],
        unit="",
        target=same,
        bound="flat",
    )
    row(
        "search (name, kana, address, birth date, phone, 通知書番号), p95",
        get(small, "search", "p95"),
        get(large, "search", "p95"),
        target=below,
        bound="ratio",
    )
    for label in sorted(set(small.get("search_classes", {})) | set(large.get("search_classes", {}))):
        terms = " / ".join(  # the term and its answer at each size: a refusal is not a list
            f"{found['term']}: " + ("refused" if found["refused"] else f"{found['matches']} matches")
            for found in (get(run, "search_classes", label) for run in (small, large))
            if found
        )
        row(
            f"search, {label} alone ({terms}), p95",
            get(small, "search_classes", label, "p95"),
            get(large, "search_classes", label, "p95"),
            target=below,
            bound="ratio",
        )
    labels = {"my_work": "わたしの仕事", "all_work": "全職員の仕事", "prescriptions_due": "時効が近い期別"}
    for name, label in labels.items():
        if get(small, "queues", name) is None and get(large, "queues", name) is None:
            continue
        row(f"{label}, p95", get(small, "queues", name, "p95"), get(large, "queues", name, "p95"))
        row(
            f"{label}, queries",
            get(small, "queues", name, "queries", 1),
            get(large, "queues", name, "queries", 1),
            unit="",
            target=same,
            bound="flat",
        )
    row(
        "`reconcile`, daily run on the next day",
        get(small, "reconcile", "seconds"),
        get(large, "reconcile", "seconds"),
        unit=" s",
    )
    row(
        "`reconcile`, first run into empty balances",
        get(small, "reconcile", "first"),
        get(large, "reconcile", "first"),
        unit=" s",
    )
    row(
        "the per-installment aggregate (reconcile's baseline)",
        get(small, "reconcile", "baseline_aggregate"),
        get(large, "reconcile", "baseline_aggregate"),
        unit=" s",
    )
    ratios = [
        get(run, "reconcile", "seconds") / get(run, "reconcile", "baseline_aggregate")
        if get(run, "reconcile", "baseline_aggregate")
        else None
        for run in (small, large)
    ]
    row("`reconcile` daily run ÷ the aggregate", *ratios, unit="×")
    return lines


def _figure(value, unit: str) -> str:
    if value is None:
        return "not measured"
    if unit == " s":
        return f"{value:.1f} s"
    if unit == "×":
        return f"{value:.1f}×"
    return f"{value:.0f}{unit}"


BATCH_SCALING = 0.8  # of renderers × one process's chunk rate: the cores kept busy (same run)


def documents_rows(table: Table, pdf: dict) -> None:
    one_by_one = f"one by one: {pdf['single_rate']:.1f} pages/s ({pdf['single_sample']} documents)"
    # The batch is judged against the same run's chunks in one process: that its renderers keep
    # the cores busy (the main process joins and writes beside them). Pages per second alone are the
    # machine's: the same code rendered a single 催告書 at 10.7/s on session 20's machine, 8.0/s on
    # session 21's (the ≥ 25 pages/s once here was one machine's figure).
    expected = BATCH_SCALING * pdf["processes"] * pdf["one_process_rate"]
    table.add(
        f"batch PDF, {pdf['documents']:,} 催告書 ({pdf['processes']} renderers, {pdf['chunk']} per run)",
        f"{pdf['batch_rate']:.1f} pages/s ({pdf['batch_seconds']:.0f} s, {pdf['pdf_mib']:.1f} MiB)",
        f"chunks in one process: {pdf['one_process_rate']:.1f} pages/s",
        f"≥ {BATCH_SCALING:.0%} of {pdf['processes']} × that ({expected:.1f} pages/s)",
        pdf["batch_rate"] >= expected,
    )
    # Two ratios, labelled for what they compare (issue 21): chunking alone (one process against one
    # process), and chunking with every core against the one-process loop. Reported, not judged: the
    # issue asks for both honestly labelled, and the ≥ 2× / ≥ 3× this report once set were made when
    # each single document loaded its own fonts; it shares this thread's fonts and stylesheet now
    # (wako_collections/pdf.py), so a chunk saves only the per-file write — the throughput and the
    # memory rows carry the targets.
    chunking = pdf["one_process_rate"] / pdf["single_rate"]
    table.add(
        "batch speed-up, **one process vs one process** (chunks of "
        f"{pdf['chunk']}, {pdf['one_process_sample']} documents, against one by one)",
        f"{chunking:.1f}× ({pdf['one_process_rate']:.1f} pages/s)",
        one_by_one,
        "— (reported)",
        None,
    )
    speedup = pdf["batch_rate"] / pdf["single_rate"]
    table.add(
        f"batch speed-up, **{pdf['processes']} renderer processes vs one-by-one in one process**",
        f"{speedup:.1f}×",
        one_by_one,
        "— (reported)",
        None,
    )
    streamed, held = pdf.get("join_streamed"), pdf.get("join_held")
    if streamed and "pages" in streamed:
        baseline = (
            f"pypdf PdfWriter holding the pages: {held['seconds']:.0f} s, peak {held['peak_mib']:.0f} MiB"
            if held and "pages" in held
            else f"pypdf PdfWriter holding the pages: failed ({(held or {}).get('failed', '—')})"
        )
        table.add(
            f"joining {streamed['pages']:,} pages into one file (the join alone, fresh process)",
            f"{streamed['seconds']:.0f} s, peak {streamed['peak_mib']:.0f} MiB "
            f"(started at {streamed['before_mib']:.0f} MiB; {streamed['mib']:.0f} MiB file)",
            baseline,
            "peak ≤ 100 MiB whatever the page count",
            streamed["peak_mib"] <= 100,
        )
    peak = pdf["peak_total_mib"]
    table.add(
        "batch peak memory, all processes together (sampled)",
        f"{peak / 1024:.2f} GiB (main ≤ {pdf['main_mib']:.0f} MiB, "
        + (
            f"each renderer ≤ {pdf['renderer_mib']:.0f} MiB)"
            if pdf["renderer_mib"]
            else "one chunk, rendered in-process)"
        ),
        "—",
        "≤ 2 GiB",
        peak <= 2048,
    )


def load_rows(table: Table, load: dict, ledger: dict | None, pdf: dict | None) -> None:
    f = load["figures"]
    unloaded = f"in-process, no load: p95 {ledger['page']['p95']:.0f} ms" if ledger else "—"
    table.add(
        f"load: {load['users']} officers, {duration(load['seconds'])} — pages and form posts "
        f"({f['pages']['n']:,}), p50 / p95",
        f"{f['pages']['p50']:.0f} / {f['pages']['p95']:.0f} ms",
        unloaded + " (taxpayer page)",
        "p95 ≤ 300 ms",
        f["pages"]["p95"] <= 300,
    )
    one = f"one render, no load: {1000 / pdf['single_rate']:.0f} ms" if pdf else "—"
    table.add(
        f"load: 納付書 PDF ({f['pdf']['n']}), p50 / p95",
        f"{f['pdf']['p50']:.0f} / {f['pdf']['p95']:.0f} ms",
        one,
        "p95 ≤ 3 s",
        f["pdf"]["n"] > 0 and f["pdf"]["p95"] <= 3000,
    )
    failed = f["pages"]["failed"] + f["pdf"]["failed"] + f["login"]["failed"]
    table.add("load: failed requests", f"{failed} of {load['requests']:,}", "—", "0", failed == 0)
    integrity_rows(table, "load", load["integrity"])


def integrity_rows(table: Table, label: str, check: dict) -> None:
    bad = (
        check["confirmed_missing"]
        + check["recorded_twice"]
        + check["missing_history"]
        + check["broken_documents"]
    )
    table.add(
        f"{label}: records written (contacts confirmed, 納付書 issued)",
        f"{check['contacts_confirmed']} contacts, {check['documents']} documents; "
        f"{check['confirmed_missing']} confirmed but missing, {check['recorded_twice']} twice, "
        f"{check['missing_history']} without history, {check['broken_documents']} documents incomplete"
        + (
            f"; {check['refused_but_recorded']} answered with an error yet recorded (committed as the"
            " connection dropped)"
            if check["refused_but_recorded"]
            else ""
        ),
        "—",
        "none lost, none half-written",
        bad == 0,
    )


def fault_rows(table: Table, run: dict) -> None:
    fault = run["fault"]
    table.add(
        "restart: failed requests outside the outage (before it, or > 5 s after PostgreSQL was back)",
        f"{fault['failed_before'] + fault['failed_after_recovery_window']} "
        f"(of {fault['failed']} failed, {run['requests']:,} in all)",
        f"PostgreSQL down {fault['down_seconds']:.1f} s",
        "0",
        fault["failed_before"] + fault["failed_after_recovery_window"] == 0,
    )
    table.add(
        "restart: recovery after PostgreSQL accepted connections again (last failure ended)",
        f"{fault['recovery_seconds']:.1f} s",
        f"first request served after it was back: {fault['first_success_seconds']:.1f} s",
        "≤ 5 s",
        fault["recovery_seconds"] <= 5,
    )
    table.add(
        "restart: failures answered with the app's own page (503 データベースに接続できません)",
        f"{fault['own_error_page']} of {fault['failed']}",
        "—",
        "all",
        fault["own_error_page"] == fault["failed"],
    )
    integrity_rows(table, "restart", run["integrity"])


KNEE_TARGET_OFFICERS = 50  # issue 21: 50 officers served with pages p95 ≤ 300 ms and PDF p95 ≤ 3 s


def knee_short(knee: dict) -> list[str]:
    """What the knee fell short of: the step of KNEE_TARGET_OFFICERS over its targets, or no such
    step measured (the knee came before it, or the steps left it out). The steps past 50 find where
    the knee is; being over 300 ms there is the knee, not a shortfall."""
    step = next((s for s in knee["steps"] if s["users"] == KNEE_TARGET_OFFICERS), None)
    if step is None:
        return [
            f"- load: {KNEE_TARGET_OFFICERS} officers not measured (the knee at {knee['knee'] or 'none'} "
            f"officers; steps {', '.join(str(s['users']) for s in knee['steps'])})."
        ]
    pages, pdf = step["pages"]["p95"], step["pdf"]["p95"]
    if pages <= KNEE_P95_MS and pdf <= 3000:
        return []
    return [
        f"- load: {KNEE_TARGET_OFFICERS} officers, pages p95 {pages:.0f} ms and 納付書 PDF p95 {pdf:.0f} ms "
        f"(target pages ≤ {KNEE_P95_MS} ms, PDF ≤ 3,000 ms); the knee at {knee['knee'] or 'none'} officers."
    ]


def knee_rows(knee: dict) -> list[str]:
    """The knee table: one row per number of officers (issue 21)."""
    reached = knee["knee"]
    lines = [
        "### Load knee (officers at which pages p95 passes 300 ms)",
        "",
        f"Each step {knee['minutes']} min, {server_words(knee)}; locust pinned to core 0 "
        + (
            "and gunicorn to core 1 (taskset)"
            if knee.get("server_pinned", True)
            else "(taskset), gunicorn and PostgreSQL free on both cores"
        )
        + " where the machine has two cores. **Knee: "
        + (f"{reached} officers**." if reached else "not reached** by the last step."),
        "",
        "| officers | pages p50 / p95 | pages after every sign-in p50 / p95 (n) | sign-in p50 / p95 | "
        "納付書 PDF p50 / p95 | throughput | locust CPU (of one core) | failed |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in knee["steps"]:
        pages, login, pdf = row["pages"], row["login"], row["pdf"]
        steady = row.get("pages_after_sign_in")
        failed = pages["failed"] + login["failed"] + pdf["failed"]
        lines.append(
            f"| {row['users']} | {pages['p50']:.0f} / {pages['p95']:.0f} ms | "
            + (f"{steady['p50']:.0f} / {steady['p95']:.0f} ms ({steady['n']}) | " if steady else "— | ")
            + f"{login['p50']:.0f} / {login['p95']:.0f} ms | {pdf['p50']:.0f} / {pdf['p95']:.0f} ms | "
            f"{row['throughput']:.1f} req/s | {row['locust_cpu_share']:.0%}"
            + ("" if row["pinned"] else " (not pinned)")
            + f" | {failed} |"
        )
    return [*lines, ""]


def load_details(load: dict, title: str) -> list[str]:
    lines = [
        f"### {title}",
        f"{load['users']} officers, {load['seconds']} s, {server_words(load)}; "
        f"{load['requests']:,} requests (run {load['run']}; request log in {load['folder']}).",
        "",
        "| request | n | failed | p50 ms | p95 ms | max ms |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, row in load["figures"]["by_name"].items():
        lines.append(
            f"| {name} | {row['n']} | {row['failed']} | {row['p50']:.0f} | {row['p95']:.0f} | {row['max']:.0f} |"
        )
    if load["figures"]["errors"]:
        lines += ["", "Failures: " + "; ".join(f"{text} ×{n}" for text, n in load["figures"]["errors"])]
    if "fault" in load:
        fault = load["fault"]
        lines += [
            "",
            f"PostgreSQL was stopped half-way through (at {fault['stopped_at']}) and accepted connections "
            f"again {fault['down_seconds']:.1f} s later (at {fault['ready_at']}); the first request after "
            f"that was served {fault['first_success_seconds']:.1f} s later. "
            f"{fault['failed']} requests failed, with status {dict(fault['statuses'])}; "
            f"{fault['own_error_page']} of them with the app's own 503 page.",
        ]
    return [*lines, ""]


def write(results: dict, started: dt.datetime, seconds: float, path: Path = REPORT) -> Path:
    ledger, pdf = results.get("ledger"), results.get("documents")
    load, fault = results.get("load"), results.get("fault")
    table = Table()
    if ledger:
        ledger_rows(table, ledger)
    if pdf:
        documents_rows(table, pdf)
    if load:
        load_rows(table, load, ledger, pdf)
    if fault:
        fault_rows(table, fault)
    lines = [
        "# Performance",
        "",
        f"Written by `scripts/benchmark` (`python -m benchmarks`) on {started:%Y-%m-%d}, a run of "
        f"{seconds / 60:.0f} minutes. Every figure was measured in that run, on this machine, each next "
        "to a baseline measured in the same run: the numbers move with the machine, the ratios much less.",
        "",
        "## Machine and dataset",
        *machine(),
    ]
    if dataset := results.get("dataset"):
        persons, installments, payments = dataset["counts"]
        made = dataset["generated_seconds"]
        lines.append(
            f"- {persons:,} persons, {installments:,} installments (調定), {payments:,} payments (収納) — "
            + (f"generated in this run in {made:.0f} s" if made else "already in the benchmark database")
        )
    if (casework := results.get("casework")) and casework.get("staged_seconds"):
        states = ", ".join(f"{state} {n:,}" for state, n in casework["counts"].items())
        lines.append(
            f"- casework staged through the services in this run in {casework['staged_seconds']:.0f} s "
            f"(reconcile included): {states}; an access log of {casework['access_rows']:,} rows "
            f"({casework['access_seconds']:.0f} s); the stored 不納欠損 candidates "
            f"({casework['candidates_seconds']:.0f} s, the nightly job's work)"
        )
    elif casework:
        lines.append(
            "- casework (cases in every state, access log, 不納欠損 candidates): already in the database"
        )
    if vacuum := results.get("vacuum"):
        lines.append(
            f"- then VACUUM (ANALYZE) of the whole database, as autovacuum would have done by the morning "
            f"(autovacuum on this server: {vacuum['autovacuum']}): {vacuum['seconds']:.0f} s"
        )
    grown = results.get("growth")
    if grown and "dataset" in grown:
        persons, installments, _payments = grown["dataset"]["counts"]
        made = grown["dataset"]["generated_seconds"]
        lines.append(
            f"- growth: a city of {persons:,} persons ({installments:,} installments) in its own database "
            f"`{grown['database']}` — "
            + (f"generated in this run in {made:.0f} s" if made else "already there")
        )
    growth = growth_lines(table, results)
    other = (
        (persons_of(results), persons_of(grown), grown["pages"])
        if grown and "pages" in grown and "dataset" in results
        else None
    )
    page_lines = page_rows(table, ledger["pages"], other) if ledger and "pages" in ledger else []
    lines += [
        "",
        "## Results against the targets",
        *table.rows,
        *growth,
        *page_lines,
        "",
        "## What falls short",
    ]
    if (knee := results.get("knee")) and knee["steps"]:
        table.short += knee_short(knee)
    lines += table.short or ["Nothing: every target was met in this run."]
    skipped = [
        name for name in ("ledger", "growth", "documents", "load", "fault", "knee") if name not in results
    ]
    if skipped:
        lines.append(f"Not measured in this run (left out by option): {', '.join(skipped)}.")
    lines += ["", "## How each figure is taken", *METHOD, ""]
    if load:
        lines += load_details(load, "Load run")
    if fault:
        lines += load_details(fault, "Load run with a PostgreSQL restart")
    if knee := results.get("knee"):
        lines += knee_rows(knee)
    lines += ["## Notes", *NOTES, ""]
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


METHOD = [
    "- **Ledger pages and search** (benchmarks/ledger.py): server time — the Django handler with every",
    "  middleware, view, template and query, in-process, no network — for random taxpayers and searches",
    "  (200 of each by default). Baseline: the signed-in menu page, which every page's frame costs.",
    "- **Reconcile** (benchmarks/ledger.py): wall time of `reconcile()`; baseline: the single",
    "  per-installment aggregate of payments.",
    "- **Growth** (benchmarks/growth.py): the ledger figures above but the import, measured again in the",
    "  same run by the same code on a city of 10,000 persons in its own database (created and generated",
    "  when missing, casework in proportion), beside the main city's, with the ratio between them.",
    "- **Import** (benchmarks/imports.py): each run in a fresh process (peak RSS = its ru_maxrss) and",
    "  committed (deferred foreign-key checks and the commit are in the time); what it wrote is deleted",
    "  after. 1,000,000 new 調定 rows by default, beside the same-work SQL pipeline run on the same file",
    "  (COPY as text into a temporary table, INSERT … SELECT with casts and the history rows, the same",
    "  reconcile, commit; no cell or key checks); a quarter of the file for memory at a second size;",
    "  a 更正 file of 100,000 existing installments with a new 調定額.",
    "- **Batch PDF** (benchmarks/documents.py): one-page 催告書 (10,000 by default) rendered the way a",
    "  batch renders them, next to a sample of 300 rendered one by one as a single 納付書 is (`render_pdf`,",
    "  the thread's fonts and forms.css shared; all 10,000 would take most of an hour). Two ratios, reported",
    "  without a target: chunks in one process against one by one in one process (what chunking gives: the",
    "  per-file write), and the batch on DOCUMENT_RENDER_PROCESSES renderers against the same one-process",
    "  loop (chunking and the cores). The batch is judged against the same run: its renderers at least",
    "  80 % of renderers × the one-process chunk rate. The chunks go to files and are joined on disk",
    "  (wako_collections/pdf_join.py); the join alone is then timed over the same chunk files repeated to",
    "  60,000 pages, streamed and, as baseline, with pypdf's PdfWriter holding every page, each in a",
    "  fresh process with its own peak (VmHWM). No database in this part.",
    "- **Load** (benchmarks/load.py, benchmarks/locustfile.py): locust, headless, against gunicorn with",
    "  WAKO_ENV=production over TLS on loopback (certificate made for the run). Each simulated officer",
    "  signs in as their own account (password, then TOTP) and works with 1–5 s between steps: search 8,",
    "  taxpayer page 8, 収納状況照会 with 未納のみ and a 基準日 4, the case page (カルテ) 4, recording a contact 2,",
    "  issuing a 納付書 and opening its PDF 1 (relative weights). Pages = every GET and form post but",
    "  sign-in (PBKDF2 is slow on purpose; its figures are in the per-request table) and the PDF.",
    "- **Restart**: half-way through a second run PostgreSQL is stopped (fast mode: open transactions",
    "  are rolled back) and started again 5 s later. A failure counts as inside the outage if it ended",
    "  after the stop and started no later than 5 s after PostgreSQL accepted connections again.",
    "- **Nothing half-written** (both runs): each contact carries a marker; every one the server",
    "  confirmed must be in the database exactly once with its history row, and every 納付書 of the run",
    "  must have its installments and its history row.",
    "- **Worker killed mid-batch**: not a benchmark but a test run by the README's test command",
    "  (tests/faults/test_worker_killed.py): a real `db_worker` is killed with SIGKILL after its first",
    "  chunk; no document of the batch is recorded, and the batch, offered for 再実行 once its progress",
    "  is stale, records every document once.",
]

NOTES = [
    "- What changed before this run and why, branch by branch, with the partial measurements taken while",
    "  each change was made: [docs/performance-changes.md](performance-changes.md).",
    "- `reconcile` writes only the balances whose values changed, so the daily run on an unchanged ledger",
    "  compares every row and writes none; a run over empty balance tables (the first after installing,",
    "  or after a restore) writes every row. The derived balance tables carry no database foreign key, so",
    "  that first run does not check millions of references at commit (it took 68 s with them).",
    "- The planner needs statistics: `generate_demo`, imports of 10,000+ new rows and full reconciles run",
    "  ANALYZE. Without it the taxpayer page took ~300 ms on this dataset (a bad plan for the payments query).",
    "- Batch PDF: one WeasyPrint run per 250 documents (fonts, stylesheet and layout context set up once),",
    "  fixed-layout CSS on the forms (no flexbox, fixed table column widths), the second core (WeasyPrint's",
    "  layout is single-threaded Python), and a raised garbage-collector threshold while a chunk renders",
    "  (`documents.services.rare_collections`: a chunk's layout keeps millions of small objects alive, and",
    "  at the default threshold the collector rescans them again and again; 250 documents went from 11.1 s",
    "  to 8.0 s). The one-by-one baseline varies by run (other load, CPU frequency): the ratio is the",
    "  figure to watch. The database part of a real batch (re-reading each ledger, recording every",
    "  document with history in one transaction) is not in the batch figures.",
    "- Load: sessions live in PostgreSQL and persistent connections (CONN_MAX_AGE 60 s) are health-checked",
    "  at the start of each request, so after a restart each gunicorn worker reconnects on its next request.",
    "  A request whose connection is lost is rolled back and answered with templates/errors/503.html.",
]
