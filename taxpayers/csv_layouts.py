"""The three CSV layouts the city's systems send (庁内連携): persons, assessments, payments.

Each layout is a list of Columns; `Layout.scan()` checks the header and every cell of a stream
of lines and yields typed rows one at a time, every error (line number, column, Japanese message)
going to an ErrorList; `Layout.read()` does the same for a text in memory. Nothing here touches the
database. taxpayers/README.md documents every column with its type and an example.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from taxpayers import individual_numbers
from taxpayers.models import Assessment, Payment, Taxpayer
from taxpayers.subjects import Subject
from wako_collections import eras

MAX_ERRORS_KEPT = 1_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class CellError(ValueError):
    """A cell that cannot be read; the message says why, in Japanese."""


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": shown(self.column), "message": shown(self.message)}


def shown(text: str) -> str:
    """Text from the file as the import log keeps it: a control character (a NUL, which PostgreSQL
    cannot store, or an escape) is written out as 〔制御文字 0x00〕 so staff can see where it was,
    and a value that looks like a 個人番号 — typed into a coded column, a date, a file name — is
    replaced (individual_numbers.redact), so no error echoes one, whatever the column."""
    text = _CONTROL.sub(lambda match: f"〔制御文字 0x{ord(match.group()):02X}〕", text)
    return individual_numbers.redact(text)


# --- cell readers: each takes the stripped text and returns a value or raises CellError ---


def text(max_length: int) -> Callable[[str], str]:
    def read(value: str) -> str:
        value = unicodedata.normalize("NFKC", value)
        if len(value) > max_length:
            raise CellError(f"{max_length}文字以内にしてください（{len(value)}文字）。")
        return value

    read.kind = f"文字列（{max_length}文字以内）"
    return read


def registered_text(max_length: int) -> Callable[[str], str]:
    """氏名, 住所, 方書 and 送付先 as the 住基・宛名 system registered them: no NFKC, no NFC either
    (both turn the 人名用漢字 variant 塚 U+FA10 into 塚 U+585A, and NFKC turns ㈱ into (株) and ① into
    1). Only the search keys are folded (taxpayers/search.py)."""

    def read(value: str) -> str:
        if len(value) > max_length:
            raise CellError(f"{max_length}文字以内にしてください（{len(value)}文字）。")
        return value

    read.kind = f"文字列（{max_length}文字以内、登録どおり）"
    return read


def digits(max_length: int, *, exact: bool = False) -> Callable[[str], str]:
    def read(value: str) -> str:
        value = unicodedata.normalize("NFKC", value).replace("-", "")
        if not value.isdigit() or not value.isascii():
            raise CellError("数字で入力してください。")
        if (exact and len(value) != max_length) or len(value) > max_length:
            raise CellError(f"数字{max_length}桁{'' if exact else '以内'}で入力してください。")
        return value

    read.kind = f"数字（{max_length}桁{'' if exact else '以内'}）"
    return read


def postal_code(value: str) -> str:
    """郵便番号 as the office's files and staff write it (351-0192, ３５１－０１９２, 〒351 0192): 7 digits.
    The same folding as the forms' PostalCodeField (wako_collections/formfields.py)."""
    from wako_collections.formfields import normalize_postal_code

    value = normalize_postal_code(value)
    if len(value) != 7 or not value.isdigit() or not value.isascii():
        raise CellError("数字7桁で入力してください。")
    return value


postal_code.kind = "数字（7桁）"


def yen(value: str) -> int:
    value = unicodedata.normalize("NFKC", value).replace(",", "")
    if not value.isdigit() or not value.isascii():
        raise CellError("金額は0以上の整数（円）で入力してください。")
    if len(value) > 13:
        raise CellError("金額が大きすぎます。")
    return int(value)


yen.kind = "金額（円、整数）"


def year(value: str) -> int:
    value = unicodedata.normalize("NFKC", value)
    if not re.fullmatch(r"(19|20)\d\d", value):
        raise CellError("西暦4桁で入力してください（例: 2025）。")
    return int(value)


year.kind = "西暦年（4桁）"


def small_number(value: str) -> int:
    value = unicodedata.normalize("NFKC", value)
    if not re.fullmatch(r"\d{1,2}", value):
        raise CellError("1〜2桁の数字で入力してください。")
    return int(value)


small_number.kind = "数字（1〜2桁）"


def a_date(value: str) -> date:
    try:
        return eras.parse_date(value)
    except eras.EraDateError as error:
        raise CellError(str(error)) from None


a_date.kind = "日付（2025-04-01、20250401 または R7.4.1）"


