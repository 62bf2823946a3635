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


class ReturnForm(forms.Form):
    """返戻 of one letter (from its page)."""

    returned_on = WarekiDateField(label="返戻日")
    reason = forms.ChoiceField(label="返戻理由", choices=())
    note = forms.CharField(label="備考", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        from documents.models import ReturnReason

        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = ReturnReason.choices


class ReturnListForm(forms.Form):
    """A list of returned letters: typed, pasted, read by a barcode reader, or a text file."""

    returned_on = WarekiDateField(label="返戻日")
    reason = forms.ChoiceField(label="返戻理由（行に指定がないとき）", choices=())
    numbers = forms.CharField(
        label="文書番号（1行に1件。「文書番号,返戻理由コード」も可。納付書のバーコード44桁も読めます）",
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
    )
    upload = forms.FileField(label="またはテキストファイル（UTF-8 または CP932）", required=False)

    MAX_BYTES = 200_000

    def __init__(self, *args, **kwargs):
        from documents.models import ReturnReason

        super().__init__(*args, **kwargs)
        # the code beside each reason: a line may carry it (「D2026000001,03」)
        self.fields["reason"].choices = [(code, f"{code} {label}") for code, label in ReturnReason.choices]

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        if upload is not None:
            if upload.size > self.MAX_BYTES:
                raise forms.ValidationError("ファイルが大きすぎます（200KBまで）。分けて登録してください。")
            raw = upload.read()
            for encoding in ("utf-8-sig", "cp932"):
                try:
                    data["numbers"] = raw.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise forms.ValidationError(
                    "ファイルの文字コードが読めません（UTF-8 か CP932 で保存してください）。"
                )
        if not (data.get("numbers") or "").strip():
            raise forms.ValidationError("文書番号を入力するか、ファイルを選んでください。")
        return data


class ResendForm(forms.Form):
    """The 送付先 the 所在調査 found."""

    name = forms.CharField(label="送付先氏名", max_length=100)
    postal_code = forms.CharField(label="郵便番号", max_length=8, required=False)
    address = forms.CharField(label="送付先住所", max_length=200)
    address_extra = forms.CharField(label="方書", max_length=100, required=False)


class PublicNoticeForm(forms.Form):
    posting_started_on = WarekiDateField(label="掲示開始日")
    investigation = forms.CharField(
        label="所在調査の結果（住所・居所が明らかでないとした調査）",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
