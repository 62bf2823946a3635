"""Enqueues every job of jobs/schedule.py on its crontab, for the task worker to run."""

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from jobs.schedule import JOBS, enabled_jobs
from jobs.tasks import run_job


def enqueue(name: str) -> None:
    close_old_connections()
    try:
        run_job.enqueue(name=name)
    finally:
        close_old_connections()


class Command(BaseCommand):
    help = (
        "定期処理（jobs/schedule.py）をそれぞれの時刻にタスクとして登録し続ける"
        "（実行はワーカー run_worker。止めるまで続く）"
    )

    def add_arguments(self, parser):
        parser.add_argument("--list", dest="list_only", action="store_true", help="予定を表示して終了する")
        parser.add_argument(
            "--run-now",
            nargs="+",
            default=[],
            metavar="JOB",
            help="起動時に一度だけ登録する処理（例: evaluate_promises。scripts/start が朝の判定を待たずに使う）",
        )

    def handle(self, *args, list_only=False, run_now=(), **options):
        unknown = [name for name in run_now if name not in JOBS]
        if unknown:
            raise CommandError(f"定期処理 {'、'.join(unknown)} はありません（{'、'.join(JOBS)}）。")
        scheduler = BlockingScheduler(timezone=settings.TIME_ZONE)
        for job in enabled_jobs():
            scheduler.add_job(
                enqueue,
                CronTrigger.from_crontab(job.cron, timezone=settings.TIME_ZONE),
                args=[job.name],
                id=job.name,
                name=job.label,
                # A run missed while the scheduler was down is made up once, within an hour.
                misfire_grace_time=3600,
                coalesce=True,
                max_instances=1,
            )
            self.stdout.write(f"{job.cron:<14} {job.label}（{job.name}）")
        if list_only:
            return
        for name in run_now:
            enqueue(name)
            self.stdout.write(f"{JOBS[name].label} を今すぐ実行するよう登録しました。")
        self.stdout.write(f"定期処理 {len(scheduler.get_jobs())}件の予定で待機します。")
        scheduler.start()
