"""The taxpayer ledger: 宛名, 送付先, 調定 (one row per installment), 収納, and what reconciliation
derives from them; plus the import log and the log of who viewed which taxpayer.

Assessment's nine key columns are the same items Appendix 1 (1. 滞納処分ファイル) uses, so the
negotiation and disposition files can point at an installment by them.
"""

from datetime import date

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone

from taxpayers.settlement import PaymentStatus
from taxpayers.subjects import Subject
from wako_collections.eras import fiscal_year_label
from wako_collections.records import StampedModel, tracked_history


class TaxpayerQuerySet(models.QuerySet):
    def delinquent(self):
        """With a 滞納 期別 still collectible (`TaxpayerBalanceQuerySet.collectible`)."""
        return self.filter(balance__delinquent_installments__gt=0).filter(
            balance__delinquent_installments__gt=models.F("balance__time_barred_installments")
        )


class ShortGrams(models.Func):
    """taxpayers_short_grams(text) → text[]: every 1- and 2-character substring of a search key.
    The trigram indexes cannot serve a term of one or two characters (佐藤, サト, 南); an expression
    GIN index on this array can, exactly: a text contains a 1- or 2-character term if and only if
    the term is one of its short grams. The SQL function is created by migration
    taxpayers 0019 (IMMUTABLE plpgsql); its values are stored in Taxpayer's generated columns
    name_grams, kana_grams and address_grams, which carry the GIN indexes."""

    function = "taxpayers_short_grams"
    output_field = ArrayField(models.TextField())


