"""滞納処分ファイル (Appendix 1, 1.): a disposition header holding what is common (the property,
the third party, the four-eyes approval) and one DispositionRow per installment it covers, whose
columns are the 27 items of Appendix 1, each with the item's name as db_comment and verbose_name.
"""

from django.core.validators import RegexValidator
from django.db import models

from taxpayers.exemptions import FULLY_EXEMPT_POSTPONEMENT_CATEGORIES as _FULLY_EXEMPT
from taxpayers.models import Assessment, Taxpayer, WriteOffReason
from taxpayers.subjects import Subject, YearCategory
from wako_collections.records import FourEyesRecord, StampedModel, four_eyes_constraint, tracked_history


class DispositionCode(models.TextChoices):
    SEIZURE = "01", "差押"
    JOINT_SEIZURE = "02", "参加差押"
    DELIVERY_REQUEST = "03", "交付要求"
    COLLECTION = "04", "取立"
    PUBLIC_SALE = "05", "換価（公売）"
    DISTRIBUTION = "06", "配当"
    SUSPENSION = "07", "執行停止"
    IMMEDIATE_EXTINCTION = "08", "即時消滅"
    WRITE_OFF = "09", "不納欠損"
    COLLECTION_POSTPONED = "10", "徴収の猶予"  # 地方税法第15条
    SALE_POSTPONED = "11", "換価の猶予"  # 地方税法第15条の5・第15条の6


POSTPONEMENT_CODES = {DispositionCode.COLLECTION_POSTPONED, DispositionCode.SALE_POSTPONED}


class DispositionCategory(models.TextChoices):
    NONE = "00", "—"
    DEPOSIT = "11", "債権（預貯金）"
    SALARY = "12", "債権（給与）"
    RECEIVABLE = "13", "債権（売掛金）"
    LIFE_INSURANCE = "14", "債権（生命保険）"
    TAX_REFUND = "15", "債権（還付金）"
    PENSION = "16", "債権（年金）"  # 国税徴収法第77条: 差押禁止額は給与と同じく第76条による
    REAL_ESTATE = "21", "不動産"
    VEHICLE = "31", "自動車"
    MOVABLES = "41", "動産"
    # 執行停止の号 (地方税法第15条の7第1項)
    NO_PROPERTY = "71", "第1号（滞納処分をすることができる財産がないとき）"
    HARDSHIP = "72", "第2号（生活を著しく窮迫させるおそれがあるとき）"
    UNKNOWN = "73", "第3号（所在及び財産がともに不明であるとき）"
    # 徴収の猶予の事由 (地方税法第15条第1項各号・第2項): decides the 延滞金の免除 (第15条の9第1項)
    POSTPONED_DISASTER = "81", "猶予 第1号（災害・盗難）"
    POSTPONED_ILLNESS = "82", "猶予 第2号（病気・負傷）"
    POSTPONED_CLOSURE = "83", "猶予 第3号（事業の廃止・休止）"
    POSTPONED_LOSS = "84", "猶予 第4号（事業の著しい損失）"
    POSTPONED_LIKE_DISASTER = "85", "猶予 第5号（第1号・第2号に類する事実）"
    POSTPONED_LIKE_CLOSURE = "86", "猶予 第5号（第3号・第4号に類する事実）"
    POSTPONED_LATE_ASSESSMENT = "87", "猶予 第2項（課税の遅延）"


CLAIM_CATEGORIES = {
    DispositionCategory.DEPOSIT,
    DispositionCategory.SALARY,
    DispositionCategory.RECEIVABLE,
    DispositionCategory.LIFE_INSURANCE,
    DispositionCategory.TAX_REFUND,
    DispositionCategory.PENSION,
}
SEIZURE_CATEGORIES = {
    *CLAIM_CATEGORIES,
    DispositionCategory.REAL_ESTATE,
    DispositionCategory.VEHICLE,
    DispositionCategory.MOVABLES,
}
# 不動産・自動車・動産: sold (換価), the 換価代金 distributed by a 配当計算書
SALE_CATEGORIES = {DispositionCategory.REAL_ESTATE, DispositionCategory.VEHICLE, DispositionCategory.MOVABLES}
# 給与・年金: the 差押禁止額 of 国税徴収法第76条 (第77条 for 年金等) limits the monthly amount seized
WAGE_CATEGORIES = {DispositionCategory.SALARY, DispositionCategory.PENSION}
SUSPENSION_CATEGORIES = {
    DispositionCategory.NO_PROPERTY,
    DispositionCategory.HARDSHIP,
    DispositionCategory.UNKNOWN,
}
COLLECTION_POSTPONEMENT_CATEGORIES = {c for c in DispositionCategory if c.name.startswith("POSTPONED_")}
# 徴収の猶予 whose 延滞金 the law exempts in full (第15条の9第1項: 災害・盗難・病気 and the like);
# the set is defined in taxpayers/exemptions.py, which reads dispositions without importing it.
FULLY_EXEMPT_POSTPONEMENT_CATEGORIES = frozenset(_FULLY_EXEMPT)


