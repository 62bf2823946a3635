import re
import unicodedata

from django import forms
from django.db import models

from taxpayers import individual_numbers
from taxpayers.individual_numbers import RevealPurpose
from taxpayers.late_charges import EXEMPT, POSTPONED, ReliefPeriod
from taxpayers.models import Payment
from taxpayers.subjects import Subject
from wako_collections.formfields import FilterChoiceField, FiscalYearField, WarekiDateField


class SearchForm(forms.Form):
    # The name first and focused: the page opens ready to type what officers search by most.
    name = forms.CharField(
        label="氏名（漢字・カナ）",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autofocus": True}),
    )
    atena_number = forms.CharField(label="宛名番号", max_length=15, required=False)
    birth_date = WarekiDateField(label="生年月日", required=False)
    address = forms.CharField(label="住所の一部", max_length=100, required=False)
    notice_number = forms.CharField(label="通知書番号", max_length=20, required=False)
    phone = forms.CharField(label="電話番号", max_length=20, required=False)

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in self.fields):
            raise forms.ValidationError("検索条件を1つ以上入力してください。")
        if (
            cleaned.get("name")
            and len(cleaned["name"].replace(" ", "").replace("　", "")) < 2
            and not any(
                cleaned.get(name)
                for name in ("atena_number", "birth_date", "address", "notice_number", "phone")
            )
        ):
            raise forms.ValidationError("氏名だけで検索するときは2文字以上入力してください。")
        return cleaned


class LedgerFilterForm(forms.Form):
    as_of = WarekiDateField(label="基準日", required=False)
    outstanding_only = forms.BooleanField(label="未納のある期別のみ", required=False)
    subject = forms.ChoiceField(label="科目", choices=[("", "すべて"), *Subject.choices], required=False)
    tax_year = FiscalYearField(label="年度分", min_value=1990, max_value=2100, required=False)
    all_years = forms.BooleanField(label="完納の年度も表示", required=False)


MEANINGFUL_REASON_CHARACTERS = 5
_LONG_NUMBER = re.compile(r"[0-9]{12}")


def check_reveal_reason(text: str) -> str:
    """A reason someone can audit: at least five letters or digits (kana, kanji, Latin; not
    punctuation, symbols or spaces), not one character repeated, and no 12-digit number (a 個人番号
    must never reach the log the reason is written to)."""
    reason = " ".join(unicodedata.normalize("NFKC", text or "").split())
    meaningful = [c for c in reason if unicodedata.category(c)[0] in "LN"]
    if len(meaningful) < MEANINGFUL_REASON_CHARACTERS or len(set(meaningful)) < 3:
        raise forms.ValidationError(
            f"理由を具体的に入力してください（記号・空白を除いて{MEANINGFUL_REASON_CHARACTERS}文字以上。"
            "例: ○○銀行への預貯金照会書に記載するため）。"
        )
    if _LONG_NUMBER.search(individual_numbers.normalize(reason)):
        raise forms.ValidationError(
            "理由に12桁以上の番号を書かないでください（個人番号は記録に残せません）。"
        )
    if any(unicodedata.category(c) == "Cc" for c in reason):
        raise forms.ValidationError("理由に制御文字は使えません。")
    return reason


class RevealForm(forms.Form):
    purpose = forms.ChoiceField(
        label="表示する目的",
        choices=[("", "選択してください"), *RevealPurpose.choices],
        help_text="番号法・特定個人情報保護評価書で定めた利用目的から選びます。",
    )
    reason = forms.CharField(
        label="具体的な理由",
        max_length=100,
        help_text="例: ○○銀行への預貯金照会書に記載するため。理由は監査記録に残ります。個人番号は書かないでください。",
        widget=forms.TextInput(attrs={"size": 60}),
    )

    def clean_reason(self):
        return check_reveal_reason(self.cleaned_data["reason"])

    @property
    def purpose_label(self) -> str:
        return RevealPurpose(self.cleaned_data["purpose"]).label