class Taxpayer(StampedModel):
    """宛名. Never deleted; a 死亡 or 転出 is a 住民区分, not a removal."""

    class PersonType(models.TextChoices):
        INDIVIDUAL = "1", "個人"
        CORPORATION = "2", "法人"

    class Sex(models.TextChoices):
        MALE = "1", "男"
        FEMALE = "2", "女"
        OTHER = "9", "その他・不明"

    class ResidenceStatus(models.TextChoices):
        RESIDENT = "1", "住登内"
        NON_RESIDENT = "2", "住登外"
        MOVED_OUT = "3", "転出"
        DECEASED = "4", "死亡"

    atena_number = models.CharField("宛名番号", max_length=15, unique=True, db_comment="宛名番号")
    person_type = models.CharField(
        "個人法人区分",
        max_length=1,
        choices=PersonType.choices,
        default=PersonType.INDIVIDUAL,
        db_comment="個人法人区分",
    )
    name = models.CharField("氏名", max_length=100, db_comment="氏名（法人は名称）")
    name_kana = models.CharField("氏名カナ", max_length=200, db_comment="氏名カナ")
    sex = models.CharField("性別", max_length=1, choices=Sex.choices, blank=True, db_comment="性別")
    birth_date = models.DateField("生年月日", null=True, blank=True, db_comment="生年月日")
    postal_code = models.CharField("郵便番号", max_length=7, blank=True, db_comment="郵便番号（数字7桁）")
    address = models.CharField("住所", max_length=200, db_comment="住所")
    address_extra = models.CharField("方書", max_length=100, blank=True, db_comment="方書")
    phone = models.CharField("電話番号", max_length=20, blank=True, db_comment="電話番号")
    residence_status = models.CharField(
        "住民区分", max_length=1, choices=ResidenceStatus.choices, db_comment="住民区分"
    )
    district = models.CharField("地区", max_length=30, blank=True, db_comment="地区")
    support_measure = models.BooleanField(
        "支援措置対象",
        default=False,
        db_comment="住民基本台帳の支援措置（DV等支援措置）の対象者（住所を第三者に示さない）",
    )
    assigned_officer = models.ForeignKey(
        "accounts.Staff",
        verbose_name="担当",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_taxpayers",
        db_comment="担当職員",
        db_index=False,  # served by taxpayers_officer_payers (assigned_officer, id), its leading column
    )
    individual_number_ciphertext = models.TextField(
        "個人番号（暗号文）", blank=True, db_comment="個人番号（AES-256-GCMの暗号文。鍵IDつき）"
    )
    individual_number_digest = models.CharField(
        "個人番号（照合用）",
        max_length=64,
        blank=True,
        db_index=True,
        db_comment="個人番号の鍵つきHMAC（完全一致検索用）",
    )
    # Keys are text: NFKC may lengthen a registered value (㈱ → (株)), which must never fail an import.
    search_name = models.TextField("検索用氏名", db_comment="検索用に正規化した氏名（異体字をそろえたもの）")
    search_kana = models.CharField("検索用カナ", max_length=200, db_comment="検索用に正規化した氏名カナ")
    search_address = models.TextField(
        "検索用住所",
        blank=True,
        db_comment="検索用に正規化した住所（漢数字・丁目番号の表記と異体字をそろえたもの）",
    )
    phone_digits = models.CharField(
        "検索用電話番号", max_length=20, blank=True, db_comment="電話番号の数字のみ"
    )
    # The short grams of each key, stored (computed by PostgreSQL on every INSERT and UPDATE, bulk
    # and QuerySet.update() included): the planner keeps statistics of a column's array elements,
    # so it knows ヤマ is in 11 % of the city and walks the カナ order, testing each row's array,
    # where for a rare term it reads the GIN index; over the function alone it could do neither
    # well (issue 21). Never written by the application.
    name_grams = models.GeneratedField(
        expression=ShortGrams("search_name"),
        output_field=ArrayField(models.TextField()),
        db_persist=True,
        verbose_name="検索用氏名の1・2文字",
        db_comment="検索用氏名の1文字・2文字の部分文字列（短い検索語の索引用。自動計算）",
    )
    kana_grams = models.GeneratedField(
        expression=ShortGrams("search_kana"),
        output_field=ArrayField(models.TextField()),
        db_persist=True,
        verbose_name="検索用カナの1・2文字",
        db_comment="検索用カナの1文字・2文字の部分文字列（短い検索語の索引用。自動計算）",
    )
    address_grams = models.GeneratedField(
        expression=ShortGrams("search_address"),
        output_field=ArrayField(models.TextField()),
        db_persist=True,
        verbose_name="検索用住所の1・2文字",
        db_comment="検索用住所の1文字・2文字の部分文字列（短い検索語の索引用。自動計算）",
    )

    history = tracked_history(
        excluded_fields=[
            "individual_number_ciphertext",
            "individual_number_digest",
            "search_name",
            "search_kana",
            "search_address",
            "phone_digits",
            "name_grams",
            "kana_grams",
            "address_grams",
        ]
    )

    objects = TaxpayerQuerySet.as_manager()

    class Meta:
        verbose_name = "宛名"
        verbose_name_plural = "宛名"
        db_table_comment = "宛名（納税義務者）"
        indexes = [
            GinIndex(fields=["search_name"], name="taxpayers_name_trgm", opclasses=["gin_trgm_ops"]),
            GinIndex(fields=["search_kana"], name="taxpayers_kana_trgm", opclasses=["gin_trgm_ops"]),
            GinIndex(
                fields=["search_address"], name="taxpayers_search_address_trgm", opclasses=["gin_trgm_ops"]
            ),
            models.Index(fields=["birth_date"], name="taxpayers_birth_date"),
            # 滞納者一覧: the 地区 filter and its list of choices
            models.Index(fields=["district"], name="taxpayers_district"),
            # 滞納者一覧's totals for one 担当 (working_list.totals_of): the officer's 宛名 read from the
            # index alone and hashed against the stored 滞納 balances, instead of a heap probe of the
            # wide 宛名 row per delinquent taxpayer (issue 21: 99 → 30 ms p50 at 100,000 persons)
            models.Index(fields=["assigned_officer", "id"], name="taxpayers_officer_payers"),
            models.Index(
                fields=["phone_digits"], name="taxpayers_phone_digits", opclasses=["varchar_pattern_ops"]
            ),
            # Terms of one or two characters (taxpayers.search): see ShortGrams.
            GinIndex(fields=["name_grams"], name="taxpayers_name_short_grams"),
            GinIndex(fields=["kana_grams"], name="taxpayers_kana_short_grams"),
            GinIndex(fields=["address_grams"], name="taxpayers_address_short_grams"),
            # The search list's order (taxpayers.search): a term that matches thousands (和光市,
            # 048) is served by walking this index and stopping at the page, not by sorting
            # every match.
            models.Index(fields=["search_kana", "atena_number"], name="taxpayers_search_order"),
        ]

    def __str__(self):
        return f"{self.name}（{self.atena_number}）"

    @property
    def has_individual_number(self) -> bool:
        return bool(self.individual_number_ciphertext)

    def case_context(self) -> list[str]:
        """What makes this taxpayer a 滞納整理 case, in words ("滞納 2期", "交渉記録 3件", …); empty
        when there is none, and then the 個人番号 may not be shown (番号法: only for the collection
        work). Reads the reconciled balance and the case files of the apps that reference the
        taxpayer, through their reverse relations: at most five count queries."""
        context = []
        balance = TaxpayerBalance.objects.filter(taxpayer=self).first()
        if balance and balance.delinquent_installments:
            context.append(f"滞納 {balance.delinquent_installments}期")
        elif balance and (balance.outstanding_principal or balance.outstanding_fee or balance.late_charge):
            context.append("未納あり")
        for label, related in (
            ("交渉記録", "negotiation_records"),
            ("分納誓約", "pledges"),
            ("滞納処分", "dispositions"),
            ("照会", "inquiries"),
        ):
            count = getattr(self, related).count()
            if count:
                context.append(f"{label} {count}件")
        return context