class CancellationCategory(models.TextChoices):
    PAID_IN_FULL = "1", "完納"
    ERROR = "2", "誤り"
    SUSPENSION = "3", "執行停止"
    RELEASE = "4", "差押解除"
    OTHER = "9", "その他"


DelinquencyCategory = YearCategory  # 滞納区分: the one 現年/滞繰 code set (taxpayers/subjects.py)


class Disposition(FourEyesRecord):
    """What is common to the rows of one disposition; approved by a second person (決裁)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "起案中"
        APPROVED = "approved", "決裁済（執行）"
        CANCELLED = "cancelled", "取消"

    number = models.CharField("処分番号", max_length=20, unique=True, db_comment="処分番号")
    taxpayer = models.ForeignKey(
        Taxpayer,
        on_delete=models.PROTECT,
        related_name="dispositions",
        verbose_name="宛名",
        db_comment="宛名",
    )
    code = models.CharField(
        "処分コード", max_length=2, choices=DispositionCode.choices, db_comment="処分コード"
    )
    category = models.CharField(
        "処分区分", max_length=2, choices=DispositionCategory.choices, db_comment="処分区分"
    )
    reason = models.CharField("処分理由", max_length=200, db_comment="処分理由")
    planned_on = models.DateField("処分予定日", db_comment="処分予定日")
    postponed_until = models.DateField(
        "猶予期間の終期",
        null=True,
        blank=True,
        db_comment="徴収の猶予・換価の猶予の期間の末日（その他の処分は空欄）",
    )
    property_description = models.CharField(
        "財産の表示",
        max_length=300,
        blank=True,
        db_comment="差し押さえる財産の表示（口座・給与・不動産など）",
    )
    third_party_name = models.CharField(
        "第三債務者等", max_length=100, blank=True, db_comment="第三債務者・執行機関等の名称"
    )
    third_party_branch = models.CharField(
        "第三債務者等の支店・部署",
        max_length=100,
        blank=True,
        db_comment="第三債務者・執行機関等の支店・部署（債権差押通知書の宛先）",
    )
    third_party_postal_code = models.CharField(
        "第三債務者等の郵便番号",
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^\d{7}$", "郵便番号は7桁の数字で入力してください。")],
        db_comment="第三債務者・執行機関等の郵便番号（7桁）",
    )
    third_party_address = models.CharField(
        "第三債務者等の所在地", max_length=200, blank=True, db_comment="第三債務者・執行機関等の所在地"
    )
    # 給与・年金の差押 (国税徴収法第76条・第77条): what the officer knows of one month's pay, and the
    # monthly amount seized, which the service refuses above the 差押可能額.
    wage_paid = models.BigIntegerField(
        "支給額（月額）", null=True, blank=True, db_comment="給与・年金の1月分の支給額（円）"
    )
    wage_income_tax = models.BigIntegerField(
        "源泉所得税", null=True, blank=True, db_comment="給与・年金から源泉徴収される所得税（円）"
    )
    wage_resident_tax = models.BigIntegerField(
        "特別徴収住民税", null=True, blank=True, db_comment="給与・年金から特別徴収される住民税（円）"
    )
    wage_social_insurance = models.BigIntegerField(
        "社会保険料", null=True, blank=True, db_comment="給与・年金から控除される社会保険料（円）"
    )
    wage_dependants = models.PositiveSmallIntegerField(
        "生計を一にする親族の数", null=True, blank=True, db_comment="生計を一にする親族の数"
    )
    seized_monthly_amount = models.BigIntegerField(
        "差押額（月額）", null=True, blank=True, db_comment="給与・年金の毎月の差押額（円。差押可能額以下）"
    )
    status = models.CharField(
        "状態", max_length=10, choices=Status.choices, default=Status.DRAFT, db_comment="起案中・決裁済・取消"
    )

    history = tracked_history()

    class Meta:
        verbose_name = "滞納処分"
        verbose_name_plural = "滞納処分"
        ordering = ["-planned_on", "-id"]
        db_table_comment = "滞納処分（共通事項と決裁）"
        constraints = [
            four_eyes_constraint("dispositions_disposition_four_eyes"),
            models.CheckConstraint(
                condition=models.Q(seized_monthly_amount__isnull=True)
                | models.Q(
                    seized_monthly_amount__gt=0,
                    wage_paid__gte=models.F("seized_monthly_amount"),
                    wage_income_tax__gte=0,
                    wage_resident_tax__gte=0,
                    wage_social_insurance__gte=0,
                    wage_dependants__isnull=False,
                ),
                name="dispositions_disposition_wage_terms_complete",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.get_code_display()}"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_wage_seizure(self) -> bool:
        return self.code in (DispositionCode.SEIZURE, DispositionCode.JOINT_SEIZURE) and (
            self.category in WAGE_CATEGORIES
        )

    def wage_limit(self):
        """The 差押禁止額 computation (国税徴収法第76条) of a 給与 seizure, on its 処分予定日; None for
        any other disposition. Raises BaseAmountMissingError when no base amount is registered."""
        from dispositions.wage_limits import compute_wage_seizure_limit

        if self.seized_monthly_amount is None:
            return None
        # dispositions_disposition_wage_terms_complete: with a monthly amount, every input is set
        return compute_wage_seizure_limit(
            paid=self.wage_paid or 0,
            income_tax=self.wage_income_tax or 0,
            resident_tax=self.wage_resident_tax or 0,
            social_insurance=self.wage_social_insurance or 0,
            dependants=self.wage_dependants or 0,
            on=self.planned_on,
        )

    @property
    def is_claim_seizure(self) -> bool:
        """債権の差押: money is collected (取立) from the third party (国税徴収法第67条)."""
        return self.code == DispositionCode.SEIZURE and self.category in CLAIM_CATEGORIES

    @property
    def cancellation_name(self) -> str:
        """What cancelling this disposition is called: 差押の解除, 猶予の取消, 執行停止の取消 …"""
        if self.code in (DispositionCode.SEIZURE, DispositionCode.JOINT_SEIZURE):
            return f"{self.get_code_display()}の解除・取消"
        return f"{self.get_code_display()}の取消"


class DispositionCancellation(StampedModel):
    """取消・解除の起案: a change of state of an approved disposition (差押の解除, 猶予の取消,
    執行停止の取消 …) is drafted by one officer with its 区分, 理由 and 取消日, and takes effect only
    when a second person holding 滞納処分の決裁 approves it — the same four eyes as the disposition
    itself (the database refuses an approval or a rejection by the drafter). A pending request can
    be withdrawn by its drafter or rejected; at most one is pending and one approved per disposition."""

    class Status(models.TextChoices):
        DRAFT = "draft", "起案中"
        APPROVED = "approved", "決裁済"
        REJECTED = "rejected", "却下"
        WITHDRAWN = "withdrawn", "取下げ"

    disposition = models.ForeignKey(
        Disposition,
        on_delete=models.PROTECT,
        related_name="cancellations",
        verbose_name="滞納処分",
        db_comment="取り消す滞納処分",
    )
    category = models.CharField(
        "処分取消区分", max_length=1, choices=CancellationCategory.choices, db_comment="処分取消区分"
    )
    reason = models.CharField("処分取消理由", max_length=200, db_comment="処分取消理由")
    cancelled_on = models.DateField("処分取消日", db_comment="処分取消日（処分日から決裁の日まで）")
    status = models.CharField(
        "状態",
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        db_comment="起案中・決裁済・却下・取下げ",
    )
    drafted_by = models.CharField("起案者", max_length=20, db_comment="取消を起案した職員番号")
    drafted_terminal = models.CharField("起案端末", max_length=20, db_comment="取消を起案した端末番号")
    drafted_at = models.DateTimeField("起案日時", db_comment="取消を起案した日時")
    decided_by = models.CharField(
        "決裁者", max_length=20, blank=True, db_comment="決裁（承認・却下）した職員番号"
    )
    decided_terminal = models.CharField(
        "決裁端末", max_length=20, blank=True, db_comment="決裁（承認・却下）した端末番号"
    )
    decided_at = models.DateTimeField(
        "決裁日時", null=True, blank=True, db_comment="決裁（承認・却下）・取下げの日時"
    )
    decision_note = models.CharField(
        "却下・取下げの理由", max_length=200, blank=True, db_comment="却下・取下げの理由"
    )

    history = tracked_history()

    class Meta:
        verbose_name = "滞納処分の取消（起案・決裁）"
        verbose_name_plural = "滞納処分の取消（起案・決裁）"
        ordering = ["disposition", "-drafted_at", "-id"]
        db_table_comment = "決裁済の滞納処分の取消・解除の起案と決裁"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "rejected"])
                | ~models.Q(decided_by=models.F("drafted_by")),
                name="dispositions_dispositioncancellation_four_eyes",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(decided_at__isnull=False),
                name="dispositions_dispositioncancellation_decided_at",
            ),
            models.CheckConstraint(
                condition=~models.Q(category="") & ~models.Q(reason=""),
                name="dispositions_dispositioncancellation_category_and_reason",
            ),
            models.UniqueConstraint(
                fields=["disposition"],
                condition=models.Q(status="draft"),
                name="dispositions_dispositioncancellation_one_pending",
            ),
            models.UniqueConstraint(
                fields=["disposition"],
                condition=models.Q(status="approved"),
                name="dispositions_dispositioncancellation_one_approved",
            ),
        ]

    def __str__(self):
        return (
            f"{self.disposition.number} {self.disposition.cancellation_name}（{self.get_status_display()}）"
        )

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.DRAFT

    def can_be_approved_by(self, staff_number: str) -> bool:
        return self.is_pending and staff_number != self.drafted_by


class DispositionRow(StampedModel):
    """滞納処分ファイル: one installment under a disposition, its columns Appendix 1's 27 items."""

    disposition = models.ForeignKey(
        Disposition, on_delete=models.PROTECT, related_name="rows", db_comment="滞納処分（共通事項）"
    )
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="disposition_rows", db_comment="調定"
    )
    subject_code = models.CharField("科目コード", max_length=2, db_comment="科目コード")
    subject_detail_code = models.CharField("科目詳細コード", max_length=4, db_comment="科目詳細コード")
    calculating_body_code = models.CharField("算定団体コード", max_length=6, db_comment="算定団体コード")
    installment_body_code = models.CharField("期割団体コード", max_length=6, db_comment="期割団体コード")
    inside_outside_code = models.CharField("団体内外区分", max_length=1, db_comment="団体内外区分")
    assessment_year = models.PositiveSmallIntegerField("調定年度", db_comment="調定年度")
    tax_year = models.PositiveSmallIntegerField("年度分", db_comment="年度分")
    notice_number = models.CharField("通知書番号", max_length=20, db_comment="通知書番号")
    logical_period = models.PositiveSmallIntegerField("論理期別", db_comment="論理期別")
    disposed_on = models.DateField("処分日", null=True, blank=True, db_comment="処分日")
    disposition_code = models.CharField(
        "処分コード", max_length=2, choices=DispositionCode.choices, db_comment="処分コード"
    )
    disposition_category = models.CharField(
        "処分区分", max_length=2, choices=DispositionCategory.choices, db_comment="処分区分"
    )
    disposition_reason = models.CharField("処分理由", max_length=200, db_comment="処分理由")
    cancelled_on = models.DateField("処分取消日", null=True, blank=True, db_comment="処分取消日")
    cancellation_category = models.CharField(
        "処分取消区分",
        max_length=1,
        choices=CancellationCategory.choices,
        blank=True,
        db_comment="処分取消区分",
    )
    cancellation_reason = models.CharField(
        "処分取消理由", max_length=200, blank=True, db_comment="処分取消理由"
    )
    delinquency_category = models.CharField(
        "滞納区分", max_length=1, choices=DelinquencyCategory.choices, db_comment="滞納区分"
    )
    management_code_1 = models.CharField("滞納管理1", max_length=20, blank=True, db_comment="滞納管理1")
    management_code_2 = models.CharField("滞納管理2", max_length=20, blank=True, db_comment="滞納管理2")
    principal = models.BigIntegerField("処分調定", db_comment="処分調定")
    demand_fee = models.BigIntegerField("処分督促", db_comment="処分督促")
    late_charge = models.BigIntegerField("処分延滞", db_comment="処分延滞")
    created_on = models.DateField("作成日", db_comment="作成日")
    updated_on = models.DateField("更新日", db_comment="更新日")
    updated_time = models.TimeField("更新時間", db_comment="更新時間")
    updated_staff_atena_number = models.CharField(
        "更新職員宛名番号", max_length=20, blank=True, db_comment="更新職員宛名番号"
    )
    updated_terminal_number = models.CharField("更新端末番号", max_length=20, db_comment="更新端末番号")

    history = tracked_history()

    class Meta:
        verbose_name = "滞納処分ファイル"
        verbose_name_plural = "滞納処分ファイル"
        ordering = ["disposition", "tax_year", "subject_code", "notice_number", "logical_period"]
        db_table_comment = "滞納処分ファイル"
        constraints = [
            models.UniqueConstraint(
                fields=["disposition", "assessment"], name="dispositions_row_once_per_installment"
            ),
            models.CheckConstraint(
                condition=models.Q(principal__gte=0, demand_fee__gte=0, late_charge__gte=0),
                name="dispositions_row_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(cancelled_on__isnull=True) | ~models.Q(cancellation_category=""),
                name="dispositions_row_cancel_has_category",
            ),
        ]

    def __str__(self):
        return f"{self.disposition.number} {self.notice_number} 第{self.logical_period}期"

    @property
    def subject_name(self) -> str:
        """The 科目's name for screens (科目コード 「01」 is 個人市県民税（普通徴収）); the code if unknown."""
        return Subject(self.subject_code).label if self.subject_code in Subject.values else self.subject_code


