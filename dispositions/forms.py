from django import forms

from dispositions.models import CancellationCategory, DispositionCategory, DispositionCode
from wako_collections.formfields import WarekiDateField


class DraftForm(forms.Form):
    code = forms.ChoiceField(label="処分コード", choices=DispositionCode.choices)
    category = forms.ChoiceField(label="処分区分", choices=DispositionCategory.choices)
    planned_on = WarekiDateField(label="処分予定日")
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
    cancelled_on = WarekiDateField(label="処分取消日")