class MailingAddress(StampedModel):
    """送付先: where letters go instead of the 住所, for a period."""

    taxpayer = models.ForeignKey(
        Taxpayer, on_delete=models.PROTECT, related_name="mailing_addresses", db_comment="宛名"
    )
    recipient_name = models.CharField("送付先氏名", max_length=100, db_comment="送付先氏名")
    postal_code = models.CharField("送付先郵便番号", max_length=7, blank=True, db_comment="送付先郵便番号")
    address = models.CharField("送付先住所", max_length=200, db_comment="送付先住所")
    address_extra = models.CharField("送付先方書", max_length=100, blank=True, db_comment="送付先方書")
    valid_from = models.DateField("有効開始日", db_comment="有効開始日")
    valid_to = models.DateField("有効終了日", null=True, blank=True, db_comment="有効終了日（空欄は無期限）")

    history = tracked_history()

    class Meta:
        verbose_name = "送付先"
        verbose_name_plural = "送付先"
        db_table_comment = "送付先"
        constraints = [
            models.UniqueConstraint(
                fields=["taxpayer", "valid_from"], name="taxpayers_mailingaddress_one_per_start"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="taxpayers_mailingaddress_period_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.recipient_name} {self.address}"


_SUBJECT_LABELS = {code: str(label) for code, label in Subject.choices}


class AssessmentQuerySet(models.QuerySet):
    def outstanding(self):
        return self.filter(balance__status=InstallmentBalance.Status.DELINQUENT)


ASSESSMENT_KEY_FIELDS = (
    "subject_code",
    "subject_detail_code",
    "calculating_body_code",
    "installment_body_code",
    "inside_outside_code",
    "assessment_year",
    "tax_year",
    "notice_number",
    "logical_period",
)


class Assessment(StampedModel):
    """調定: one installment (期別) of one notice. Its nine keys are Appendix 1's items."""

    class InsideOutside(models.TextChoices):
        INSIDE = "1", "団体内"
        OUTSIDE = "2", "団体外"

    # No index of its own: (taxpayer, due_date) below serves every lookup by taxpayer, and one index
    # fewer is one fewer to write for each imported or corrected (更正) 調定 (issue 21).
    taxpayer = models.ForeignKey(
        Taxpayer,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name="宛名",
        db_comment="宛名",
        db_index=False,
    )
    subject_code = models.CharField(
        "科目コード", max_length=2, choices=Subject.choices, db_comment="科目コード"
    )
    subject_detail_code = models.CharField("科目詳細コード", max_length=4, db_comment="科目詳細コード")
    calculating_body_code = models.CharField("算定団体コード", max_length=6, db_comment="算定団体コード")
    installment_body_code = models.CharField("期割団体コード", max_length=6, db_comment="期割団体コード")
    inside_outside_code = models.CharField(
        "団体内外区分", max_length=1, choices=InsideOutside.choices, db_comment="団体内外区分"
    )
    assessment_year = models.PositiveSmallIntegerField("調定年度", db_comment="調定年度（西暦）")
    tax_year = models.PositiveSmallIntegerField("年度分", db_comment="年度分（西暦）")
    notice_number = models.CharField("通知書番号", max_length=20, db_comment="通知書番号")
    logical_period = models.PositiveSmallIntegerField("論理期別", db_comment="論理期別")
    due_date = models.DateField("納期限", db_comment="納期限")
    statutory_due_date = models.DateField("法定納期限", db_comment="法定納期限")
    principal = models.BigIntegerField("調定額（本税）", db_comment="調定額（本税、円）")
    demand_issued_on = models.DateField("督促状発付日", null=True, blank=True, db_comment="督促状発付日")
    demand_fee = models.BigIntegerField("督促手数料", default=0, db_comment="督促手数料（円）")
    filing_deadline_extended = models.BooleanField(
        "申告期限の延長",
        default=False,
        db_comment="申告期限の延長の有無（法人市民税。ありのとき納期限は延長された申告期限、法定納期限は延長前の期限）",
    )

    history = tracked_history()

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = "調定"
        verbose_name_plural = "調定"
        db_table_comment = "調定（期別ごと）"
        constraints = [
            models.UniqueConstraint(fields=ASSESSMENT_KEY_FIELDS, name="taxpayers_assessment_natural_key"),
            models.CheckConstraint(
                condition=models.Q(principal__gte=0), name="taxpayers_assessment_principal_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(demand_fee__gte=0), name="taxpayers_assessment_fee_not_negative"
            ),
            # 申告期限の延長 is a 法人市民税 matter (地方税法第321条の8), and the extended deadline
            # (納期限) comes after the 法定納期限 it extends.
            models.CheckConstraint(
                condition=models.Q(filing_deadline_extended=False)
                | models.Q(subject_code=Subject.CORPORATE_TAX, due_date__gt=models.F("statutory_due_date")),
                name="taxpayers_assessment_extension_corporate_after_due",
            ),
        ]
        indexes = [
            models.Index(fields=["taxpayer", "due_date"], name="taxpayers_assessment_payer_due"),
            models.Index(fields=["notice_number"], name="taxpayers_assessment_notice"),
        ]

    def __str__(self):
        # as get_subject_code_display(), without Django rebuilding the choices' dict on every call:
        # a ledger, a timeline or a candidate list names hundreds of installments
        subject = _SUBJECT_LABELS.get(self.subject_code, self.subject_code)
        return f"{subject} {fiscal_year_label(self.tax_year)}分 通知書{self.notice_number} 第{self.logical_period}期"

    @property
    def key(self) -> tuple:
        return tuple(getattr(self, name) for name in ASSESSMENT_KEY_FIELDS)

    @property
    def late_charge_extended_from(self) -> date | None:
        """法定納期限 when 納期限 is a filing deadline extended from it: the days between bear the
        extension-period 延滞金 (地方税法第327条); None otherwise. Every 延滞金 of this installment
        passes it to `late_charges.compute_late_charge` (through `settlement.settle`)."""
        return self.statutory_due_date if self.filing_deadline_extended else None


class PrescriptionEvent(StampedModel):
    """An event that renews or suspends an installment's 時効 (地方税法第18条の2, 民法第147条以下),
    with the record it came from — or that decides whether a 督促・催告 took effect at all (its
    document returned undelivered, or served by 公示送達: `prescription.served`). The installment's standing (taxpayers/standing.py) computes the
    時効予定日 from them; they are recorded only through `services.record_prescription_event`."""

    class Kind(models.TextChoices):
        DEMAND = "demand", "督促"
        ACKNOWLEDGEMENT = "acknowledgement", "承認"
        SEIZURE = "seizure", "差押"
        SEIZURE_ENDED = "seizure_ended", "差押の終了"
        DELIVERY_REQUEST = "delivery_request", "交付要求"
        DELIVERY_REQUEST_ENDED = "delivery_request_ended", "交付要求の終了"
        SEIZURE_VOIDED = "seizure_voided", "差押の取消（誤り）"
        DELIVERY_REQUEST_VOIDED = "delivery_request_voided", "交付要求の取消（誤り）"
        NOTICE = "notice", "催告"
        POSTPONEMENT = "postponement", "徴収・換価の猶予"
        POSTPONEMENT_ENDED = "postponement_ended", "猶予の終了"
        # 送達 of the document whose 督促・催告 has the same source (prescription.served)
        NOT_DELIVERED = "not_delivered", "返戻（不送達）"
        DEEMED_SERVED = "deemed_served", "公示送達（送達とみなす日）"

    assessment = models.ForeignKey(
        "Assessment",
        on_delete=models.PROTECT,
        related_name="prescription_events",
        verbose_name="調定",
        db_comment="調定",
    )
    kind = models.CharField(
        "事由", max_length=30, choices=Kind.choices, db_comment="時効の更新・完成猶予の事由"
    )
    occurred_on = models.DateField("発生日", db_comment="事由の発生日")
    source = models.CharField(
        "根拠記録", max_length=100, db_comment="事由の根拠となった記録（例: 分納誓約 B2026000001）"
    )

    history = tracked_history()

    class Meta:
        verbose_name = "時効事由"
        verbose_name_plural = "時効事由"
        ordering = ["assessment", "occurred_on", "id"]
        db_table_comment = "時効の更新・完成猶予の事由"
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "kind", "occurred_on", "source"],
                name="taxpayers_prescriptionevent_once",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.occurred_on}（{self.source}）"