class LateChargeForm(forms.Form):
    amount = forms.IntegerField(label="本税額（円）", min_value=0, max_value=10**12)
    due_date = WarekiDateField(label="納期限")
    paid_on = WarekiDateField(label="完納日（計算する日）")
    first_band_months = forms.IntegerField(
        label="低い割合の期間（月）",
        min_value=1,
        max_value=12,
        initial=1,
        help_text="税は1。保険料は条例の定め（例: 3）",
    )
    extension_until = WarekiDateField(
        label="延長された申告期限",
        required=False,
        help_text="法人市民税で申告期限の延長があるとき。納期限には延長前の法定納期限を入力",
    )
    payment_1_date = WarekiDateField(label="一部納付1 日付", required=False)
    payment_1_amount = forms.IntegerField(label="一部納付1 金額", min_value=1, required=False)
    payment_2_date = WarekiDateField(label="一部納付2 日付", required=False)
    payment_2_amount = forms.IntegerField(label="一部納付2 金額", min_value=1, required=False)
    payment_3_date = WarekiDateField(label="一部納付3 日付", required=False)
    payment_3_amount = forms.IntegerField(label="一部納付3 金額", min_value=1, required=False)
    # 延滞金の免除 (地方税法第15条の9第1項, 附則第3条の2第2項): one period of each kind, both days included
    exempt_from = WarekiDateField(label="全額免除の期間 初日", required=False)
    exempt_to = WarekiDateField(
        label="全額免除の期間 末日", required=False, help_text="執行停止、災害・盗難・病気等による徴収の猶予"
    )
    postponed_from = WarekiDateField(label="猶予の期間 初日", required=False)
    postponed_to = WarekiDateField(
        label="猶予の期間 末日", required=False, help_text="換価の猶予、事業の廃止等による徴収の猶予"
    )

    RELIEFS = (("exempt", EXEMPT, "全額免除"), ("postponed", POSTPONED, "猶予（一部免除）"))

    def clean(self):
        cleaned = super().clean()
        due, paid = cleaned.get("due_date"), cleaned.get("paid_on")
        if due and paid and paid < due:
            raise forms.ValidationError("完納日は納期限以後の日付にしてください。")
        extension = cleaned.get("extension_until")
        if due and extension and extension <= due:
            self.add_error(
                "extension_until", "延長された申告期限は納期限（法定納期限）より後の日付にしてください。"
            )
        payments = []
        for n in (1, 2, 3):
            day, amount = cleaned.get(f"payment_{n}_date"), cleaned.get(f"payment_{n}_amount")
            if bool(day) != bool(amount):
                self.add_error(f"payment_{n}_date", "一部納付は日付と金額を両方入力してください。")
            elif day:
                if due and paid and not (due < day < paid):
                    self.add_error(
                        f"payment_{n}_date",
                        "一部納付の日付は納期限の翌日から完納日の前日までにしてください。",
                    )
                payments.append((day, amount))
        if cleaned.get("amount") is not None and sum(a for _, a in payments) >= cleaned["amount"] > 0:
            raise forms.ValidationError(
                "一部納付の合計が本税額以上です。完納日を一部納付の日にしてください。"
            )
        cleaned["payments"] = payments
        reliefs = []
        for prefix, kind, label in self.RELIEFS:
            first, last = cleaned.get(f"{prefix}_from"), cleaned.get(f"{prefix}_to")
            if bool(first) != bool(last):
                self.add_error(f"{prefix}_from", f"{label}の期間は初日と末日を両方入力してください。")
            elif first and last < first:
                self.add_error(f"{prefix}_to", f"{label}の期間の末日が初日より前です。")
            elif first:
                reliefs.append(ReliefPeriod(first, last, kind, label))
        cleaned["reliefs"] = reliefs
        return cleaned


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="データの種類",
        choices=[("persons", "宛名"), ("assessments", "調定"), ("payments", "収納")],
    )
    file = forms.FileField(
        label="CSVファイル",
        help_text="文字コードは UTF-8 または Shift_JIS（CP932）。1行目は見出し行（列名は取込レイアウトのとおり）。",
    )


CHANNEL_LABELS = dict(Payment.Channel.choices)


