"""Form fields shared by every app.

Every date and 年度 a user can type is bounded: from 明治元年1月25日 (1868-01-25, the first day
和暦 can show) to 2100-12-31, unless the field has a tighter sense of its own (`earliest=`/`latest=`,
`min_value=`/`max_value=`). Outside the bounds a value is refused with a Japanese message rather than
handed to code that adds days to it (9999-12-31 + 1 day) or shows it in 和暦 (0001-01-01 has no era)."""

from datetime import date, time

from django import forms

from wako_collections import eras

EARLIEST_DATE = eras.ERAS[0].start  # 明治の始まり: before it no date can be shown in 和暦
LATEST_DATE = date(2100, 12, 31)
EARLIEST_FISCAL_YEAR = EARLIEST_DATE.year  # 明治元年度
LATEST_FISCAL_YEAR = LATEST_DATE.year


def date_bounds_message(earliest: date, latest: date) -> str:
    return (
        f"日付は{eras.format_date(earliest)}（{earliest:%Y-%m-%d}）から"
        f"{eras.format_date(latest)}（{latest:%Y-%m-%d}）までの間で入力してください。"
    )


def fiscal_year_bounds_message(earliest: int, latest: int) -> str:
    return (
        f"年度は{eras.fiscal_year_label(earliest)}（{earliest}年度）から"
        f"{eras.fiscal_year_label(latest)}（{latest}年度）までの間で入力してください。"
    )


class WarekiDateField(forms.DateField):
    """A date typed in 和暦 (R7.4.1, 令和7年4月1日) or 西暦 (2025-04-01); shown back in 和暦.

    Refused outside EARLIEST_DATE..LATEST_DATE, or the tighter `earliest`/`latest` given."""

    widget = forms.TextInput(attrs={"placeholder": "例: R7.4.1 または 2025-04-01", "inputmode": "text"})

    def __init__(self, *, earliest: date | None = None, latest: date | None = None, **kwargs):
        self.earliest = max(earliest or EARLIEST_DATE, EARLIEST_DATE)
        self.latest = min(latest or LATEST_DATE, LATEST_DATE)
        if self.earliest > self.latest:
            raise ValueError(f"earliest {self.earliest} is after latest {self.latest}")
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if hasattr(value, "year"):
            return value
        try:
            return eras.parse_date(str(value))
        except eras.EraDateError as error:
            raise forms.ValidationError(str(error), code="invalid") from None

    def validate(self, value):
        super().validate(value)
        if value is not None and not (self.earliest <= value <= self.latest):
            raise forms.ValidationError(date_bounds_message(self.earliest, self.latest), code="out_of_range")

    def prepare_value(self, value):
        if hasattr(value, "year"):
            try:
                return eras.format_date(value)
            except eras.EraDateError:  # before 明治: shown as the western date it is
                return value.isoformat()
        return value


class FiscalYearField(forms.IntegerField):
    """A 年度 typed as 令和7年度, R7 or 2025; kept as the western year (2025), shown as 令和7年度.

    Bounded like the dates (明治元年度..2100年度) unless tighter `min_value`/`max_value` are given."""

    widget = forms.TextInput(attrs={"placeholder": "例: R7 または 2025", "inputmode": "text", "size": 10})

    def __init__(self, *, min_value: int | None = None, max_value: int | None = None, **kwargs):
        min_value = max(min_value or EARLIEST_FISCAL_YEAR, EARLIEST_FISCAL_YEAR)
        max_value = min(max_value or LATEST_FISCAL_YEAR, LATEST_FISCAL_YEAR)
        bounds = fiscal_year_bounds_message(min_value, max_value)
        kwargs["error_messages"] = {
            "min_value": bounds,
            "max_value": bounds,
            **kwargs.get("error_messages", {}),
        }
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        try:
            return eras.parse_fiscal_year(str(value))
        except eras.EraDateError as error:
            raise forms.ValidationError(str(error), code="invalid") from None

    def prepare_value(self, value):
        """Shown back as 令和7年度 however it was typed; what cannot be read is shown as typed."""
        if value in self.empty_values:
            return value
        try:
            return eras.fiscal_year_label(self.to_python(value))
        except (forms.ValidationError, ValueError):  # EraDateError, or a year past 9998
            return value


