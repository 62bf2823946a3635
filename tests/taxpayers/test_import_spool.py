"""The import spool: no file without the ImportLog that owns it, nothing left behind by a request
or an import that dies, uploads over the limit refused before they are read, and the sweep."""

import hashlib
import io
import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from taxpayers import spool, tasks
from taxpayers.models import ImportLog, Taxpayer
from tests.conftest import sign_in
from tests.taxpayers.conftest import PERSON_HEADER, PERSONS, csv_text
from wako_collections.actors import Actor

pytestmark = pytest.mark.django_db

CONTENT = csv_text(PERSON_HEADER, PERSONS).encode("cp932")


@pytest.fixture
def spool_dir(settings, tmp_path):
    settings.IMPORT_SPOOL_DIR = tmp_path / "spool"
    return settings.IMPORT_SPOOL_DIR


def limit(settings, megabytes: int) -> None:
    settings.IMPORT_MAX_UPLOAD_MB = megabytes
    settings.IMPORT_MAX_UPLOAD_BYTES = megabytes * 1024 * 1024


def upload(client, content: bytes = CONTENT, *, kind: str = "persons", name: str = "宛名.csv", **extra):
    file = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(reverse("taxpayers:imports"), {"kind": kind, "file": file}, **extra)


def leftovers(spool_dir) -> list:
    return sorted(spool_dir.iterdir()) if spool_dir.exists() else []


def test_the_log_exists_before_the_first_byte_and_the_hash_is_taken_while_writing(
    client, supervisor, spool_dir, monkeypatch
):
    seen = []
    create = spool._create

    def watched(path):
        log = ImportLog.objects.get()  # committed before the file is opened
        seen.append((log.result, log.phase, path.name))
        return create(path)

    monkeypatch.setattr(spool, "_create", watched)

    def refuse(*args, **kwargs):
        raise AssertionError("Django's own handler would keep the file in memory or in /tmp")

    monkeypatch.setattr(MemoryFileUploadHandler, "new_file", refuse)
    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", refuse)
    sign_in(client, supervisor)
    response = upload(client)
    log = ImportLog.objects.get()
    assert response.status_code == 302
    assert seen == [(ImportLog.Result.RUNNING, spool.RECEIVING, f"import-{log.pk}.csv")]
    assert log.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert (log.kind, log.result, Taxpayer.objects.count()) == ("persons", ImportLog.Result.SUCCEEDED, 3)
    assert leftovers(spool_dir) == [] and log.file_deleted_at is not None


class UnreadableBody(io.RawIOBase):
    def read(self, *args):
        raise AssertionError("the body was read")

    readline = readinto = read


def test_a_body_declared_too_large_is_refused_before_it_is_read(
    rf, supervisor, terminal, spool_dir, settings
):
    from taxpayers.views import imports

    limit(settings, 1)
    request = rf.post(reverse("taxpayers:imports"), data=b"", content_type="multipart/form-data; boundary=x")
    request.META["CONTENT_LENGTH"] = str(2 * 1024 * 1024)
    request.META["wsgi.input"] = UnreadableBody()
    request._stream = UnreadableBody()
    request.user, request.actor, request.terminal = supervisor, Actor.for_staff(supervisor, "T0001"), terminal
    supervisor.is_verified = lambda: True  # what django-otp's middleware sets on a verified login
    request.session = {}
    request._dont_enforce_csrf_checks = True
    response = imports(request)
    assert response.status_code == 413
    assert "ファイルが大きすぎます。1回に取り込めるのは1MBまでです" in response.content.decode()
    assert not ImportLog.objects.exists() and leftovers(spool_dir) == []


def test_a_file_over_the_limit_is_stopped_while_it_streams(client, supervisor, spool_dir, settings):
    limit(settings, 1)
    # The declared length passes (within the allowance for the form), the file itself does not.
    big = CONTENT + b"#" * (1024 * 1024 - len(CONTENT) + 10_000)
    sign_in(client, supervisor)
    response = upload(client, big)
    assert response.status_code == 413
    assert "ファイルが大きすぎます" in response.content.decode()
    log = ImportLog.objects.get()
    assert log.result == ImportLog.Result.FAILED and log.file_deleted_at is not None
    assert "ファイルが大きすぎます" in log.errors[0]["message"]
    assert leftovers(spool_dir) == [] and Taxpayer.objects.count() == 0