class InquiryTarget(StampedModel):
    """照会先: a bank branch, an employer, another municipality, an insurer… kept by staff."""

    class Kind(models.TextChoices):
        BANK = "bank", "金融機関"
        EMPLOYER = "employer", "勤務先"
        MUNICIPALITY = "municipality", "他市区町村"
        INSURER = "insurer", "生命保険会社"
        PENSION_OFFICE = "pension", "年金事務所"
        OTHER = "other", "その他"

    kind = models.CharField("種類", max_length=12, choices=Kind.choices, db_comment="照会先の種類")
    name = models.CharField("名称", max_length=100, db_comment="名称")
    branch = models.CharField("支店・部署", max_length=100, blank=True, db_comment="支店・部署")
    postal_code = models.CharField("郵便番号", max_length=7, blank=True, db_comment="郵便番号")
    address = models.CharField("所在地", max_length=200, db_comment="所在地")
    phone = models.CharField("電話番号", max_length=20, blank=True, db_comment="電話番号")
    is_active = models.BooleanField("有効", default=True, db_comment="有効")

    history = tracked_history()

    class Meta:
        verbose_name = "照会先"
        verbose_name_plural = "照会先"
        ordering = ["kind", "name", "branch"]
        db_table_comment = "照会先（金融機関・勤務先・他市区町村など）"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "name", "branch"], name="dispositions_inquirytarget_unique_name"
            ),
        ]

    def __str__(self):
        return f"{self.name}{' ' + self.branch if self.branch else ''}"