class Payment(StampedModel):
    """収納: money received for one installment, as the city's receipts system reports it."""

    class Channel(models.TextChoices):
        COUNTER = "1", "窓口"
        BANK = "2", "金融機関"
        DIRECT_DEBIT = "3", "口座振替"
        CONVENIENCE_STORE = "4", "コンビニ"
        EL_QR = "5", "eL-QR"
        # 国税徴収法第67条第3項: money collected from a seized claim counts as paid by the taxpayer.
        # Posted by staff (dispositions.services.record_collection), never imported.
        COLLECTION = "6", "取立"
        # 国税徴収法第129条: the city's share of a 配当計算書 (dispositions.services.approve_distribution).
        DISTRIBUTION = "7", "配当"
        # 地方税法第17条の2: 過誤納金の充当, posted by refunds.services, never imported.
        APPROPRIATION = "8", "充当"
        OTHER = "9", "その他"

    @classmethod
    def imported_channels(cls) -> list[tuple[str, str]]:
        """The 収納経路 a 収納 CSV may carry: not 取立 or 配当, which only staff post (with an Actor,
        from the disposition they come from)."""
        return [(value, label) for value, label in cls.Channel.choices if value not in STAFF_POSTED_CHANNELS]

    receipt_number = models.CharField(
        "収納番号", max_length=30, unique=True, db_comment="収納番号（収納システムの一意の番号）"
    )
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="payments", verbose_name="調定", db_comment="調定"
    )
    received_on = models.DateField("収納日", db_comment="収納日")
    accounted_on = models.DateField("日計日", db_comment="日計日")
    amount = models.BigIntegerField("金額", db_comment="金額（円）")
    channel = models.CharField("収納経路", max_length=1, choices=Channel.choices, db_comment="収納経路")

    history = tracked_history()

    class Meta:
        verbose_name = "収納"
        verbose_name_plural = "収納"
        db_table_comment = "収納"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="taxpayers_payment_amount_positive"
            ),
        ]
        indexes = [models.Index(fields=["assessment", "received_on"], name="taxpayers_payment_installment")]

    def __str__(self):
        return f"{self.received_on} {self.amount:,}円"


STAFF_POSTED_CHANNELS = {
    Payment.Channel.COLLECTION,
    Payment.Channel.DISTRIBUTION,
    Payment.Channel.APPROPRIATION,
}


