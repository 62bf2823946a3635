from django import forms

from dispositions.inquiries import ANSWERS_RECENT_DAYS
from dispositions.models import (
    CancellationCategory,
    Collection,
    Disposition,
    DispositionCategory,
    DispositionCode,
    Inquiry,
    InquiryTarget,
)
from wako_collections.formfields import FilterChoiceField, FiscalYearField, PostalCodeField, WarekiDateField


class DispositionFilterForm(forms.Form):
    # Besides each status, the dispositions whose cancellation waits for a decision (取消の決裁待ち).
    CANCELLATION_PENDING = "cancellation_pending"
    STATUSES = [*Disposition.Status.choices, (CANCELLATION_PENDING, "取消の決裁待ち")]

    status = FilterChoiceField(label="状態", choices=STATUSES)


class InquiryListForm(forms.Form):
    view = FilterChoiceField(
        label="表示",
        choices=[
            ("pending", "回答待ち"),
            ("overdue", "回答期限切れ"),
            ("answered", f"回答あり（直近{ANSWERS_RECENT_DAYS}日）"),
            ("all", "すべて"),
        ],
        blank_label="回答待ち",
    )
    officer = FilterChoiceField(
        label="担当", choices=[("mine", "自分の担当の宛名"), ("all", "全職員")], blank_label="全職員"
    )


class DraftPrefillForm(forms.Form):
    """What a link may carry into a new draft (from an inquiry answer that found property, or a
    chosen 処分コード). Each value is checked like the draft's own field; a bad one is dropped."""

    code = FilterChoiceField(label="処分コード", choices=DispositionCode.choices)
    category = FilterChoiceField(label="処分区分", choices=DispositionCategory.choices)
    reason = forms.CharField(label="処分理由", max_length=200, required=False)
    property_description = forms.CharField(label="財産の表示", max_length=300, required=False)
    third_party_name = forms.CharField(label="第三債務者等", max_length=100, required=False)
    third_party_branch = forms.CharField(label="第三債務者等の支店・部署", max_length=100, required=False)
    third_party_postal_code = forms.RegexField(
        label="第三債務者等の郵便番号",
        regex=r"^\d{7}$",
        required=False,
        error_messages={"invalid": "郵便番号は7桁の数字で入力してください（ハイフンなし）。"},
    )
    third_party_address = forms.CharField(label="第三債務者等の所在地", max_length=200, required=False)


class DraftForm(forms.Form):
    code = forms.ChoiceField(label="処分コード", choices=DispositionCode.choices)
    category = forms.ChoiceField(label="処分区分", choices=DispositionCategory.choices)
    planned_on = WarekiDateField(label="処分予定日")
    postponed_until = WarekiDateField(
        label="猶予期間の終期", required=False, help_text="徴収の猶予・換価の猶予のとき（1年以内）"
    )
    reason = forms.CharField(label="処分理由", max_length=200)
    property_description = forms.CharField(label="財産の表示", max_length=300, required=False)
    third_party_name = forms.CharField(label="第三債務者等", max_length=100, required=False)
    third_party_branch = forms.CharField(label="第三債務者等の支店・部署", max_length=100, required=False)
    third_party_postal_code = forms.RegexField(
        label="第三債務者等の郵便番号",
        regex=r"^\d{7}$",
        required=False,
        error_messages={"invalid": "郵便番号は7桁の数字で入力してください（ハイフンなし）。"},
    )
    third_party_address = forms.CharField(label="第三債務者等の所在地", max_length=200, required=False)
    wage_paid = forms.IntegerField(
        label="給与の支給額（月額・円）",
        min_value=0,
        required=False,
        help_text="給与の差押のとき（国税徴収法第76条）",
    )
    wage_income_tax = forms.IntegerField(label="源泉所得税（円）", min_value=0, required=False)
    wage_resident_tax = forms.IntegerField(
        label="特別徴収の住民税・森林環境税（円）", min_value=0, required=False
    )
    wage_social_insurance = forms.IntegerField(label="社会保険料（円）", min_value=0, required=False)
    wage_dependants = forms.IntegerField(
        label="生計を一にする親族の数", min_value=0, max_value=20, required=False
    )
    seized_monthly_amount = forms.IntegerField(
        label="毎月の差押額（円）",
        min_value=1,
        required=False,
        help_text="差押可能額以下（超えるときは起案できません）",
    )
    assessments = forms.TypedMultipleChoiceField(
        label="対象の期別",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "対象の期別を選んでください。"},
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessments"].choices = choices