class Inquiry(StampedModel):
    """照会: one letter to one target about one taxpayer, from sending to its answer."""

    class Purpose(models.TextChoices):
        DEPOSITS = "deposits", "預貯金"
        SALARY = "salary", "給与"
        RESIDENCE_INCOME = "residence", "住民票・所得"
        INSURANCE = "insurance", "生命保険"
        PENSION = "pension", "年金"
        OTHER = "other", "その他"

    class Answer(models.TextChoices):
        ACCOUNT_FOUND = "account", "口座あり"
        SALARY_FOUND = "salary", "給与支払あり"
        ADDRESS_FOUND = "address", "住所判明"
        POLICY_FOUND = "policy", "契約あり"
        NOTHING = "nothing", "該当なし"

    number = models.CharField("照会番号", max_length=20, unique=True, db_comment="照会番号")
    batch_number = models.CharField("一括番号", max_length=20, blank=True, db_comment="一括照会の番号")
    taxpayer = models.ForeignKey(
        Taxpayer, on_delete=models.PROTECT, related_name="inquiries", verbose_name="宛名", db_comment="宛名"
    )
    target = models.ForeignKey(
        InquiryTarget,
        on_delete=models.PROTECT,
        related_name="inquiries",
        verbose_name="照会先",
        db_comment="照会先",
    )
    purpose = models.CharField("照会事項", max_length=12, choices=Purpose.choices, db_comment="照会事項")
    sent_on = models.DateField("発送日", null=True, blank=True, db_comment="発送日")
    answer_due = models.DateField("回答期限", db_comment="回答期限")
    answered_on = models.DateField("回答日", null=True, blank=True, db_comment="回答日")
    answer = models.CharField(
        "回答", max_length=10, choices=Answer.choices, blank=True, db_comment="回答の内容"
    )
    account = models.CharField("口座等", max_length=100, blank=True, db_comment="判明した口座・契約など")
    balance = models.BigIntegerField("残高", null=True, blank=True, db_comment="判明した残高（円）")
    salary = models.BigIntegerField("給与額", null=True, blank=True, db_comment="月額給与（円）")
    payday = models.PositiveSmallIntegerField(
        "支払日", null=True, blank=True, db_comment="給与の支払日（日）"
    )
    found_address = models.CharField("判明した住所", max_length=200, blank=True, db_comment="判明した住所")
    answer_note = models.CharField("回答の備考", max_length=200, blank=True, db_comment="回答の備考")

    history = tracked_history()

    class Meta:
        verbose_name = "照会"
        verbose_name_plural = "照会"
        ordering = ["-answer_due", "-id"]
        db_table_comment = "財産・居住状況の照会"
        indexes = [models.Index(fields=["answered_on", "answer_due"], name="dispositions_inquiry_pending")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answered_on__isnull=True) | ~models.Q(answer=""),
                name="dispositions_inquiry_answer_has_content",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.target}"

    def is_overdue(self, today) -> bool:
        return self.sent_on is not None and self.answered_on is None and self.answer_due < today

    @property
    def found_property(self) -> bool:
        return self.answer in (self.Answer.ACCOUNT_FOUND, self.Answer.SALARY_FOUND, self.Answer.POLICY_FOUND)


