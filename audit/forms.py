from django import forms

from accounts.forms import StaffNumberField
from accounts.models import SecurityEvent
from audit.history import KINDS
from wako_collections.formfields import ClockTimeField, WarekiDateField


class PeriodForm(forms.Form):
    """A 和暦 date range, both ends optional; "から" may not come after "まで"."""

    date_from = WarekiDateField(label="期間（から）", required=False)
    date_to = WarekiDateField(label="期間（まで）", required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            raise forms.ValidationError("期間の「から」は「まで」より前の日付にしてください。")
        return cleaned


class SecurityEventFilterForm(PeriodForm):
    staff_number = StaffNumberField(label="職員番号", max_length=20, required=False)
    terminal_number = forms.CharField(label="端末番号", max_length=20, required=False)
    kind = forms.ChoiceField(
        label="種別", choices=[("", "すべて"), *SecurityEvent.Kind.choices], required=False
    )
    field_order = ["staff_number", "terminal_number", "kind", "date_from", "date_to"]


class HistoryFilterForm(PeriodForm):
    kind = forms.ChoiceField(
        label="記録の種類", choices=[("", "すべて"), *[(k.key, k.label) for k in KINDS]], required=False
    )
    staff_number = StaffNumberField(label="職員番号", max_length=20, required=False)
    terminal_number = forms.CharField(label="端末番号", max_length=20, required=False)
    atena_number = forms.CharField(label="宛名番号", max_length=15, required=False)
    field_order = ["kind", "staff_number", "terminal_number", "atena_number", "date_from", "date_to"]


class AccessLogFilterForm(PeriodForm):
    staff_number = StaffNumberField(label="職員番号", max_length=20, required=False)
    terminal_number = forms.CharField(label="端末番号", max_length=20, required=False)
    atena_number = forms.CharField(label="宛名番号", max_length=15, required=False)
    access_id = forms.IntegerField(label="記録番号", min_value=1, required=False)
    field_order = ["staff_number", "terminal_number", "atena_number", "date_from", "date_to", "access_id"]


class FindingsForm(PeriodForm):
    date_from = WarekiDateField(label="期間（から）")
    date_to = WarekiDateField(label="期間（まで）")


class IncidentForm(FindingsForm):
    staff_number = StaffNumberField(label="職員番号", max_length=20)
    time_from = ClockTimeField(label="開始時刻", required=False, help_text="例: 9:00（空欄は0時から）")
    time_to = ClockTimeField(label="終了時刻", required=False, help_text="例: 17:30（空欄は24時まで）")
    field_order = ["staff_number", "date_from", "time_from", "date_to", "time_to"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to"):
            window = self.window(cleaned)
            if window.start >= window.end:
                raise forms.ValidationError("開始日時は終了日時より前にしてください。")
        return cleaned

    @staticmethod
    def window(data):
        from datetime import timedelta

        from audit.findings import Window, local_midnight

        start = local_midnight(data["date_from"])
        if data.get("time_from"):
            start = start.replace(hour=data["time_from"].hour, minute=data["time_from"].minute)
        end = local_midnight(data["date_to"] + timedelta(days=1))
        if data.get("time_to"):
            end = local_midnight(data["date_to"]).replace(
                hour=data["time_to"].hour, minute=data["time_to"].minute
            )
        return Window(start, end)


class DisclosureForm(forms.Form):
    atena_number = forms.CharField(label="宛名番号", max_length=15)
    reason = forms.CharField(
        label="請求の受付",
        max_length=200,
        help_text="例: 令和8年11月27日 本人から開示請求（受付番号 2026-015）",
        widget=forms.TextInput(attrs={"size": 60}),
    )

    def clean_atena_number(self):
        from taxpayers.models import Taxpayer

        number = self.cleaned_data["atena_number"].strip()
        taxpayer = Taxpayer.objects.filter(atena_number=number).first()
        if taxpayer is None:
            raise forms.ValidationError("この宛名番号の宛名はありません。")
        self.taxpayer = taxpayer
        return number
