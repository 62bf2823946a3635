"""期限の特例 (地方税法第20条の5第2項) and the demo calendar that follows it."""

from datetime import date

import pytest

from taxpayers.deadlines import deadline, is_closed
from taxpayers.demo import due_dates
from taxpayers.subjects import Subject


@pytest.mark.parametrize(
    ("nominal", "actual"),
    [
        (date(2026, 6, 30), date(2026, 6, 30)),  # a Tuesday stays
        (date(2026, 5, 31), date(2026, 6, 1)),  # Sunday → Monday
        (date(2026, 10, 31), date(2026, 11, 2)),  # Saturday → Monday
        (date(2027, 2, 28), date(2027, 3, 1)),  # Sunday → Monday
        (date(2026, 5, 3), date(2026, 5, 7)),  # 憲法記念日, みどりの日, こどもの日, 振替休日
        (date(2025, 12, 31), date(2026, 1, 5)),  # year-end, 元日, 1月2日・3日, then a Sunday
        (date(2026, 12, 25), date(2026, 12, 25)),  # a Friday before the year-end closure stays
    ],
)
def test_a_deadline_on_a_closed_day_moves_to_the_next_open_day(nominal, actual):
    assert deadline(nominal) == actual


def test_the_demo_calendar_never_falls_on_a_closed_day():
    days = [day for subject in Subject for year in range(2016, 2028) for day in due_dates(subject, year)]
    assert days and not any(is_closed(day) for day in days)
    assert date(2027, 3, 1) in due_dates(Subject.FIXED_ASSET_TAX, 2026)  # 第4期, nominally 2月28日
