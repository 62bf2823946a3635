"""What ホーム says about the scheduled jobs: the jobs whose latest run failed."""

from jobs.models import JobRun


def failed_jobs() -> list[JobRun]:
    """The latest run of each job, where it failed. One query."""
    return [run for run in JobRun.objects.latest_per_job() if run.result == JobRun.Result.FAILED]
