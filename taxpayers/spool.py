"""The import spool (settings.IMPORT_SPOOL_DIR): where a CSV waits while it is imported.

Part III promises that data made for an import is deleted right after use. The spool keeps that
promise whatever dies on the way (a request cut off by the server's timeout, a worker killed
mid-import) by one invariant: **every file in the spool is owned by an ImportLog row that exists
before the file's first byte is written**, and the file is named after it (`import-<id>.csv`).

* Uploads (`SpoolUploadHandler`) are written straight into the spool in chunks — never into
  memory or the system's temporary directory — hashing while writing; a body over
  IMPORT_MAX_UPLOAD_MB is refused by its Content-Length before anything is read
  (`declared_too_large`), and the file part is counted while it streams, whatever was declared.
* The commands (`take_file`) move the operator's file into the spool under a new log first.
* Whoever holds the file deletes it in a `finally` (`discard`); what a killed process could not
  delete, `sweep` does: at worker start (`run_worker`), on a schedule (`sweep_import_spool
  --every`), it deletes every spool file that has no live import and closes each import still
  running after IMPORT_STUCK_MINUTES as failed (logged, shown on the import page, offered for
  a new upload).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload
from django.utils import timezone

from taxpayers.csv_layouts import shown
from taxpayers.models import ImportLog
from wako_collections.actors import Actor

logger = logging.getLogger(__name__)

UPLOAD_FIELD = "file"
# Room for the other form fields and the multipart boundaries around the file in a request body.
FORM_ALLOWANCE = 64 * 1024
CHUNK = 1024 * 1024
_NAME = re.compile(r"^import-(\d+)\.csv$")

RECEIVING = "受信中"
QUEUED = "待機中"

NOTHING_IMPORTED = "何も取り込まれていません。"
INTERRUPTED = "アップロードが途中で終わりました。受け取った部分は削除しました。" + NOTHING_IMPORTED
NOT_STARTED = "取込を開始できなかったため、受け取ったファイルを削除しました。" + NOTHING_IMPORTED
MOVE_FAILED = "ファイルを取込用の場所に移せませんでした。" + NOTHING_IMPORTED


def too_large_message() -> str:
    return (
        f"ファイルが大きすぎます。1回に取り込めるのは{settings.IMPORT_MAX_UPLOAD_MB}MBまでです。"
        "ファイルを分けて取り込んでください。"
    )


def stuck_message() -> str:
    minutes = int(settings.IMPORT_STUCK_TIMEOUT.total_seconds() // 60)
    return (
        f"開始から{minutes}分を過ぎても終わらなかったため、中断したものとして扱いました"
        "（処理中のサーバーやバックグラウンドワーカーの停止など）。ファイルは削除しました。"
        "取込の書込みは1つのトランザクションのため、途中まで書き込まれたものはありません。"
        "もう一度アップロードしてください。"
    )


def path_for(log_id: int) -> Path:
    return Path(settings.IMPORT_SPOOL_DIR) / f"import-{log_id}.csv"


def _create(path: Path) -> IO[bytes]:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read in chunks (a file of hundreds of megabytes is never held whole)."""
    with path.open("rb") as source:
        return hashlib.file_digest(source, "sha256").hexdigest()


def open_log(*, file_name: str, actor: Actor, kind: str = "") -> ImportLog:
    """The log that will own a spool file, committed before the file exists. The kind is empty
    while an upload is received (the form is read after the file) and set by `queue`."""
    return ImportLog.objects.create(
        kind=kind,
        file_name=shown(file_name)[:255],
        sha256="",
        staff_number=actor.staff_number,
        terminal_number=actor.terminal_number,
        phase=RECEIVING,
    )


def queue(log: ImportLog, *, kind: str) -> None:
    """The upload is complete and its form valid: the import waits for the worker."""
    ImportLog.objects.filter(pk=log.pk).update(kind=kind, phase=QUEUED)
    log.kind, log.phase = kind, QUEUED


def discard(log: ImportLog, *, message: str, now: datetime | None = None) -> bool:
    """Deletes the log's spool file; a log still running is closed as failed with `message`
    (a finished one keeps its result). Idempotent: callers run it in `finally`. Whether there
    was a file to delete."""
    now = now or timezone.now()
    try:
        path_for(log.pk).unlink()
        deleted = True
    except FileNotFoundError:
        deleted = False
    # ImportLog keeps no history; conditional updates leave a result another process wrote alone.
    ImportLog.objects.filter(pk=log.pk, result=ImportLog.Result.RUNNING).update(
        result=ImportLog.Result.FAILED,
        phase="",
        errors=[{"line": 0, "column": "", "message": message}],
        error_count=1,
        rows_created=0,
        rows_updated=0,
        rows_unchanged=0,
        finished_at=now,
        file_deleted_at=now,
    )
    ImportLog.objects.filter(pk=log.pk, file_deleted_at__isnull=True).update(file_deleted_at=now)
    return deleted


