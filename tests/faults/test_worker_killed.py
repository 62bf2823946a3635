"""A background worker killed (SIGKILL, no chance to clean up) in the middle of a batch: no
document of the batch is recorded, staff can see the batch stopped reporting, and running it
again records every document once. A real `manage.py db_worker` process, not a simulation."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from documents import batches
from documents.models import Batch, BatchProgress, Document, Extraction
from taxpayers.demo import generate
from taxpayers.reconciliation import reconcile
from tests.conftest import sign_in
from wako_collections.actors import Actor
from wako_collections.env import database_url

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def start_worker() -> subprocess.Popen:
    env = {
        **os.environ,
        "WAKO_ENV": "test",
        "DATABASE_URL": database_url(connection.settings_dict),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DOCUMENT_BATCH_CHUNK": "2",  # many small chunks: progress to watch, a run of several seconds
        "DOCUMENT_RENDER_PROCESSES": "2",  # rendering children, as in production
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        start_new_session=True,  # its own process group: the kill takes the renderers too
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(condition, seconds: float, what: str, worker: subprocess.Popen):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if worker.poll() is not None:
            pytest.fail(f"the worker exited: {worker.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def kill(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)


def test_a_worker_killed_mid_batch_records_nothing_and_the_batch_runs_again(client, officer, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    generate(persons=400, seed=11)
    reconcile()
    actor = Actor.for_staff(officer, "T0001")
    today = timezone.localdate()
    extraction = Extraction(name="全件", form_code="03")
    batches.save_extraction(extraction, actor)
    candidates = batches.extraction_candidates(extraction, today)
    assert len(candidates) >= 8, "the demo data should hold enough delinquent taxpayers for many chunks"
    batch = batches.freeze(
        actor=actor,
        kind="notice",
        candidates=candidates,
        issued_on=today,
        deadline=today + timedelta(days=14),
        extraction=extraction,
    )
    in_batch = Document.objects.filter(source=f"一括 {batch.number}")

    worker = start_worker()
    try:
        wait_for(lambda: BatchProgress.objects.get(batch=batch).rendered >= 2, 120, "the first chunk", worker)
        kill(worker)
    finally:
        kill(worker)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.RUNNING  # nobody was left to say otherwise
    assert BatchProgress.objects.get(batch=batch).rendered < len(candidates)
    assert not in_batch.exists()  # rendered chunks are not documents until the end
    assert not batches.can_rerun(batch)  # a live run cannot be started twice

    # Ten minutes without progress: the page offers 再実行 (BatchProgress keeps no history).
    stale = timezone.now() - batches.STALE_AFTER - timedelta(seconds=1)
    BatchProgress.objects.filter(batch=batch).update(updated_at=stale)
    batch = Batch.objects.get(pk=batch.pk)
    assert batches.can_rerun(batch)
    sign_in(client, officer)
    page = client.get(reverse("documents:batch_detail", args=[batch.number])).content.decode()
    assert "作成が10分以上進んでいません" in page and "まだ1件も記録されていません" in page
    assert "同じ一覧で再実行する" in page
    batches.rerun(batch, actor)

    worker = start_worker()
    try:
        wait_for(lambda: Batch.objects.get(pk=batch.pk).is_finished, 180, "the batch to finish again", worker)
    finally:
        kill(worker)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE, batch.error
    issued = list(in_batch.order_by("number"))
    expected = len(candidates) - sum(1 for s in batch.skipped if s["reason"] == "作成直前の確認で納付済み")
    assert len(issued) == batch.issued_count == expected
    assert sorted({d.taxpayer.atena_number for d in issued}) == sorted(c.atena_number for c in candidates)
    assert issued[0].number == batch.first_number and issued[-1].number == batch.last_number
    for document in issued:
        assert document.assessments.exists()
        assert Document.history.filter(id=document.pk, history_type="+").count() == 1
    reasons = list(Batch.history.filter(id=batch.pk).values_list("history_change_reason", flat=True))
    assert reasons.count("作成開始") == 2 and "再実行" in reasons and "作成完了" in reasons
