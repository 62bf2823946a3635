"""Every printed document, recorded so that it can be reprinted identically: 帳票コード, a number,
the issue date, the issuing officer and terminal, the taxpayer, the installments and amounts,
and the whole content it was printed from. A re-issue gets a new number linked to the old."""

from django.db import models

from documents.catalogue import FormCode, choices, codes
from taxpayers.models import Assessment, Taxpayer
from wako_collections.records import FourEyesRecord, StampedModel, four_eyes_constraint, tracked_history


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
    source = models.CharField(
        "作成元",
        max_length=60,
        blank=True,
        db_comment="作成元の記録（例: 分納誓約 P2026000001、一括 B2026000001）",
    )
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


class Extraction(StampedModel):
    """A saved extraction for a 催告書 batch: which delinquent taxpayers get a notice."""

    name = models.CharField("抽出条件名", max_length=60, db_comment="抽出条件名")
    form_code = models.CharField(
        "帳票",
        max_length=2,
        choices=choices(codes(batch_extraction=True)),
        default=FormCode.NOTICE_GENERAL,
        db_comment="発行する催告書の帳票コード",
    )
    subject_code = models.CharField("科目", max_length=2, blank=True, db_comment="科目コード（空欄はすべて）")
    tax_year = models.PositiveSmallIntegerField(
        "年度分", null=True, blank=True, db_comment="年度分（空欄はすべて）"
    )
    min_amount = models.BigIntegerField(
        "未納額の下限", null=True, blank=True, db_comment="未納額の下限（円）"
    )
    max_amount = models.BigIntegerField(
        "未納額の上限", null=True, blank=True, db_comment="未納額の上限（円）"
    )
    officer_number = models.CharField(
        "担当職員番号", max_length=20, blank=True, db_comment="担当職員番号（空欄はすべて）"
    )
    district = models.CharField("地区", max_length=30, blank=True, db_comment="地区（空欄はすべて）")
    days_since_contact = models.PositiveIntegerField(
        "最終接触からの日数", null=True, blank=True, db_comment="最後の交渉記録からこの日数以上"
    )
    exclude_pledged = models.BooleanField("分納誓約中を除く", default=True, db_comment="分納誓約中を除く")
    exclude_stopped = models.BooleanField("執行停止中を除く", default=True, db_comment="執行停止中を除く")

    history = tracked_history()

    class Meta:
        verbose_name = "抽出条件"
        verbose_name_plural = "抽出条件"
        ordering = ["name"]
        db_table_comment = "催告書の一括発行の抽出条件"

    def __str__(self):
        return self.name


class Batch(StampedModel):
    """A batch run: its frozen list, its state and, once done, the combined PDF for the printer.
    Documents are recorded only when the whole run has rendered, in one transaction."""

    class Kind(models.TextChoices):
        DEMAND = "demand", "督促状（納期限後20日以内）"
        NOTICE = "notice", "催告書（抽出条件）"

    class Status(models.TextChoices):
        QUEUED = "queued", "待機中"
        RUNNING = "running", "作成中"
        DONE = "done", "完了"
        CANCELLED = "cancelled", "取消"
        FAILED = "failed", "失敗"

    number = models.CharField("一括番号", max_length=20, unique=True, db_comment="一括番号")
    kind = models.CharField("種類", max_length=10, choices=Kind.choices, db_comment="一括発行の種類")
    form_code = models.CharField(
        "帳票コード", max_length=2, choices=FormCode.choices, db_comment="帳票コード"
    )
    extraction = models.ForeignKey(
        Extraction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="batches",
        verbose_name="抽出条件",
        db_comment="抽出条件（催告書）",
    )
    criteria = models.JSONField("条件", db_comment="実行時の抽出条件（凍結）")
    issued_on = models.DateField("発行日", db_comment="発行日")
    deadline = models.DateField("指定期限", null=True, blank=True, db_comment="納付の指定期限")
    items = models.JSONField("対象一覧", db_comment="凍結した対象一覧（宛名と期別）")
    item_count = models.PositiveIntegerField("対象件数", db_comment="凍結時の対象件数")
    status = models.CharField(
        "状態", max_length=10, choices=Status.choices, default=Status.QUEUED, db_comment="状態"
    )
    cancel_requested = models.BooleanField("取消依頼", default=False, db_comment="取消が依頼された")
    skipped = models.JSONField("除外", default=list, db_comment="作成直前に納付済みなどで除いた対象と理由")
    first_number = models.CharField(
        "最初の文書番号", max_length=20, blank=True, db_comment="予約した最初の文書番号"
    )
    last_number = models.CharField(
        "最後の文書番号", max_length=20, blank=True, db_comment="予約した最後の文書番号"
    )
    issued_count = models.PositiveIntegerField("発行件数", default=0, db_comment="記録した文書の件数")
    page_count = models.PositiveIntegerField("頁数", default=0, db_comment="一括PDFの頁数")
    error = models.CharField("エラー", max_length=300, blank=True, db_comment="失敗の理由")
    started_at = models.DateTimeField("開始日時", null=True, blank=True, db_comment="作成開始日時")
    finished_at = models.DateTimeField("終了日時", null=True, blank=True, db_comment="終了日時")
    # On disk (settings.MEDIA_ROOT), not in a bytea: 60,000 letters are ~1.4 GiB, over bytea's 1 GiB,
    # and the download streams the file instead of holding it in memory.
    pdf_file = models.FileField(
        "一括PDF", upload_to="batches/%Y/", blank=True, db_comment="印刷用の一括PDFのファイル名"
    )

    history = tracked_history(excluded_fields=["pdf_file", "items"])

    class Meta:
        verbose_name = "一括発行"
        verbose_name_plural = "一括発行"
        ordering = ["-id"]
        db_table_comment = "帳票の一括発行（凍結した対象一覧と結果）"

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.CANCELLED, self.Status.FAILED)


