"""A background worker killed (SIGKILL) in the middle of an import: the uploaded file, which holds
特定個人情報, is left in the spool and the import "running" — until the sweep, run when the
next worker starts, deletes the file and closes the import as failed, nothing imported, and the
import page offers a new upload. A real `manage.py run_worker`, not a simulation."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from taxpayers import spool
from taxpayers.models import ImportLog, Taxpayer
from tests.conftest import sign_in
from tests.faults.test_worker_killed import kill, wait_for
from tests.taxpayers.conftest import PERSON_HEADER, csv_text
from wako_collections.env import database_url

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 60_000  # progress is reported every 10,000 lines: several steps to catch it in


def start_worker(spool_dir: Path, *worker_args: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "WAKO_ENV": "test",
        "DATABASE_URL": database_url(connection.settings_dict),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "IMPORT_SPOOL_DIR": str(spool_dir),
        "IMPORT_STUCK_MINUTES": "60",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_worker",
            "--",
            "--no-startup-delay",
            "--interval",
            "0.2",
            *worker_args,
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def persons_csv(rows: int) -> bytes:
    lines = [
        f"{n:09d},1,和光 太郎,ワコウ タロウ,1,1975-04-01,3510192,埼玉県和光市広沢{n}-5,,,1,,広沢,,,,,,"
        for n in range(1, rows + 1)
    ]
    return csv_text(PERSON_HEADER, lines).encode()


def test_a_worker_killed_mid_import_leaves_nothing_once_the_sweep_has_run(
    client, supervisor, settings, tmp_path
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.IMPORT_SPOOL_DIR = spool_dir = tmp_path / "spool"
    sign_in(client, supervisor)
    upload = SimpleUploadedFile("宛名.csv", persons_csv(ROWS), content_type="text/csv")
    response = client.post(reverse("taxpayers:imports"), {"kind": "persons", "file": upload})
    log = ImportLog.objects.get()
    assert response.status_code == 302 and log.phase == spool.QUEUED
    assert list(spool_dir.iterdir()) == [spool.path_for(log.pk)]  # waiting for the worker

    worker = start_worker(spool_dir)
    try:
        wait_for(
            lambda: ImportLog.objects.get().rows_checked >= 10_000, 120, "the import to be under way", worker
        )
        kill(worker)
    finally:
        kill(worker)
    log.refresh_from_db()
    assert log.result == ImportLog.Result.RUNNING and log.rows_checked < ROWS  # nobody left to finish it
    assert spool.path_for(log.pk).exists() and log.file_deleted_at is None  # what the issue found
    assert Taxpayer.objects.count() == 0

    # A worker started within the timeout leaves a possibly live import alone…
    worker = start_worker(spool_dir, "--batch")
    assert worker.wait(timeout=120) == 0, worker.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
    assert ImportLog.objects.get().result == ImportLog.Result.RUNNING and spool.path_for(log.pk).exists()

    # …and one started after it sweeps the file away and closes the import.
    ImportLog.objects.filter(pk=log.pk).update(started_at=timezone.now() - timedelta(minutes=61))
    worker = start_worker(spool_dir, "--batch")
    assert worker.wait(timeout=120) == 0, worker.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
    output = worker.stdout.read().decode()  # type: ignore[union-attr]
    assert "削除したファイル 1件、異常終了とした取込 1件" in output
    log.refresh_from_db()
    assert log.result == ImportLog.Result.FAILED and log.file_deleted_at and log.finished_at
    assert list(spool_dir.iterdir()) == [] and Taxpayer.objects.count() == 0
    page = client.get(reverse("taxpayers:import_detail", args=[log.pk])).content.decode()
    assert "異常終了" in page and "もう一度アップロードする" in page
