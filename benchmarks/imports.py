"""Benchmark of the 調定 import (issue 21); part of `python -m benchmarks` through benchmarks/ledger.py.

    WAKO_ENV=development .venv/bin/python -m benchmarks.imports [--rows 1000000] [--small-rows 250000]
        [--corrections 100000]

Each run is a fresh Python process (`python -m benchmarks.imports child …`), so its peak resident
memory (getrusage ru_maxrss) is the run's own; each run commits (the deferred foreign-key checks and
the commit are part of the time) and the parent then deletes what it wrote. Measured:
  * the same-work SQL pipeline (baseline): the same file COPY'd as text into a temporary table and
    INSERT … SELECT'ed with casts into the installments with their history rows (the statement the
    import uses), reconciled, ANALYZEd and committed — no checking of cells, keys or taxpayers;
  * the import of the same file of new rows (`run_import`: streamed, checked, staged, written with
    history, reconciled, committed);
  * the import of a file a quarter of the size, for its peak memory: flat in file size or not;
  * a 更正 file: `--corrections` existing installments with a new 調定額, each updated with its
    history row ('~'), reconciled and committed. Then (not timed) the installments are put back as
    they were — their rows from a copy kept before the run, the run's history rows deleted — and
    reconciled, so the ledger's 滞納, 調定額 and balances are what they were and the next benchmark
    measures the same ledger (`restore_corrections`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wako_collections.settings")
os.environ.setdefault("WAKO_ENV", "development")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from taxpayers.importing import run_import, start_log  # noqa: E402
from taxpayers.models import ASSESSMENT_KEY_FIELDS, Assessment, Taxpayer, TaxpayerBalance  # noqa: E402
from taxpayers.reconciliation import reconcile  # noqa: E402
from wako_collections.actors import Actor, acting_as  # noqa: E402
from wako_collections.records import StampedModel, analyze, history_insert_sql, history_values, stamp_values  # noqa: E402

HEADER = (
    "宛名番号,科目コード,科目詳細コード,算定団体コード,期割団体コード,団体内外区分,調定年度,年度分,"
    "通知書番号,論理期別,納期限,法定納期限,調定額,督促状発付日,督促手数料"
)
PREFIX = "BENCH"  # 通知書番号 of the new rows, deleted after each run
CORRECTED = "bench_corrected"  # the 更正's installments as they were before it, until put back
ACTOR = Actor.batch("BENCH")


def mib(kib: int) -> float:
    return kib / 1024


def peak_rss_kib() -> int:
    """This process's peak resident memory in KiB: VmHWM, which starts afresh at exec (ru_maxrss
    keeps the parent's peak across fork and exec, so a child of a large parent reports the parent)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


# --- files ----------------------------------------------------------------------------------


def write_new_rows(path: Path, rows: int) -> Path:
    """`rows` new installments: ten a notice, one notice a taxpayer in turn (as many taxpayers as
    the dataset has, then again with the next notices), amounts and dates varied like a city's."""
    atena = list(Taxpayer.objects.order_by("id").values_list("atena_number", flat=True))
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER + "\n")
        for n in range(rows):
            notice, period = divmod(n, 10)
            month = period + 4 if period < 9 else period - 8
            year = 2030 if period < 9 else 2031
            handle.write(
                f"{atena[notice % len(atena)]},01,0000,112291,112291,1,2030,2030,{PREFIX}{notice:09d},{period + 1},"
                f"{year}-{month:02d}-28,{year}-{month:02d}-28,{1_000 + (n * 7919) % 90_000},,\n"
            )
    return path


def write_corrections(path: Path, rows: int) -> Path:
    """`rows` existing installments (spread over the table) with their 調定額 raised by 100 yen
    (a 更正): every other column as stored, so only the amount differs. The installments are kept
    as they are now in the table `CORRECTED` (with the latest history id, `bench_history_mark`)
    for `restore_corrections`."""
    keys = ", ".join(f"a.{name}" for name in ASSESSMENT_KEY_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM taxpayers_assessment")
        total = cursor.fetchone()[0]
        step = max(total // rows, 1)
        cursor.execute(
            f"SELECT a.id, t.atena_number, {keys}, a.due_date, a.statutory_due_date, a.principal, "  # noqa: S608
            "a.demand_issued_on, a.demand_fee FROM (SELECT *, row_number() OVER (ORDER BY id) AS n "
            "FROM taxpayers_assessment) a JOIN taxpayers_taxpayer t ON t.id = a.taxpayer_id "
            "WHERE a.n %% %s = 0 AND a.notice_number NOT LIKE %s ORDER BY a.id LIMIT %s",
            [step, PREFIX + "%", rows],
        )
        found = cursor.fetchall()
        history = Assessment.history.model._meta.db_table
        cursor.execute(
            f"CREATE TABLE {CORRECTED} AS SELECT a.*, (SELECT max(history_id) FROM {history}) "  # noqa: S608
            "AS bench_history_mark FROM taxpayers_assessment a WHERE a.id = ANY(%s)",
            [[row[0] for row in found]],
        )
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER + "\n")
        for row in found:
            _id, *head, due, statutory, principal, issued, fee = row
            cells = [*map(str, head), due.isoformat(), statutory.isoformat(), str(principal + 100)]
            cells += [issued.isoformat() if issued else "", str(fee)]
            handle.write(",".join(cells) + "\n")
    return path


# --- the runs, each in a fresh process ----------------------------------------------------------


def child_import(path: Path) -> dict:
    started = time.perf_counter()
    log = start_log(kind="assessments", path=path, file_name=path.name, actor=ACTOR)
    log = run_import(log=log, path=path, actor=ACTOR)  # commits: no transaction around it
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "created": log.rows_created,
        "updated": log.rows_updated,
        "unchanged": log.rows_unchanged,
        "phases": log.timings,
    }