def code(choices) -> Callable[[str], str]:
    labels = dict(choices)

    def read(value: str) -> str:
        value = unicodedata.normalize("NFKC", value)
        if value not in labels:
            allowed = "、".join(f"{key}={label}" for key, label in labels.items())
            raise CellError(f"コード「{value}」はありません（{allowed}）。")
        return value

    read.kind = "コード（" + "、".join(f"{key}={label}" for key, label in labels.items()) + "）"
    return read


def flag(value: str) -> bool:
    value = unicodedata.normalize("NFKC", value)
    if value not in ("0", "1"):
        raise CellError(f"「{value}」は指定できません（0=なし、1=あり）。")
    return value == "1"


flag.kind = "コード（0=なし、1=あり）"


def individual_number(value: str) -> str:
    try:
        return individual_numbers.validate(value)
    except individual_numbers.IndividualNumberError as error:
        raise CellError(str(error)) from None


individual_number.kind = "個人番号（数字12桁、検査用数字つき）"


def katakana(max_length: int) -> Callable[[str], str]:
    base = text(max_length)

    def read(value: str) -> str:
        value = base(value)
        if not re.fullmatch(r"[ァ-ヺー・\s　A-Za-z0-9（）()．.＆&,-]+", value):
            raise CellError("カタカナで入力してください。")
        return value

    read.kind = f"カタカナ（{max_length}文字以内）"
    return read


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    read: Callable[[str], object]
    required: bool = True
    example: str = ""
    # A column added to a layout later: a file without it is still read, and the rows carry no
    # value for it (the importer leaves what is stored unchanged).
    may_be_absent: bool = False


class ErrorList:
    """The errors of one import, in the order they were found: every one counted, the first
    MAX_ERRORS_KEPT kept (a file of a million bad rows holds a thousand errors, not a million)."""

    def __init__(self, keep: int = MAX_ERRORS_KEPT):
        self.keep = keep
        self.kept: list[RowError] = []
        self.count = 0

    def add(self, error: RowError) -> None:
        self.count += 1
        if len(self.kept) < self.keep:
            self.kept.append(error)

    def __bool__(self) -> bool:
        return self.count > 0


CACHED_VALUES = 20_000  # per column; emptied when full, so memory stays flat whatever the file


def _cached(read: Callable[[str], object]) -> Callable[[str], tuple[bool, object]]:
    """`read` with its answers remembered: (True, value) or (False, Japanese message). Dates,
    codes, years and amounts repeat across a city's file, so most cells are read once. Every
    reader is a pure function of the cell's text (eras.parse_date included)."""
    answers: dict[str, tuple[bool, object]] = {}

    def answer(raw: str) -> tuple[bool, object]:
        found = answers.get(raw)
        if found is None:
            if _CONTROL.search(raw):
                found = (False, "制御文字が含まれています。")
            else:
                try:
                    found = (True, read(raw))
                except CellError as error:
                    found = (False, str(error))
            if len(answers) >= CACHED_VALUES:
                answers.clear()
            answers[raw] = found
        return found

    return answer


class Scan:
    """One pass over a file's lines (any iterable of text, read as it goes): iterating yields each
    valid data row as a dict (its line number under "_line"); every error goes to `errors`, and
    `seen` counts the data rows read, valid or not. Nothing but the current row is held."""

    def __init__(
        self,
        layout: Layout,
        lines: Iterable[str],
        *,
        errors: ErrorList,
        progress: Callable[[int], None] | None = None,
    ):
        self.layout, self.lines, self.errors, self.progress = layout, lines, errors, progress
        self.seen = 0
        self.valid = 0

    def __iter__(self) -> Iterator[dict]:
        layout, errors = self.layout, self.errors
        reader = csv.reader(self.lines)
        try:
            header = [cell.strip() for cell in next(reader)]
        except StopIteration:
            errors.add(RowError(1, "", "ファイルが空です。見出し行とデータ行が必要です。"))
            return
        except csv.Error as error:
            errors.add(RowError(1, "", f"CSVとして読めません（{error}）。"))
            return
        expected = [column.header for column in layout.columns]
        absent_allowed = {column.header for column in layout.columns if column.may_be_absent}
        missing = [name for name in expected if name not in header and name not in absent_allowed]
        unknown = [name for name in header if name not in expected]
        duplicated = sorted({name for name in header if header.count(name) > 1})
        if missing or unknown or duplicated:
            problems = []
            if missing:
                problems.append(f"不足している列: {'、'.join(missing)}")
            if unknown:
                problems.append(f"不明な列: {'、'.join(unknown)}")
            if duplicated:
                problems.append(f"重複している列: {'、'.join(duplicated)}")
            message = f"見出し行が{layout.name}のレイアウトと一致しません。{' / '.join(problems)}"
            errors.add(RowError(1, "", message))
            return
        plan = [
            (column.header, column.key, header.index(column.header), _cached(column.read), column.required)
            for column in layout.columns
            if column.header in header  # a may_be_absent column absent from this file: no value
        ]
        width = len(header)
        checks = layout.row_checks
        line = 1
        try:
            for line, cells in enumerate(reader, start=2):
                if self.progress and line % 10_000 == 0:
                    self.progress(line - 1)
                if not any(cell.strip() for cell in cells):
                    continue
                self.seen += 1
                if len(cells) != width:
                    errors.add(
                        RowError(
                            line, "", f"列の数が見出しと違います（見出し{width}列、この行{len(cells)}列）。"
                        )
                    )
                    continue
                row: dict = {"_line": line}
                valid = True
                for column_header, key, position, answer, required in plan:
                    raw = cells[position].strip()
                    if raw == "":
                        if required:
                            errors.add(RowError(line, column_header, "必須の項目が空です。"))
                            valid = False
                        row[key] = None
                        continue
                    ok, value = answer(raw)
                    if ok:
                        row[key] = value
                    else:
                        errors.add(RowError(line, column_header, str(value)))
                        valid = False
                if valid:
                    for check in checks:
                        for column_header, message in check(row):
                            errors.add(RowError(line, column_header, message))
                    self.valid += 1
                    yield row
        except csv.Error as error:
            errors.add(
                RowError(line + 1, "", f"CSVとして読めません（{error}）。引用符の対応を確認してください。")
            )
        if not self.valid and not errors:
            errors.add(RowError(2, "", "データ行がありません。"))


