"""Load with faults (issue 8): officers at their terminals against gunicorn with production
settings, on loopback, for a bounded time.

    WAKO_ENV=development .venv/bin/python -m benchmarks.load [--users 50] [--minutes 5] [--restart-db] [--pin]
    WAKO_ENV=development .venv/bin/python -m benchmarks.load --knee 10,20,30,50 [--minutes 3] [--pin-server]

Run by `python -m benchmarks` (which builds the 100,000-person dataset first); on its own it uses
whatever the database holds. It
  1. registers one staff account per simulated officer (S5001…, 徴収担当, each with its own TOTP
     key) and writes a plan: sample taxpayers, notice numbers, delinquent cases;
  2. collects static files and starts gunicorn with WAKO_ENV=production over TLS (a certificate
     made for this run), so secure cookies, HSTS and the CSRF Referer check are all in play;
  3. runs locust headless (benchmarks/locustfile.py): the officers sign in, then search, open
     taxpayers and 収納状況照会, read cases, record contacts and print a 納付書 now and then;
  4. with --restart-db, stops PostgreSQL part-way through, starts it again a few seconds later,
     and records when it was down and when it accepted connections again;
  5. reads every request from the run's log and checks the database afterwards: every contact
     the server confirmed is recorded exactly once with its history, and no record of the run
     is missing its history or its links (nothing half-written).
Measurements, not assertions: the report states each target and whether it was met.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import ipaddress
import json
import os
import re
import runpy
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wako_collections.settings")
os.environ.setdefault("WAKO_ENV", "development")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Max  # noqa: E402

from accounts import services as accounts  # noqa: E402
from accounts.models import AuthenticatorApp, Staff  # noqa: E402
from accounts.roles import Role  # noqa: E402
from benchmarks.stats import percentile  # noqa: E402
from documents.models import Document  # noqa: E402
from negotiations.models import NegotiationRecord  # noqa: E402
from taxpayers.models import Assessment, InstallmentBalance, Taxpayer  # noqa: E402
from wako_collections.actors import Actor, acting_as  # noqa: E402
from wako_collections.demo import load_demo_accounts  # noqa: E402
from wako_collections.env import database_url  # noqa: E402
from wako_collections.records import save_tracked  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LOAD_PASSWORD = "wako-load-run-2026"  # noqa: S105 - accounts of the benchmark database only
RECOVERY_TARGET_S = 5  # PostgreSQL back → answering again (issue 8)
CONTACT = {  # a valid 交渉記録 (negotiations/forms.py): an outgoing call, no promise
    "contact_kind": "11",
    "result": "1",
    "subject_group_code": "02",
    "collection_category": "2",
    "importance": "2",
    "place": "本庁舎 収納課",
    "interviewee": "本人",
}


# --- 1. accounts and plan ----------------------------------------------------------------
def load_staff(count: int) -> list[dict]:
    """S5001… as 徴収担当, each with a TOTP key derived from the number (idempotent). Like the demo
    accounts, never in a production database: their password is in this file."""
    from django.conf import settings

    if settings.ENVIRONMENT == "production":
        raise SystemExit("負荷試験の職員は本番環境（WAKO_ENV=production）には登録できません。")
    actor = Actor.batch("LOAD")
    load_demo_accounts()  # the loopback terminals
    staff = []
    with acting_as(actor):
        for n in range(1, count + 1):
            number = f"S{5000 + n}"
            key = hashlib.sha1(f"wako-load-{number}".encode()).hexdigest()  # noqa: S324 - a test key
            if not Staff.objects.filter(staff_number=number).exists():
                member, _ = accounts.create_staff(
                    actor=actor,
                    staff_number=number,
                    full_name=f"負荷試験 {n:02d}",
                    atena_number=f"95{n:07d}",
                    department="総務部収納課（負荷試験）",
                    role=Role.COLLECTIONS_OFFICER,
                    initial_password=LOAD_PASSWORD,
                )
                member.must_change_password = False
                save_tracked(member, reason="負荷試験の職員", update_fields=["must_change_password"])
                AuthenticatorApp.objects.create(user=member, name="負荷試験", confirmed=True, key=key)
            staff.append({"staff_number": number, "password": LOAD_PASSWORD, "totp_key": key})
    return staff


def build_plan(users: int, run: str) -> dict:
    people = Taxpayer.objects.order_by("?").values(
        "atena_number", "name", "name_kana", "address", "phone", "birth_date"
    )[:2000]
    delinquent = list(
        InstallmentBalance.objects.filter(status=InstallmentBalance.Status.DELINQUENT)
        .order_by("?")
        .values_list("assessment__taxpayer__atena_number", flat=True)[:1000]
    )
    notices = list(Assessment.objects.order_by("?").values_list("notice_number", flat=True)[:1000])
    return {
        "run": run,
        "staff": load_staff(users),
        "taxpayers": [
            {
                "atena_number": p["atena_number"],
                "name": p["name"],
                "kana_surname": p["name_kana"].split(" ")[0],
                "address_part": p["address"][-8:],
                "phone": p["phone"],
                "birth_date": p["birth_date"].isoformat() if p["birth_date"] else "",
            }
            for p in people
        ],
        "delinquent": sorted(set(delinquent)),
        "notice_numbers": notices,
        "contact": CONTACT,
    }


# --- 2. the server -----------------------------------------------------------------------
def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def production_environment() -> dict:
    """WAKO_ENV=production on this process's database with this process's 個人番号 keys (those the
    data was written with; the benchmark database holds only synthetic 個人番号)."""
    from django.conf import settings

    def encoded(key: bytes) -> str:
        return base64.b64encode(key).decode()

    keys = [f"{key_id}:{encoded(key)}" for key_id, key in settings.INDIVIDUAL_NUMBER_KEYS]
    return {
        **os.environ,
        "WAKO_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": encoded(os.urandom(48)),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(connection.settings_dict),
        "INDIVIDUAL_NUMBER_KEYS": ",".join([*keys, f"hmac:{encoded(settings.INDIVIDUAL_NUMBER_HMAC_KEY)}"]),
    }


def gunicorn_settings() -> dict:
    """What ./gunicorn.conf.py gives the server beside the workers (threads, worker class,
    keep-alive), for the report: the run starts gunicorn in the checkout, which reads that file."""
    path = ROOT / "gunicorn.conf.py"
    if not path.exists():  # an older checkout, measured as a baseline: gunicorn's defaults (sync)
        return {}
    config = runpy.run_path(str(path))
    return {name: config[name] for name in ("threads", "worker_class", "keepalive")}


def server_words(result: dict) -> str:
    """'gunicorn 5 workers × 4 threads (gthread, keep-alive 15 s)' — or, for a result written
    before the config file, 'gunicorn 5 workers'."""
    if "threads" not in result:
        return f"gunicorn {result['workers']} workers"
    return (
        f"gunicorn {result['workers']} workers × {result['threads']} threads "
        f"({result['worker_class']}, keep-alive {result['keepalive']} s)"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    port: int
    workers: int
    folder: Path
    process: subprocess.Popen | None = None
    core: int | None = None  # pinned to this core (taskset) when set

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = production_environment()
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        cert, key = self_signed_certificate(self.folder)
        options = f"--bind 127.0.0.1:{self.port} --workers {self.workers} --timeout 60".split()
        files = {"certfile": cert, "keyfile": key, "access-logfile": self.folder / "access.log"}
        files["error-logfile"] = self.folder / "gunicorn.log"
        self.process = subprocess.Popen(
            [*pinned(self.core), sys.executable, "-m", "gunicorn", "wako_collections.wsgi", *options]
            + [part for name, path in files.items() for part in (f"--{name}", str(path))],
            cwd=ROOT,
            env=env,
        )
        unverified = ssl._create_unverified_context()  # noqa: S323 - our own certificate, loopback
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{self.url}/accounts/login/", context=unverified, timeout=2)  # noqa: S310
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"gunicorn did not answer; see {self.folder / 'gunicorn.log'}")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=30)


# --- 4. the fault --------------------------------------------------------------------------
def postgres_commands() -> tuple[list[str], list[str]]:
    """How to stop and start the PostgreSQL server this run uses: WAKO_PG_STOP / WAKO_PG_START,
    or the Debian cluster listening on the database's port (pg_ctlcluster)."""
    if os.environ.get("WAKO_PG_STOP") and os.environ.get("WAKO_PG_START"):
        return os.environ["WAKO_PG_STOP"].split(), os.environ["WAKO_PG_START"].split()
    port = str(connection.settings_dict.get("PORT") or 5432)
    if shutil.which("pg_lsclusters"):
        for line in subprocess.run(
            ["pg_lsclusters", "-h"], capture_output=True, text=True
        ).stdout.splitlines():
            version, cluster, cluster_port = line.split()[:3]
            if cluster_port == port:
                base = ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster]
                return [*base, "stop", "-m", "fast"], [*base, "start"]
    raise SystemExit(
        "PostgreSQL を止めるコマンドが分かりません: WAKO_PG_STOP と WAKO_PG_START を設定してください。"
    )