class Collection(StampedModel):
    """取立: money received from the third party of an approved 債権差押 (国税徴収法第67条第1項).
    It counts as paid by the taxpayer (同条第3項): posted as 収納 (収納経路 取立) on the seized
    installments, oldest first, each applied 督促手数料 → 本税 → 延滞金 — unless other claimants
    (交付要求・参加差押・担保権者) wait, in which case it goes through a 配当計算書 first
    (国税徴収法第129条第1項第2号, 第131条). What is left after every seized installment is paid is
    a 取立 surplus (`surplus`): a 過誤納 source for 充当・還付."""

    class Method(models.TextChoices):
        TRANSFER = "transfer", "口座振込"
        CASH = "cash", "現金"
        CHECK = "check", "小切手"
        OTHER = "other", "その他"

    class Status(models.TextChoices):
        POSTED = "posted", "収納済"
        AWAITING_DISTRIBUTION = "awaiting", "配当待ち"
        DISTRIBUTED = "distributed", "配当済"

    number = models.CharField("取立番号", max_length=20, unique=True, db_comment="取立番号")
    disposition = models.ForeignKey(
        Disposition,
        on_delete=models.PROTECT,
        related_name="collections",
        verbose_name="滞納処分",
        db_comment="取立の根拠となった債権差押",
    )
    collected_on = models.DateField("取立日", db_comment="第三債務者から給付を受けた日")
    amount = models.BigIntegerField("取立額", db_comment="取立額（円）")
    method = models.CharField("取立の方法", max_length=10, choices=Method.choices, db_comment="取立の方法")
    payer_name = models.CharField("給付した第三債務者", max_length=100, db_comment="給付した第三債務者の名称")
    status = models.CharField(
        "状態", max_length=12, choices=Status.choices, db_comment="収納済・配当待ち・配当済"
    )
    posted_amount = models.BigIntegerField("収納額", default=0, db_comment="差押に係る期別に収納した額（円）")
    surplus = models.BigIntegerField(
        "過誤納額", default=0, db_comment="差押に係る期別を完納してなお残る額（円。過誤納金として充当・還付）"
    )
    note = models.CharField("備考", max_length=200, blank=True, db_comment="備考")

    history = tracked_history()

    class Meta:
        verbose_name = "取立"
        verbose_name_plural = "取立"
        ordering = ["-collected_on", "-id"]
        db_table_comment = "債権差押による取立（国税徴収法第67条）"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="dispositions_collection_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(posted_amount__gte=0, surplus__gte=0)
                & models.Q(amount__gte=models.F("posted_amount") + models.F("surplus")),
                name="dispositions_collection_split_within_amount",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.amount:,}円"


