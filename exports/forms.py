from django import forms
from django.db import models

from exports.formats import Format


class Purpose(models.TextChoices):
    CASE_WORK = "case_work", "滞納整理の進行管理（担当分の確認・訪問計画）"
    MEETING = "meeting", "課内の会議・打合せ資料"
    REPORT = "report", "報告・統計資料の作成"
    AUDIT = "audit", "監査・自己点検"
    OTHER = "other", "その他（内容を記入）"


class ExportForm(forms.Form):
    """The confirmation before a file leaves the system: what for (chosen, and typed where it is
    「その他」), and in which format."""

    purpose = forms.ChoiceField(
        label="利用目的",
        choices=Purpose.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "利用目的を選んでください。",
            "invalid_choice": "利用目的は一覧から選んでください。",
        },
    )
    purpose_detail = forms.CharField(
        label="目的の内容",
        max_length=100,
        required=False,
        help_text="「その他」のときは必ず記入してください（個人番号は書かないでください）。",
        error_messages={"max_length": "目的の内容は100文字以内で入力してください。"},
    )
    file_format = forms.ChoiceField(
        label="形式",
        choices=Format.choices,
        initial=Format.XLSX,
        widget=forms.RadioSelect,
        error_messages={
            "required": "形式を選んでください。",
            "invalid_choice": "形式は一覧から選んでください。",
        },
    )

    def clean(self):
        cleaned = super().clean()
        detail = " ".join((cleaned.get("purpose_detail") or "").split())
        if cleaned.get("purpose") == Purpose.OTHER and len(detail) < 4:
            self.add_error("purpose_detail", "「その他」の目的は具体的に記入してください（4文字以上）。")
        cleaned["purpose_detail"] = detail
        return cleaned

    @property
    def purpose_text(self) -> str:
        label = Purpose(self.cleaned_data["purpose"]).label
        detail = self.cleaned_data.get("purpose_detail")
        return f"{label}：{detail}" if detail else label
