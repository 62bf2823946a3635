from decimal import Decimal

from django import forms

from reductions.models import LateChargeReduction
from wako_collections.formfields import WarekiDateField


class ApplyForm(forms.Form):
    assessment = forms.ModelChoiceField(label="期別", queryset=None, empty_label="選んでください")
    applied_on = WarekiDateField(label="申請日")
    reason = forms.CharField(label="申請理由", max_length=300, widget=forms.TextInput(attrs={"size": 60}))
    requested_start = WarekiDateField(label="減免を求める期間（初日）", required=False)
    requested_end = WarekiDateField(label="減免を求める期間（末日）", required=False)
    requested_amount = forms.IntegerField(
        label="減免を求める額（円）", min_value=1, max_value=10_000_000_000, required=False
    )

    def __init__(self, *args, assessments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = assessments
        self.fields["assessment"].label_from_instance = lambda a: (
            f"{a.get_subject_code_display()} {a.tax_year}年度分 {a.notice_number} 第{a.logical_period}期"
        )


class DecideForm(forms.Form):
    category = forms.ChoiceField(label="減免区分", choices=LateChargeReduction.Category.choices)
    share_percent = forms.DecimalField(
        label="減免割合（%）",
        min_value=Decimal("0.01"),
        max_value=Decimal("99.99"),
        decimal_places=2,
        required=False,
        help_text="一部減免（割合）のとき",
    )
    amount = forms.IntegerField(
        label="減免額（円）",
        min_value=1,
        max_value=10_000_000_000,
        required=False,
        help_text="一部減免（金額）のとき",
    )
    start = WarekiDateField(label="減免期間（初日）", required=False, help_text="全額・割合のとき")
    end = WarekiDateField(label="減免期間（末日）", required=False)
    note = forms.CharField(label="決定理由", max_length=300, widget=forms.TextInput(attrs={"size": 60}))

    @property
    def share(self) -> int | None:
        percent = self.cleaned_data.get("share_percent")
        return int(percent * 100) if percent is not None else None


class RejectForm(forms.Form):
    note = forms.CharField(label="却下の理由", max_length=300, widget=forms.TextInput(attrs={"size": 60}))


class CancelForm(forms.Form):
    reason = forms.CharField(label="取消の理由", max_length=300, widget=forms.TextInput(attrs={"size": 60}))
    cancelled_on = WarekiDateField(label="取消日", help_text="決定日から本日までの日")
