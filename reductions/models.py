"""条例減免 of 延滞金 (地方税法第20条の9の5第2項、市税条例の延滞金の減免の規定): 申請 → 決定 or 却下
(by a second person, four eyes) → 取消. One row per installment; the decided relief reaches the
延滞金 through `taxpayers.exemptions.exemption_periods_for`."""

from datetime import date

from django.db import models

from taxpayers.late_charges import FULL_SHARE, ReliefPeriod
from taxpayers.models import Assessment, Taxpayer
from wako_collections.records import StampedModel, tracked_history


class ReductionQuerySet(models.QuerySet):
    def effective_on(self, as_of: date) -> "ReductionQuerySet":
        """Decided (and not cancelled) by `as_of`: a ledger of an earlier day does not know it."""
        return self.filter(status=LateChargeReduction.Status.DECIDED, decided_on__lte=as_of)


class LateChargeReduction(StampedModel):
    class Status(models.TextChoices):
        APPLIED = "applied", "審査中"
        DECIDED = "decided", "減免決定"
        REJECTED = "rejected", "却下"
        CANCELLED = "cancelled", "取消"

    class Category(models.TextChoices):
        ALL = "all", "全額減免"
        SHARE = "share", "一部減免（割合）"
        AMOUNT = "amount", "一部減免（金額）"

    number = models.CharField("減免番号", max_length=20, unique=True, db_comment="減免番号（R+年+連番）")
    taxpayer = models.ForeignKey(
        Taxpayer, on_delete=models.PROTECT, related_name="late_charge_reductions", db_comment="宛名"
    )
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="late_charge_reductions", db_comment="調定（期別）"
    )
    status = models.CharField(
        "状態",
        max_length=10,
        choices=Status.choices,
        default=Status.APPLIED,
        db_comment="審査中・減免決定・却下・取消",
    )
    applied_on = models.DateField("申請日", db_comment="減免申請書を受け付けた日")
    reason = models.CharField("申請理由", max_length=300, db_comment="申請の理由（条例の減免事由）")
    requested_start = models.DateField(
        "申請期間の初日", null=True, blank=True, db_comment="減免を求める期間の初日"
    )
    requested_end = models.DateField(
        "申請期間の末日", null=True, blank=True, db_comment="減免を求める期間の末日"
    )
    requested_amount = models.BigIntegerField(
        "申請額", null=True, blank=True, db_comment="減免を求める額（円。期間によるときは空欄）"
    )
    drafted_by = models.CharField("受付者", max_length=20, db_comment="申請を受け付けた職員番号")
    drafted_terminal = models.CharField("受付端末", max_length=20, db_comment="申請を受け付けた端末番号")
    category = models.CharField(
        "減免区分",
        max_length=10,
        choices=Category.choices,
        blank=True,
        db_comment="全額・割合・金額（決定時）",
    )
    decided_share = models.PositiveIntegerField(
        "減免割合", null=True, blank=True, db_comment="減免する割合（0.01パーセント単位。10000が全額）"
    )
    decided_amount = models.BigIntegerField("減免額", null=True, blank=True, db_comment="減免する額（円）")
    decided_start = models.DateField("減免期間の初日", null=True, blank=True, db_comment="減免する期間の初日")
    decided_end = models.DateField("減免期間の末日", null=True, blank=True, db_comment="減免する期間の末日")
    decision_note = models.CharField("決定理由", max_length=300, blank=True, db_comment="決定又は却下の理由")
    decided_on = models.DateField("決定日", null=True, blank=True, db_comment="決定又は却下の日")
    decided_by = models.CharField(
        "決定者", max_length=20, blank=True, db_comment="決定した職員番号（監督者）"
    )
    decided_terminal = models.CharField("決定端末", max_length=20, blank=True, db_comment="決定した端末番号")
    cancelled_on = models.DateField("取消日", null=True, blank=True, db_comment="減免を取り消した日")
    cancellation_reason = models.CharField(
        "取消理由", max_length=300, blank=True, db_comment="取消の理由（偽りの申請など）"
    )
    cancelled_by = models.CharField(
        "取消者", max_length=20, blank=True, db_comment="取り消した職員番号（監督者）"
    )
    cancelled_terminal = models.CharField(
        "取消端末", max_length=20, blank=True, db_comment="取り消した端末番号"
    )

    history = tracked_history()
    objects = ReductionQuerySet.as_manager()

    class Meta:
        verbose_name = "延滞金の減免"
        verbose_name_plural = "延滞金の減免"
        ordering = ["-applied_on", "-id"]
        db_table_comment = "延滞金の条例減免（申請・決定・却下・取消）"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="applied") | ~models.Q(decided_by=models.F("drafted_by")),
                name="reductions_latechargereduction_four_eyes",
            ),
            models.CheckConstraint(
                condition=models.Q(status="applied")
                | (models.Q(decided_on__isnull=False) & ~models.Q(decided_by="")),
                name="reductions_latechargereduction_decided_by",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["decided", "cancelled"])
                | (
                    models.Q(category__in=["all", "share"])
                    & models.Q(decided_start__isnull=False, decided_end__isnull=False)
                    & models.Q(decided_share__gte=1, decided_share__lte=FULL_SHARE)
                    & models.Q(decided_end__gte=models.F("decided_start"))
                )
                | models.Q(category="amount", decided_amount__gte=1),
                name="reductions_latechargereduction_decision_complete",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled")
                | (
                    models.Q(cancelled_on__isnull=False)
                    & ~models.Q(cancellation_reason="")
                    & ~models.Q(cancelled_by="")
                ),
                name="reductions_latechargereduction_cancellation_complete",
            ),
            models.UniqueConstraint(
                fields=["assessment"],
                condition=models.Q(status__in=["applied", "decided"]),
                name="reductions_latechargereduction_one_standing",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.get_status_display()}"

    @property
    def decision_label(self) -> str:
        if self.category == self.Category.AMOUNT:
            return f"{self.decided_amount:,}円を減免"
        if self.category == self.Category.ALL:
            return "全額を減免"
        share = (self.decided_share or 0) / 100
        return f"{share:g}%を減免"

    def relief_period(self) -> ReliefPeriod | None:
        """The decided relief as the 延滞金 computation takes it; None for an amount (taken off the
        total: `decided_amount`)."""
        from taxpayers.exemptions import reduction_relief

        return reduction_relief(self)
