"""The one task every scheduled job runs through, so that each run leaves a `JobRun`."""

import logging

from django.utils import timezone
from django_tasks import task

from jobs.models import JobRun
from jobs.schedule import JOBS

logger = logging.getLogger(__name__)


class JobFailed(RuntimeError):
    """The task's result carries only this; the worker's log has the traceback."""


def run_now(name: str) -> JobRun:
    """Runs one declared job in this process and records the run, whatever its end."""
    job = JOBS[name]
    run = JobRun.objects.create(job=name)
    try:
        outcome = job.run()
    except Exception as error:
        logger.exception("定期処理 %s が異常終了しました。", name)
        run.result = JobRun.Result.FAILED
        # The exception's class and message: domain errors say what is wrong in Japanese; none of
        # the jobs puts a taxpayer's data into an exception message.
        run.error = f"{type(error).__name__}: {error}"[:2000]
    else:
        run.result = JobRun.Result.SUCCEEDED
        run.summary = outcome.summary[:300]
        run.counts = outcome.counts
    run.finished_at = timezone.now()
    run.save(update_fields=["result", "summary", "counts", "error", "finished_at"])
    return run


@task()
def run_job(*, name: str) -> str:
    run = run_now(name)
    if run.result == JobRun.Result.FAILED:
        raise JobFailed(f"定期処理 {run.label} が異常終了しました（実行記録 {run.pk}）。")
    return run.summary
