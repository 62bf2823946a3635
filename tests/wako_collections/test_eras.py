"""和暦 in and out."""

from datetime import date

import pytest

from wako_collections.eras import (
    EraDateError,
    fiscal_year_label,
    format_date,
    format_short,
    parse_date,
    parse_fiscal_year,
)


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2025, 4, 1), "令和7年4月1日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(1926, 12, 24), "大正15年12月24日"),
        (date(1912, 7, 30), "大正元年7月30日"),
        (date(1912, 7, 29), "明治45年7月29日"),
    ],
)
def test_dates_are_shown_in_the_era_of_their_day(day, text):
    assert format_date(day) == text
    assert parse_date(text) == day


@pytest.mark.parametrize(
    "text",
    [
        "R7.4.1",
        "r7.4.1",
        "Ｒ７．４．１",
        "R07/04/01",
        "R7-4-1",
        "令和7年4月1日",
        "令和７年４月１日",
        "令7.4.1",
        "令和7.4.1",
        " 令和 7年 4月 1日 ",
        "5070401",
        "2025-04-01",
        "2025/4/1",
        "2025.04.01",
        "20250401",
    ],
)
def test_every_accepted_spelling_reads_the_same_day(text):
    assert parse_date(text) == date(2025, 4, 1)


def test_short_form_and_fiscal_year():
    assert format_short(date(2025, 4, 1)) == "R7.4.1"
    assert fiscal_year_label(2019) == "令和元年度"  # 2019年4月1日 is still 平成, but the 年度 is 令和元年度
    assert fiscal_year_label(2025) == "令和7年度"
    assert fiscal_year_label(1989) == "平成元年度"
    assert fiscal_year_label(1988) == "昭和63年度"
    assert fiscal_year_label(2018) == "平成30年度"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("平成31年5月1日", "平成の終わりより後です。令和元年5月1日と入力してください"),
        ("令和1年4月30日", "令和の始まり（令和元年5月1日）より前です"),
        ("令和7年2月30日", "という日付はありません"),
        ("2025-13-01", "という日付はありません"),
        ("明日", "日付として読めません"),
        ("", "日付を入力してください"),
        ("2025111", "という日付はありません"),  # read as 大正2年51月11日 (era digit form)
    ],
)
def test_impossible_dates_are_refused_with_a_reason(text, message):
    with pytest.raises(EraDateError, match=message):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("令和7年度", 2025),
        ("令和7", 2025),
        ("R7", 2025),
        ("ｒ０７", 2025),
        ("令7年度", 2025),
        ("令和元年度", 2019),
        ("平成31年度", 2019),  # April 2019, before the era changed: still written so
        ("平成元年度", 1989),
        ("2025", 2025),
        ("２０２５年度", 2025),
    ],
)
def test_a_fiscal_year_is_read_in_either_calendar(text, year):
    assert parse_fiscal_year(text) == year


@pytest.mark.parametrize(
    "text", ["令和0年度", "平成32年度", "昭和64年度", "R", "7", "令和7年4月", "二〇二五"]
)
def test_a_fiscal_year_that_never_was_is_refused_in_japanese(text):
    with pytest.raises(EraDateError, match="年度"):
        parse_fiscal_year(text)
