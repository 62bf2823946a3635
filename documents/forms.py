from django import forms

from documents.models import FormCode
from wako_collections.formfields import WarekiDateField


class IssueForm(forms.Form):
    form_code = forms.ChoiceField(
        label="帳票", choices=[c for c in FormCode.choices if c[0] != FormCode.PAYMENT_SLIP]
    )
    issued_on = WarekiDateField(label="発行日")
    deadline = WarekiDateField(label="指定期限（催告書）", required=False)
    assessments = forms.TypedMultipleChoiceField(
        label="記載する期別",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "記載する期別を選んでください。"},
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessments"].choices = choices
