"""The case page's own records: the pinned case memo (案件メモ) and its 付箋 flags.

Both are business records like the others (`wako_collections.records.StampedModel`: 作成日, 更新日,
更新時間, 職員番号, 宛名番号, 端末番号 and the version used as the optimistic lock) with
django-simple-history; they are written only through `cases.services` and never deleted — a flag is
taken off (外した日時・理由), a memo is emptied by an edit that stays in its history.
"""

from __future__ import annotations

from datetime import date

from django.db import models

from taxpayers.models import Taxpayer
from wako_collections.records import StampedModel, tracked_history


class CaseMemo(StampedModel):
    """案件メモ: what an officer must know before calling or visiting — one per taxpayer, pinned at
    the top of the case page. Every save is a version (`version`); an edit started from an older
    version is refused (`services.StaleMemoError`)."""

    taxpayer = models.OneToOneField(
        Taxpayer,
        on_delete=models.PROTECT,
        related_name="case_memo",
        verbose_name="宛名",
        db_comment="宛名",
    )
    workplace = models.CharField(
        "勤務先", max_length=200, blank=True, db_comment="勤務先（名称・所在・電話など）"
    )
    reachable_hours = models.CharField(
        "連絡可能時間", max_length=200, blank=True, db_comment="連絡可能時間（曜日・時間帯）"
    )
    cautions = models.TextField(
        "注意事項", max_length=2000, blank=True, db_comment="注意事項（暴言注意、訪問時の注意など）"
    )

    history = tracked_history()

    class Meta:
        verbose_name = "案件メモ"
        verbose_name_plural = "案件メモ"
        db_table_comment = "案件メモ（カルテの冒頭に固定表示）"

    def __str__(self):
        return f"案件メモ {self.taxpayer.atena_number}"

    @property
    def is_empty(self) -> bool:
        return not (self.workplace or self.reachable_hours or self.cautions)


class CaseFlagQuerySet(models.QuerySet):
    def shown_on(self, day: date):
        """Flags on the case page on `day`: not taken off, and their 終了日 not passed."""
        return self.filter(removed_at__isnull=True).filter(
            models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=day)
        )


class FlagKind(models.TextChoices):
    """付箋の種類 (the fixed list)."""

    ABUSIVE = "abusive", "暴言注意"
    VISIT_CAUTION = "visit_caution", "訪問注意"
    COUNTER_VISIT = "counter_visit", "来庁予定"
    CONSULTING = "consulting", "納付相談中"
    BANKRUPTCY = "bankruptcy", "破産・再生手続中"
    INHERITANCE = "inheritance", "相続調査中"
    ADDRESS_UNKNOWN = "address_unknown", "居所不明"
    OTHER = "other", "その他"


class CaseFlag(StampedModel):
    """付箋: a short flag on a case, of a kind from a fixed list, shown until its 終了日 (inclusive)
    or until an officer takes it off. Never deleted."""

    Kind = FlagKind

    taxpayer = models.ForeignKey(
        Taxpayer, on_delete=models.PROTECT, related_name="case_flags", verbose_name="宛名", db_comment="宛名"
    )
    kind = models.CharField("種類", max_length=20, choices=Kind.choices, db_comment="付箋の種類")
    text = models.CharField("内容", max_length=200, blank=True, db_comment="付箋の内容")
    ends_on = models.DateField(
        "終了日", null=True, blank=True, db_comment="この日まで表示する（空欄は外すまで）"
    )
    removed_at = models.DateTimeField("外した日時", null=True, blank=True, db_comment="付箋を外した日時")
    removed_reason = models.CharField("外した理由", max_length=200, blank=True, db_comment="付箋を外した理由")

    objects = CaseFlagQuerySet.as_manager()
    history = tracked_history()

    class Meta:
        verbose_name = "付箋"
        verbose_name_plural = "付箋"
        ordering = ["ends_on", "id"]
        db_table_comment = "カルテの付箋（種類・内容・終了日）"
        indexes = [models.Index(fields=["taxpayer", "removed_at"], name="cases_caseflag_taxpayer")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(removed_at__isnull=True) | ~models.Q(removed_reason=""),
                name="cases_caseflag_removed_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=FlagKind.values),
                name="cases_caseflag_kind_listed",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.text}".strip()

    def is_shown_on(self, day: date) -> bool:
        return self.removed_at is None and (self.ends_on is None or self.ends_on >= day)
