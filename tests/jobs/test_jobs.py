"""Scheduled jobs: each declared once, enqueued by the scheduler as a task, each run recorded,
a failure shown to supervisors and on ホーム."""

from datetime import date

import pytest
import time_machine
from apscheduler.triggers.cron import CronTrigger
from django.urls import reverse

from jobs import schedule
from jobs.models import JobRun
from jobs.tasks import run_job, run_now
from negotiations.models import NegotiationRecord
from tests.negotiations.test_promises import promise

pytestmark = pytest.mark.django_db


def test_every_job_has_a_valid_crontab_and_a_japanese_label():
    for job in schedule.JOBS.values():
        CronTrigger.from_crontab(job.cron, timezone="Asia/Tokyo")
        assert job.label and not job.label.isascii()


def test_the_scheduled_evaluation_judges_a_broken_promise_and_records_its_run(
    officer_actor, ledger, settings
):
    settings.PROMISE_GRACE_DAYS = 3
    with time_machine.travel(date(2022, 2, 1), tick=False):
        record = promise(officer_actor, 20_000, date(2022, 2, 10))
    with time_machine.travel(date(2022, 2, 20), tick=False):
        run_job.enqueue(
            name="evaluate_promises"
        )  # what the scheduler enqueues at 05:30; tests run it at once
    record.refresh_from_db()
    assert record.result == NegotiationRecord.Result.BROKEN
    run = JobRun.objects.get(job="evaluate_promises")
    assert run.result == JobRun.Result.SUCCEEDED
    assert run.finished_at is not None
    assert run.counts["約束の不履行"] == 1
    assert "不履行 1件" in run.summary


def test_a_failing_job_is_recorded_with_its_error(monkeypatch):
    def explode():
        raise RuntimeError("接続できません")

    job = schedule.JOBS["reconcile"]
    monkeypatch.setitem(schedule.JOBS, "reconcile", schedule.Job(job.name, job.label, job.cron, explode))
    run = run_now("reconcile")
    assert run.result == JobRun.Result.FAILED
    assert "接続できません" in run.error
    assert run.finished_at is not None


def test_the_sweep_runs_through_the_scheduler(settings, tmp_path):
    settings.IMPORT_SPOOL_DIR = str(tmp_path)
    run = run_now("sweep_import_spool")
    assert run.result == JobRun.Result.SUCCEEDED
    assert run.counts == {"削除": 0, "異常終了": 0}


def test_the_scheduler_lists_every_enabled_job():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("run_scheduler", "--list", stdout=out)
    for job in schedule.enabled_jobs():
        assert f"{job.label}（{job.name}）" in out.getvalue()


def test_unconfigured_jobs_are_not_scheduled(settings):
    settings.RETENTION_REPORT_OPERATOR = ""
    settings.BACKUP_DIR = ""
    names = {job.name for job in schedule.enabled_jobs()}
    assert {"reconcile", "evaluate_promises", "demand_candidates", "sweep_import_spool"} <= names
    assert not names & {"retention_dry_run", "backup"}


def test_home_shows_a_failed_job_until_it_succeeds_again(persona_client, monkeypatch):
    JobRun.objects.create(job="reconcile", result=JobRun.Result.SUCCEEDED, finished_at="2026-01-01T05:00Z")
    failed = JobRun.objects.create(
        job="evaluate_promises", result=JobRun.Result.FAILED, finished_at="2026-01-02T05:30Z", error="x"
    )
    for persona in ("officer", "supervisor"):
        page = persona_client(persona).get(reverse("home")).content.decode()
        assert "定期処理が異常終了しています" in page
        assert "約束・分納誓約の判定" in page
        assert "消込（調定と収納の突合）" not in page
    assert 'href="/jobs/"' in persona_client("supervisor").get(reverse("home")).content.decode()
    JobRun.objects.create(
        job="evaluate_promises",
        result=JobRun.Result.SUCCEEDED,
        started_at=failed.started_at.replace(year=failed.started_at.year + 1),
        finished_at=failed.started_at.replace(year=failed.started_at.year + 1),
    )
    assert (
        "定期処理が異常終了しています" not in persona_client("officer").get(reverse("home")).content.decode()
    )


def test_supervisors_see_every_run(persona_client):
    JobRun.objects.create(
        job="reconcile", result=JobRun.Result.FAILED, finished_at="2026-01-01T05:00Z", error="DB停止"
    )
    page = persona_client("supervisor").get(reverse("jobs:runs")).content.decode()
    assert "消込（調定と収納の突合）" in page and "異常終了" in page and "DB停止" in page
    assert "毎日 5時00分" in page and "0 5 * * *" not in page
    assert persona_client("officer").get(reverse("jobs:runs")).status_code == 403


def test_run_now_refuses_an_unknown_job():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="定期処理 nightly はありません"):
        call_command("run_scheduler", "--run-now", "nightly")


def test_the_schedule_reads_in_japanese():
    assert schedule.JOBS["evaluate_promises"].when == "毎日 5時30分"
    assert schedule.JOBS["sweep_import_spool"].when == "10分ごと"
    assert schedule.JOBS["retention_dry_run"].when == "毎月1日 4時00分"
    assert all(job.when for job in schedule.JOBS.values())