class BatchProgress(models.Model):
    """How far a running batch has rendered: a counter the worker bumps for the progress bar.
    Not a record (it carries no decision), so it keeps no history; the batch does."""

    batch = models.OneToOneField(
        Batch, on_delete=models.CASCADE, primary_key=True, related_name="progress", db_comment="一括発行"
    )
    rendered = models.PositiveIntegerField("作成済み", default=0, db_comment="作成済みの件数")
    updated_at = models.DateTimeField("更新日時", auto_now=True, db_comment="更新日時")

    class Meta:
        verbose_name = "一括発行の進捗"
        db_table_comment = "一括発行の進捗（表示用のカウンタ）"

    def __str__(self):
        return f"{self.batch_id}: {self.rendered}"


class ReturnReason(models.TextChoices):
    """Why the post office returned a letter (the label 日本郵便 stamps on it, 還付理由)."""

    ADDRESSEE_NOT_FOUND = "01", "あて所に尋ねあたりません"
    ADDRESS_INCOMPLETE = "02", "あて所不完全で配達できません"
    MOVED_ADDRESS_UNKNOWN = "03", "転居先不明"
    REFUSED = "04", "受取拒否"
    UNCLAIMED = "05", "保管期間経過"
    OTHER = "99", "その他"


class ReturnedMail(StampedModel):
    """返戻: a letter to the taxpayer that came back undelivered. Its 督促 or 催告 has had no effect
    (地方税法第20条; `taxpayers.prescription.served`) until it is re-sent and arrives, or served by
    公示送達. Recorded by `documents.delivery.record_returns`, which also records the 返戻 on each
    installment's 時効 events and puts a 所在調査 on the officer's work list (a planned 交渉記録)."""

    document = models.OneToOneField(
        Document,
        on_delete=models.PROTECT,
        related_name="returned_mail",
        verbose_name="返戻された文書",
        db_comment="返戻された文書",
    )
    returned_on = models.DateField("返戻日", db_comment="返戻された日")
    reason = models.CharField(
        "返戻理由", max_length=2, choices=ReturnReason.choices, db_comment="返戻理由（還付理由）"
    )
    note = models.CharField("備考", max_length=200, blank=True, db_comment="備考")
    investigation_record_number = models.BigIntegerField(
        "所在調査の交渉記録番号", null=True, blank=True, db_comment="所在調査として作った交渉記録の番号"
    )
    resent_document = models.OneToOneField(
        Document,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resend_of",
        verbose_name="再送付した文書",
        db_comment="新しい送付先に再送付した文書",
    )

    history = tracked_history()

    class Meta:
        verbose_name = "返戻"
        verbose_name_plural = "返戻"
        ordering = ["-returned_on", "-id"]
        db_table_comment = "返戻された文書（送達されなかった郵便）"

    def __str__(self):
        return f"返戻 {self.document.number}（{self.get_reason_display()}）"


class PublicNotice(FourEyesRecord):
    """公示送達 (地方税法第20条の2) of a returned letter: drafted by one officer with the 所在調査
    that found no address, approved by another (four eyes: a database constraint and the service).
    On approval the document is deemed served on `deemed_served_on` (掲示開始日 + 7日, 同条第3項),
    recorded as a 時効 event of each installment its 督促・催告 named."""

    class Status(models.TextChoices):
        DRAFT = "draft", "起案"
        APPROVED = "approved", "決裁済"

    returned_mail = models.OneToOneField(
        ReturnedMail,
        on_delete=models.PROTECT,
        related_name="public_notice",
        verbose_name="返戻",
        db_comment="公示送達する返戻文書",
    )
    posting_started_on = models.DateField("掲示開始日", db_comment="掲示場に掲示を始めた日")
    deemed_served_on = models.DateField(
        "送達とみなす日", db_comment="掲示を始めた日から起算して7日を経過した日（地方税法第20条の2第3項）"
    )
    investigation = models.TextField(
        "所在調査の結果",
        max_length=1000,
        db_comment="住所・居所が明らかでないとした調査（住民票、近隣、勤務先など）",
    )
    status = models.CharField(
        "状態", max_length=10, choices=Status.choices, default=Status.DRAFT, db_comment="状態"
    )
    history = tracked_history()

    class Meta:
        verbose_name = "公示送達"
        verbose_name_plural = "公示送達"
        ordering = ["-posting_started_on", "-id"]
        db_table_comment = "公示送達（地方税法第20条の2）"
        constraints = [
            four_eyes_constraint("documents_publicnotice_four_eyes"),
            models.CheckConstraint(
                condition=models.Q(deemed_served_on__gt=models.F("posting_started_on")),
                name="documents_publicnotice_deemed_after_posting",
            ),
        ]

    def __str__(self):
        return f"公示送達 {self.returned_mail.document.number}（{self.get_status_display()}）"