class InstallmentBalance(models.Model):
    """Derived by `reconcile` from an installment and its payments; rebuilt, never edited.
    Not a record of its own, so it has no history: the assessment and payments do."""

    Status = PaymentStatus  # the one code set (taxpayers/settlement.py)

    # No database foreign key: every row is produced from a join with its assessment, assessments
    # are never deleted, and a full rebuild would otherwise check millions of references at commit.
    assessment = models.OneToOneField(
        Assessment,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        related_name="balance",
        db_constraint=False,
        db_comment="調定",
    )
    paid_principal = models.BigIntegerField("収納額（本税）", db_comment="本税への充当額")
    paid_fee = models.BigIntegerField("収納額（督促手数料）", db_comment="督促手数料への充当額")
    paid_late_charge = models.BigIntegerField("収納額（延滞金）", db_comment="延滞金への充当額")
    outstanding_principal = models.BigIntegerField("未納額（本税）", db_comment="未納本税")
    outstanding_fee = models.BigIntegerField("未納額（督促手数料）", db_comment="未納督促手数料")
    late_charge = models.BigIntegerField(
        "延滞金", db_comment="未納延滞金（確定分、または基準日までの見込み）"
    )
    status = models.CharField(
        "状態", max_length=12, choices=Status.choices, db_comment="未到来・納期内・滞納・完納・欠損"
    )
    base_prescription_date = models.DateField(
        "時効予定日（更新前）", db_comment="更新・完成猶予の前の時効予定日（法定納期限の翌日から起算）"
    )
    prescription_date = models.DateField(
        "時効予定日",
        null=True,
        db_comment="督促・承認・差押等による更新後の時効予定日（taxpayers.standing）。差押・交付要求・猶予の間は空",
    )
    last_received_on = models.DateField("最終収納日", null=True, db_comment="最終収納日")
    # The installment's taxpayer, copied by reconcile so the near-時効 lists read one index range
    # (status, 時効予定日 → 宛名) without joining each installment to its 調定.
    taxpayer = models.ForeignKey(
        "Taxpayer",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name="宛名",
        db_comment="調定の宛名（reconcile が調定から写す。時効が近い一覧の索引用）",
    )
    # The installment's 納期限, copied by reconcile like the taxpayer: the 督促 window (納期限 within
    # the last 20 days) is one range of the (status, 納期限) index instead of a probe into each
    # delinquent installment's 調定.
    due_date = models.DateField(
        "納期限", db_comment="調定の納期限（reconcile が調定から写す。督促状の一括発行の索引用）"
    )
    # The last day to which this row holds on the same inputs (`Standing.steady_through`): the
    # daily reconcile computes a 滞納 installment again only after it, or when its inputs change.
    steady_through = models.DateField(
        "残高不変の期限",
        null=True,
        db_comment=(
            "入力が変わらない限り残高が変わらない最後の日（延滞金が次の100円に達する日の前日、遅くとも時効予定日。"
            "時効完成後は上限なし）。空は毎日再計算"
        ),
    )

    class Meta:
        verbose_name = "期別残高"
        verbose_name_plural = "期別残高"
        db_table_comment = "消込結果（期別ごと。reconcile が再計算する）"
        indexes = [
            models.Index(fields=["status", "base_prescription_date"], name="taxpayers_balance_status"),
            # the near-時効 lists (わたしの仕事, 全職員の仕事, 時効が近い期別): delinquent, renewed date in a window
            # — read from the index alone: ordered by (date, 調定) for the page, with the taxpayer
            models.Index(
                fields=["status", "prescription_date", "assessment"],
                include=["taxpayer"],
                name="taxpayers_balance_renewed",
            ),
            # 督促状の一括発行: delinquent, 納期限 in the 督促 window
            models.Index(fields=["status", "due_date"], name="taxpayers_balance_due"),
        ]

    def __str__(self):
        return f"{self.assessment_id} {self.get_status_display()}"


class SettledInputs(models.Model):
    """Derived by `reconcile`, like InstallmentBalance: for an installment whose standing was computed
    in Python and found to owe nothing (完納), a digest of everything that standing was computed from —
    the 調定's columns, its payments up to the day, its 時効 events, the rules (the source of the
    modules and the data files that compute a standing, the latest taxpayers migration) — and of the
    balance row written from it. While the digest of the same things on a later day is equal, the
    stored balance is that day's too (nothing owed: no 延滞金 accrues, the status cannot move) and
    reconcile does not compute it again. No history: nothing here is a record of its own."""

    assessment = models.OneToOneField(
        Assessment,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        related_name="+",
        db_constraint=False,
        db_comment="調定",
    )
    signature = models.UUIDField(
        "入力の要約", db_comment="完納と計算した時の入力（調定・収納・時効事由・規則）と結果の md5"
    )

    class Meta:
        verbose_name = "完納期別の計算入力"
        verbose_name_plural = "完納期別の計算入力"
        db_table_comment = "消込で完納と計算した期別の入力の要約（reconcile が再計算を省くため）"

    def __str__(self):
        return f"{self.assessment_id} {self.signature}"


class WriteOffReason(models.TextChoices):
    """不納欠損の事由: why the claim was extinguished, each with its article (`WRITE_OFF_ARTICLES`)."""

    PRESCRIPTION = "prescription", "時効完成"
    SUSPENSION_THREE_YEARS = "suspension_3y", "執行停止3年継続"
    IMMEDIATE_EXTINCTION = "immediate", "即時消滅"


WRITE_OFF_ARTICLES = {
    WriteOffReason.PRESCRIPTION: "地方税法第18条第1項",
    WriteOffReason.SUSPENSION_THREE_YEARS: "地方税法第15条の7第4項",
    WriteOffReason.IMMEDIATE_EXTINCTION: "地方税法第15条の7第5項",
}


