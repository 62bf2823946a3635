from django import forms

from negotiations.models import InstallmentPledge, NegotiationRecord
from negotiations.services import EDITABLE_FIELDS
from wako_collections.eras import EraDateError, parse_date
from wako_collections.formfields import ClockTimeField, FilterChoiceField, WarekiDateField


class NegotiationForm(forms.ModelForm):
    promised_amount = forms.IntegerField(
        label="入金予定額",
        required=False,
        min_value=1,
        max_value=10**12,
        widget=forms.NumberInput(attrs={"placeholder": "約束がある場合のみ（円）"}),
        error_messages={
            "invalid": "入金予定額は半角数字（円）で入力してください。",
            "min_value": "入金予定額は1円以上で入力してください。",
            "max_value": "入金予定額が大きすぎます。金額を確かめてください。",
        },
    )
    scheduled_date = WarekiDateField(label="予実日", required=False)
    scheduled_time = ClockTimeField(label="予実時刻", required=False)

    # 訪問内容 comes right after 内容区分, so an officer reaches the main text with one Tab; the
    # codes that mostly keep their defaults follow it.
    field_order = [
        "contact_kind",
        "content",
        "result",
        "promised_amount",
        "scheduled_date",
        "scheduled_time",
        "subject_group_code",
        "collection_category",
        "importance",
        "place",
        "interviewee",
        "related_number",
        "document_code_1",
        "document_code_2",
    ]

    class Meta:
        model = NegotiationRecord
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "content": forms.Textarea(attrs={"rows": 4}),
        }

    def clean(self):
        cleaned = super().clean()
        amount, when = cleaned.get("promised_amount"), cleaned.get("scheduled_date")
        if amount and not when:
            self.add_error(
                "scheduled_date", "入金予定額を入力したときは、予実日（入金の予定日）も入力してください。"
            )
        if amount and cleaned.get("result") not in (NegotiationRecord.Result.PROMISED, None):
            self.add_error("result", "入金予定額のある記録は、予実結果を「約束」にしてください。")
        if cleaned.get("result") == NegotiationRecord.Result.PROMISED and not amount:
            self.add_error("promised_amount", "「約束」の記録には入金予定額を入力してください。")
        return cleaned


class ExpectedRevisionForm(forms.Form):
    expected_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CancelForm(ExpectedRevisionForm):
    reason = forms.CharField(label="取消の理由", max_length=200, widget=forms.TextInput(attrs={"size": 60}))


class PledgeForm(forms.Form):
    assessments = forms.TypedMultipleChoiceField(
        label="対象の期別",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "対象の期別を選んでください。"},
    )
    pledged_on = WarekiDateField(label="誓約日")
    first_date = WarekiDateField(label="初回納付日")
    count = forms.IntegerField(label="回数", min_value=1, max_value=120, required=False)
    amount_each = forms.IntegerField(
        label="1回の金額（円）",
        min_value=1,
        required=False,
        help_text="回数か1回の金額のどちらかを入力。最終回で端数を調整します。",
    )
    interval = forms.ChoiceField(label="間隔", choices=InstallmentPledge.Interval.choices, initial="monthly")
    custom_dates = forms.CharField(
        label="納付予定日（日付を指定する場合）",
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "R8.1.10, R8.2.10, R8.3.10 のように区切って入力"}
        ),
    )
    note = forms.CharField(label="備考", max_length=200, required=False)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessments"].choices = choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("interval") == InstallmentPledge.Interval.CUSTOM:
            dates = []
            for part in [
                p
                for p in cleaned.get("custom_dates", "").replace("、", ",").replace("\n", ",").split(",")
                if p.strip()
            ]:
                try:
                    dates.append(parse_date(part))
                except EraDateError as error:
                    self.add_error("custom_dates", str(error))
                    return cleaned
            if not dates:
                self.add_error("custom_dates", "日付を指定する場合は、納付予定日を1つ以上入力してください。")
            cleaned["dates"] = dates
        else:
            cleaned["dates"] = None
            if not cleaned.get("count") and not cleaned.get("amount_each"):
                raise forms.ValidationError("回数または1回の金額を入力してください。")
            if cleaned.get("count") and cleaned.get("amount_each"):
                raise forms.ValidationError("回数と1回の金額は、どちらか一方だけを入力してください。")
        return cleaned


class PledgeFilterForm(forms.Form):
    status = FilterChoiceField(label="状態", choices=InstallmentPledge.Status.choices)


class RevisesForm(forms.Form):
    """分納誓約の作成: ?revises= (or the hidden field) names the pledge a 再誓約 replaces."""

    revises = forms.CharField(label="再誓約前の誓約番号", max_length=20, required=False)


class StaffIdChoiceField(forms.ModelChoiceField):
    """A staff member chosen by id from a list: anything but ASCII digits (NUL, ｘ, １, -1) is refused
    as not in the list before it reaches a query."""

    def to_python(self, value):
        if value not in self.empty_values and not (str(value).isascii() and str(value).isdigit()):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class QueueFilterForm(forms.Form):
    """担当別の仕事: whose queue to show (blank: everyone's). An id that is not an officer is refused."""

    officer = StaffIdChoiceField(
        label="職員",
        queryset=None,
        required=False,
        empty_label="全員",
        error_messages={"invalid_choice": "選んだ職員は見つかりません。一覧から選んでください。"},
    )

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers


class AssignForm(forms.Form):
    atena_numbers = forms.CharField(label="宛名番号（複数はカンマ区切り）", max_length=2000)
    officer = forms.ModelChoiceField(label="担当職員", queryset=None)
    district = forms.CharField(label="地区（変更する場合）", max_length=30, required=False)

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers

    def clean_atena_numbers(self):
        numbers = [
            n.strip() for n in self.cleaned_data["atena_numbers"].replace("、", ",").split(",") if n.strip()
        ]
        if not numbers:
            raise forms.ValidationError("宛名番号を入力してください。")
        return numbers