class DistributionStatement(FourEyesRecord):
    """配当計算書 (国税徴収法第131条): the money from a 取立 or a sale, each claim with its 順位 and
    amount, the 交付期日 (第132条第2項: 7 days counted from the day the copies are sent). Drafted by
    an officer, approved by a second person holding 滞納処分の決裁; the approval posts the city's
    share as 収納 (収納経路 配当)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "起案中"
        APPROVED = "approved", "決裁済"

    number = models.CharField("配当番号", max_length=20, unique=True, db_comment="配当計算書の番号")
    disposition = models.ForeignKey(
        Disposition,
        on_delete=models.PROTECT,
        related_name="distributions",
        verbose_name="滞納処分",
        db_comment="配当の基となった差押",
    )
    collection = models.OneToOneField(
        Collection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="distribution",
        verbose_name="取立",
        db_comment="配当する取立（換価代金のときは空欄）",
    )
    total = models.BigIntegerField("換価代金等の総額", db_comment="換価代金等の総額（円）")
    received_on = models.DateField(
        "換価代金等の受領日", db_comment="取立日または買受代金の納付日（本市への配当額はこの日に収納）"
    )
    sent_on = models.DateField("謄本発送日", db_comment="配当計算書の謄本の発送日")
    delivery_on = models.DateField(
        "交付期日", db_comment="換価代金等の交付期日（発送日から起算して7日を経過した日）"
    )
    city_share = models.BigIntegerField(
        "本市への配当額", default=0, db_comment="本市の徴収金への配当額（円）"
    )
    residue = models.BigIntegerField("残余金", default=0, db_comment="滞納者に交付する残余金（円）")
    status = models.CharField(
        "状態", max_length=10, choices=Status.choices, default=Status.DRAFT, db_comment="起案中・決裁済"
    )

    history = tracked_history()

    class Meta:
        verbose_name = "配当計算書"
        verbose_name_plural = "配当計算書"
        ordering = ["-sent_on", "-id"]
        db_table_comment = "配当計算書（国税徴収法第131条）"
        constraints = [
            four_eyes_constraint("dispositions_distributionstatement_four_eyes"),
            models.CheckConstraint(
                condition=models.Q(total__gt=0, city_share__gte=0, residue__gte=0),
                name="dispositions_distributionstatement_amounts",
            ),
            models.CheckConstraint(
                condition=models.Q(delivery_on__gt=models.F("sent_on")),
                name="dispositions_distributionstatement_delivery_after_sending",
            ),
            models.CheckConstraint(
                condition=models.Q(sent_on__gte=models.F("received_on")),
                name="dispositions_distributionstatement_sent_after_receipt",
            ),
        ]

    def __str__(self):
        return f"配当計算書 {self.number}"


class DistributionClaim(StampedModel):
    """One claim on a 配当計算書: who, what kind, the amount claimed, its 順位 and what it receives
    (0 included: every claimant gets a copy, 第131条)."""

    statement = models.ForeignKey(
        DistributionStatement,
        on_delete=models.PROTECT,
        related_name="claims",
        verbose_name="配当計算書",
        db_comment="配当計算書",
    )
    kind = models.CharField(
        "債権の種類", max_length=30, db_comment="債権の種類（data/distribution_ranks.csv の種類）"
    )
    claimant_name = models.CharField(
        "債権者", max_length=100, db_comment="債権者（交付要求者・担保権者など）"
    )
    claimant_address = models.CharField(
        "債権者の所在地", max_length=200, blank=True, db_comment="債権者の所在地"
    )
    established_on = models.DateField(
        "設定日・受付日", null=True, blank=True, db_comment="担保権の設定日・交付要求の受付日"
    )
    claimed = models.BigIntegerField("債権額", db_comment="債権額（円）")
    rank = models.PositiveSmallIntegerField("順位", db_comment="配当の順位")
    allotted = models.BigIntegerField("配当額", db_comment="配当額（円。0を含む）")
    is_city = models.BooleanField("本市の徴収金", default=False, db_comment="本市の差押に係る徴収金")

    history = tracked_history()

    class Meta:
        verbose_name = "配当の債権"
        verbose_name_plural = "配当の債権"
        ordering = ["statement", "rank", "id"]
        db_table_comment = "配当計算書の債権（順位と配当額）"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(claimed__gte=0, allotted__gte=0, allotted__lte=models.F("claimed")),
                name="dispositions_distributionclaim_allotted_within_claim",
            ),
        ]

    def __str__(self):
        return f"{self.rank} {self.claimant_name} {self.allotted:,}円"

    @property
    def kind_label(self) -> str:
        from dispositions.distribution import ranks

        rank = ranks().get(self.kind)
        return rank.label if rank else self.kind


class WriteOffRun(FourEyesRecord):
    """不納欠損決議: a list of extinguished installments drafted by an officer (起案) and approved by
    a second person holding 滞納処分の決裁 (決裁). Only on approval does each line's installment
    become 欠損 (`taxpayers.WrittenOff`); a draft may be withdrawn by its drafter (取下げ) or rejected
    by a second person with a reason (却下), never deleted. The database refuses an approval or a
    rejection by the drafter (`dispositions_writeoffrun_four_eyes`; `approved_by` holds the decider)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "起案中"
        APPROVED = "approved", "決裁済"
        REJECTED = "rejected", "却下"
        WITHDRAWN = "withdrawn", "取下げ"

    number = models.CharField("決議番号", max_length=20, unique=True, db_comment="不納欠損決議の番号")
    fiscal_year = models.PositiveSmallIntegerField(
        "欠損年度", db_comment="不納欠損を計上する会計年度（西暦）"
    )
    as_of = models.DateField("基準日", db_comment="消滅を判定した基準日")
    note = models.CharField("摘要", max_length=200, blank=True, db_comment="摘要")
    status = models.CharField(
        "状態",
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        db_comment="起案中・決裁済・取下げ",
    )
    drafted_at = models.DateTimeField("起案日時", db_comment="起案日時")
    written_off_on = models.DateField("欠損日", null=True, blank=True, db_comment="欠損日（決裁の日）")
    decision_note = models.CharField(
        "却下・取下げの理由", max_length=200, blank=True, db_comment="却下・取下げの理由"
    )

    history = tracked_history()

    class Meta:
        verbose_name = "不納欠損決議"
        verbose_name_plural = "不納欠損決議"
        ordering = ["-drafted_at", "-id"]
        db_table_comment = "不納欠損決議（起案と決裁）"
        constraints = [
            four_eyes_constraint("dispositions_writeoffrun_four_eyes", decided=("approved", "rejected")),
            models.CheckConstraint(
                condition=~models.Q(status="approved")
                | models.Q(approved_at__isnull=False, written_off_on__isnull=False),
                name="dispositions_writeoffrun_approved_dated",
            ),
        ]

    def __str__(self):
        return f"{self.number} 不納欠損決議（{self.get_status_display()}）"


