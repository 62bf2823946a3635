from django import forms

from cases.models import CaseFlag, CaseMemo
from wako_collections.formfields import WarekiDateField


class CaseMemoForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = CaseMemo
        fields = ["workplace", "reachable_hours", "cautions"]
        widgets = {
            "workplace": forms.TextInput(
                attrs={"size": 60, "placeholder": "例: ○○運送（和光市白子）048-000-0000"}
            ),
            "reachable_hours": forms.TextInput(
                attrs={"size": 60, "placeholder": "例: 平日18時以降、土曜午前"}
            ),
            "cautions": forms.Textarea(attrs={"rows": 4, "placeholder": "例: 暴言注意。訪問は2名で。"}),
        }


class CaseFlagForm(forms.Form):
    kind = forms.ChoiceField(
        label="種類",
        choices=CaseFlag.Kind.choices,
        error_messages={"invalid_choice": "選択肢にない値です。一覧から選んでください。"},
    )
    text = forms.CharField(
        label="内容", max_length=200, required=False, widget=forms.TextInput(attrs={"size": 50})
    )
    ends_on = WarekiDateField(
        label="終了日", required=False, help_text="この日まで表示します。空欄なら外すまで表示します。"
    )


class RemoveFlagForm(forms.Form):
    reason = forms.CharField(label="外す理由", max_length=200, widget=forms.TextInput(attrs={"size": 50}))
