from django import forms

from documents.models import LEDGER_FORMS, FormCode
from wako_collections.formfields import WarekiDateField


class IssueForm(forms.Form):
    form_code = forms.ChoiceField(
        label="帳票", choices=[(c.value, c.label) for c in FormCode if c in LEDGER_FORMS]
    )
    issued_on = WarekiDateField(label="発行日")
    deadline = WarekiDateField(label="指定期限（催告書・納付書）", required=False)
    assessments = forms.TypedMultipleChoiceField(
        label="記載する期別",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "記載する期別を選んでください。"},
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessments"].choices = choices