@dataclass
class Outage:
    stopped_at: float = 0.0
    ready_at: float = 0.0
    log: list[str] = field(default_factory=list)


def restart_postgres(at: float, down_seconds: float, outage: Outage) -> None:
    stop, start = postgres_commands()
    time.sleep(max(0.0, at - time.time()))
    outage.stopped_at = time.time()
    outage.log.append(subprocess.run(stop, capture_output=True, text=True).stderr)
    time.sleep(down_seconds)
    outage.log.append(subprocess.run(start, capture_output=True, text=True).stderr)
    host = connection.settings_dict.get("HOST") or "127.0.0.1"
    port = str(connection.settings_dict.get("PORT") or 5432)
    deadline = time.time() + 120
    while subprocess.run(["pg_isready", "-q", "-h", host, "-p", port]).returncode != 0:
        if time.time() > deadline:
            return  # ready_at stays 0: run() reports the start command's output
        time.sleep(0.1)
    outage.ready_at = time.time()


# --- 3 and 5. the run and what it shows ---------------------------------------------------------
def pinned(core: int | None) -> list[str]:
    """`taskset -c core` when asked and possible: the load generator on one core, the server on the
    other, so that locust's own CPU (55–65 % of a core at 50 officers) does not steal the server's."""
    if core is None or not shutil.which("taskset") or (os.cpu_count() or 1) < 2:
        return []
    return ["taskset", "-c", str(core)]


