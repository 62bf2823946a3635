"""和暦 in and out."""

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wako_collections.eras import (
    ERAS,
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


# --- the days that belong to two eras (issue 15, item 2) ---


@pytest.mark.parametrize(
    ("text", "day"),
    [
        # 即日改元: the day the emperor died is the last day of one era and the first of the next
        ("明治45年7月30日", date(1912, 7, 30)),
        ("M45.7.30", date(1912, 7, 30)),
        ("明45.7.30", date(1912, 7, 30)),
        ("1450730", date(1912, 7, 30)),
        ("大正元年7月30日", date(1912, 7, 30)),
        ("T1.7.30", date(1912, 7, 30)),
        ("2010730", date(1912, 7, 30)),
        ("大正15年12月25日", date(1926, 12, 25)),
        ("T15.12.25", date(1926, 12, 25)),
        ("Ｔ１５．１２．２５", date(1926, 12, 25)),
        ("大15.12.25", date(1926, 12, 25)),
        ("2151225", date(1926, 12, 25)),
        ("昭和元年12月25日", date(1926, 12, 25)),
        ("S1.12.25", date(1926, 12, 25)),
        ("3011225", date(1926, 12, 25)),
        # 翌日改元: each era's own last and first day
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("3640107", date(1989, 1, 7)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("4010108", date(1989, 1, 8)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("4310430", date(2019, 4, 30)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("5010501", date(2019, 5, 1)),
        ("明治元年1月25日", date(1868, 1, 25)),
    ],
)
def test_each_boundary_day_is_read_in_every_era_it_belongs_to(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("明治45年7月31日", "明治の終わりより後です。大正元年7月31日と入力してください"),
        ("1450731", "明治の終わりより後です"),
        ("大正元年7月29日", "大正の始まり（大正元年7月30日）より前です"),
        ("大正15年12月26日", "大正の終わりより後です。昭和元年12月26日と入力してください"),
        ("2151226", "大正の終わりより後です"),
        ("昭和元年12月24日", "昭和の始まり（昭和元年12月25日）より前です"),
        # 昭和64年1月7日 is the last day of 昭和; 平成 began the next day
        ("昭和64年1月8日", "昭和の終わりより後です。平成元年1月8日と入力してください"),
        ("S64.1.8", "昭和の終わりより後です"),
        ("3640108", "昭和の終わりより後です"),
        ("平成元年1月7日", "平成の始まり（平成元年1月8日）より前です"),
        ("4010107", "平成の始まり"),
        ("平成31年5月1日", "平成の終わりより後です。令和元年5月1日と入力してください"),
        ("4310501", "平成の終わりより後です"),
        ("令和元年4月30日", "令和の始まり（令和元年5月1日）より前です"),
        ("明治元年1月24日", "明治の始まり"),
    ],
)
def test_a_day_beyond_either_end_of_its_era_is_refused(text, message):
    with pytest.raises(EraDateError, match=message):
        parse_date(text)


@pytest.mark.parametrize(
    ("day", "text", "short"),
    [
        (date(1912, 7, 29), "明治45年7月29日", "M45.7.29"),
        (date(1912, 7, 30), "大正元年7月30日", "T1.7.30"),
        (date(1926, 12, 24), "大正15年12月24日", "T15.12.24"),
        (date(1926, 12, 25), "昭和元年12月25日", "S1.12.25"),
        (date(1989, 1, 7), "昭和64年1月7日", "S64.1.7"),
        (date(1989, 1, 8), "平成元年1月8日", "H1.1.8"),
        (date(2019, 4, 30), "平成31年4月30日", "H31.4.30"),
        (date(2019, 5, 1), "令和元年5月1日", "R1.5.1"),
    ],
)
def test_a_boundary_day_is_shown_in_the_era_that_began_on_it(day, text, short):
    assert format_date(day) == text
    assert format_short(day) == short


def _era_digits(day):
    era = next(era for era in reversed(ERAS) if day >= era.start)
    return f"{era.digit}{day.year - era.start.year + 1:02d}{day:%m%d}"


@given(st.dates(min_value=date(1868, 1, 25), max_value=date(2100, 12, 31)))
def test_every_date_from_meiji_to_2100_reads_back_as_itself(day):
    assert parse_date(format_date(day)) == day
    assert parse_date(format_short(day)) == day
    assert parse_date(_era_digits(day)) == day
    assert parse_date(day.isoformat()) == day


@given(st.sampled_from(ERAS[1:]), st.integers(min_value=-40, max_value=40))
def test_around_each_change_a_day_is_accepted_in_an_era_exactly_when_the_era_contains_it(era, offset):
    day = era.start + timedelta(days=offset)
    before = ERAS[ERAS.index(era) - 1]
    for candidate in (before, era):
        year = day.year - candidate.start.year + 1
        text = f"{candidate.name}{year}年{day.month}月{day.day}日"
        if candidate.contains(day) and year >= 1:
            assert parse_date(text) == day
        else:
            with pytest.raises(EraDateError):
                parse_date(text)


def test_only_the_two_same_day_changes_give_a_day_two_eras():
    shared = [earlier.last_day for earlier, later in pairwise(ERAS) if earlier.last_day == later.start]
    assert shared == [date(1912, 7, 30), date(1926, 12, 25)]
    for earlier, later in pairwise(ERAS):
        assert earlier.last_day in (later.start, later.start - timedelta(days=1))


def test_the_fiscal_year_runs_april_to_march():
    from datetime import date

    from wako_collections.eras import fiscal_year_of

    assert fiscal_year_of(date(2026, 3, 31)) == 2025
    assert fiscal_year_of(date(2026, 4, 1)) == 2026
    assert fiscal_year_of(date(2026, 12, 31)) == 2026