class WrittenOff(StampedModel):
    """欠損: the recorded fact that an installment was written off (不納欠損) by an approved
    resolution — its 欠損日, 事由, 条項, the day the claim was extinguished and the amounts that left
    the ledger. Nothing is deleted: the assessment and its payments stay; `reconcile` reads this row
    and gives the balance the status 欠損, so the installment leaves letters, queues, the
    滞納者一覧 and the outstanding totals, and the ledger shows a payment after the claim was
    extinguished as 過誤納. Written only by `dispositions.writeoffs.approve_writeoff_run`."""

    assessment = models.OneToOneField(
        Assessment,
        on_delete=models.PROTECT,
        related_name="written_off",
        verbose_name="調定",
        db_comment="調定",
    )
    written_off_on = models.DateField("欠損日", db_comment="不納欠損の決議（決裁）日")
    fiscal_year = models.PositiveSmallIntegerField(
        "欠損年度", db_comment="不納欠損を計上した会計年度（西暦。出納閉鎖前の決議はその前年度）"
    )
    reason = models.CharField(
        "欠損事由", max_length=16, choices=WriteOffReason.choices, db_comment="不納欠損の事由"
    )
    article = models.CharField("根拠条項", max_length=40, db_comment="根拠条項（例: 地方税法第18条第1項）")
    extinguished_on = models.DateField("消滅日", db_comment="徴収権（納付義務）が消滅した日")
    principal = models.BigIntegerField("欠損額（本税）", db_comment="欠損額（本税、円）")
    demand_fee = models.BigIntegerField("欠損額（督促手数料）", db_comment="欠損額（督促手数料、円）")
    late_charge = models.BigIntegerField("欠損額（延滞金）", db_comment="欠損額（延滞金、円）")
    source = models.CharField("決議番号", max_length=20, db_comment="不納欠損決議の番号")
    cancelled_on = models.DateField(
        "欠損取消日",
        null=True,
        blank=True,
        db_comment="不納欠損の取消（決裁）日。徴収権が消滅していなかったと判明したとき。空なら有効",
    )
    cancellation_source = models.CharField(
        "欠損取消番号", max_length=20, blank=True, db_comment="不納欠損の取消の番号"
    )

    history = tracked_history()

    def in_force_on(self, day) -> bool:
        """Written off by `day` and not cancelled by then."""
        return self.written_off_on <= day and (self.cancelled_on is None or self.cancelled_on > day)

    class Meta:
        verbose_name = "不納欠損"
        verbose_name_plural = "不納欠損"
        db_table_comment = "不納欠損（期別ごとの欠損の記録。削除しない）"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(principal__gte=0, demand_fee__gte=0, late_charge__gte=0),
                name="taxpayers_writtenoff_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(extinguished_on__lte=models.F("written_off_on")),
                name="taxpayers_writtenoff_extinguished_before_write_off",
            ),
            models.CheckConstraint(
                condition=models.Q(cancelled_on__isnull=True)
                | models.Q(cancelled_on__gte=models.F("written_off_on"), cancellation_source__gt=""),
                name="taxpayers_writtenoff_cancelled_after_write_off",
            ),
        ]

    def __str__(self):
        return f"{self.assessment_id} {self.get_reason_display()} {self.written_off_on}"

    @property
    def total(self) -> int:
        return self.principal + self.demand_fee + self.late_charge


class TaxpayerBalanceQuerySet(models.QuerySet):
    def collectible(self):
        """The taxpayers with a 滞納 期別 that can still be collected: one whose every 滞納 期別 is
        時効完成 (extinguished, 地方税法第18条: 不納欠損's business) is not delinquent. The condition
        `delinquent_installments > 0` stays written so the partial indexes serve the query."""
        return self.filter(delinquent_installments__gt=0).filter(
            delinquent_installments__gt=models.F("time_barred_installments")
        )

    def time_barred_only(self):
        """The taxpayers whose only 滞納 期別 are 時効完成: shown apart, never as delinquent."""
        return self.filter(
            delinquent_installments__gt=0, delinquent_installments=models.F("time_barred_installments")
        )