def run_locust(
    server: Server, plan_path: Path, log_path: Path, users: int, seconds: int, core: int | None = None
) -> float:
    """Runs locust; returns the CPU seconds it used itself (user + system, from wait4)."""
    options = (
        f"--host {server.url} --headless --users {users} --spawn-rate 2 --run-time {seconds}s"
        " --stop-timeout 15 --only-summary --loglevel WARNING --exit-code-on-error 0"
    ).split()
    process = subprocess.Popen(
        [
            *pinned(core),
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(ROOT / "benchmarks" / "locustfile.py"),
            *options,
        ],
        cwd=ROOT,
        env={**os.environ, "WAKO_LOAD_PLAN": str(plan_path), "WAKO_LOAD_LOG": str(log_path)},
        stdout=subprocess.DEVNULL,
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, process.args)
    return usage.ru_utime + usage.ru_stime


def figures(lines: list[dict]) -> dict:
    def spread(rows):
        times = [r["ms"] for r in rows]
        return {
            "n": len(rows),
            "failed": sum(not r["ok"] for r in rows),
            "p50": percentile(times, 0.5) if times else 0,
            "p95": percentile(times, 0.95) if times else 0,
            "max": max(times) if times else 0,
        }

    names = sorted({r["name"] for r in lines})
    pages = [r for r in lines if r["kind"] in ("page", "write")]
    # Every officer signs in at the start (PBKDF2, slow on purpose): in a short step the pages
    # measured while others still sign in wait behind the hashing. Apart: the pages started after
    # the last sign-in request ended — the office at work.
    signed_in_by = max((r["t"] + r["ms"] / 1000 for r in lines if r["kind"] == "login"), default=0)
    return {
        "pages": spread(pages),
        "pages_after_sign_in": spread([r for r in pages if r["t"] >= signed_in_by]),
        "pdf": spread([r for r in lines if r["kind"] == "pdf"]),
        "login": spread([r for r in lines if r["kind"] == "login"]),
        "by_name": {name: spread([r for r in lines if r["name"] == name]) for name in names},
        "errors": Counter(f"{r['name']}: {r['error']}" for r in lines if not r["ok"]).most_common(8),
    }


