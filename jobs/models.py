"""One row per run of a scheduled job (jobs/schedule.py): what ran, when, and how it ended."""

from django.db import models
from django.utils import timezone


class JobRunQuerySet(models.QuerySet):
    def latest_per_job(self) -> "JobRunQuerySet":
        """The newest run of each job. One query (DISTINCT ON)."""
        return self.order_by("job", "-started_at").distinct("job")


class JobRun(models.Model):
    class Result(models.TextChoices):
        RUNNING = "running", "実行中"
        SUCCEEDED = "succeeded", "正常終了"
        FAILED = "failed", "異常終了"

    job = models.CharField("処理", max_length=40, db_comment="定期処理の名前（jobs/schedule.py）")
    started_at = models.DateTimeField("開始日時", default=timezone.now, db_comment="開始日時")
    finished_at = models.DateTimeField("終了日時", null=True, blank=True, db_comment="終了日時")
    result = models.CharField(
        "結果", max_length=10, choices=Result.choices, default=Result.RUNNING, db_comment="結果"
    )
    summary = models.CharField("概要", max_length=300, blank=True, db_comment="処理の一行の要約")
    counts = models.JSONField("件数", default=dict, blank=True, db_comment="処理した件数（項目名 → 件数）")
    error = models.TextField("エラー", blank=True, db_comment="異常終了の理由（個人情報を含めない）")

    objects = JobRunQuerySet.as_manager()

    class Meta:
        verbose_name = "定期処理の実行記録"
        verbose_name_plural = "定期処理の実行記録"
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["job", "-started_at"], name="jobs_jobrun_job_started")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(result="running") | models.Q(finished_at__isnull=False),
                name="jobs_jobrun_finished_when_done",
            )
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def label(self) -> str:
        from jobs.schedule import JOBS

        job = JOBS.get(self.job)
        return job.label if job else self.job
