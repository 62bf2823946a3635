"""The log of every 逆連携 run (exchange/services.py) and of every download of its files.

A run is a log, not a business record: it is written only by `run_export` (never edited by a
person), so it carries who (職員番号) and where (端末番号) itself and has no history table.
"""

from django.db import models


class ExportRunQuerySet(models.QuerySet):
    def succeeded(self):
        return self.filter(status=ExportRun.Status.SUCCEEDED)


class ExportRun(models.Model):
    class Mode(models.TextChoices):
        DELTA = "delta", "差分"
        FULL = "full", "全件"

    class Status(models.TextChoices):
        RUNNING = "running", "実行中"
        SUCCEEDED = "succeeded", "正常終了"
        FAILED = "failed", "異常終了"

    started_at = models.DateTimeField("開始日時", db_comment="開始日時")
    finished_at = models.DateTimeField("終了日時", null=True, blank=True, db_comment="終了日時")
    staff_number = models.CharField(
        "実行職員番号", max_length=20, db_comment="実行した職員番号（定期処理は SYSTEM）"
    )
    terminal_number = models.CharField(
        "実行端末番号", max_length=20, db_comment="実行した端末番号（サーバ上は BATCH）"
    )
    mode = models.CharField("区分", max_length=5, choices=Mode.choices, db_comment="差分・全件の区分")
    since = models.DateTimeField(
        "抽出開始日時", null=True, blank=True, db_comment="この日時より後の変更を抽出（全件は空欄）"
    )
    until = models.DateTimeField("抽出終了日時", db_comment="この日時までの変更・状態を抽出")
    encoding = models.CharField(
        "文字コード", max_length=10, db_comment="ファイルの文字コード（utf-8 / cp932）"
    )
    status = models.CharField(
        "結果", max_length=10, choices=Status.choices, default=Status.RUNNING, db_comment="結果"
    )
    folder = models.CharField(
        "出力フォルダ", max_length=100, blank=True, db_comment="送信フォルダ内のフォルダ名"
    )
    counts = models.JSONField(
        "件数", default=dict, blank=True, db_comment="ファイルごとの行数（ファイル名 → 件数）"
    )
    files = models.JSONField(
        "ファイル", default=list, blank=True, db_comment="書き出したファイル名と SHA-256（[名前, ハッシュ]）"
    )
    checksum = models.CharField(
        "チェックサム", max_length=64, blank=True, db_comment="チェックサムファイル（SHA256SUMS）の SHA-256"
    )
    rerun_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reruns",
        verbose_name="再実行元",
        db_comment="同じ抽出期間で再実行した元の実行",
    )
    error = models.TextField("エラー", blank=True, db_comment="異常終了の理由（個人情報を含めない）")

    objects = ExportRunQuerySet.as_manager()

    class Meta:
        verbose_name = "逆連携の実行"
        verbose_name_plural = "逆連携の実行"
        ordering = ["-started_at", "-id"]
        db_table_comment = "税務システムへの逆連携ファイルの出力記録"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mode="full", since__isnull=True)
                | models.Q(mode="delta", since__isnull=False),
                name="exchange_exportrun_delta_has_since",
            ),
            models.CheckConstraint(
                condition=models.Q(since__isnull=True) | models.Q(since__lt=models.F("until")),
                name="exchange_exportrun_since_before_until",
            ),
        ]

    def __str__(self):
        return f"逆連携 {self.pk} {self.get_mode_display()} {self.get_status_display()}"

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())

    @property
    def file_names(self) -> list[str]:
        return [name for name, _digest in self.files]


class ExportDownload(models.Model):
    """A file of a run taken from the 逆連携 page: the files hold 宛名番号 and amounts (持ち出し)."""

    run = models.ForeignKey(
        ExportRun,
        on_delete=models.PROTECT,
        related_name="downloads",
        verbose_name="実行",
        db_comment="逆連携の実行",
    )
    file_name = models.CharField("ファイル名", max_length=100, db_comment="取り出したファイル名")
    staff_number = models.CharField("職員番号", max_length=20, db_comment="取り出した職員番号")
    terminal_number = models.CharField("端末番号", max_length=20, db_comment="取り出した端末番号")
    downloaded_at = models.DateTimeField("日時", db_comment="取り出した日時")

    class Meta:
        verbose_name = "逆連携ファイルの取出し"
        verbose_name_plural = "逆連携ファイルの取出し"
        ordering = ["-downloaded_at", "-id"]
        db_table_comment = "逆連携ファイルの取出し記録"

    def __str__(self):
        return f"{self.file_name} {self.staff_number}"