class FilterChoiceField(forms.ChoiceField):
    """A list filter read from the query string (状態, 種別…): blank means すべて, a value not in the
    list is refused in Japanese instead of being ignored or reaching a query."""

    def __init__(self, *, choices, blank_label: str = "すべて", **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "error_messages",
            dict.fromkeys(
                ("invalid_choice", "null_characters_not_allowed"),
                "選択肢にない値です。一覧から選んでください。",
            ),
        )
        super().__init__(choices=[("", blank_label), *choices], **kwargs)


# What staff type between the digits of a postal code: ASCII and full-width hyphens, the long-vowel
# mark and the minus sign an IME gives for 「ー」, spaces; NFKC folds full-width digits and 〒 stays
# a mark to drop.
_POSTAL_SEPARATORS = str.maketrans("", "", "-‐‑‒–—―−ーｰ－〒 \u3000")


def normalize_postal_code(value: str) -> str:
    """`351-0114`, `〒351-0114`, `３５１－０１１４`, `351 0114`, `3510114` → `3510114`; anything else is
    returned folded but unchanged in length, for the caller to refuse. Pure."""
    import unicodedata

    return unicodedata.normalize("NFKC", value).translate(_POSTAL_SEPARATORS).strip()


class PostalCodeField(forms.CharField):
    """郵便番号: 7 digits stored without the hyphen, typed in any of the ways staff write it. The
    input box is wider than 7 on purpose: a `maxlength` of 7 made the browser cut `351-0114` to
    `351-011` before the server saw it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "郵便番号")
        kwargs.setdefault("help_text", "例: 351-0192")
        kwargs["max_length"] = 20
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "postal-code", "size": 10})

    def to_python(self, value):
        value = normalize_postal_code(super().to_python(value))
        if value and not (len(value) == 7 and value.isdigit() and value.isascii()):
            raise forms.ValidationError("郵便番号は数字7桁（例: 351-0192）で入力してください。")
        return value

    def prepare_value(self, value):
        if isinstance(value, str) and len(value) == 7 and value.isdigit():
            return f"{value[:3]}-{value[3:]}"
        return value


class ClockTimeError(ValueError):
    """A time of day that cannot be read; the message is Japanese, for the form."""


_CLOCK_TIME_MESSAGE = "時刻は 14:30、1430、14時30分、午後2時30分 のように入力してください（0:00〜23:59）。"


def parse_clock_time(value: str) -> time:
    """A time of day as staff type it: `14:30`, `14：30`, `1430`, `930`, `14時30分`, `14時半`, `14時`,
    `午後2時30分`, `午前9時`, in half- or full-width digits, with spaces around. Returns a `time`
    (minutes, no seconds); raises ClockTimeError for anything else or out of 0:00–23:59. Pure."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKC", value).strip().replace(" ", "")
    meridiem = ""
    for mark in ("午前", "午後"):
        if text.startswith(mark):
            meridiem, text = mark, text[len(mark) :]
    if match := re.fullmatch(r"(\d{1,2}):?(\d{2})", text):  # 14:30, 1430, 930
        hour, minute = int(match[1]), int(match[2])
    elif match := re.fullmatch(r"(\d{1,2})時(?:(\d{1,2})分|(半))?", text):
        hour = int(match[1])
        minute = 30 if match[3] else int(match[2] or 0)
    else:
        raise ClockTimeError(_CLOCK_TIME_MESSAGE)
    if meridiem:
        if hour > 12:
            raise ClockTimeError(_CLOCK_TIME_MESSAGE)
        hour = hour % 12 + (12 if meridiem == "午後" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ClockTimeError(_CLOCK_TIME_MESSAGE)
    return time(hour, minute)


class ClockTimeField(forms.TimeField):
    """A time of day typed the ways staff write it (`parse_clock_time`), shown back as 14:30."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TimeInput(format="%H:%M", attrs={"placeholder": "例: 14:30"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, time):
            return value
        try:
            return parse_clock_time(str(value))
        except ClockTimeError as error:
            raise forms.ValidationError(str(error), code="invalid") from error