def child_baseline(path: Path) -> dict:
    """The same file through SQL alone (see the module docstring), committed."""
    phases: dict[str, float] = {}
    started = clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        phases[name] = now - clock
        clock = now

    columns = [f"c{i}" for i in range(len(HEADER.split(",")))]
    stamped = stamp_values(ACTOR)
    params = {
        **stamped,
        **history_values(ACTOR, reason="調定の取込（新規）", history_type="+"),
    }
    cast = {
        "assessment_year": "smallint",
        "tax_year": "smallint",
        "logical_period": "smallint",
    }
    keys = [f"r.c{i + 1}::{cast.get(name, 'text')}" for i, name in enumerate(ASSESSMENT_KEY_FIELDS)]
    values = [
        *(f"%({name})s" for name in StampedModel.STAMP_FIELDS),
        *keys,
        "t.id",
        "r.c10::date",
        "r.c11::date",
        "r.c12::bigint",
        "nullif(r.c13, '')::date",
        "coalesce(nullif(r.c14, '')::bigint, 0)",
        "false",
    ]
    inserted = [
        *StampedModel.STAMP_FIELDS,
        *ASSESSMENT_KEY_FIELDS,
        "taxpayer_id",
        "due_date",
        "statutory_due_date",
        "principal",
        "demand_issued_on",
        "demand_fee",
        "filing_deadline_extended",
    ]
    match = " AND ".join(f"a.{name} = {key}" for name, key in zip(ASSESSMENT_KEY_FIELDS, keys, strict=True))
    with transaction.atomic(), acting_as(ACTOR), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE bench_raw ({', '.join(c + ' text' for c in columns)}) ON COMMIT DROP"
        )
        cursor.execute("CREATE TEMPORARY TABLE bench_touched (id bigint) ON COMMIT DROP")
        with (
            path.open("rb") as source,
            cursor.copy("COPY bench_raw FROM STDIN (FORMAT csv, HEADER true)") as copy,
        ):
            while data := source.read(1 << 20):
                copy.write(data)
        cursor.execute("ANALYZE bench_raw")
        lap("read")
        cursor.execute(
            f"WITH created AS (INSERT INTO taxpayers_assessment ({', '.join(inserted)}) "  # noqa: S608
            f"SELECT {', '.join(values)} FROM bench_raw r JOIN taxpayers_taxpayer t ON t.atena_number = r.c0 "
            f"WHERE NOT EXISTS (SELECT 1 FROM taxpayers_assessment a WHERE {match}) RETURNING *), "
            "touched AS (INSERT INTO bench_touched SELECT id FROM created) "
            + history_insert_sql(Assessment, "created"),
            params,
        )
        created = cursor.rowcount
        lap("write")
        analyze(Assessment)
        cursor.execute("ANALYZE bench_touched")
        reconcile(ids_table="bench_touched")
        lap("reconcile")
    lap("commit")
    return {"seconds": time.perf_counter() - started, "created": created, "phases": phases}


def child(mode: str, path: Path) -> None:
    before = peak_rss_kib()
    result = child_import(path) if mode == "import" else child_baseline(path)
    used = resource.getrusage(resource.RUSAGE_SELF)
    result.update(
        rss_before_mib=mib(before),
        peak_rss_mib=mib(peak_rss_kib()),
        python_cpu_seconds=used.ru_utime + used.ru_stime,  # this process's CPU: Python's own work
    )
    print(json.dumps(result))


