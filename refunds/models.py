"""過誤納金 and what becomes of them: 充当 to the same person's other arrears (地方税法第17条の2) or
還付 (第17条), each proposed by one officer and approved by another, with 還付加算金 (第17条の4)."""

from __future__ import annotations

from django.db import models

from taxpayers.models import Assessment, Payment, Taxpayer
from wako_collections.records import FourEyesRecord, StampedModel, four_eyes_constraint, tracked_history


class Overpayment(StampedModel):
    """One 過誤納金 of one person, whatever its source. Generic on purpose: a 取立 surplus, a
    double payment found by reconcile or a 減額更正 from the 調定 import all become a row here."""

    class Cause(models.TextChoices):
        # 地方税法第17条の4第1項の号 in `refunds.services.CAUSE_ARTICLES`.
        DOUBLE_PAYMENT = "double_payment", "二重納付（誤納）"
        AFTER_FULL_PAYMENT = "after_full_payment", "完納後の納付（誤納）"
        AFTER_PRESCRIPTION = "after_prescription", "時効完成後の納付（誤納）"
        AFTER_WRITE_OFF = "after_write_off", "欠損後の納付（誤納）"
        REDUCTION = "reduction", "減額更正・減額賦課決定（過納）"
        REDUCTION_ON_REQUEST = "reduction_on_request", "更正の請求に基づく更正（過納）"
        COLLECTION_SURPLUS = "collection_surplus", "取立・配当の残余"
        INTEREST_ON_APPROPRIATION = "interest_on_appropriation", "充当分の還付加算金"

    class Status(models.TextChoices):
        OPEN = "open", "未処理"
        SETTLED = "settled", "処理済"

    taxpayer = models.ForeignKey(
        Taxpayer,
        on_delete=models.PROTECT,
        related_name="overpayments",
        verbose_name="宛名",
        db_comment="宛名",
    )
    amount = models.BigIntegerField("過誤納金額", db_comment="過誤納金額（円）")
    cause = models.CharField("発生事由", max_length=32, choices=Cause.choices, db_comment="発生事由")
    arose_on = models.DateField(
        "発生日", db_comment="過誤納の生じた日（誤納・過納は納付日）。還付加算金の起算の基"
    )
    interest_from = models.DateField(
        "還付加算金起算日",
        null=True,
        blank=True,
        db_comment="還付加算金の計算の初日（地方税法第17条の4第1項各号の日の翌日）。空欄は加算なし",
    )
    source_assessment = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="overpayments",
        verbose_name="発生元の期別",
        db_comment="発生元の調定",
    )
    source_payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="overpayments",
        verbose_name="発生元の収納",
        db_comment="発生元の収納",
    )
    source_reference = models.CharField(
        "発生元", max_length=100, db_comment="発生元の記録（収納番号、取立・配当の番号など）"
    )
    status = models.CharField(
        "状態", max_length=8, choices=Status.choices, default=Status.OPEN, db_comment="状態"
    )

    history = tracked_history()

    class Meta:
        verbose_name = "過誤納金"
        verbose_name_plural = "過誤納金"
        db_table_comment = "過誤納金"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="refunds_overpayment_amount_positive"
            ),
            models.UniqueConstraint(
                fields=["source_payment", "cause"],
                condition=models.Q(source_payment__isnull=False),
                name="refunds_overpayment_once_per_payment",
            ),
            # A 取立's or a 配当計算書's surplus enters the queue once: its number is the reference.
            models.UniqueConstraint(
                fields=["source_reference"],
                condition=models.Q(cause="collection_surplus"),
                name="refunds_overpayment_once_per_collection",
            ),
        ]
        indexes = [models.Index(fields=["status", "taxpayer"], name="refunds_overpayment_queue")]

    def __str__(self):
        return f"過誤納金 {self.amount:,}円（{self.get_cause_display()}）"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Disposal(FourEyesRecord):
    """充当 or 還付 of (part of) one 過誤納金: proposed by one officer, approved by another (four eyes).
    A 充当 posts a 収納 (収納経路 充当) on the target installment when approved."""

    DRAFT_STATUS = "proposed"

    class Kind(models.TextChoices):
        APPROPRIATION = "appropriation", "充当"
        REFUND = "refund", "還付"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "起案中"
        APPROVED = "approved", "決裁済"
        WITHDRAWN = "withdrawn", "取下げ"

    class AccountType(models.TextChoices):
        ORDINARY = "1", "普通"
        CURRENT = "2", "当座"
        SAVINGS = "4", "貯蓄"

    number = models.CharField("番号", max_length=20, unique=True, db_comment="充当・還付の番号")
    overpayment = models.ForeignKey(
        Overpayment,
        on_delete=models.PROTECT,
        related_name="disposals",
        verbose_name="過誤納金",
        db_comment="過誤納金",
    )
    kind = models.CharField("区分", max_length=16, choices=Kind.choices, db_comment="充当・還付の区分")
    status = models.CharField(
        "状態", max_length=10, choices=Status.choices, default=Status.PROPOSED, db_comment="状態"
    )
    amount = models.BigIntegerField(
        "金額", db_comment="充当・還付する過誤納金の額（円、還付加算金を含まない）"
    )
    target_assessment = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appropriations",
        verbose_name="充当先の期別",
        db_comment="充当先の調定",
    )
    fit_on = models.DateField(
        "充当適状日",
        null=True,
        blank=True,
        db_comment="充当に適することとなった日（地方税法第17条の2、第17条の4第1項）",
    )
    decided_on = models.DateField(
        "充当日・支出決定日", null=True, blank=True, db_comment="充当をした日、または還付の支出を決定した日"
    )
    interest = models.BigIntegerField("還付加算金", default=0, db_comment="還付加算金（円）")
    payment = models.OneToOneField(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appropriation",
        verbose_name="充当の収納",
        db_comment="充当により計上した収納",
    )
    bank_name = models.CharField("金融機関名", max_length=60, blank=True, db_comment="振込先金融機関名")
    bank_code = models.CharField(
        "金融機関コード", max_length=4, blank=True, db_comment="金融機関コード（4桁）"
    )
    branch_name = models.CharField("支店名", max_length=60, blank=True, db_comment="振込先支店名")
    branch_code = models.CharField("支店コード", max_length=3, blank=True, db_comment="支店コード（3桁）")
    account_type = models.CharField(
        "預金種目", max_length=1, choices=AccountType.choices, blank=True, db_comment="預金種目"
    )
    account_number = models.CharField("口座番号", max_length=7, blank=True, db_comment="口座番号（7桁）")
    account_holder_kana = models.CharField(
        "口座名義（カナ）", max_length=60, blank=True, db_comment="口座名義（カナ）"
    )

    history = tracked_history()

    class Meta:
        verbose_name = "充当・還付"
        verbose_name_plural = "充当・還付"
        db_table_comment = "過誤納金の充当・還付"
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refunds_disposal_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(interest__gte=0), name="refunds_disposal_interest_not_negative"
            ),
            four_eyes_constraint("refunds_disposal_four_eyes"),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(decided_on__isnull=False),
                name="refunds_disposal_approved_dated",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="appropriation")
                | models.Q(target_assessment__isnull=False, fit_on__isnull=False),
                name="refunds_disposal_appropriation_has_target",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="refund")
                | (
                    models.Q(target_assessment__isnull=True)
                    & ~models.Q(bank_code="")
                    & ~models.Q(branch_code="")
                    & ~models.Q(account_type="")
                    & ~models.Q(account_number="")
                    & ~models.Q(account_holder_kana="")
                ),
                name="refunds_disposal_refund_has_account",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_proposed(self) -> bool:
        return self.is_draft
