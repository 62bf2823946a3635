"""Writing a table staff take out of the system: CSV in CP932 or UTF-8 with BOM (for Excel), and
XLSX through openpyxl. Pure: no database, no request.

Every text cell is made safe before it is written:

* formula injection (CWE-1236): a cell that starts — after any spaces, full-width spaces, tabs or
  line breaks — with ``= + - @`` or their full-width forms ``＝ ＋ － ＠`` (or with a tab or carriage
  return) gets a leading apostrophe, so Excel and LibreOffice show it as text and never evaluate
  it. Numbers (integer yen) are written as numbers and need nothing;
* 個人番号: no export has such a column (`Table` refuses a header that names it), and a 12-digit
  number typed into free text is masked with `taxpayers.individual_numbers.redact`;
* CP932: a character Shift_JIS (Windows-31J) cannot hold — 𠮷 (U+20BB7), 𩸽, a combining mark,
  an emoji — is replaced by 〓 (U+3013, the 下駄記号 printing uses for a missing character) and
  counted; the count is returned, recorded in the access log and shown to staff with the
  advice to take UTF-8 or XLSX, which keep every character. The export never fails on it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import models

from taxpayers.individual_numbers import redact
from wako_collections.eras import format_date

REPLACEMENT = "〓"
_FORMULA_START = re.compile(r"^[\s\u3000]*[=+\-@＝＋－＠]|^[\t\r]")
_DIGITS = re.compile(r"\d")
FORBIDDEN_HEADER = "個人番号"


class Format(models.TextChoices):
    CSV_CP932 = "csv_cp932", "CSV（Shift_JIS／CP932）"
    CSV_UTF8 = "csv_utf8", "CSV（UTF-8 BOM付き。Excel向け）"
    XLSX = "xlsx", "Excel（XLSX）"


CONTENT_TYPES = {
    Format.CSV_CP932: "text/csv; charset=cp932",
    Format.CSV_UTF8: "text/csv; charset=utf-8",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {Format.CSV_CP932: "csv", Format.CSV_UTF8: "csv", Format.XLSX: "xlsx"}

Cell = str | int | date | None


@dataclass
class Table:
    """What one export holds: a title (the file name and the sheet), the column headers, the rows
    (str, int yen, date or None) and the 宛名番号 of every taxpayer in it (for the access log)."""

    title: str
    headers: Sequence[str]
    rows: list[Sequence[Cell]]
    atena_numbers: list[str] = field(default_factory=list)

    def __post_init__(self):
        if any(FORBIDDEN_HEADER in header for header in self.headers):
            raise ValueError("個人番号の列は出力できません。")


def neutralise(text: str) -> str:
    """The text as a cell that no spreadsheet evaluates (a leading apostrophe where it could be a
    formula), with any 個人番号-like number masked."""
    if len(_DIGITS.findall(text)) >= 12:
        text = redact(text)
    if _FORMULA_START.match(text):
        return "'" + text
    return text


def _cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def to_cp932(text: str) -> tuple[str, int]:
    """`text` with every character CP932 cannot encode replaced by 〓, and how many were."""
    try:
        text.encode("cp932")
        return text, 0
    except UnicodeEncodeError:
        pass
    kept, replaced = [], 0
    for character in text:
        try:
            character.encode("cp932")
            kept.append(character)
        except UnicodeEncodeError:
            kept.append(REPLACEMENT)
            replaced += 1
    return "".join(kept), replaced


@dataclass(frozen=True)
class Written:
    content: bytes
    replaced_characters: int  # CP932 only: characters written as 〓


def write_csv(table: Table, *, cp932: bool) -> Written:
    """CSV with a header row, CRLF line ends, every field quoted where needed; UTF-8 begins with
    a BOM so Excel reads it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_cell_text(v) for v in row])
    text = buffer.getvalue()
    if cp932:
        safe, replaced = to_cp932(text)
        return Written(safe.encode("cp932"), replaced)
    return Written("\ufeff".encode() + text.encode("utf-8"), 0)


def write_xlsx(table: Table) -> Written:
    """One sheet named after the table; integers stay numbers, dates are written in 和暦 as text
    (as every page shows them), text is neutralised first — openpyxl makes a formula only of a
    string beginning with "=", which no neutralised text does (a test reads every cell back)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(table.title))

    def values(row: Iterable) -> list:
        return [
            value if isinstance(value, int) and not isinstance(value, bool) else (_cell_text(value) or None)
            for value in row
        ]

    sheet.append(values(table.headers))
    for row in table.rows:
        sheet.append(values(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Written(buffer.getvalue(), 0)


def _sheet_title(title: str) -> str:
    return re.sub(r"[\\/*?:\[\]]", "_", title)[:31] or "Sheet1"


def write(table: Table, fmt: str) -> Written:
    if fmt == Format.XLSX:
        return write_xlsx(table)
    return write_csv(table, cp932=fmt == Format.CSV_CP932)