def in_fresh_process(mode: str, path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.imports", "child", mode, str(path)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- between runs ---------------------------------------------------------------------------


def remove_new_rows() -> None:
    """Deletes what a run of new rows wrote (the installments, their history and balances) and
    puts the taxpayers' totals back as they were; then VACUUM ANALYZE, so the next run starts alike."""
    with transaction.atomic(), connection.cursor() as cursor:
        # Nothing refers to rows the run has just made: no foreign-key check per deleted row (a
        # million of them per referring table took minutes at commit). Needs a superuser, as the
        # benchmark database's owner is.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_gone ON COMMIT DROP AS "
            "SELECT id FROM taxpayers_assessment WHERE notice_number LIKE %s",
            [PREFIX + "%"],
        )
        cursor.execute(
            "DELETE FROM taxpayers_installmentbalance WHERE assessment_id IN (SELECT id FROM bench_gone)"
        )
        cursor.execute(
            "DELETE FROM taxpayers_historicalassessment WHERE notice_number LIKE %s", [PREFIX + "%"]
        )
        cursor.execute("DELETE FROM taxpayers_assessment WHERE id IN (SELECT id FROM bench_gone)")
        cursor.execute("DELETE FROM taxpayers_taxpayerbalance")
        # the stored columns by name: PostgreSQL computes the generated one (collectible_principal)
        columns = ", ".join(
            field.column for field in TaxpayerBalance._meta.concrete_fields if not field.generated
        )
        cursor.execute(
            f"INSERT INTO taxpayers_taxpayerbalance ({columns}) SELECT {columns} FROM bench_taxpayerbalance"  # noqa: S608
        )
    vacuum()


def restore_corrections() -> dict:
    """Puts back the installments a 更正 run changed, as `write_corrections` kept them (every
    column: 調定額, the update stamps, version), deletes the history rows the run wrote for them (so
    their history ends, as before, with the row as it stands) and reconciles them: their balances
    and their taxpayers' totals are then computed from the same inputs as before the run. Nothing
    to do when no copy is kept (no run, or already put back). One transaction; not timed."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [CORRECTED])
        if not cursor.fetchone()[0]:
            return {"restored": 0, "history_deleted": 0, "seconds": 0.0}
    columns = [field.column for field in Assessment._meta.concrete_fields if not field.primary_key]
    history = Assessment.history.model._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE taxpayers_assessment a SET {', '.join(f'{name} = s.{name}' for name in columns)} "  # noqa: S608
            f"FROM {CORRECTED} s WHERE a.id = s.id"
        )
        restored = cursor.rowcount
        cursor.execute(
            f"DELETE FROM {history} h USING {CORRECTED} s "  # noqa: S608
            "WHERE h.id = s.id AND h.history_id > coalesce(s.bench_history_mark, 0)"
        )
        deleted = cursor.rowcount
        cursor.execute(f"ANALYZE {CORRECTED}")
        reconcile(ids_table=CORRECTED)
        cursor.execute(f"DROP TABLE {CORRECTED}")
    return {"restored": restored, "history_deleted": deleted, "seconds": time.perf_counter() - started}


def measure_correction(path: Path, rows: int) -> dict:
    """The 更正 run of `rows` installments (timed, in a fresh process), then the ledger put back
    (`restore_corrections`, not timed; its figures under "restore")."""
    fixes = write_corrections(path, rows)
    try:
        result = in_fresh_process("import", fixes)
    finally:
        restored = restore_corrections()
    return {**result, "restore": restored}


def vacuum() -> None:
    with connection.cursor() as cursor:
        for table in (
            "taxpayers_assessment",
            "taxpayers_historicalassessment",
            "taxpayers_installmentbalance",
            "taxpayers_taxpayerbalance",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")


def measure(*, rows: int = 1_000_000, small_rows: int = 250_000, corrections: int = 100_000) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    restore_corrections()  # what an interrupted earlier run may have left (before the totals are kept)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_taxpayerbalance")
        cursor.execute("CREATE TABLE bench_taxpayerbalance AS SELECT * FROM taxpayers_taxpayerbalance")
    remove_new_rows()  # likewise
    result: dict = {"rows": rows, "small_rows": small_rows, "corrections": corrections}

    def note(name: str, value: dict) -> None:  # each figure as soon as it is known (runs are long)
        result[name] = value
        print(json.dumps({name: value}), file=sys.stderr, flush=True)

    try:
        big = write_new_rows(folder / "new.csv", rows)
        result["file_mib"] = big.stat().st_size / 2**20
        note("import", in_fresh_process("import", big))  # the import deletes its file
        remove_new_rows()
        big = write_new_rows(folder / "new.csv", rows)
        note("baseline", in_fresh_process("baseline", big))
        remove_new_rows()
        note("correction", measure_correction(folder / "corrections.csv", corrections))
        small = write_new_rows(folder / "small.csv", small_rows)
        note("small_import", in_fresh_process("import", small))
        remove_new_rows()
    finally:
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_taxpayerbalance")
    return result


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["child"]:
        child(argv[1], Path(argv[2]))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small-rows", type=int, default=250_000)
    parser.add_argument("--corrections", type=int, default=100_000)
    args = parser.parse_args(argv)
    print(
        json.dumps(
            measure(rows=args.rows, small_rows=args.small_rows, corrections=args.corrections), indent=1
        )
    )


if __name__ == "__main__":
    sys.exit(main())
