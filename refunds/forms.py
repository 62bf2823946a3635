from django import forms

from refunds.models import Disposal
from wako_collections.formfields import WarekiDateField


class RefundAccountForm(forms.Form):
    """還付先の口座: validated and normalised here; the service decides whether a 還付 may be proposed."""

    bank_name = forms.CharField(label="金融機関名", max_length=60)
    bank_code = forms.RegexField(
        label="金融機関コード", regex=r"^\d{4}$", error_messages={"invalid": "金融機関コードは数字4桁です。"}
    )
    branch_name = forms.CharField(label="支店名", max_length=60)
    branch_code = forms.RegexField(
        label="支店コード", regex=r"^\d{3}$", error_messages={"invalid": "支店コードは数字3桁です。"}
    )
    account_type = forms.ChoiceField(label="預金種目", choices=Disposal.AccountType.choices)
    account_number = forms.RegexField(
        label="口座番号", regex=r"^\d{1,7}$", error_messages={"invalid": "口座番号は数字7桁以内です。"}
    )
    account_holder_kana = forms.RegexField(
        label="口座名義（カナ）",
        max_length=60,
        regex=r"^[ァ-ヶーｦ-ﾟ0-9A-Z（）()．.／/－\- 　]+$",
        error_messages={"invalid": "口座名義はカナで入力してください。"},
    )

    def clean_account_number(self):
        return self.cleaned_data["account_number"].zfill(7)


class ApproveForm(forms.Form):
    decided_on = WarekiDateField(label="充当日・支出決定日")


class ExportForm(forms.Form):
    decided_from = WarekiDateField(label="支出決定日（から）")
    decided_to = WarekiDateField(label="支出決定日（まで）")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("decided_from"), cleaned.get("decided_to")
        if start and end and end < start:
            raise forms.ValidationError("支出決定日の範囲は「から」を「まで」より前にしてください。")
        return cleaned
