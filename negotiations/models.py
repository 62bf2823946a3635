"""交渉記録ファイル (Appendix 1, 2.) and 分納誓約.

NegotiationRecord has one column per Appendix-1 item, each with the item's name as its
db_comment and verbose_name. 宛名番号 is a foreign key on the taxpayer's 宛名番号 itself, so the
column holds the number. 履歴 is the record's edit count, which is also the optimistic lock:
an edit must name the 履歴 it started from.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from taxpayers.models import Assessment, Taxpayer
from taxpayers.subjects import Subject, YearCategory
from wako_collections.records import StampedModel, tracked_history


class SubjectGroup(models.TextChoices):
    ALL = "00", "全科目"
    RESIDENT_TAX = "01", "市県民税"
    FIXED_ASSET_TAX = "02", "固定資産税・都市計画税"
    LIGHT_VEHICLE_TAX = "03", "軽自動車税"
    CORPORATE_TAX = "04", "法人市民税"
    NHI = "05", "国民健康保険税（料）"

    @classmethod
    def covering(cls, subject_codes: Iterable[str]) -> SubjectGroup:
        """The group of a contact about installments of these 科目 (taxpayers.Subject codes): the
        one group they all belong to, else 全科目. 国民健康保険税 (05) and 国民健康保険料 (06) are
        both 05."""
        groups = {SUBJECT_GROUPS[Subject(code)] for code in subject_codes}
        return groups.pop() if len(groups) == 1 else cls.ALL


SUBJECT_GROUPS = {
    Subject.RESIDENT_TAX: SubjectGroup.RESIDENT_TAX,
    Subject.FIXED_ASSET_TAX: SubjectGroup.FIXED_ASSET_TAX,
    Subject.LIGHT_VEHICLE_TAX: SubjectGroup.LIGHT_VEHICLE_TAX,
    Subject.CORPORATE_TAX: SubjectGroup.CORPORATE_TAX,
    Subject.NHI_TAX: SubjectGroup.NHI,
    Subject.NHI_PREMIUM: SubjectGroup.NHI,
}


class NegotiationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(cancelled_at__isnull=True)

    def promises(self):
        return self.active().filter(promised_amount__isnull=False, scheduled_date__isnull=False)


class NegotiationRecord(models.Model):
    """One contact with a taxpayer or about them: a call, a visit, a counter meeting, a letter."""

    class ContactKind(models.TextChoices):
        CALL_OUT = "11", "電話（架電）"
        CALL_IN = "12", "電話（受電）"
        COUNTER = "21", "来庁"
        VISIT = "22", "臨戸"
        LETTER = "31", "文書"
        PLEDGE_CONSULTATION = "41", "分納相談"
        PROPERTY_INVESTIGATION = "51", "財産調査"
        RESIDENCE_INVESTIGATION = "52", "所在調査"  # after a letter came back (documents.ReturnedMail)
        SEIZURE_NOTICE = "61", "差押予告"
        OTHER = "99", "その他"

    class Result(models.TextChoices):
        PLANNED = "1", "予定"
        DONE = "2", "実施"
        ABSENT = "3", "不在"
        PROMISED = "4", "約束"
        KEPT = "5", "履行"
        PARTLY_KEPT = "6", "一部履行"
        BROKEN = "7", "不履行"

    class CollectionCategory(models.TextChoices):
        """徴収区分: taxpayers.subjects.YearCategory's two codes, and 3 for a contact about both."""

        CURRENT = YearCategory.CURRENT.value, YearCategory.CURRENT.label
        ARREARS = YearCategory.ARREARS.value, YearCategory.ARREARS.label
        BOTH = "3", "現年・滞繰"

    class Importance(models.TextChoices):
        HIGH = "1", "高"
        NORMAL = "2", "中"
        LOW = "3", "低"

    record_number = models.BigIntegerField("番号", unique=True, db_comment="番号")
    subject_group_code = models.CharField(
        "科目グループコード", max_length=2, choices=SubjectGroup.choices, db_comment="科目グループコード"
    )
    taxpayer = models.ForeignKey(
        Taxpayer,
        to_field="atena_number",
        db_column="atena_number",
        on_delete=models.PROTECT,
        related_name="negotiation_records",
        verbose_name="宛名番号",
        db_comment="宛名番号",
    )
    input_date = models.DateField("入力日", db_comment="入力日")
    input_time = models.TimeField("入力時刻", db_comment="入力時刻")
    place = models.CharField("場所", max_length=60, blank=True, db_comment="場所")
    interviewee = models.CharField("面談者", max_length=60, blank=True, db_comment="面談者")
    scheduled_date = models.DateField("予実日", null=True, blank=True, db_comment="予実日")
    scheduled_time = models.TimeField("予実時刻", null=True, blank=True, db_comment="予実時刻")
    promised_amount = models.BigIntegerField("入金予定額", null=True, blank=True, db_comment="入金予定額")
    officer_atena_number = models.CharField("担当者宛名番号", max_length=15, db_comment="担当者宛名番号")
    content = models.TextField("訪問内容", max_length=2000, db_comment="訪問内容")
    result = models.CharField("予実結果", max_length=1, choices=Result.choices, db_comment="予実結果")
    collection_category = models.CharField(
        "徴収区分", max_length=1, choices=CollectionCategory.choices, db_comment="徴収区分"
    )
    related_number = models.BigIntegerField("関連番号", null=True, blank=True, db_comment="関連番号")
    revision = models.PositiveIntegerField("履歴", default=1, db_comment="履歴")
    broken = models.BooleanField("不履行", default=False, db_comment="不履行")
    importance = models.CharField(
        "重要度", max_length=1, choices=Importance.choices, default=Importance.NORMAL, db_comment="重要度"
    )
    officer_name = models.CharField("担当氏名", max_length=60, db_comment="担当氏名")
    contact_kind = models.CharField(
        "内容区分", max_length=2, choices=ContactKind.choices, db_comment="内容区分"
    )
    document_code_1 = models.CharField("帳票コード1", max_length=20, blank=True, db_comment="帳票コード1")
    document_code_2 = models.CharField("帳票コード2", max_length=20, blank=True, db_comment="帳票コード2")
    created_on = models.DateField("作成日", db_comment="作成日")
    updated_on = models.DateField("更新日", db_comment="更新日")
    updated_time = models.TimeField("更新時間", db_comment="更新時間")
    staff_number = models.CharField("職員番号", max_length=20, db_comment="職員番号")
    terminal_number = models.CharField("端末番号", max_length=20, db_comment="端末番号")
    # Not Appendix-1 items: a record is never deleted, it is cancelled with a reason.
    cancelled_at = models.DateTimeField(
        "取消日時", null=True, blank=True, db_comment="取消日時（取消された記録）"
    )
    cancel_reason = models.CharField("取消理由", max_length=200, blank=True, db_comment="取消理由")
    promise_paid = models.BigIntegerField(
        "約束後の入金額", null=True, blank=True, db_comment="約束の判定時点で予実日までに入金された額"
    )

    history = tracked_history()

    objects = NegotiationQuerySet.as_manager()

    class Meta:
        verbose_name = "交渉記録"
        verbose_name_plural = "交渉記録"
        ordering = ["-input_date", "-input_time", "-record_number"]
        db_table_comment = "交渉記録ファイル"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(promised_amount__isnull=True) | models.Q(promised_amount__gt=0),
                name="negotiations_record_promise_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(cancelled_at__isnull=True) | ~models.Q(cancel_reason=""),
                name="negotiations_record_cancel_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["taxpayer", "-input_date"], name="negotiations_record_payer"),
            models.Index(fields=["scheduled_date", "result"], name="negotiations_record_schedule"),
        ]

    def __str__(self):
        return f"交渉記録 {self.record_number}"

    @property
    def is_promise(self) -> bool:
        return self.promised_amount is not None and self.scheduled_date is not None

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class InstallmentPledge(StampedModel):
    """分納誓約: the taxpayer's written promise to pay the covered installments in parts. It is an
    acknowledgement of the debt (承認, 民法第152条), which renews prescription."""

    class Status(models.TextChoices):
        ACTIVE = "active", "履行中"
        COMPLETED = "completed", "完了"
        BROKEN = "broken", "不履行"
        REVISED = "revised", "再誓約により終了"
        CANCELLED = "cancelled", "取消"

    class Interval(models.TextChoices):
        MONTHLY = "monthly", "毎月"
        CUSTOM = "custom", "日付を指定"

    taxpayer = models.ForeignKey(
        Taxpayer, on_delete=models.PROTECT, related_name="pledges", verbose_name="宛名", db_comment="宛名"
    )
    pledge_number = models.CharField("誓約番号", max_length=20, unique=True, db_comment="誓約番号")
    pledged_on = models.DateField("誓約日", db_comment="誓約日")
    assessments = models.ManyToManyField(Assessment, related_name="pledges", verbose_name="対象の調定")
    total_amount = models.BigIntegerField("誓約額", db_comment="誓約額（本税・督促手数料・延滞金見込の合計）")
    payment_count = models.PositiveSmallIntegerField("回数", db_comment="分納回数")  # its ScheduledPayments
    interval = models.CharField("間隔", max_length=10, choices=Interval.choices, db_comment="納付間隔")
    status = models.CharField(
        "状態", max_length=10, choices=Status.choices, default=Status.ACTIVE, db_comment="状態"
    )
    revises = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revised_by",
        verbose_name="再誓約前の誓約",
        db_comment="再誓約の場合、前の誓約",
    )
    broken_on = models.DateField("不履行日", null=True, blank=True, db_comment="不履行と判定した日")
    note = models.CharField("備考", max_length=200, blank=True, db_comment="備考")

    # The covered installments are set once, when the pledge is made; a 再誓約 is a new pledge.
    history = tracked_history()

    class Meta:
        verbose_name = "分納誓約"
        verbose_name_plural = "分納誓約"
        ordering = ["-pledged_on", "-id"]
        db_table_comment = "分納誓約"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total_amount__gt=0), name="negotiations_pledge_total_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(payment_count__gte=1), name="negotiations_pledge_count_positive"
            ),
        ]

    def __str__(self):
        return f"分納誓約 {self.pledge_number}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class ScheduledPayment(StampedModel):
    """分納予定: one scheduled payment (分納回, 第n回) of a 分納誓約 — never called an "installment",
    which in this codebase means only a 期別 (an Assessment). Rewritten only by a 再誓約, which makes
    a new pledge."""

    pledge = models.ForeignKey(
        InstallmentPledge, on_delete=models.PROTECT, related_name="schedule", db_comment="分納誓約"
    )
    sequence = models.PositiveSmallIntegerField("回", db_comment="何回目か")
    due_date = models.DateField("納付予定日", db_comment="納付予定日")
    amount = models.BigIntegerField("納付予定額", db_comment="納付予定額")
    projected_late_charge = models.BigIntegerField(
        "延滞金見込", default=0, db_comment="この日に納付した場合の延滞金見込（参考）"
    )

    history = tracked_history()

    class Meta:
        verbose_name = "分納予定"
        verbose_name_plural = "分納予定"
        ordering = ["pledge", "sequence"]
        db_table_comment = "分納誓約の納付予定"
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "sequence"], name="negotiations_scheduledpayment_one_per_sequence"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="negotiations_scheduledpayment_amount_positive"
            ),
        ]

    def __str__(self):
        return f"{self.pledge.pledge_number} 第{self.sequence}回"

    @property
    def sequence_text(self) -> str:
        return str(self.sequence)


class RefusedEdit(models.Model):
    """An edit refused because the record had changed since the editor opened it. Kept so that
    the record's history shows every attempt, the refused ones included, with what was typed."""

    record = models.ForeignKey(
        NegotiationRecord, on_delete=models.PROTECT, related_name="refused_edits", db_comment="交渉記録"
    )
    attempted_at = models.DateTimeField("日時", db_comment="日時")
    staff_number = models.CharField("職員番号", max_length=20, db_comment="修正しようとした職員番号")
    terminal_number = models.CharField("端末番号", max_length=20, db_comment="端末番号")
    expected_revision = models.PositiveIntegerField("編集開始時の履歴", db_comment="編集を始めたときの履歴")
    found_revision = models.PositiveIntegerField("保存時の履歴", db_comment="保存しようとしたときの履歴")
    attempted_values = models.JSONField("入力内容", db_comment="保存されなかった入力内容")

    class Meta:
        verbose_name = "保存されなかった修正"
        verbose_name_plural = "保存されなかった修正"
        ordering = ["-attempted_at"]
        db_table_comment = "同時編集で拒否された修正の記録"

    def __str__(self):
        return f"{self.record_id} {self.attempted_at:%Y-%m-%d %H:%M} {self.staff_number}"