WAGE_FIELDS = (
    "wage_paid",
    "wage_income_tax",
    "wage_resident_tax",
    "wage_social_insurance",
    "wage_dependants",
    "seized_monthly_amount",
)


def wage_terms(data: dict):
    """The 給与差押's terms when every one was entered; None when none was (the service then asks)."""
    from dispositions.services import WageTerms

    values = [data.get(name) for name in WAGE_FIELDS]
    if any(value is None for value in values):
        return None
    return WageTerms(*values)


class CollectionForm(forms.Form):
    collected_on = WarekiDateField(label="取立日")
    amount = forms.IntegerField(label="取立額（円）", min_value=1, max_value=10**12)
    method = forms.ChoiceField(label="取立の方法", choices=Collection.Method.choices)
    payer_name = forms.CharField(label="給付した第三債務者", max_length=100, required=False)
    other_claimants = forms.BooleanField(
        label="交付要求・参加差押・担保権者がある（配当計算書を作成する）", required=False
    )
    note = forms.CharField(label="備考", max_length=200, required=False)


CLAIM_ROWS = 5


def _claim_kinds():
    from dispositions.distribution import CITY_SEIZURE, ranks

    return [("", "—")] + [
        (r.kind, f"第{r.rank}順位 {r.label}") for r in ranks().values() if r.kind != CITY_SEIZURE
    ]


class DistributionForm(forms.Form):
    """配当計算書の起案: the sending day and up to five other claims (the city's own claim is
    computed from the seized installments)."""

    sent_on = WarekiDateField(
        label="謄本の発送日", help_text="金銭の交付を受けた日から3日以内（国税徴収法第131条）"
    )
    require_claims = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, CLAIM_ROWS + 1):
            self.fields[f"kind_{i}"] = forms.ChoiceField(
                label=f"債権{i} 種類", choices=_claim_kinds(), required=False
            )
            self.fields[f"claimant_{i}"] = forms.CharField(
                label=f"債権{i} 債権者", max_length=100, required=False
            )
            self.fields[f"address_{i}"] = forms.CharField(
                label=f"債権{i} 所在地", max_length=200, required=False
            )
            self.fields[f"established_on_{i}"] = WarekiDateField(
                label=f"債権{i} 設定日・受付日", required=False
            )
            self.fields[f"claimed_{i}"] = forms.IntegerField(
                label=f"債権{i} 債権額（円）", min_value=0, max_value=10**12, required=False
            )

    def clean(self):
        from dispositions.distribution import Claim

        data = super().clean()
        claims = []
        for i in range(1, CLAIM_ROWS + 1):
            kind, claimant, claimed = (
                data.get(f"kind_{i}"),
                (data.get(f"claimant_{i}") or "").strip(),
                data.get(f"claimed_{i}"),
            )
            if not kind and not claimant and claimed is None:
                continue
            if not kind or not claimant or claimed is None:
                raise forms.ValidationError(f"債権{i}: 種類・債権者・債権額をすべて入力してください。")
            claims.append(
                Claim(
                    kind, claimant, claimed, data.get(f"established_on_{i}"), data.get(f"address_{i}") or ""
                )
            )
        if not claims and self.require_claims:
            raise forms.ValidationError("他の債権者の債権を1件以上入力してください。")
        data["claims"] = claims
        return data