def test_the_default_limit_is_200_megabytes():
    from wako_collections import settings as project_settings

    assert project_settings.IMPORT_MAX_UPLOAD_MB == 200
    assert project_settings.IMPORT_MAX_UPLOAD_BYTES == 200 * 1024 * 1024


@pytest.mark.parametrize("death", [RuntimeError("the queue is gone"), SystemExit(1)])
def test_a_request_that_dies_after_spooling_leaves_nothing(client, supervisor, spool_dir, monkeypatch, death):
    def dies(**kwargs):
        assert len(leftovers(spool_dir)) == 1  # the file was spooled…
        raise death

    monkeypatch.setattr("taxpayers.views.import_uploaded_file", SimpleNamespace(enqueue=dies))
    sign_in(client, supervisor)
    with pytest.raises(type(death)):
        upload(client)
    log = ImportLog.objects.get()  # …and is gone, its log closed
    assert leftovers(spool_dir) == []
    assert log.result == ImportLog.Result.FAILED and log.file_deleted_at is not None
    assert "何も取り込まれていません" in log.errors[0]["message"]


def test_a_request_that_dies_while_receiving_leaves_nothing(client, supervisor, spool_dir, monkeypatch):
    receive = spool.SpoolUploadHandler.receive_data_chunk
    chunks = []

    def timeout_midway(self, raw_data, start):
        chunks.append(len(raw_data))
        if len(chunks) == 2:
            raise SystemExit(1)  # what gunicorn's worker timeout does to a sync worker
        return receive(self, raw_data, start)

    monkeypatch.setattr(spool.SpoolUploadHandler, "receive_data_chunk", timeout_midway)
    sign_in(client, supervisor)
    with pytest.raises(SystemExit):
        upload(client, CONTENT * 2_000)  # several 64 KiB chunks
    log = ImportLog.objects.get()
    assert leftovers(spool_dir) == [] and log.result == ImportLog.Result.FAILED


def test_a_csrf_failure_after_spooling_leaves_nothing(supervisor, spool_dir):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, supervisor)
    response = upload(client)
    assert response.status_code == 403
    assert leftovers(spool_dir) == []
    assert all(log.result == ImportLog.Result.FAILED for log in ImportLog.objects.all())
    assert Taxpayer.objects.count() == 0


def test_a_refused_form_deletes_the_spooled_file(client, supervisor, spool_dir):
    sign_in(client, supervisor)
    response = upload(client, kind="unknown")
    assert response.status_code == 200 and "正しく選択してください" in response.content.decode()
    assert leftovers(spool_dir) == []
    assert ImportLog.objects.get().result == ImportLog.Result.FAILED


def test_the_sweep_deletes_what_no_live_import_owns_and_keeps_the_rest(spool_dir, batch_actor, caplog):
    live = spool.open_log(file_name="live.csv", actor=batch_actor, kind="persons")
    finished = spool.open_log(file_name="done.csv", actor=batch_actor, kind="persons")
    ImportLog.objects.filter(pk=finished.pk).update(result=ImportLog.Result.SUCCEEDED)
    spool_dir.mkdir(parents=True)
    for log in (live, finished):
        spool.path_for(log.pk).write_bytes(CONTENT)
    (spool_dir / "import-999999.csv").write_bytes(CONTENT)  # a log that never committed
    (spool_dir / "import-abc123.csv").write_bytes(CONTENT)  # the old mkstemp names
    (spool_dir / "upload.tmp").write_bytes(CONTENT)
    caplog.set_level(logging.WARNING)
    result = spool.sweep()
    assert (result.files_deleted, result.imports_failed) == (4, 0)
    assert leftovers(spool_dir) == [spool.path_for(live.pk)]
    finished.refresh_from_db()
    assert finished.result == ImportLog.Result.SUCCEEDED and finished.file_deleted_at is not None
    assert "import-abc123.csv" in caplog.text