class WriteOffAmounts(models.Model):
    """Abstract base of what a 不納欠損 names for one installment — its 事由 and 条項, the day its claim
    was extinguished, the record that shows it, and the 本税・督促手数料・延滞金 owed that day — shared
    by a stored candidate (WriteOffCandidate) and a 決議's line (WriteOffLine), which
    `writeoffs.Candidate.recorded()` fills alike. Each keeps its own link to the installment (a line
    protects it, a candidate goes with it)."""

    reason = models.CharField(
        "欠損事由", max_length=16, choices=WriteOffReason.choices, db_comment="不納欠損の事由"
    )
    article = models.CharField("根拠条項", max_length=40, db_comment="根拠条項")
    extinguished_on = models.DateField("消滅日", db_comment="徴収権（納付義務）が消滅した日")
    basis = models.CharField(
        "消滅の根拠",
        max_length=100,
        db_comment="消滅の根拠となった記録（時効の経過、執行停止の処分番号など）",
    )
    principal = models.BigIntegerField("本税", db_comment="欠損額（本税、円）")
    demand_fee = models.BigIntegerField("督促手数料", db_comment="欠損額（督促手数料、円）")
    late_charge = models.BigIntegerField("延滞金", db_comment="欠損額（延滞金、円）")

    class Meta:
        abstract = True

    @property
    def total(self) -> int:
        return self.principal + self.demand_fee + self.late_charge