class TaxpayerBalance(models.Model):
    """Derived per taxpayer by `reconcile`: totals for the delinquent list. A taxpayer is delinquent
    while something of it can be collected (`objects.collectible()`), not while 時効完成 期別 remain."""

    taxpayer = models.OneToOneField(
        Taxpayer,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        related_name="balance",
        db_constraint=False,  # derived, like InstallmentBalance
        db_comment="宛名",
    )
    outstanding_principal = models.BigIntegerField("未納本税", db_comment="未納本税の合計")
    outstanding_fee = models.BigIntegerField("未納督促手数料", db_comment="未納督促手数料の合計")
    late_charge = models.BigIntegerField("延滞金", db_comment="延滞金の合計（基準日現在）")
    delinquent_installments = models.IntegerField("滞納期別数", db_comment="滞納している期別の数")
    oldest_due_date = models.DateField(
        "最古納期限", null=True, db_comment="滞納している期別（時効完成を除く）の最も古い納期限"
    )
    earliest_prescription_date = models.DateField(
        "最短時効予定日", null=True, db_comment="滞納期別の最も近い時効予定日"
    )
    # 滞納者一覧's 科目・年度分 filter reads these instead of every installment of each taxpayer
    delinquent_subjects = ArrayField(
        models.CharField(max_length=10),
        verbose_name="滞納科目",
        default=list,
        blank=True,
        db_comment="滞納している期別の科目コード（昇順、重複なし）",
    )
    delinquent_tax_years = ArrayField(
        models.IntegerField(),
        verbose_name="滞納年度分",
        default=list,
        blank=True,
        db_comment="滞納している期別の年度分（昇順、重複なし）",
    )
    delinquent_subject_years = ArrayField(
        models.CharField(max_length=16),
        verbose_name="滞納科目・年度分",
        default=list,
        blank=True,
        db_comment="滞納している期別の「科目コード:年度分」（例 01:2024。昇順、重複なし）",
    )
    # Of the totals above, what is 時効完成 on the day reconciled to (its renewed 時効予定日 passed: the
    # standing's TIME_BARRED, 地方税法第18条) — shown apart, not collectible (taxpayers.working_list)
    time_barred_installments = models.IntegerField(
        "時効完成期別数", default=0, db_comment="滞納期別のうち基準日に時効が完成している期別の数"
    )
    time_barred_principal = models.BigIntegerField(
        "時効完成の未納本税", default=0, db_comment="時効完成の期別の未納本税の合計"
    )
    time_barred_fee = models.BigIntegerField(
        "時効完成の未納督促手数料", default=0, db_comment="時効完成の期別の未納督促手数料の合計"
    )
    time_barred_late_charge = models.BigIntegerField(
        "時効完成の延滞金", default=0, db_comment="時効完成の期別の延滞金の合計（時効完成日まで）"
    )
    # What the 滞納者一覧 sorts and bounds by 未納本税, the queues rank by and the lists show: the 本税
    # that can still be collected. A taxpayer with 時効完成 期別 beside collectible ones is not ranked
    # or selected by an amount it can no longer be asked for. Computed by PostgreSQL, never written.
    collectible_principal = models.GeneratedField(
        expression=models.F("outstanding_principal") - models.F("time_barred_principal"),
        output_field=models.BigIntegerField(),
        db_persist=True,
        verbose_name="未納本税（時効完成を除く）",
        db_comment="未納本税の合計から時効完成の期別の未納本税を除いた額（徴収できる本税。自動計算）",
    )

    objects = TaxpayerBalanceQuerySet.as_manager()

    class Meta:
        verbose_name = "宛名別残高"
        verbose_name_plural = "宛名別残高"
        db_table_comment = "宛名別の滞納額（reconcile が再計算する）"
        indexes = [
            models.Index(
                fields=["-collectible_principal"],
                name="taxpayers_payerbal_collect",
                condition=models.Q(delinquent_installments__gt=0),
            ),
            # 滞納者一覧: sorted or bounded by the renewed 時効予定日 and by the oldest 納期限
            models.Index(
                fields=["earliest_prescription_date"],
                name="taxpayers_payerbal_renewed",
                condition=models.Q(delinquent_installments__gt=0),
            ),
            models.Index(
                fields=["oldest_due_date"],
                name="taxpayers_payerbal_oldest",
                condition=models.Q(delinquent_installments__gt=0),
            ),
        ]

    def __str__(self):
        return f"{self.taxpayer_id} {self.outstanding_principal:,}円"

    @property
    def total(self) -> int:
        """未納本税 + 督促手数料 + 延滞金, integer yen, 時効完成 期別 included (see `collectible_totals`)."""
        return self.outstanding_principal + self.outstanding_fee + self.late_charge

    @property
    def collectible_totals(self):
        """What can still be collected: `working_list.collectible` (the totals less the 時効完成 期別'
        amounts, which it holds apart). Reads the `time_barred_*` fields: load them."""
        from taxpayers.working_list import collectible

        return collectible(self)


class ChangedInputs(models.Model):
    """What `reconcile`'s daily run computes beside what moves with the day: the installments whose
    inputs changed since their balance was computed. Written by PostgreSQL triggers (migration
    0025_changed_inputs), never by Python, on every INSERT, UPDATE and DELETE of the 調定, its 収納,
    its 時効 events, its 欠損 and the rows that relieve its 延滞金 (dispositions' DispositionRow,
    reductions' LateChargeReduction) — an ORM save, `QuerySet.update()`, a bulk write and an
    import's set-based SQL alike. One row per installment, day and statement (no unique key:
    appending takes no lock, so concurrent writers never wait for each other or for reconcile).
    `effective_on`: empty for "now"; a change to a dated row is marked for each of its days too (a
    収納's 領収日, a 欠損's day and its cancellation's), so a change dated ahead of a run's 基準日 is
    left for the run that reaches its day. A run takes (deletes) the rows due by its 基準日 of what
    it computes. No history: derived, like the balances."""

    assessment_id = models.BigIntegerField("調定", db_comment="入力が変わった調定（期別）の id")
    effective_on = models.DateField(
        "効力発生日", null=True, db_comment="変更が効力を持つ日（空欄: 直ちに。先日付の収納などはその日）"
    )

    class Meta:
        verbose_name = "入力が変わった期別"
        verbose_name_plural = "入力が変わった期別"
        db_table_comment = (
            "消込の日次実行が再計算する期別（調定・収納・時効事由・欠損・減免の変更をトリガーが記録）"
        )

    def __str__(self):
        return f"{self.assessment_id} {self.effective_on or '直ちに'}"


class ReconcileRun(models.Model):
    """One run of `reconcile`: the day it settled to, when, and how much changed."""

    class Scope(models.TextChoices):
        ALL = "all", "全件"
        DAILY = "diff", "日次（変更のあった期別と、延滞金・状態が日々変わる期別）"
        SOME = "some", "取込分"

    as_of = models.DateField("基準日", db_comment="消込の基準日")
    started_at = models.DateTimeField("開始日時", db_comment="開始日時")
    finished_at = models.DateTimeField("終了日時", db_comment="終了日時")
    scope = models.CharField(
        "範囲", max_length=4, choices=Scope.choices, db_comment="全件、日次の差分、または取込で変わった期別"
    )
    installments = models.IntegerField("対象期別数", db_comment="対象の期別数")
    changed = models.IntegerField("変更期別数", db_comment="結果が変わった期別数")
    rules = models.CharField(
        "計算規則の要約",
        max_length=80,
        blank=True,
        default="",
        db_comment="この実行が期別を計算した規則（計算するモジュール・率表・最新の移行）の要約",
    )

    class Meta:
        verbose_name = "消込の実行"
        verbose_name_plural = "消込の実行"
        ordering = ["-finished_at", "-id"]
        db_table_comment = "消込（reconcile）の実行記録"

    def __str__(self):
        return f"{self.as_of} {self.get_scope_display()}"


