"""和暦: Japanese era dates, shown and accepted everywhere a date appears.

Shown as 令和7年4月1日 (元年 for an era's first year). Accepted, after NFKC folding (so full-width
digits and letters work) and with spaces ignored:
    令和7年4月1日  令和元年5月1日  令和7.4.1  令7.4.1  R7.4.1  r07/04/01  R7-4-1
    5070401 (era digit 1明治 2大正 3昭和 4平成 5令和, then YYMMDD, as the 住基 systems write it)
    2025-04-01  2025/4/1  2025.4.1  20250401
A date outside its era (平成31年5月1日, 令和1年4月30日, 昭和64年1月8日) is refused rather than guessed at.

Era start dates are those of the proclamations: 明治 1868-01-25 (明治元年1月1日, Gregorian),
大正 1912-07-30, 昭和 1926-12-25, 平成 1989-01-08 (元号を改める政令 昭和64年政令第1号),
令和 2019-05-01 (元号を改める政令 平成31年政令第143号).

Two days belong to two eras. 大正 and 昭和 began on the day the emperor died (改元の詔書: 即日改元),
so 1912-07-30 is both 明治45年7月30日 and 大正元年7月30日, and 1926-12-25 both 大正15年12月25日 and
昭和元年12月25日; registers (住民票, 戸籍) hold births written either way. Both spellings are read.
平成 and 令和 began the day after the last day of the era before (翌日改元: 昭和64年1月7日 and
平成31年4月30日 are the last days), so 昭和64年1月8日 and 平成31年5月1日 never existed. Each era
therefore carries its own last day; a day is shown in the newest era it belongs to (大正元年7月30日).
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache


class EraDateError(ValueError):
    """The text is not a date we can read; the message is for the person who typed it."""


@dataclass(frozen=True)
class Era:
    name: str
    letter: str
    digit: str
    start: date
    last_day: date | None  # None while the era lasts

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.last_day is None or day <= self.last_day)


ERAS = (
    Era("明治", "M", "1", date(1868, 1, 25), last_day=date(1912, 7, 30)),  # 即日改元
    Era("大正", "T", "2", date(1912, 7, 30), last_day=date(1926, 12, 25)),  # 即日改元
    Era("昭和", "S", "3", date(1926, 12, 25), last_day=date(1989, 1, 7)),  # 翌日改元 (昭和64年政令第1号)
    Era("平成", "H", "4", date(1989, 1, 8), last_day=date(2019, 4, 30)),  # 翌日改元 (平成31年政令第143号)
    Era("令和", "R", "5", date(2019, 5, 1), last_day=None),
)
_BY_KEY = {key: era for era in ERAS for key in (era.name, era.name[0], era.letter, era.digit)}

_ERA_TEXT = re.compile(
    r"^(?P<era>明治|大正|昭和|平成|令和|[明大昭平令]|[MTSHR])"
    r"(?P<year>元|\d{1,2})(?:年|[./-])(?P<month>\d{1,2})(?:月|[./-])(?P<day>\d{1,2})日?$"
)
_ERA_DIGITS = re.compile(r"^(?P<era>[1-5])(?P<year>\d{2})(?P<month>\d{2})(?P<day>\d{2})$")
_WESTERN = re.compile(
    r"^(?P<year>\d{4})(?:(?P<sep>[./-])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})|(?P<mm>\d{2})(?P<dd>\d{2}))$"
)

_HELP = "日付は 令和7年4月1日、R7.4.1 または 2025-04-01 の形で入力してください。"


def era_of(day: date) -> Era:
    for era in reversed(ERAS):
        if day >= era.start:
            return era
    raise EraDateError(f"{day.isoformat()} は明治より前の日付のため和暦で表せません。")


def era_year(day: date) -> tuple[Era, int]:
    era = era_of(day)
    return era, day.year - era.start.year + 1


def _year_text(year: int) -> str:
    return "元" if year == 1 else str(year)


def format_date(day: date | datetime | None) -> str:
    """令和7年4月1日."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = day.date()
    return _format_day(day)


@lru_cache(maxsize=8192)
def _format_day(day: date) -> str:
    # Cached: the 時効 chains of a nightly reconcile write the same few thousand days tens of
    # thousands of times.
    era, year = era_year(day)
    return f"{era.name}{_year_text(year)}年{day.month}月{day.day}日"


