"""Records of the application as a whole (not of one business domain)."""

from django.db import models
from django.utils import timezone


class FormSubmission(models.Model):
    """One submission of a create form, consumed once (wako_collections/submissions.py): a second
    POST of the same rendered form — a double click, a resent request — finds its token taken and
    is sent to what the first one made instead of making it again."""

    token = models.CharField("送信番号", max_length=64, db_comment="画面を表示したときに発行した番号")
    staff_number = models.CharField("職員番号", max_length=20, db_comment="送信した職員番号")
    path = models.CharField("送信先", max_length=300, db_comment="送信先のURL")
    submitted_at = models.DateTimeField("送信日時", default=timezone.now, db_comment="送信日時")
    result_url = models.CharField(
        "結果の画面", max_length=300, blank=True, db_comment="最初の送信が移った画面（空: 処理中）"
    )

    class Meta:
        verbose_name = "フォームの送信"
        verbose_name_plural = "フォームの送信"
        constraints = [
            models.UniqueConstraint(fields=["token"], name="wako_collections_formsubmission_token_once")
        ]

    def __str__(self) -> str:
        return f"{self.staff_number} {self.path}"
