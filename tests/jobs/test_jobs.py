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


def test_the_nightly_detection_queues_a_double_payment_once_and_records_its_run(ledger, batch_actor):
    from refunds.models import Overpayment
    from tests.refunds.test_services import pay, resident_tax_2025

    # the 2025 resident tax (30,000円) was paid on 20 June; paid again at the bank on 25 June
    second = pay(resident_tax_2025(), "R0003", date(2025, 6, 25), 30_000, actor=batch_actor)
    with time_machine.travel(date(2025, 7, 10), tick=False):
        run_job.enqueue(name="detect_overpayments")  # what the scheduler enqueues at 05:15
        again = run_now("detect_overpayments")
    [found] = Overpayment.objects.all()
    assert (found.source_payment, found.amount, found.cause) == (
        second,
        30_000,
        Overpayment.Cause.DOUBLE_PAYMENT,
    )
    assert found.history.get().history_staff_number == "SYSTEM"
    first = JobRun.objects.filter(job="detect_overpayments").order_by("pk").first()
    assert (first.result, first.counts) == (JobRun.Result.SUCCEEDED, {"過誤納金": 1, "金額": 30_000})
    assert "新たな過誤納金 1件・30,000円" in first.summary
    assert (again.result, again.counts["過誤納金"]) == (JobRun.Result.SUCCEEDED, 0)  # nothing twice


def test_the_nightly_writeoff_candidates_are_counted_and_no_resolution_is_drafted(ledger):
    from dispositions.models import WriteOffRun

    # the ledger's 2021 installments: 時効 completed by 2027 (the 固定資産税 on 2026-09-30)
    with time_machine.travel(date(2027, 4, 20), tick=False):
        run = run_now("writeoff_candidates")
    assert run.result == JobRun.Result.SUCCEEDED
    assert (run.counts["対象者"], run.counts["期別"]) == (2, 2)
    assert run.counts["金額"] > 35_000 + 48_100
    assert "決議の起案は職員が行う" in run.summary
    assert not WriteOffRun.objects.exists()


def test_the_runs_summaries_read_the_day_in_wareki_as_the_rest_of_the_app(ledger, persona_client):
    with time_machine.travel(date(2026, 1, 10), tick=False):
        run = run_now("reconcile")
        page = persona_client("supervisor").get(reverse("jobs:runs")).content.decode()
    assert run.summary.startswith("基準日 令和8年1月10日（全件）: ")  # a run settled later exists: full
    assert "基準日 令和8年1月10日" in page and "2026-01-10" not in page


def test_the_new_jobs_run_after_reconcile_and_show_on_the_page(persona_client):
    assert schedule.JOBS["detect_overpayments"].when == "毎日 5時15分"  # after 消込 at 5時00分
    assert schedule.JOBS["writeoff_candidates"].when == "毎日 6時15分"
    JobRun.objects.create(
        job="detect_overpayments",
        result=JobRun.Result.SUCCEEDED,
        finished_at="2026-01-01T05:15Z",
        summary="基準日 令和8年1月1日: 新たな過誤納金 0件・0円（充当・還付の処理待ちに追加）",
    )
    page = persona_client("supervisor").get(reverse("jobs:runs")).content.decode()
    assert "過誤納金の検出" in page and "不納欠損の候補の抽出" in page and "毎日 6時15分" in page
