"""Running the 逆連携: writing every layout's file for a window of changes into the outbound folder
of the 庁内データ連携 file exchange, all or nothing, and logging the run.

    run_export(staff_number=…, terminal_number=…, full=False, since=None, until=None) -> ExportRun
    start_run(…) -> ExportRun (logged 実行中, window fixed), then write_run(run) (the task worker)

A delta run (the default) covers the changes after the `until` of the last successful run (or
`since` when given) up to now (or `until`); a full run every record as it stood at `until`. The
files are written into a hidden folder beside the run's final folder in EXCHANGE_OUTBOUND_DIR and
renamed into place only when every file and the checksum file are complete, so the exchange never
picks up half a run; on any failure the hidden folder is removed, nothing appears, and the run is
logged as failed with its reason. Running a window again gives byte-identical files: rows are read
from history as of `until` and sorted, and no cell holds the time of the run.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from exchange.layouts import Layout, layouts
from exchange.models import ExportRun
from exchange.snapshots import Window

CHECKSUM_FILE = "SHA256SUMS"
logger = logging.getLogger(__name__)
# A run still 実行中 this long after it started is taken for one whose worker stopped: it no longer
# keeps another from starting, and its page says so (a full run at city scale takes minutes).
STALE_AFTER = timedelta(hours=1)


class ExportError(Exception):
    """A run that cannot start; the message says why, in Japanese."""


@dataclass(frozen=True)
class WrittenFile:
    name: str
    rows: int
    sha256: str


def last_successful_until() -> datetime | None:
    run = ExportRun.objects.succeeded().order_by("-until", "-id").first()
    return run.until if run else None


def settled_until(now: datetime) -> datetime:
    """The latest `until` no transaction still running can write before: a history row is dated
    when it is written, not when its transaction commits, so a row dated before `now` may still be
    invisible. `until` is therefore held back to just before the start of the oldest transaction
    open on the database (other than this one), so the next delta, which starts there, sees it.
    One query on pg_stat_activity (the application's own sessions are visible to its role)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # the view is snapshotted per transaction
        cursor.execute(
            "SELECT min(xact_start) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
        )
        oldest = cursor.fetchone()[0]
    # a second's margin: the time of a history row is taken in Python, just before its INSERT
    return now if oldest is None else min(now, oldest - timedelta(seconds=1))


def encode_csv(layout: Layout, rows: list[list[str]], encoding: str) -> bytes:
    """The file's bytes: header row, then the rows, CRLF line ends (as the 庁内連携 files in), no BOM.
    A character the encoding cannot hold (CP932) raises UnicodeEncodeError: the run fails, nothing
    is replaced silently."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(layout.headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def folder_name(window: Window, full: bool) -> str:
    """The run's folder: its kind and window, so a rerun of the same window has the same name."""
    since = (
        window.since.astimezone(timezone.get_current_timezone()).strftime("%Y%m%d%H%M%S")
        if window.since
        else "full"
    )
    until = timezone.localtime(window.until).strftime("%Y%m%d%H%M%S")
    return f"{'full' if full else 'delta'}_{since}_{until}"


def _repeatable_read() -> None:
    """REPEATABLE READ for the transaction just begun (PostgreSQL takes it only as its first statement;
    inside an outer transaction — a test — the outer one's snapshot rules, and this is skipped)."""
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def _write_files(window: Window, directory: Path, encoding: str) -> list[WrittenFile]:
    written = []
    for layout in layouts():
        rows = layout.sorted_rows(window)
        data = encode_csv(layout, rows, encoding)
        (directory / layout.file_name()).write_bytes(data)
        written.append(WrittenFile(layout.file_name(), len(rows), hashlib.sha256(data).hexdigest()))
    return written


def start_run(
    *,
    staff_number: str,
    terminal_number: str,
    full: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    rerun_of: ExportRun | None = None,
) -> ExportRun:
    """Fixes the run's window and logs it as 実行中, writing nothing yet (`write_run` does; the page
    hands it to the task worker, `exchange.tasks.write_export`). Raises ExportError when the window
    is impossible or another run is still being written (its delta would start where this one does)."""
    busy = ExportRun.objects.filter(
        status=ExportRun.Status.RUNNING, started_at__gt=timezone.now() - STALE_AFTER
    ).first()
    if busy is not None:
        raise ExportError(
            f"逆連携 {busy.pk} を書き出し中です。終わってから実行してください（進み具合は逆連携 {busy.pk} の画面に出ます）。"
        )
    until = until or settled_until(timezone.now())
    if full:
        since = None
    elif since is None:
        since = last_successful_until()
        if since is None:
            raise ExportError(
                "差分の起点となる正常終了の実行がありません。最初は全件で実行してください（コマンドでは --full）。"
            )
    if since is not None and since >= until:
        raise ExportError(
            "抽出開始日時は抽出終了日時より前にしてください（前回の実行の後に始まった更新がまだ終わっていない"
            "ときは、終わってから実行してください）。"
        )
    if until > timezone.now():
        raise ExportError("抽出終了日時に未来の日時は指定できません。")
    return ExportRun.objects.create(
        started_at=timezone.now(),
        staff_number=staff_number,
        terminal_number=terminal_number,
        mode=ExportRun.Mode.FULL if full else ExportRun.Mode.DELTA,
        since=since,
        until=until,
        encoding=settings.EXCHANGE_ENCODING,
        rerun_of=rerun_of,
    )


def staging_folder(run: ExportRun) -> Path:
    """The hidden folder a run's files are written into before they appear (renamed) together."""
    return Path(settings.EXCHANGE_OUTBOUND_DIR) / f".writing-{run.pk:06d}"


def progress(run: ExportRun) -> tuple[int, int]:
    """(files written so far, files in all) of a run being written, read from its hidden folder in the
    outbound folder (shared by the web and the worker): no database write during the run, whose
    reads are one REPEATABLE READ transaction. (0, n) while the worker has not begun."""
    total = len(layouts())
    if run.status == ExportRun.Status.SUCCEEDED:
        return total, total
    staging = staging_folder(run)
    try:
        done = sum(1 for entry in staging.iterdir() if entry.suffix == ".csv")
    except OSError:  # not begun, or already renamed into place
        done = 0
    return min(done, total), total


def write_run(run: ExportRun) -> ExportRun:
    """Writes the files of a run `start_run` logged and marks it 正常終了 or 異常終了 (with the reason;
    a failure is logged, not raised). Only a run still 実行中 is written."""
    if run.status != ExportRun.Status.RUNNING:
        return run
    window = Window(run.since, run.until)
    full = run.mode == ExportRun.Mode.FULL
    outbound = Path(settings.EXCHANGE_OUTBOUND_DIR)
    final = outbound / f"{run.pk:06d}_{folder_name(window, full)}"
    staging = staging_folder(run)
    try:
        if run.encoding != settings.EXCHANGE_ENCODING:
            raise ExportError(
                f"文字コードの設定が開始時（{run.encoding}）と違います（{settings.EXCHANGE_ENCODING}）。"
            )
        outbound.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
        # One snapshot of the database for every file: history at `until` does not move, and the
        # assessments' keys read beside it cannot move mid-run either.
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost:
                _repeatable_read()
            written = _write_files(window, staging, run.encoding)
        sums = "".join(f"{f.sha256}  {f.name}\n" for f in written).encode("ascii")
        (staging / CHECKSUM_FILE).write_bytes(sums)
        staging.rename(final)  # the files appear together, or not at all
    except Exception as error:
        shutil.rmtree(staging, ignore_errors=True)
        run.status = ExportRun.Status.FAILED
        run.finished_at = timezone.now()
        run.error = f"{type(error).__name__}: {error}"[:2000]
        run.save(update_fields=["status", "finished_at", "error"])
        logger.error("逆連携 %s が異常終了しました: %s", run.pk, run.error)
        return run
    run.status = ExportRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.folder = final.name
    run.files = [[f.name, f.sha256] for f in written]
    run.counts = {f.name: f.rows for f in written}
    run.checksum = hashlib.sha256(sums).hexdigest()
    run.save(update_fields=["status", "finished_at", "folder", "files", "counts", "checksum"])
    logger.info(
        "逆連携 %s（%s）: %s行を %s に書き出しました",
        run.pk,
        run.get_mode_display(),
        run.total_rows,
        run.folder,
    )
    return run


def run_export(
    *,
    staff_number: str,
    terminal_number: str,
    full: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    rerun_of: ExportRun | None = None,
) -> ExportRun:
    """Writes one run here and now (the command and the nightly job) and returns its log (succeeded
    or failed; a failure is logged, not raised): `start_run` then `write_run`. Raises ExportError
    before anything is written when the window is impossible."""
    run = start_run(
        staff_number=staff_number,
        terminal_number=terminal_number,
        full=full,
        since=since,
        until=until,
        rerun_of=rerun_of,
    )
    return write_run(run)


def rerun(*, run: ExportRun, staff_number: str, terminal_number: str, write: bool = True) -> ExportRun:
    """The same window again (same since/until, same mode): the files come out byte-identical as
    long as the encoding setting is the same. `write` False: only logged (`start_run`), for the worker."""
    return (run_export if write else start_run)(
        staff_number=staff_number,
        terminal_number=terminal_number,
        full=run.mode == ExportRun.Mode.FULL,
        since=run.since,
        until=run.until,
        rerun_of=run,
    )


def file_path(run: ExportRun, name: str) -> Path | None:
    """The path of one of the run's files, or None if the run has no such file (or it is gone from
    the outbound folder, e.g. taken by the exchange)."""
    if run.status != ExportRun.Status.SUCCEEDED or (name not in run.file_names and name != CHECKSUM_FILE):
        return None
    path = Path(settings.EXCHANGE_OUTBOUND_DIR) / run.folder / name
    return path if path.is_file() else None


def atena_numbers_in(run: ExportRun, path: Path) -> list[str]:
    """Every distinct 宛名番号 of one of the run's files, in file order (its column 宛名番号, read in
    the run's encoding; `SHA256SUMS` has none): what a download records in the access log. Reads
    the file once, streaming; memory is the set of numbers (one per taxpayer)."""
    seen: dict[str, None] = {}
    with path.open(encoding=run.encoding, newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or "宛名番号" not in reader.fieldnames:
            return []
        for row in reader:
            if row["宛名番号"]:
                seen.setdefault(row["宛名番号"], None)
    return list(seen)