class YenField(forms.IntegerField):
    """An amount in yen as staff type it: 1,000 / １，０００ / 1000円 are 1000."""

    def to_python(self, value):
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value).replace(",", "").replace("円", "").strip()
        return super().to_python(value)


class WorkingListForm(forms.Form):
    """滞納者一覧's query string: every parameter is read here, and a value that cannot be read is
    refused in Japanese (the list is then not shown filtered by half of it). Saved filters are read
    through this same form when loaded (`SavedListFilter`)."""

    class Officer:
        MINE = "mine"
        ALL = "all"
        UNASSIGNED = "unassigned"

    class State(models.TextChoices):
        PLEDGED = "pledged", "分納中"
        SEIZED = "seized", "差押中（交付要求中を含む）"
        STOPPED = "stopped", "停止中"
        POSTPONED = "postponed", "猶予中"

    class Sort(models.TextChoices):
        AMOUNT_DESC = "amount_desc", "未納本税の多い順"
        AMOUNT_ASC = "amount_asc", "未納本税の少ない順"
        PRESCRIPTION = "prescription", "時効予定日の近い順"
        OLDEST_DUE = "oldest_due", "納期限の古い順"
        LAST_CONTACT = "last_contact", "最終接触の古い順"
        ATENA = "atena", "宛名番号順"

    officer = forms.ChoiceField(label="担当", required=False)
    district = FilterChoiceField(label="地区", choices=[])
    subject = FilterChoiceField(label="科目", choices=Subject.choices)
    tax_year = FiscalYearField(label="年度分", min_value=1990, max_value=2100, required=False)
    amount_min = YenField(label="未納本税（以上）", min_value=0, max_value=10**12, required=False)
    amount_max = YenField(label="未納本税（以下）", min_value=0, max_value=10**12, required=False)
    prescription_from = WarekiDateField(label="時効予定日（この日から）", required=False)
    prescription_by = WarekiDateField(label="時効予定日（この日まで）", required=False)
    no_contact_days = forms.IntegerField(
        label="最終接触からの日数（以上）", min_value=0, max_value=36500, required=False
    )
    state = FilterChoiceField(label="状態", choices=State.choices)
    sort = FilterChoiceField(label="並び順", choices=Sort.choices, blank_label="未納本税の多い順")

    def __init__(self, data=None, *, officers, districts, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["officer"].choices = [
            (self.Officer.MINE, "自分の担当"),
            (self.Officer.ALL, "全員"),
            (self.Officer.UNASSIGNED, "未割当"),
            *[(str(staff.pk), f"{staff.full_name}（{staff.staff_number}）") for staff in officers],
        ]
        self.fields["officer"].error_messages["invalid_choice"] = (
            "選択肢にない担当です。一覧から選んでください。"
        )
        self.fields["district"].choices = [("", "すべて"), *[(d, d) for d in districts]]
        # blank (a list opened from a link) sorts as 未納本税の多い順: offered once, not twice
        self.fields["sort"].choices = self.Sort.choices
        for name in ("amount_min", "amount_max", "no_contact_days"):
            field = self.fields[name]
            field.error_messages.update(
                invalid=f"{field.label}は半角数字で入力してください。",
                min_value=f"{field.label}は0以上で入力してください。",
                max_value=f"{field.label}が大きすぎます。",
            )
            field.widget.attrs.update(inputmode="numeric", size=10)

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("amount_min"), cleaned.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", "未納本税の上限は下限以上の金額にしてください。")
        first, last = cleaned.get("prescription_from"), cleaned.get("prescription_by")
        if first and last and first > last:
            self.add_error("prescription_by", "時効予定日の終わりは始まり以後の日付にしてください。")
        cleaned["officer"] = cleaned.get("officer") or self.Officer.MINE
        cleaned["sort"] = cleaned.get("sort") or self.Sort.AMOUNT_DESC
        return cleaned


class SavedListFilterForm(forms.Form):
    name = forms.CharField(
        label="検索条件の名前",
        max_length=40,
        error_messages={
            "required": "検索条件の名前を入力してください。",
            "max_length": "名前は40文字以内にしてください。",
        },
    )
