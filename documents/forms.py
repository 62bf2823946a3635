from django import forms

from documents import catalogue
from wako_collections.formfields import FilterChoiceField, WarekiDateField


class IssueForm(forms.Form):
    form_code = forms.ChoiceField(
        label="帳票", choices=catalogue.choices(catalogue.codes(source=catalogue.Source.LEDGER))
    )
    issued_on = WarekiDateField(label="発行日")
    deadline = WarekiDateField(label="指定期限（催告書・納付書）", required=False)
    enclose_slip = forms.BooleanField(
        label="納付書を同封する（催告書・最終催告書・差押予告書）",
        required=False,
        help_text="同じ期別・指定期限の納付書を続き番号で発行し、まとめて印刷します。",
    )
    assessments = forms.TypedMultipleChoiceField(
        label="記載する期別",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "記載する期別を選んでください。"},
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessments"].choices = choices


class IssueChoiceForm(forms.Form):
    """?form= on the issue page: the 帳票 chosen in advance (a link from the case page)."""

    form = FilterChoiceField(label="帳票", choices=IssueForm.base_fields["form_code"].choices, blank_label="")


class ExtractionForm(forms.ModelForm):
    class Meta:
        from documents.models import Extraction

        model = Extraction
        fields = [
            "name",
            "form_code",
            "subject_code",
            "tax_year",
            "min_amount",
            "max_amount",
            "officer_number",
            "district",
            "days_since_contact",
            "exclude_pledged",
            "exclude_stopped",
        ]

    def __init__(self, *args, **kwargs):
        from taxpayers.subjects import Subject

        super().__init__(*args, **kwargs)
        self.fields["subject_code"] = forms.ChoiceField(
            label="科目", required=False, choices=[("", "すべて"), *Subject.choices]
        )

    def clean(self):
        data = super().clean()
        low, high = data.get("min_amount"), data.get("max_amount")
        if low is not None and high is not None and low > high:
            raise forms.ValidationError("未納額の下限が上限より大きくなっています。")
        return data


class NoticeBatchForm(forms.Form):
    extraction = forms.ModelChoiceField(label="抽出条件", queryset=None, empty_label=None)
    deadline = WarekiDateField(label="指定期限")

    def __init__(self, *args, **kwargs):
        from documents.models import Extraction

        super().__init__(*args, **kwargs)
        self.fields["extraction"].queryset = Extraction.objects.all()
