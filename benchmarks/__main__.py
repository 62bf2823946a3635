"""Every benchmark in one run, written to docs/performance.md (issue 8).

    scripts/benchmark [--persons 100000] [--growth-persons 10000] [--skip documents,fault] …

Builds the 100,000-person dataset in its own database (wako_benchmark, set by scripts/benchmark)
if it holds fewer persons, then measures the ledger (pages, search, reconcile, import), the same
ledger figures on a 10,000-person city in a database of its own (`growth`: wako_benchmark_10k,
created and generated when missing; benchmarks/growth.py), batch PDF throughput, a load run and a
load run with a PostgreSQL restart, each next to its baseline measured in the same run, and writes
the report, with both city sizes side by side. About 45 minutes on a 2-core machine (the growth
part adds a few minutes, and the smaller city's generation on the first run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

from django.db import DatabaseError

from benchmarks import growth, ledger, load, report

PARTS = ("ledger", "growth", "documents", "load", "fault", "knee")


def in_fresh_process(module: str, *options: str) -> dict:
    """Runs a part in its own Python process (its peak memory is then its own) and reads the
    JSON it prints on its last line."""
    done = subprocess.run(
        [sys.executable, "-m", module, *options], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_growth(persons: int, samples: int) -> dict:
    """The growth part; a failure is reported (and counted short), not lost with the whole run."""
    try:
        return growth.measure(persons=persons, samples=samples)
    except (RuntimeError, ValueError, OSError, DatabaseError) as error:  # ValueError: JSON unreadable
        return {"persons": persons, "failed": str(error)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument(
        "--growth-persons", type=int, default=10_000, help="the smaller city the ledger is measured on too"
    )
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--import-rows", type=int, default=1_000_000)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=load.RUN_MINUTES)
    parser.add_argument(
        "--knee-steps", default="10,20,30,50,75,100", help="officers per step of the knee (stops past it)"
    )
    parser.add_argument("--knee-minutes", type=float, default=load.KNEE_MINUTES)
    parser.add_argument(
        "--report", type=Path, default=report.REPORT, help="where to write the report (docs/performance.md)"
    )
    parser.add_argument("--results", type=Path, help="also keep every figure of the run as JSON there")
    parser.add_argument("--skip", default="", help=f"comma-separated parts to leave out: {', '.join(PARTS)}")
    args = parser.parse_args(argv)
    skip = {part.strip() for part in args.skip.split(",") if part.strip()}
    if unknown := skip - set(PARTS):
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")

    started, clock = dt.datetime.now(), time.perf_counter()
    results: dict = {"dataset": ledger.ensure_dataset(args.persons)}  # every part runs on it
    results["casework"] = ledger.ensure_casework()  # so that every page has a record to open
    results["vacuum"] = ledger.vacuum_analyze()  # what autovacuum would have done by now
    steps = {
        "ledger": lambda: ledger.measure(
            persons=args.persons, samples=args.samples, import_rows=args.import_rows
        ),
        "growth": lambda: measure_growth(args.growth_persons, args.samples),
        "documents": lambda: in_fresh_process("benchmarks.documents", "--documents", str(args.documents)),
        "load": lambda: load.run(users=args.users, minutes=args.minutes),
        "fault": lambda: load.run(users=args.users, minutes=args.minutes, restart_db=True),
        "knee": lambda: load.knee(
            steps=tuple(int(n) for n in args.knee_steps.split(",")), minutes=args.knee_minutes
        ),
    }
    for part in PARTS:
        if part in skip:
            continue
        print(f"[benchmarks] {part} …", flush=True)
        results[part] = steps[part]()
        print(json.dumps(results[part], ensure_ascii=False, default=str)[:2000], flush=True)
    if args.results:
        args.results.write_text(
            json.dumps(results, ensure_ascii=False, default=str, indent=1), encoding="utf-8"
        )
    path = report.write(results, started, time.perf_counter() - clock, args.report)
    print(path.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