class WriteOffLine(WriteOffAmounts, StampedModel):
    """One installment in a 不納欠損決議 (WriteOffAmounts: 事由, 条項, 消滅日 and the amounts as they
    stood on that day, frozen at drafting)."""

    run = models.ForeignKey(
        WriteOffRun,
        on_delete=models.PROTECT,
        related_name="lines",
        verbose_name="不納欠損決議",
        db_comment="不納欠損決議",
    )
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        related_name="writeoff_lines",
        verbose_name="調定",
        db_comment="調定",
    )
    history = tracked_history()

    class Meta:
        verbose_name = "不納欠損決議の明細"
        verbose_name_plural = "不納欠損決議の明細"
        ordering = ["run", "reason", "assessment__subject_code", "assessment__tax_year", "assessment_id"]
        db_table_comment = "不納欠損決議の明細（期別ごと）"
        constraints = [
            models.UniqueConstraint(
                fields=["run", "assessment"], name="dispositions_writeoffline_once_per_run"
            ),
            models.CheckConstraint(
                condition=models.Q(principal__gte=0, demand_fee__gte=0, late_charge__gte=0),
                name="dispositions_writeoffline_amounts_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.run.number} {self.assessment}"


class WriteOffCandidateList(models.Model):
    """不納欠損の候補の抽出結果: the candidates of a day (`dispositions.writeoffs.writeoff_candidates`,
    which reads the standing of every extinguished installment — a ledger each, minutes at 100,000
    persons) as the scheduled job `writeoff_candidates` computed them, so that the candidates page
    reads them by index and pages them, showing when they were computed. Only the newest list is
    kept; a rerun replaces it. Derived (no history): the ledger it is computed from has it, and
    drafting a 決議 re-checks each chosen installment against the standing of that moment."""

    as_of = models.DateField("基準日", unique=True, db_comment="消滅を判定した基準日")
    computed_at = models.DateTimeField("抽出日時", db_comment="抽出を終えた日時")
    seconds = models.FloatField("抽出時間（秒）", db_comment="抽出にかかった秒数")
    count = models.PositiveIntegerField("期別数", db_comment="抽出した期別の数")
    amount = models.BigIntegerField("金額", db_comment="抽出した期別の本税・督促手数料・延滞金の計（円）")

    class Meta:
        verbose_name = "不納欠損の候補の抽出"
        verbose_name_plural = "不納欠損の候補の抽出"
        ordering = ["-as_of"]
        db_table_comment = "不納欠損の候補の抽出結果（定期処理 writeoff_candidates、最新の1回分）"

    def __str__(self):
        return f"不納欠損の候補 {self.as_of}"


class WriteOffCandidate(WriteOffAmounts):
    """One installment of a stored candidate list, with what `writeoffs.Candidate` holds
    (WriteOffAmounts: 事由, 条項, 消滅日 and the amounts owed that day). `position` keeps the list's
    order (宛名番号, 年度, 科目), so a page of it is one index range."""

    extraction = models.ForeignKey(
        WriteOffCandidateList,
        on_delete=models.CASCADE,
        related_name="candidates",
        verbose_name="抽出",
        db_comment="不納欠損の候補の抽出",
    )
    position = models.PositiveIntegerField("順番", db_comment="一覧の表示順（宛名番号・年度・科目順）")
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="writeoff_candidates",
        verbose_name="調定",
        db_comment="調定",
    )

    class Meta:
        verbose_name = "不納欠損の候補"
        verbose_name_plural = "不納欠損の候補"
        ordering = ["extraction", "position"]
        db_table_comment = "不納欠損の候補（抽出結果の明細、期別ごと）"
        constraints = [
            models.UniqueConstraint(
                fields=["extraction", "position"], name="dispositions_writeoffcandidate_position"
            ),
        ]

    def __str__(self):
        return f"不納欠損の候補 {self.assessment}"


class WriteOffCancellation(FourEyesRecord):
    """不納欠損の取消 of one written-off installment (`taxpayers.WrittenOff`), for a claim that was in
    fact not extinguished (a renewal or 差押 recorded late, a 執行停止 or 即時消滅 cancelled): drafted by an
    officer with its reason, approved (or rejected) by a second person holding 滞納処分の決裁. A claim the
    law extinguished is never revived (地方税法第18条第2項): the service refuses it. Never deleted; the
    database refuses a decision by the drafter and a second pending 取消 of the same 欠損."""

    class Status(models.TextChoices):
        DRAFT = "draft", "起案中"
        APPROVED = "approved", "決裁済"
        REJECTED = "rejected", "却下"

    number = models.CharField("取消番号", max_length=20, unique=True, db_comment="不納欠損の取消の番号")
    written_off = models.ForeignKey(
        "taxpayers.WrittenOff",
        on_delete=models.PROTECT,
        related_name="cancellations",
        verbose_name="不納欠損",
        db_comment="取り消す不納欠損",
    )
    reason = models.TextField("取消理由", db_comment="取消の理由（誤りの内容）")
    finding = models.TextField("確認結果", db_comment="起案時に確認した、徴収権が消滅していない理由")
    status = models.CharField(
        "状態", max_length=10, choices=Status.choices, default=Status.DRAFT, db_comment="起案中・決裁済・却下"
    )
    drafted_at = models.DateTimeField("起案日時", db_comment="起案日時")
    # approved_by / approved_terminal / approved_at (FourEyesRecord) name the decider of a 却下 too
    decision_note = models.CharField("却下の理由", max_length=200, blank=True, db_comment="却下の理由")

    history = tracked_history()

    class Meta:
        verbose_name = "不納欠損の取消"
        verbose_name_plural = "不納欠損の取消"
        ordering = ["-drafted_at", "-id"]
        db_table_comment = "不納欠損の取消（起案と決裁）"
        constraints = [
            four_eyes_constraint(
                "dispositions_writeoffcancellation_four_eyes", decided=("approved", "rejected")
            ),
            models.UniqueConstraint(
                fields=["written_off"],
                condition=models.Q(status="draft"),
                name="dispositions_writeoffcancellation_one_pending",
            ),
        ]

    def __str__(self):
        return f"{self.number} 不納欠損の取消（{self.get_status_display()}）"
