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


class DashboardFigures(models.Model):
    """The dashboard's slow figures (収納率, 月末の未納額, 整理未済額の内訳) as the scheduled job
    `dashboard_figures` computed them for a day (audit/dashboard.py `store_figures`): at 100,000
    persons they take minutes, past any request's timeout, so the page shows the newest stored day
    with the time it was computed. One row per 基準日; a rerun on the same day replaces it. Derived
    (no history): the ledger it is computed from has it."""

    as_of = models.DateField("基準日", db_comment="集計の基準日")
    computed_at = models.DateTimeField("集計日時", db_comment="集計を終えた日時")
    seconds = models.FloatField("集計時間（秒）", db_comment="集計にかかった秒数")
    collection_rates = models.JSONField(
        "収納率", db_comment="年度・科目別の現年・滞繰の調定額・収入済額・不納欠損額（本税、円）"
    )
    outstanding_by_month = models.JSONField("月末の未納額", db_comment="過去12か月の各月末の未納本税（円）")
    unresolved_breakdown = models.JSONField("整理未済額の内訳", db_comment="区分別の未納本税（円）")

    class Meta:
        verbose_name = "ダッシュボードの集計"
        verbose_name_plural = "ダッシュボードの集計"
        ordering = ["-as_of"]
        db_table_comment = "監査ダッシュボードの日次集計（定期処理 dashboard_figures）"
        constraints = [models.UniqueConstraint(fields=["as_of"], name="audit_dashboardfigures_one_per_day")]

    def __str__(self):
        return f"ダッシュボードの集計 {self.as_of}"


class AccessDailyCount(models.Model):
    """Distinct taxpayers a member of staff viewed on one past local day (照会記録の分析's 通常を大きく
    超える照会件数 compares a day with the median of the 30 before it): a finished day's access log
    never changes (its rows are written with the time of the view), so its counts are worked out
    once, the first time an analysis needs that day, and read from here after — the analysis then
    reads only today's log live. One row per staff and day with views, and a row with an empty
    職員番号 marking the day as counted (a day without views has only that row). Derived (no
    history): the access log it is counted from has it."""

    day = models.DateField("日", db_comment="照会の日（ローカル日付、当日より前）")
    staff_number = models.CharField(
        "職員番号", max_length=20, blank=True, db_comment="職員番号（空欄は集計済みの印）"
    )
    taxpayers = models.PositiveIntegerField("宛名数", db_comment="その日に照会した宛名の数（重複を除く）")

    class Meta:
        verbose_name = "日別の照会宛名数"
        verbose_name_plural = "日別の照会宛名数"
        db_table_comment = "職員ごと・日ごとの照会宛名数（照会記録の分析用、過去の日のみ）"
        constraints = [
            models.UniqueConstraint(fields=["day", "staff_number"], name="audit_accessdailycount_once"),
        ]

    def __str__(self):
        return f"{self.day} {self.staff_number or '（集計済み）'} {self.taxpayers}"
