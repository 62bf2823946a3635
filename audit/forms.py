from django import forms

from accounts.models import SecurityEvent
from wako_collections.formfields import WarekiDateField


class SecurityEventFilterForm(forms.Form):
    staff_number = forms.CharField(label="職員番号", max_length=20, required=False)
    terminal_number = forms.CharField(label="端末番号", max_length=20, required=False)
    kind = forms.ChoiceField(
        label="種別", choices=[("", "すべて"), *SecurityEvent.Kind.choices], required=False
    )
    date_from = WarekiDateField(label="期間（から）", required=False)
    date_to = WarekiDateField(label="期間（まで）", required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            raise forms.ValidationError("期間の「から」は「まで」より前の日付にしてください。")
        return cleaned