class SaleDistributionForm(DistributionForm):
    """配当計算書 for the 換価代金 of a sold property: a 配当計算書 is made even with no other claimant
    (国税徴収法第131条), so the claims may be left empty."""

    require_claims = False
    total = forms.IntegerField(label="換価代金（円）", min_value=1, max_value=10**12)
    received_on = WarekiDateField(label="買受代金の納付日")

    field_order = ["total", "received_on", "sent_on"]


class CancelForm(forms.Form):
    category = forms.ChoiceField(label="処分取消区分", choices=CancellationCategory.choices)
    reason = forms.CharField(label="処分取消理由", max_length=200, widget=forms.TextInput(attrs={"size": 60}))
    cancelled_on = WarekiDateField(label="処分取消日", help_text="処分日から本日までの日")


class RejectCancellationForm(forms.Form):
    note = forms.CharField(
        label="却下の理由",
        max_length=200,
        widget=forms.TextInput(attrs={"size": 60}),
        error_messages={"required": "却下の理由を入力してください。"},
    )


class InquiryTargetForm(forms.ModelForm):
    postal_code = PostalCodeField(required=False)

    class Meta:
        model = InquiryTarget
        fields = ["kind", "name", "branch", "postal_code", "address", "phone", "is_active"]


class InquiryForm(forms.Form):
    purpose = forms.ChoiceField(label="照会事項", choices=Inquiry.Purpose.choices)
    targets = forms.ModelMultipleChoiceField(
        label="照会先",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "照会先を1件以上選んでください。"},
    )
    answer_due = WarekiDateField(label="回答期限")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["targets"].queryset = InquiryTarget.objects.filter(is_active=True)


class BatchInquiryForm(forms.Form):
    purpose = forms.ChoiceField(label="照会事項", choices=Inquiry.Purpose.choices)
    target = forms.ModelChoiceField(label="照会先", queryset=None)
    answer_due = WarekiDateField(label="回答期限")
    atena_numbers = forms.CharField(
        label="宛名番号（改行またはカンマ区切り）",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20_000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = InquiryTarget.objects.filter(is_active=True)

    def clean_atena_numbers(self):
        text = self.cleaned_data["atena_numbers"].replace("、", ",").replace("\n", ",")
        numbers = sorted({n.strip() for n in text.split(",") if n.strip()})
        if not numbers:
            raise forms.ValidationError("宛名番号を入力してください。")
        return numbers


class SentForm(forms.Form):
    sent_on = WarekiDateField(label="発送日")


class AnswerForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    answered_on = WarekiDateField(label="回答日")
    answer = forms.ChoiceField(label="回答", choices=[("", "選んでください"), *Inquiry.Answer.choices])
    account = forms.CharField(label="口座等（金融機関・支店・種目・番号）", max_length=100, required=False)
    balance = forms.IntegerField(label="残高（円）", min_value=0, required=False)
    salary = forms.IntegerField(label="月額給与（円）", min_value=0, required=False)
    payday = forms.IntegerField(label="給与の支払日（日）", min_value=1, max_value=31, required=False)
    found_address = forms.CharField(label="判明した住所", max_length=200, required=False)
    answer_note = forms.CharField(label="備考", max_length=200, required=False)


class WriteOffDraftForm(forms.Form):
    """不納欠損決議の起案: the 年度 it is counted in, a 摘要, and the chosen candidates."""

    fiscal_year = FiscalYearField(label="欠損年度", help_text="出納閉鎖（翌年度の5月31日）までの年度")
    note = forms.CharField(
        label="摘要", max_length=200, required=False, widget=forms.TextInput(attrs={"size": 60})
    )
    assessments = forms.TypedMultipleChoiceField(
        label="欠損とする期別",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "欠損とする期別を選んでください。"},
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessments"].choices = choices


class WithdrawWriteOffForm(forms.Form):
    note = forms.CharField(label="取下げの理由", max_length=200, required=False)


class WriteOffCancellationForm(forms.Form):
    reason = forms.CharField(
        label="取消の理由（誤りの内容）",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="例: 令和7年5月の差押が記録漏れで、時効は完成していなかった",
    )