def fault_figures(lines: list[dict], outage: Outage) -> dict:
    failed = [r for r in lines if not r["ok"]]
    before = [r for r in failed if r["t"] + r["ms"] / 1000 < outage.stopped_at]
    late = [r for r in failed if r["t"] > outage.ready_at + RECOVERY_TARGET_S]
    last_failure_end = max((r["t"] + r["ms"] / 1000 for r in failed), default=outage.ready_at)
    answered = [r for r in failed if r["status"]]
    served_again = min(
        (r["t"] + r["ms"] / 1000 for r in lines if r["ok"] and r["t"] >= outage.ready_at), default=0.0
    )
    return {
        "stopped_at": dt.datetime.fromtimestamp(outage.stopped_at).strftime("%H:%M:%S"),
        "ready_at": dt.datetime.fromtimestamp(outage.ready_at).strftime("%H:%M:%S"),
        "first_success_seconds": max(0.0, served_again - outage.ready_at),
        "down_seconds": outage.ready_at - outage.stopped_at,
        "failed": len(failed),
        "failed_before": len(before),
        "failed_after_recovery_window": len(late),
        "recovery_seconds": max(0.0, last_failure_end - outage.ready_at),
        "own_error_page": sum(r["own_error_page"] for r in answered),
        "answered": len(answered),
        "statuses": Counter(r["status"] for r in failed),
    }


def integrity(run: str, lines: list[dict], documents_after: int) -> dict:
    """Nothing half-written: compare what the server confirmed with what the database holds."""
    confirmed = {r["marker"] for r in lines if r["marker"] and r["ok"]}
    refused = {r["marker"] for r in lines if r["marker"] and not r["ok"]}
    marker = re.compile(r"負荷試験 \S+ \S+")
    records = dict(
        NegotiationRecord.objects.filter(content__contains=f"負荷試験 {run} ").values_list("pk", "content")
    )
    found = Counter(marker.search(content).group(0) for content in records.values())  # type: ignore[union-attr]
    created = set(
        NegotiationRecord.history.filter(id__in=records, history_type="+").values_list("id", flat=True)
    )
    documents = Document.objects.filter(pk__gt=documents_after, updated_staff_number__startswith="S5")
    complete = set(
        documents.filter(assessments__isnull=False)
        .filter(pk__in=Document.history.filter(history_type="+").values("id"))
        .values_list("pk", flat=True)
    )
    return {
        "contacts_confirmed": len(confirmed),
        "confirmed_missing": len(confirmed - set(found)),
        "recorded_twice": sum(1 for n in found.values() if n > 1),
        "refused_but_recorded": len(refused & set(found)),
        "missing_history": len(set(records) - created),
        "documents": documents.count(),
        "broken_documents": documents.exclude(pk__in=complete).count(),
    }


RUN_MINUTES = 5  # one load run (the full run's --minutes)
KNEE_MINUTES = 2.5  # each step of the knee, here and in the full run (python -m benchmarks)