class ImportLog(models.Model):
    """What is left of an import once its file is deleted: who, when, which file, what happened."""

    class Kind(models.TextChoices):
        PERSONS = "persons", "宛名"
        ASSESSMENTS = "assessments", "調定"
        PAYMENTS = "payments", "収納"

    class Result(models.TextChoices):
        RUNNING = "running", "実行中"
        SUCCEEDED = "succeeded", "取込完了"
        REJECTED = "rejected", "エラーのため取込なし"
        FAILED = "failed", "異常終了（取込なし）"

    kind = models.CharField("種別", max_length=12, choices=Kind.choices, db_comment="種別")
    file_name = models.CharField("ファイル名", max_length=255, db_comment="ファイル名")
    sha256 = models.CharField("SHA-256", max_length=64, db_comment="ファイルのSHA-256")
    staff_number = models.CharField("職員番号", max_length=20, db_comment="実行した職員番号")
    terminal_number = models.CharField("端末番号", max_length=20, db_comment="実行した端末番号")
    started_at = models.DateTimeField("開始日時", default=timezone.now, db_comment="開始日時")
    finished_at = models.DateTimeField("終了日時", null=True, blank=True, db_comment="終了日時")
    result = models.CharField(
        "結果", max_length=10, choices=Result.choices, default=Result.RUNNING, db_comment="結果"
    )
    phase = models.CharField("処理段階", max_length=40, blank=True, db_comment="処理段階（進捗表示用）")
    rows_total = models.IntegerField("行数", default=0, db_comment="データ行数")
    rows_checked = models.IntegerField("検証済み行数", default=0, db_comment="検証済みの行数（進捗表示用）")
    rows_created = models.IntegerField("新規", default=0, db_comment="新規登録した行数")
    rows_updated = models.IntegerField("更新", default=0, db_comment="更新した行数")
    rows_unchanged = models.IntegerField("変更なし", default=0, db_comment="変更のなかった行数")
    error_count = models.IntegerField("エラー件数", default=0, db_comment="エラー件数")
    errors = models.JSONField(
        "エラー", default=list, blank=True, db_comment="エラー（行・列・内容。先頭1,000件）"
    )
    file_deleted_at = models.DateTimeField(
        "ファイル削除日時", null=True, blank=True, db_comment="取込ファイルを削除した日時"
    )

    class Meta:
        verbose_name = "取込記録"
        verbose_name_plural = "取込記録"
        ordering = ["-started_at", "-id"]
        db_table_comment = "庁内連携データ取込の記録（ファイルは取込後すぐに削除）"

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name} {self.get_result_display()}"

    @property
    def progress_percent(self) -> int:
        if self.result != self.Result.RUNNING:
            return 100
        return min(99, self.rows_checked * 100 // self.rows_total) if self.rows_total else 0


class TaxpayerAccess(models.Model):
    """Who looked at which taxpayers, when, from which terminal. Written in the same request
    as the page; if it cannot be written the page is not shown."""

    occurred_at = models.DateTimeField("日時", default=timezone.now, db_index=True, db_comment="日時")
    staff_number = models.CharField("職員番号", max_length=20, db_index=True, db_comment="職員番号")
    terminal_number = models.CharField("端末番号", max_length=20, db_comment="端末番号")
    page = models.CharField("画面", max_length=60, db_comment="画面・帳票")
    atena_numbers = ArrayField(
        models.CharField(max_length=15), verbose_name="宛名番号", db_comment="表示した宛名番号"
    )
    detail = models.CharField(
        "内容", max_length=200, blank=True, db_comment="検索条件・理由など（個人番号は含めない）"
    )

    class Meta:
        verbose_name = "宛名照会記録"
        verbose_name_plural = "宛名照会記録"
        ordering = ["-occurred_at", "-id"]
        db_table_comment = "宛名・収納状況の照会記録"
        indexes = [GinIndex(fields=["atena_numbers"], name="taxpayers_access_atena")]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.staff_number} {self.page}"


class SavedListFilter(StampedModel):
    """保存した検索条件: an officer's named filter of the 滞納者一覧, kept as the query string it was
    saved from. On load the string goes through the list's own form (`WorkingListForm`) again, so
    a filter saved before a choice disappeared is refused in Japanese, never run half-read.
    Each officer's names are unique. History."""

    owner = models.ForeignKey(
        "accounts.Staff",
        on_delete=models.PROTECT,
        related_name="saved_list_filters",
        verbose_name="職員",
        db_comment="保存した職員",
    )
    name = models.CharField("名前", max_length=40, db_comment="検索条件の名前")
    query = models.CharField("条件", max_length=1000, db_comment="滞納者一覧の検索条件（クエリ文字列）")

    history = tracked_history()

    class Meta:
        verbose_name = "保存した検索条件"
        verbose_name_plural = "保存した検索条件"
        ordering = ["name", "id"]
        db_table_comment = "滞納者一覧の保存した検索条件（職員ごと）"
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="taxpayers_savedlistfilter_unique_name"),
        ]

    def __str__(self):
        return self.name