@dataclass
class Layout:
    name: str
    columns: list[Column]
    row_checks: list[Callable[[dict], list[tuple[str, str]]]] = field(default_factory=list)

    def scan(
        self,
        lines: Iterable[str],
        *,
        errors: ErrorList,
        progress: Callable[[int], None] | None = None,
    ) -> Scan:
        """The file's rows one at a time (see Scan): for files of any size."""
        return Scan(self, lines, errors=errors, progress=progress)

    def read(
        self, content: str, *, progress: Callable[[int], None] | None = None
    ) -> tuple[list[dict], list[RowError], int]:
        """Every valid data row as a dict (with its line number under "_line"), every error, and
        how many data rows were read, valid or not. For small texts; imports use `scan`."""
        errors = ErrorList(keep=sys.maxsize)
        scan = self.scan(io.StringIO(content, newline=""), errors=errors, progress=progress)
        rows = list(scan)
        return rows, errors.kept, scan.seen


def iter_documented(layout: Layout) -> Iterator[tuple[str, str, str, str]]:
    """(header, type, required, example) for the README's tables."""
    for column in layout.columns:
        required = "必須" if column.required else "任意（列ごと省略可）" if column.may_be_absent else "任意"
        yield column.header, column.read.kind, required, column.example


# --- the three layouts ---


def _mailing_address_complete(row: dict) -> list[tuple[str, str]]:
    mailing = ["mailing_name", "mailing_address", "mailing_from"]
    given = [key for key in mailing if row.get(key)]
    if given and len(given) != len(mailing):
        return [
            (
                "送付先氏名",
                "送付先を登録するときは、送付先氏名・送付先住所・送付先開始日をすべて入力してください。",
            )
        ]
    if row.get("mailing_to") and row.get("mailing_from") and row["mailing_to"] < row["mailing_from"]:
        return [("送付先終了日", "送付先終了日が送付先開始日より前です。")]
    return []


def _individual_has_birth_date(row: dict) -> list[tuple[str, str]]:
    if row["person_type"] == Taxpayer.PersonType.INDIVIDUAL and row.get("birth_date") is None:
        return [("生年月日", "個人の生年月日が空です。")]
    return []