def take_file(*, kind: str, source: Path, actor: Actor) -> ImportLog:
    """For the import commands: a log first, then the operator's file moved into the spool under
    it (the file is deleted after the import anyway, as the commands say)."""
    log = open_log(kind=kind, file_name=source.name, actor=actor)
    try:
        target = path_for(log.pk)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.move(source, target)
        target.chmod(0o600)
        ImportLog.objects.filter(pk=log.pk).update(sha256=sha256_of(target), phase="検証中")
    except BaseException:
        discard(log, message=MOVE_FAILED)
        raise
    log.refresh_from_db()
    return log


def declared_too_large(request) -> bool:
    """Whether the request announces a body over the limit (read before the body is touched)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False  # Django reads no body it cannot measure
    return declared > settings.IMPORT_MAX_UPLOAD_BYTES + FORM_ALLOWANCE


class SpooledUpload(UploadedFile):
    """The uploaded CSV, already in the spool and owned by `log`; nothing of it is in memory."""

    def __init__(self, *, log: ImportLog, path: Path, name: str, size: int, content_type: str | None):
        super().__init__(file=None, name=name, content_type=content_type, size=size, charset=None)
        self.log = log
        self.path = path

    def close(self):  # the spool file is closed already; the importer deletes it
        pass


class SpoolUploadHandler(FileUploadHandler):
    """Receives the import page's one file field straight into the spool (the request's only
    upload handler, so Django keeps nothing in memory or in /tmp). Other file fields are skipped."""

    def __init__(self, request, *, actor: Actor):
        super().__init__(request)
        self.actor = actor
        self.log: ImportLog | None = None
        self.refused = False
        self.handed_over = False
        self.file: IO[bytes] | None = None
        self._digest = hashlib.sha256()
        self._size = 0

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        if field_name != UPLOAD_FIELD or self.log is not None or self.refused:
            raise SkipFile
        self.log = open_log(file_name=file_name, actor=self.actor)
        self.file = _create(path_for(self.log.pk))

    def receive_data_chunk(self, raw_data, start):
        self._size += len(raw_data)
        if self._size > settings.IMPORT_MAX_UPLOAD_BYTES:
            self.refused = True
            self.release(too_large_message())
            raise StopUpload(connection_reset=False)  # Django drains the rest, bounded by its length
        assert self.file is not None
        self.file.write(raw_data)
        self._digest.update(raw_data)
        return None

    def file_complete(self, file_size):
        if self.log is None or self.file is None or self.file.closed:
            return None
        self.file.close()
        self.log.sha256 = self._digest.hexdigest()
        ImportLog.objects.filter(pk=self.log.pk).update(sha256=self.log.sha256)
        return SpooledUpload(
            log=self.log,
            path=path_for(self.log.pk),
            name=self.file_name or "",
            size=self._size,
            content_type=self.content_type,
        )

    def upload_interrupted(self):
        self.release(INTERRUPTED)

    def release(self, message: str) -> None:
        """Unless the import was handed to the worker: close and delete the file, fail its log."""
        if self.file is not None:
            self.file.close()
        if self.log is not None and not self.handed_over:
            discard(self.log, message=message)


@dataclass(frozen=True)
class SweepResult:
    files_deleted: int
    imports_failed: int


def sweep(*, now: datetime | None = None) -> SweepResult:
    """Closes every import running longer than IMPORT_STUCK_MINUTES as failed (its file deleted),
    then deletes every spool file without a live import: an unknown name, a log that has finished,
    or no log at all. Safe beside live imports on any number of hosts: a file whose log is
    still running within the timeout is left alone. One query per stuck import, two for the rest."""
    now = now or timezone.now()
    failed = deleted = 0
    for log in ImportLog.objects.filter(
        result=ImportLog.Result.RUNNING, started_at__lt=now - settings.IMPORT_STUCK_TIMEOUT
    ):
        deleted += discard(log, message=stuck_message(), now=now)
        failed += 1
        logger.warning(
            "取込記録 %s（%s、%s、職員 %s）は開始から%s分を過ぎても終わらないため異常終了としました。",
            log.pk,
            log.get_kind_display() or "種類未確定",
            shown(log.file_name),
            log.staff_number,
            int(settings.IMPORT_STUCK_TIMEOUT.total_seconds() // 60),
        )
    spool = Path(settings.IMPORT_SPOOL_DIR)
    if spool.is_dir():
        entries = list(spool.iterdir())
        owners = {entry: int(match.group(1)) for entry in entries if (match := _NAME.match(entry.name))}
        live = set(
            ImportLog.objects.filter(
                pk__in=set(owners.values()), result=ImportLog.Result.RUNNING
            ).values_list("pk", flat=True)
        )
        for entry in entries:
            if owners.get(entry) in live:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            deleted += 1
            if entry in owners:
                ImportLog.objects.filter(pk=owners[entry], file_deleted_at__isnull=True).update(
                    file_deleted_at=now
                )
            logger.warning(
                "取込用の場所に、実行中の取込のないファイル %s があったため削除しました。", entry.name
            )
    return SweepResult(files_deleted=deleted, imports_failed=failed)