def format_short(day: date | None) -> str:
    """R7.4.1, the form officers type."""
    if day is None:
        return ""
    era, year = era_year(day)
    return f"{era.letter}{year}.{day.month}.{day.day}"


def fiscal_year_of(day: date) -> int:
    """The 年度 (会計年度, April to March; 地方自治法第208条) `day` falls in: 2026-03-31 → 2025."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_label(year: int) -> str:
    """The 年度 (April to March) starting in `year`: 2025 → 令和7年度.

    A 年度 in which the era changed takes the new era (2019 → 令和元年度, 1989 → 平成元年度),
    as municipal notices do."""
    era = era_of(date(year + 1, 3, 31))
    number = year - era.start.year + 1
    if number < 1:  # the era began after 31 March (昭和64年 → 1988 is 昭和63年度)
        era, number = era_year(date(year, 4, 1))
    return f"{era.name}{_year_text(number)}年度"


_FISCAL_ERA = re.compile(
    r"^(?P<era>明治|大正|昭和|平成|令和|[明大昭平令]|[MTSHR])(?P<year>元|\d{1,2})(?:年度?)?$"
)
_FISCAL_WESTERN = re.compile(r"^(?P<year>\d{4})(?:年度?)?$")
_FISCAL_HELP = "年度は 令和7年度、R7 または 2025 の形で入力してください。"


def parse_fiscal_year(text: str) -> int:
    """Reads a 年度 typed as 令和7年度, 令和7, R7, 令7 or 2025 (full-width too) and returns the
    western year it starts in (2025). A year its era never reached (令和0, 平成32) is refused."""
    original = (text or "").strip()
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", original)).upper()
    match = _FISCAL_WESTERN.match(folded)
    if match:
        return int(match["year"])
    match = _FISCAL_ERA.match(folded)
    if not match:
        raise EraDateError(f"「{original}」は年度として読めません。{_FISCAL_HELP}")
    era = _BY_KEY[match["era"]]
    number = 1 if match["year"] == "元" else int(match["year"])
    year = era.start.year + number - 1
    # 年度 N of an era runs from April of its year; the era must have begun by the 年度's end
    # and must not have ended before its 1 April
    ended = era.last_day is not None and date(year, 4, 1) > era.last_day
    if number < 1 or date(year + 1, 3, 31) < era.start or ended:
        raise EraDateError(f"{era.name}{_year_text(max(number, 1))}年度はありません。{_FISCAL_HELP}")
    return year


def _build(era: Era, year: int, month: int, day: int, original: str) -> date:
    if year < 1:
        raise EraDateError(f"「{original}」の年が正しくありません。{_HELP}")
    try:
        result = date(era.start.year + year - 1, month, day)
    except ValueError:
        raise EraDateError(f"「{original}」という日付はありません。{_HELP}") from None
    if result < era.start:
        raise EraDateError(f"「{original}」は{era.name}の始まり（{format_date(era.start)}）より前です。")
    if era.last_day is not None and result > era.last_day:
        raise EraDateError(
            f"「{original}」は{era.name}の終わりより後です。{format_date(result)}と入力してください。"
        )
    return result


def parse_date(text: str) -> date:
    """Reads a date typed in 和暦 or 西暦; raises EraDateError with a Japanese message."""
    original = (text or "").strip()
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", original)).upper()
    if not folded:
        raise EraDateError("日付を入力してください。")
    match = _ERA_TEXT.match(folded)
    if match:
        era = _BY_KEY[match["era"]]
        year = 1 if match["year"] == "元" else int(match["year"])
        return _build(era, year, int(match["month"]), int(match["day"]), original)
    match = _ERA_DIGITS.match(folded)
    if match:
        era = _BY_KEY[match["era"]]
        return _build(era, int(match["year"]), int(match["month"]), int(match["day"]), original)
    match = _WESTERN.match(folded)
    if match:
        try:
            month, day = (match["month"], match["day"]) if match["sep"] else (match["mm"], match["dd"])
            return date(int(match["year"]), int(month), int(day))
        except ValueError:
            raise EraDateError(f"「{original}」という日付はありません。{_HELP}") from None
    raise EraDateError(f"「{original}」は日付として読めません。{_HELP}")