PERSONS = Layout(
    "宛名",
    [
        Column("宛名番号", "atena_number", digits(15), example="000012345"),
        Column("個人法人区分", "person_type", code(Taxpayer.PersonType.choices), example="1"),
        Column("氏名", "name", registered_text(100), example="和光 太郎"),
        Column("氏名カナ", "name_kana", katakana(200), example="ワコウ タロウ"),
        Column("性別", "sex", code(Taxpayer.Sex.choices), required=False, example="1"),
        Column("生年月日", "birth_date", a_date, required=False, example="1975-04-01"),
        Column("郵便番号", "postal_code", postal_code, required=False, example="351-0192"),
        Column("住所", "address", registered_text(200), example="埼玉県和光市広沢1-5"),
        Column("方書", "address_extra", registered_text(100), required=False, example="広沢ハイツ101"),
        Column("電話番号", "phone", text(20), required=False, example="048-424-0000"),
        Column("住民区分", "residence_status", code(Taxpayer.ResidenceStatus.choices), example="1"),
        Column("個人番号", "individual_number", individual_number, required=False, example="123456789018"),
        Column("地区", "district", text(30), required=False, example="広沢"),
        Column("送付先氏名", "mailing_name", registered_text(100), required=False, example="和光 花子"),
        Column("送付先郵便番号", "mailing_postal_code", postal_code, required=False, example="1000001"),
        Column(
            "送付先住所",
            "mailing_address",
            registered_text(200),
            required=False,
            example="東京都千代田区千代田1-1",
        ),
        Column("送付先方書", "mailing_address_extra", registered_text(100), required=False, example=""),
        Column("送付先開始日", "mailing_from", a_date, required=False, example="2025-04-01"),
        Column("送付先終了日", "mailing_to", a_date, required=False, example=""),
        # 住民基本台帳の支援措置 (DV等支援措置, 住民基本台帳事務処理要領): 1 for a person whose address
        # must not reach anyone else. Added in issue 20: a file without the column leaves it as stored.
        Column("支援措置", "support_measure", flag, required=False, example="0", may_be_absent=True),
    ],
    row_checks=[_mailing_address_complete, _individual_has_birth_date],
)

ASSESSMENT_KEY_COLUMNS = [
    Column("科目コード", "subject_code", code(Subject.choices), example="01"),
    Column("科目詳細コード", "subject_detail_code", digits(4), example="0000"),
    Column("算定団体コード", "calculating_body_code", digits(6, exact=True), example="112291"),
    Column("期割団体コード", "installment_body_code", digits(6, exact=True), example="112291"),
    Column("団体内外区分", "inside_outside_code", code(Assessment.InsideOutside.choices), example="1"),
    Column("調定年度", "assessment_year", year, example="2025"),
    Column("年度分", "tax_year", year, example="2025"),
    Column("通知書番号", "notice_number", text(20), example="250012345"),
    Column("論理期別", "logical_period", small_number, example="1"),
]


def _extension_is_corporate(row: dict) -> list[tuple[str, str]]:
    # 申告期限の延長 (地方税法第321条の8): 法人市民税 only, and 納期限 is the extended deadline.
    if not row.get("filing_deadline_extended"):
        return []
    if row["subject_code"] != Subject.CORPORATE_TAX:
        return [("申告期限延長", "申告期限の延長は法人市民税（科目コード04）だけに指定できます。")]
    if row["due_date"] <= row["statutory_due_date"]:
        return [
            (
                "申告期限延長",
                "申告期限の延長があるときは、納期限に延長後の申告期限（法定納期限より後）を入れてください。",
            )
        ]
    return []


def _due_dates_ordered(row: dict) -> list[tuple[str, str]]:
    problems = []
    if row["statutory_due_date"] > row["due_date"]:
        problems.append(("法定納期限", "法定納期限が納期限より後です。"))
    if row.get("demand_issued_on") and row["demand_issued_on"] <= row["due_date"]:
        problems.append(("督促状発付日", "督促状発付日は納期限より後の日付にしてください。"))
    return problems


ASSESSMENTS = Layout(
    "調定",
    [
        Column("宛名番号", "atena_number", digits(15), example="000012345"),
        *ASSESSMENT_KEY_COLUMNS,
        Column("納期限", "due_date", a_date, example="2025-06-30"),
        Column("法定納期限", "statutory_due_date", a_date, example="2025-06-30"),
        Column("調定額", "principal", yen, example="65000"),
        Column("督促状発付日", "demand_issued_on", a_date, required=False, example="2025-07-18"),
        Column("督促手数料", "demand_fee", yen, required=False, example="100"),
        Column(
            "申告期限延長", "filing_deadline_extended", flag, required=False, example="0", may_be_absent=True
        ),
    ],
    row_checks=[_due_dates_ordered, _extension_is_corporate],
)


def _positive_amount(row: dict) -> list[tuple[str, str]]:
    return [("金額", "金額は1円以上にしてください。")] if row["amount"] <= 0 else []


PAYMENTS = Layout(
    "収納",
    [
        Column("収納番号", "receipt_number", text(30), example="R2025060100001"),
        *ASSESSMENT_KEY_COLUMNS,
        Column("収納日", "received_on", a_date, example="2025-06-25"),
        Column("日計日", "accounted_on", a_date, example="2025-06-26"),
        Column("金額", "amount", yen, example="65000"),
        Column("収納経路", "channel", code(Payment.imported_channels()), example="2"),
    ],
    row_checks=[_positive_amount],
)

LAYOUTS = {"persons": PERSONS, "assessments": ASSESSMENTS, "payments": PAYMENTS}
