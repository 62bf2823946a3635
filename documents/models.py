"""Every printed document, recorded so that it can be reprinted identically: 帳票コード, a number,
the issue date, the issuing officer and terminal, the taxpayer, the installments and amounts,
and the whole content it was printed from. A re-issue gets a new number linked to the old."""

from django.db import models

from taxpayers.models import Assessment, Taxpayer
from wako_collections.records import StampedModel, tracked_history


class FormCode(models.TextChoices):
    PAYMENT_SLIP = "01", "納付書"
    DEMAND = "02", "督促状"
    NOTICE_GENERAL = "03", "催告書"
    NOTICE_FINAL = "04", "最終催告書"
    NOTICE_SEIZURE = "05", "差押予告書"


# 催告書 that are legal 催告 (民法第150条): their issue suspends completion of 時効 for six months.
LEGAL_NOTICES = {FormCode.NOTICE_GENERAL, FormCode.NOTICE_FINAL, FormCode.NOTICE_SEIZURE}


class Document(StampedModel):
    number = models.CharField("文書番号", max_length=20, unique=True, db_comment="文書番号")
    form_code = models.CharField(
        "帳票コード", max_length=2, choices=FormCode.choices, db_comment="帳票コード"
    )
    taxpayer = models.ForeignKey(
        Taxpayer, on_delete=models.PROTECT, related_name="documents", verbose_name="宛名", db_comment="宛名"
    )
    assessments = models.ManyToManyField(Assessment, related_name="documents", verbose_name="対象の調定")
    issued_on = models.DateField("発行日", db_comment="発行日")
    deadline = models.DateField("指定期限", null=True, blank=True, db_comment="納付の指定期限")
    total_amount = models.BigIntegerField("合計額", db_comment="記載した合計額（円）")
    content = models.JSONField("記載内容", db_comment="再印刷のための記載内容（宛先・期別・金額など）")
    is_legal_notice = models.BooleanField("法的な催告", default=False, db_comment="時効の完成猶予となる催告")
    reissue_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reissues",
        verbose_name="再発行元",
        db_comment="再発行の場合、元の文書",
    )

    history = tracked_history()

    class Meta:
        verbose_name = "発行文書"
        verbose_name_plural = "発行文書"
        ordering = ["-issued_on", "-id"]
        db_table_comment = "発行した帳票（再印刷用の記載内容つき）"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total_amount__gte=0), name="documents_document_total_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.get_form_code_display()} {self.number}"
