from django import forms

from exchange.models import ExportRun


class StartForm(forms.Form):
    mode = forms.ChoiceField(
        label="区分",
        choices=ExportRun.Mode.choices,
        initial=ExportRun.Mode.DELTA,
        widget=forms.RadioSelect,
        error_messages={
            "required": "差分か全件かを選んでください。",
            "invalid_choice": "選択肢にない値です。",
        },
    )
