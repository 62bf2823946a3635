"""What the retention command deleted: the only trace left of rows past their retention period."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone


class RetentionRun(models.Model):
    ran_at = models.DateTimeField("実行日時", default=timezone.now, db_comment="実行日時")
    operator = models.CharField("実行者", max_length=20, db_comment="実行した職員番号（またはSYSTEM）")
    cutoff = models.DateField("基準日", db_comment="この日より前の記録を削除した")
    retention_years = models.PositiveSmallIntegerField("保存年数", db_comment="保存年数")
    dry_run = models.BooleanField("試行", default=False, db_comment="試行（何も削除していない）")
    access_logs_deleted = models.IntegerField(
        "削除した照会記録", default=0, db_comment="削除した宛名照会記録の件数"
    )
    security_events_deleted = models.IntegerField(
        "削除した認証・管理ログ", default=0, db_comment="削除した認証・管理ログの件数"
    )
    numbers_cleared = ArrayField(
        models.CharField(max_length=15),
        default=list,
        verbose_name="個人番号を削除した宛名番号",
        db_comment="個人番号を削除した宛名番号（完結した案件）",
    )
    trial = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="confirmed_by",
        verbose_name="確認した試行",
        db_comment="この削除の前に件数を確認した試行（試行には空）",
    )

    class Meta:
        verbose_name = "保存期間経過による削除"
        verbose_name_plural = "保存期間経過による削除"
        ordering = ["-ran_at"]
        db_table_comment = "保存期間を過ぎた照会記録・個人番号の削除の記録"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dry_run=False) | models.Q(trial__isnull=True),
                name="audit_retentionrun_trial_only_on_real_runs",
            ),
        ]

    def __str__(self):
        return f"{self.ran_at:%Y-%m-%d} 基準日 {self.cutoff}"

    @property
    def confirmation(self) -> str:
        """What the real run must be given to confirm this dry run: its id and a digest of the
        cutoff, the operator and exactly what it found."""
        import hashlib

        seen = "|".join(
            [
                str(self.pk),
                self.operator,
                self.cutoff.isoformat(),
                str(self.retention_years),
                str(self.access_logs_deleted),
                str(self.security_events_deleted),
                ",".join(self.numbers_cleared),
            ]
        )
        return f"{self.pk}-{hashlib.sha256(seen.encode()).hexdigest()[:12]}"
