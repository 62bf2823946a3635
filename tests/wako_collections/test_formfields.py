"""Every date and 年度 a user can type is bounded: 明治の始まり (1868-01-25) to 2100-12-31, or the
field's own tighter bounds; outside them a Japanese message, never a date handed on to arithmetic."""

from datetime import date

import pytest
from django import forms

from wako_collections.formfields import (
    EARLIEST_DATE,
    LATEST_DATE,
    FilterChoiceField,
    FiscalYearField,
    WarekiDateField,
)

BOUNDS = "日付は明治元年1月25日（1868-01-25）から令和82年12月31日（2100-12-31）までの間で入力してください。"


class DateForm(forms.Form):
    day = WarekiDateField(label="日付", required=False)
    due = WarekiDateField(label="納期限", required=False, earliest=date(1950, 1, 1), latest=date(2099, 3, 31))
    year = FiscalYearField(label="年度", required=False)
    status = FilterChoiceField(label="状態", choices=[("a", "甲"), ("b", "乙")])


def errors(data):
    form = DateForm(data)
    form.is_valid()
    return form


def test_the_bounds_are_the_first_day_of_meiji_and_the_end_of_2100():
    assert (date(1868, 1, 25), date(2100, 12, 31)) == (EARLIEST_DATE, LATEST_DATE)


@pytest.mark.parametrize(
    "typed",
    [
        "0001-01-01",
        "9999-12-31",
        "1868-01-24",
        "2101-01-01",
        "18680124",
        "21010101",
        "２１０１－０１－０１",
        "R83.1.1",
    ],
)
def test_a_date_outside_the_bounds_is_refused_in_japanese(typed):
    form = errors({"day": typed})
    assert "day" not in form.cleaned_data
    message = form.errors["day"][0]
    assert message == BOUNDS or "令和の" in message or "年が正しくありません" in message


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1868-01-25", date(1868, 1, 25)),
        ("明治元年1月25日", date(1868, 1, 25)),
        ("2100-12-31", date(2100, 12, 31)),
        ("R82.12.31", date(2100, 12, 31)),
        ("２０２５－０４－０１", date(2025, 4, 1)),
    ],
)
def test_the_bounds_themselves_are_accepted(typed, expected):
    assert errors({"day": typed}).cleaned_data["day"] == expected


def test_a_field_with_its_own_sense_keeps_its_tighter_bounds_and_says_them():
    form = errors({"due": "1949-12-31"})
    assert form.errors["due"] == [
        "日付は昭和25年1月1日（1950-01-01）から令和81年3月31日（2099-03-31）までの間で入力してください。"
    ]
    assert errors({"due": "2099-04-01"}).errors["due"]
    assert errors({"due": "1950-01-01"}).cleaned_data["due"] == date(1950, 1, 1)


def test_tighter_bounds_cannot_widen_the_project_bounds():
    field = WarekiDateField(earliest=date(1, 1, 1), latest=date(9999, 12, 31))
    assert (field.earliest, field.latest) == (EARLIEST_DATE, LATEST_DATE)


@pytest.mark.parametrize("typed", ["1867", "2101", "9999", "慶応3"])
def test_a_fiscal_year_outside_the_bounds_is_refused_in_japanese(typed):
    form = errors({"year": typed})
    assert "year" not in form.cleaned_data
    assert "年度" in form.errors["year"][0]


def test_a_fiscal_year_says_its_bounds():
    assert errors({"year": "2101"}).errors["year"] == [
        "年度は明治元年度（1868年度）から令和82年度（2100年度）までの間で入力してください。"
    ]
    assert errors({"year": "R82"}).cleaned_data["year"] == 2100


def test_a_date_before_meiji_given_as_a_value_is_shown_back_without_failing():
    assert WarekiDateField().prepare_value(date(1, 1, 1)) == "0001-01-01"


@pytest.mark.parametrize("typed", ["x", "\x00", "9" * 30, "Ａ"])
def test_a_filter_value_not_in_the_list_is_refused_in_japanese(typed):
    assert errors({"status": typed}).errors["status"] == ["選択肢にない値です。一覧から選んでください。"]


def test_a_blank_filter_means_everything():
    assert errors({"status": ""}).cleaned_data["status"] == ""
