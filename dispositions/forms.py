from django import forms

from dispositions.models import (
    CancellationCategory,
    Disposition,
    DispositionCategory,
    DispositionCode,
    Inquiry,
    InquiryTarget,
)
from wako_collections.formfields import FilterChoiceField, PostalCodeField, WarekiDateField


class DispositionFilterForm(forms.Form):
    # Besides each status, the dispositions whose cancellation waits for a decision (取消の決裁待ち).
    CANCELLATION_PENDING = "cancellation_pending"
    STATUSES = [*Disposition.Status.choices, (CANCELLATION_PENDING, "取消の決裁待ち")]

    status = FilterChoiceField(label="状態", choices=STATUSES)


class InquiryListForm(forms.Form):
    view = FilterChoiceField(
        label="表示",
        choices=[("pending", "回答待ち"), ("overdue", "回答期限切れ"), ("all", "すべて")],
        blank_label="回答待ち",
    )


class DraftPrefillForm(forms.Form):
    """What a link may carry into a new draft (from an inquiry answer that found property, or a
    chosen 処分コード). Each value is checked like the draft's own field; a bad one is dropped."""

    code = FilterChoiceField(label="処分コード", choices=DispositionCode.choices)
    category = FilterChoiceField(label="処分区分", choices=DispositionCategory.choices)
    reason = forms.CharField(label="処分理由", max_length=200, required=False)
    property_description = forms.CharField(label="財産の表示", max_length=300, required=False)
    third_party_name = forms.CharField(label="第三債務者等", max_length=100, required=False)
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
    third_party_address = forms.CharField(label="第三債務者等の所在地", max_length=200, required=False)
    assessments = forms.TypedMultipleChoiceField(
        label="対象の期別",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "対象の期別を選んでください。"},
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessments"].choices = choices


class CancelForm(forms.Form):
    category = forms.ChoiceField(label="処分取消区分", choices=CancellationCategory.choices)
    reason = forms.CharField(label="処分取消理由", max_length=200, widget=forms.TextInput(attrs={"size": 60}))
    cancelled_on = WarekiDateField(label="処分取消日", help_text="処分日から本日までの日")


class RejectCancellationForm(forms.Form):
    note = forms.CharField(label="却下の理由", max_length=200, widget=forms.TextInput(attrs={"size": 60}))


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