def run(
    *,
    users: int = 50,
    minutes: float = RUN_MINUTES,
    restart_db: bool = False,
    workers: int = 5,
    port: int = 0,
    pin: bool = False,
    pin_server: bool = False,
) -> dict:
    """One load run of `users` officers for `minutes` against gunicorn on the benchmark database:
    figures per request kind, throughput, locust's own CPU share (of one core) and the integrity
    check. `pin` puts locust on core 0 (taskset), `pin_server` with it gunicorn on core 1 (the first
    measurement's layout); `restart_db` stops PostgreSQL half-way (the fault run)."""
    run_id = ("R" if restart_db else "N") + dt.datetime.now().strftime("%Y%m%d%H%M%S")
    folder = Path(tempfile.mkdtemp(prefix=f"wako-load-{run_id}-"))
    plan_path, log_path = folder / "plan.json", folder / "requests.jsonl"
    plan_path.write_text(json.dumps(build_plan(users, run_id), ensure_ascii=False), encoding="utf-8")
    documents_after = Document.objects.aggregate(last=Max("pk"))["last"] or 0
    server = Server(
        port=port or free_port(), workers=workers, folder=folder, core=1 if pin and pin_server else None
    )
    connection.close()  # the fault must not leave this process holding a dead connection
    server.start()
    seconds = int(minutes * 60)
    outage = Outage()
    fault = None
    try:
        if restart_db:
            fault = threading.Thread(
                target=restart_postgres, args=(time.time() + seconds * 0.5, 5.0, outage), daemon=True
            )
            fault.start()
        started = time.perf_counter()
        locust_cpu = run_locust(server, plan_path, log_path, users, seconds, core=0 if pin else None)
        wall = time.perf_counter() - started
        if fault:
            fault.join(timeout=180)
    finally:
        server.stop()
    if fault and not outage.ready_at:
        raise RuntimeError(f"PostgreSQL did not come back after the restart: {outage.log}")
    lines = [json.loads(line) for line in log_path.read_text(encoding="utf-8").splitlines()]
    result = {
        "run": run_id,
        "users": users,
        "seconds": seconds,
        "workers": workers,
        **gunicorn_settings(),
        "requests": len(lines),
        "throughput": len(lines) / seconds,
        "locust_cpu_share": locust_cpu / wall,  # of one core
        "pinned": bool(pin and pinned(0)),
        "server_pinned": bool(pin and pin_server and pinned(1)),
        "figures": figures(lines),
        "integrity": integrity(run_id, lines, documents_after),
        "folder": str(folder),
    }
    if restart_db:
        result["fault"] = fault_figures(lines, outage)
    (folder / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    return result


KNEE_P95_MS = 300


def knee(
    *,
    steps: tuple[int, ...] = (10, 20, 30, 50, 75, 100),
    minutes: float = KNEE_MINUTES,
    workers: int = 5,
    pin_server: bool = False,
) -> dict:
    """The load knee: a run per number of officers (locust pinned to core 0; with `pin_server`
    gunicorn to core 1, as the first measurement had it, otherwise gunicorn and PostgreSQL are free
    on both cores), each with pages, sign-in and PDF p50/p95, throughput and locust's own CPU share;
    the knee is the first step whose pages p95 passes KNEE_P95_MS (None: not reached by the last step);
    the steps after it are not run (a slower machine saturates sooner: the table stops there)."""
    rows: list[dict] = []
    for users in steps:
        if rows and rows[-1]["pages"]["p95"] > KNEE_P95_MS:
            break
        result = run(users=users, minutes=minutes, workers=workers, pin=True, pin_server=pin_server)
        f = result["figures"]
        rows.append(
            {
                "users": users,
                "pages": {k: f["pages"][k] for k in ("n", "p50", "p95", "failed")},
                "pages_after_sign_in": {k: f["pages_after_sign_in"][k] for k in ("n", "p50", "p95")},
                "login": {k: f["login"][k] for k in ("n", "p50", "p95", "failed")},
                "pdf": {k: f["pdf"][k] for k in ("n", "p50", "p95", "failed")},
                "throughput": result["throughput"],
                "locust_cpu_share": result["locust_cpu_share"],
                "pinned": result["pinned"],
                "server_pinned": result["server_pinned"],
                "run": result["run"],
            }
        )
    passed = [row["users"] for row in rows if row["pages"]["p95"] > KNEE_P95_MS]
    return {
        "steps": rows,
        "knee": passed[0] if passed else None,
        "minutes": minutes,
        "workers": workers,
        "server_pinned": all(row["server_pinned"] for row in rows),  # as each step found it
        **gunicorn_settings(),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--knee", default="", help="comma-separated officer counts, e.g. 10,20,30,50")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument(
        "--minutes", type=float, default=None, help="per run (5) or per knee step (2.5, as the full run)"
    )
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--restart-db", action="store_true")
    parser.add_argument("--pin", action="store_true", help="locust on core 0")
    parser.add_argument(
        "--pin-server", action="store_true", help="and gunicorn on core 1 (with --pin, --knee)"
    )
    args = parser.parse_args(argv)
    if args.knee:
        steps = tuple(int(n) for n in args.knee.split(","))
        print(
            json.dumps(
                knee(
                    steps=steps,
                    minutes=args.minutes if args.minutes is not None else KNEE_MINUTES,
                    workers=args.workers,
                    pin_server=args.pin_server,
                ),
                indent=1,
            )
        )
        return
    result = run(
        users=args.users,
        minutes=args.minutes if args.minutes is not None else RUN_MINUTES,
        restart_db=args.restart_db,
        workers=args.workers,
        pin=args.pin,
        pin_server=args.pin_server,
    )
    print(json.dumps(result, ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()
