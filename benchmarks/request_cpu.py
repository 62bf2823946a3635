"""Server CPU per request in the load run's mix (issue 21, "Load"), two source trees alternated.

    git archive <old commit> | tar -x -C /tmp/old-tree && ln -s "$PWD/.venv" /tmp/old-tree/.venv
    WAKO_ENV=development .venv/bin/python -m benchmarks.request_cpu --old /tmp/old-tree \
        [--tasks 270] [--block 27] [--profile new.prof]

The load run (benchmarks/load.py, locustfile.py) puts gunicorn on one core; at 50 officers ~17
requests a second land there, so the mean CPU a request costs sets the knee. This measures it without
the network, TLS or locust: each tree (`--old`, and this checkout) runs in its own process with
WAKO_ENV=production settings (the load run's: DEBUG off, the manifest static storage, secure cookies,
the CSRF Referer check), signed in as the demo officer S1001 from a registered terminal, and works the
locustfile's tasks with their weights — 検索 8, 宛名・収納状況照会 8, the same 未納のみ・基準日指定 4, カルテ 4,
交渉記録の入力 2 (form page and POST), 納付書の発行 1 (form page, POST and the PDF) — on the same
seeded sequence of taxpayers in both processes. The two processes take turns, a block of `--block`
tasks each, so the machine's load falls on both alike.

Per request: `time.process_time()` of the process (the Django handler with every middleware, view,
template and the driver's side of each query, and the test client's own small share, alike in both),
and apart the CPU of the process's PostgreSQL backend (from /proc, in 10 ms ticks: meaningful only
as a mean over many requests; PostgreSQL is not pinned to gunicorn's core). Reported per page (mean
and p95, ms) and as the mean per request of the mix, with and without the PDF. The old tree is
imported from its own folder (only this harness is read from this checkout) and collects its own
static files. Not measured: TLS, gunicorn's parsing and access log, the connection health check's
`SELECT 1`. `--profile` writes a cProfile (CPU time) of the new tree's requests after the warm-up.
Measurements, not assertions.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import subprocess
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _this_checkouts(module: str):
    """A module of this checkout's benchmarks/ by its file: the harness runs with the compared
    tree first on sys.path, whose benchmarks/ may not have it."""
    spec = importlib.util.spec_from_file_location(
        f"harness_{module}", Path(__file__).with_name(f"{module}.py")
    )
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


_forms = _this_checkouts("officer_forms")  # what the load run's officers post, the same here
CSRF, payment_slip = _forms.CSRF, _forms.payment_slip
TASKS = {  # the locustfile's @task weights
    "search": 8,
    "taxpayer": 8,
    "ledger_as_of": 4,
    "case": 4,
    "contact": 2,
    "slip": 1,
}
HOST = "127.0.0.1"


def sample_plan(seed: int) -> dict:
    """The locustfile's plan (benchmarks/load.py build_plan), sampled with `seed` so that both trees
    open the same taxpayers: 2,000 taxpayers, 1,000 delinquent ones, 1,000 notice numbers."""
    from taxpayers.models import Assessment, InstallmentBalance, Taxpayer

    rng = random.Random(seed)  # noqa: S311 - a sample, not a secret
    people = list(
        Taxpayer.objects.order_by("pk").values(
            "atena_number", "name", "name_kana", "address", "phone", "birth_date"
        )
    )
    delinquent = sorted(
        set(
            InstallmentBalance.objects.filter(status=InstallmentBalance.Status.DELINQUENT).values_list(
                "assessment__taxpayer__atena_number", flat=True
            )
        )
    )
    notices = list(Assessment.objects.order_by("pk").values_list("notice_number", flat=True)[:50_000])
    return {
        "taxpayers": [
            {
                "atena_number": p["atena_number"],
                "name": p["name"],
                "kana_surname": p["name_kana"].split(" ")[0],
                "address_part": p["address"][-8:],
                "phone": p["phone"],
                "birth_date": p["birth_date"].isoformat() if p["birth_date"] else "",
            }
            for p in rng.sample(people, min(2000, len(people)))
        ],
        "delinquent": rng.sample(delinquent, min(1000, len(delinquent))),
        "notice_numbers": rng.sample(notices, min(1000, len(notices))),
    }


# --- the worker: one tree, one process -------------------------------------------------------
def worker(seed: int) -> None:  # pragma: no cover - run as a child process
    import cProfile

    import django

    django.setup()
    from django.db import connection

    from benchmarks.ledger import signed_in_client
    from benchmarks.load import CONTACT

    plan = sample_plan(seed)
    client = signed_in_client("S1001")
    client.handler.enforce_csrf_checks = True
    client.defaults["HTTP_HOST"] = HOST
    rng = random.Random(seed)  # noqa: S311 - which taxpayer to open
    names = list(TASKS)
    weights = [TASKS[name] for name in names]
    # CPU time, not wall time (waiting for PostgreSQL is not the core's work); not the first block,
    # which imports and fills the caches
    profiling = cProfile.Profile(time.process_time) if os.environ.get("WAKO_CPU_PROFILE") else None
    profiler = None
    counter = 0
    with connection.cursor() as cursor:  # the connection stays open between requests (as CONN_MAX_AGE)
        cursor.execute("SELECT pg_backend_pid()")
        backend = Path(f"/proc/{cursor.fetchone()[0]}/stat")

    def backend_cpu() -> float:
        """The PostgreSQL backend's CPU seconds (utime + stime; readable when the server runs on
        this machine, 0 otherwise)."""
        try:
            fields = backend.read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def timed(label, method, path, **kwargs):
        kwargs.setdefault("secure", True)
        # statements counted by a wrapper, not the debug cursor (which formats every statement's SQL)
        statements = [0]

        def count(execute, sql, params, many, context):
            statements[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            database, cpu, wall = backend_cpu(), time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            response = getattr(client, method)(path, **kwargs)
            if profiler:
                profiler.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            database = backend_cpu() - database
        out.append(
            {
                "name": label,
                "cpu_ms": cpu * 1000,
                "wall_ms": wall * 1000,
                "database_cpu_ms": database * 1000,
                "status": response.status_code,
                "queries": statements[0],
            }
        )
        return response

    def post(label, form_page, path, values):
        page = timed(label + "（画面）", "get", form_page)
        token = CSRF.search(page.content.decode())
        data = values(page.content.decode()) if callable(values) else values
        if token is None or data is None:
            return None
        return timed(
            label,
            "post",
            path,
            data={**data, "csrfmiddlewaretoken": token.group(1)},
            HTTP_REFERER=f"https://{HOST}{form_page}",
        )

    for line in sys.stdin:
        command = line.split()
        if command[0] == "stop":
            break
        out: list[dict] = []
        for _ in range(int(command[1])):
            task = rng.choices(names, weights)[0]
            person = rng.choice(plan["taxpayers"])
            atena = rng.choice(plan["delinquent"])
            today = date.today()
            if task == "search":
                query = rng.choice(
                    [
                        {"name": person["name"]},
                        {"name": person["kana_surname"], "address": person["address_part"]},
                        {"address": person["address_part"]},
                        {"phone": person["phone"]},
                        {"birth_date": person["birth_date"]},
                        {"notice_number": rng.choice(plan["notice_numbers"])},
                    ]
                )
                timed("検索", "get", "/taxpayers/", data=query)
            elif task == "taxpayer":
                timed("宛名・収納状況照会", "get", f"/taxpayers/{person['atena_number']}/")
            elif task == "ledger_as_of":
                as_of = today + timedelta(days=rng.randint(0, 60))
                timed(
                    "収納状況照会（未納のみ・基準日指定）",
                    "get",
                    f"/taxpayers/{atena}/",
                    data={"outstanding_only": "on", "as_of": as_of.isoformat()},
                )
            elif task == "case":
                timed("カルテ", "get", f"/cases/{atena}/")
            elif task == "contact":
                counter += 1
                values = {**CONTACT, "content": f"電話で納付を催告。CPU計測 {seed}-{counter}"}
                post(
                    "交渉記録の入力",
                    f"/negotiations/cases/{atena}/",
                    f"/negotiations/cases/{atena}/records/",
                    values,
                )
            else:
                response = post(
                    "納付書の発行",
                    f"/documents/cases/{atena}/new/",
                    f"/documents/cases/{atena}/new/",
                    lambda page, today=today: payment_slip(page, today),
                )
                if response is not None and "/documents/" in response.get("Location", ""):
                    timed("PDF（納付書）", "get", response["Location"].rstrip("/") + "/pdf/")
        print(json.dumps(out), flush=True)
        profiler = profiling
    if profiler:
        profiler.dump_stats(os.environ["WAKO_CPU_PROFILE"])


# --- the parent: alternate the trees ---------------------------------------------------------------
def start(tree: Path, seed: int, env: dict, profile: str | None) -> subprocess.Popen:
    # Only this harness comes from this checkout; everything it imports comes from `tree`.
    code = (
        f"import sys, importlib.util; spec = importlib.util.spec_from_file_location('harness', {str(Path(__file__))!r});"
        "harness = importlib.util.module_from_spec(spec); spec.loader.exec_module(harness);"
        f"sys.path.insert(0, {str(tree)!r}); harness.worker({seed})"
    )
    child_env = {**env, "DJANGO_SETTINGS_MODULE": "wako_collections.settings"}
    if profile:
        child_env["WAKO_CPU_PROFILE"] = profile
    return subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=tree,
        env=child_env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def summary(rows: list[dict]) -> dict:
    from benchmarks.stats import percentile

    by_name: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_name[row["name"]].append(row)
    pages = {
        name: {
            "n": len(group),
            "cpu_mean_ms": round(sum(r["cpu_ms"] for r in group) / len(group), 2),
            "cpu_p95_ms": round(percentile([r["cpu_ms"] for r in group], 0.95), 2),
            "wall_mean_ms": round(sum(r["wall_ms"] for r in group) / len(group), 2),
            # in clock ticks (10 ms): a mean over many requests, not one request's figure
            "database_cpu_mean_ms": round(sum(r["database_cpu_ms"] for r in group) / len(group), 2),
            "queries": round(sum(r["queries"] for r in group) / len(group), 2),
            "statuses": sorted({r["status"] for r in group}),
        }
        for name, group in sorted(by_name.items())
    }
    without_pdf = [r for r in rows if r["name"] != "PDF（納付書）"]
    return {
        "pages": pages,
        "requests": len(rows),
        "cpu_mean_per_request_ms": round(sum(r["cpu_ms"] for r in rows) / len(rows), 2),
        "database_cpu_mean_per_request_ms": round(sum(r["database_cpu_ms"] for r in rows) / len(rows), 2),
        "cpu_mean_per_request_without_pdf_ms": round(
            sum(r["cpu_ms"] for r in without_pdf) / max(1, len(without_pdf)), 2
        ),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, required=True, help="a checkout of the code to compare with")
    parser.add_argument("--tasks", type=int, default=270, help="tasks per tree")
    parser.add_argument("--block", type=int, default=27)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--warm", type=int, default=27, help="tasks each tree runs first, not counted")
    parser.add_argument("--profile", help="write the new tree's cProfile here")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wako_collections.settings")
    os.environ.setdefault("WAKO_ENV", "development")
    import django

    django.setup()
    from benchmarks.load import production_environment

    env = production_environment()
    env["ALLOWED_HOSTS"] = HOST
    trees = {"old": args.old.resolve(), "new": ROOT}
    for tree in trees.values():  # the manifest storage of production settings needs its files
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            cwd=tree,
            env=env,
            check=True,
        )
    children = {
        label: start(tree, args.seed, env, args.profile if label == "new" else None)
        for label, tree in trees.items()
    }
    rows: dict[str, list[dict]] = {label: [] for label in trees}
    load = [Path("/proc/loadavg").read_text().split()[0]]

    def ask(child: subprocess.Popen, command: str) -> list[dict]:
        assert child.stdin is not None and child.stdout is not None  # opened as PIPE
        child.stdin.write(command + "\n")
        child.stdin.flush()
        return json.loads(child.stdout.readline()) if command != "stop" else []

    for child in children.values():
        ask(child, f"run {args.warm}")
    done = 0
    while done < args.tasks:
        for label, child in children.items():
            rows[label] += ask(child, f"run {args.block}")
        done += args.block
    for child in children.values():
        ask(child, "stop")
        child.wait(timeout=120)
    load.append(Path("/proc/loadavg").read_text().split()[0])
    result: dict = {label: summary(found) for label, found in rows.items()}
    result["load_average"] = load
    result["ratio_per_request"] = round(
        result["new"]["cpu_mean_per_request_ms"] / result["old"]["cpu_mean_per_request_ms"], 2
    )
    result["ratio_per_request_without_pdf"] = round(
        result["new"]["cpu_mean_per_request_without_pdf_ms"]
        / result["old"]["cpu_mean_per_request_without_pdf_ms"],
        2,
    )
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