def test_an_import_stuck_past_the_timeout_is_failed_logged_and_offered_again(
    client, supervisor, spool_dir, batch_actor, settings, caplog
):
    settings.IMPORT_STUCK_TIMEOUT = timedelta(minutes=60)
    stuck = spool.open_log(file_name="stuck.csv", actor=batch_actor, kind="assessments")
    recent = spool.open_log(file_name="recent.csv", actor=batch_actor, kind="persons")
    spool_dir.mkdir(parents=True)
    for log in (stuck, recent):
        spool.path_for(log.pk).write_bytes(CONTENT)
    ImportLog.objects.filter(pk=stuck.pk).update(started_at=timezone.now() - timedelta(minutes=61))
    caplog.set_level(logging.WARNING)
    call_command("sweep_import_spool")
    stuck.refresh_from_db()
    assert stuck.result == ImportLog.Result.FAILED and stuck.file_deleted_at and stuck.finished_at
    assert "60分を過ぎても終わらなかった" in stuck.errors[0]["message"]
    assert f"取込記録 {stuck.pk}" in caplog.text
    assert leftovers(spool_dir) == [spool.path_for(recent.pk)]
    assert ImportLog.objects.get(pk=recent.pk).result == ImportLog.Result.RUNNING
    sign_in(client, supervisor)
    page = client.get(reverse("taxpayers:import_detail", args=[stuck.pk])).content.decode()
    assert "異常終了" in page and "60分を過ぎても終わらなかった" in page
    assert f"{reverse('taxpayers:imports')}?kind=assessments" in page and "もう一度アップロードする" in page
    form = client.get(reverse("taxpayers:imports"), {"kind": "assessments"}).content.decode()
    assert '<option value="assessments" selected>' in form


def test_the_task_does_not_run_an_import_the_sweep_has_closed(spool_dir, supervisor, batch_actor):
    log = spool.open_log(file_name="late.csv", actor=batch_actor, kind="persons")
    spool.discard(log, message=spool.stuck_message())
    result = tasks.import_uploaded_file.call(log_id=log.pk, staff_id=supervisor.pk, terminal_number="T0001")
    assert result == ImportLog.Result.FAILED and Taxpayer.objects.count() == 0


def test_a_task_that_fails_before_the_import_still_deletes_the_file(spool_dir, batch_actor):
    log = spool.open_log(file_name="x.csv", actor=batch_actor, kind="persons")
    spool_dir.mkdir(parents=True)
    spool.path_for(log.pk).write_bytes(CONTENT)
    with pytest.raises(tasks.ImportFailed) as raised:
        tasks.import_uploaded_file.call(log_id=log.pk, staff_id=0, terminal_number="T0001")  # no such staff
    assert raised.value.__suppress_context__  # the task result keeps no text from the file
    log.refresh_from_db()
    assert leftovers(spool_dir) == [] and log.result == ImportLog.Result.FAILED and log.file_deleted_at


def test_the_commands_move_the_file_into_the_spool_under_its_log(spool_dir, write_csv, monkeypatch):
    from taxpayers.management.commands import _importing

    source = write_csv("p.csv", PERSON_HEADER, PERSONS)
    expected = hashlib.sha256(source.read_bytes()).hexdigest()
    seen = []
    run = _importing.run_import

    def watched(*, log, path, actor):
        seen.append((path, path.exists(), source.exists(), log.sha256))
        return run(log=log, path=path, actor=actor)

    monkeypatch.setattr(_importing, "run_import", watched)
    call_command("import_persons", str(source))
    log = ImportLog.objects.get()
    assert seen == [(spool.path_for(log.pk), True, False, expected)]
    assert leftovers(spool_dir) == [] and log.file_deleted_at is not None


def test_run_worker_sweeps_before_the_worker_starts(spool_dir, monkeypatch):
    spool_dir.mkdir(parents=True)
    (spool_dir / "import-424242.csv").write_bytes(CONTENT)
    started = []
    monkeypatch.setattr(
        "wako_collections.management.commands.run_worker.call_command",
        lambda name, *args: started.append((name, args, leftovers(spool_dir))),
    )
    call_command("run_worker", "--", "--batch")
    assert started == [("db_worker", ("--batch",), [])]
