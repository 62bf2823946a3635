"""分納 schedules: property tests of the arithmetic, and the simulator."""

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negotiations.schedules import CoveredInstallment, ScheduleError, build_schedule, monthly_dates, simulate


@settings(max_examples=300, deadline=None)
@given(
    total=st.integers(min_value=1, max_value=50_000_000),
    count=st.integers(min_value=1, max_value=120),
    first=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
)
def test_equal_parts_sum_to_the_total_none_negative_dates_increasing(total, count, first):
    if count > total:
        with pytest.raises(ScheduleError):
            build_schedule(total=total, first_date=first, count=count)
        return
    schedule = build_schedule(total=total, first_date=first, count=count)
    assert sum(p.amount for p in schedule) == total
    assert all(p.amount > 0 for p in schedule)
    assert all(b.due_date > a.due_date for a, b in itertools.pairwise(schedule))
    assert len({p.amount for p in schedule[:-1]}) <= 1  # equal parts, the last adjusting


@settings(max_examples=300, deadline=None)
@given(
    total=st.integers(min_value=1, max_value=10_000_000), each=st.integers(min_value=1, max_value=2_000_000)
)
def test_a_fixed_amount_each_with_the_last_adjusting(total, each):
    try:
        schedule = build_schedule(total=total, first_date=date(2026, 1, 31), amount_each=each)
    except ScheduleError:
        assert -(-total // each) > 120
        return
    assert sum(p.amount for p in schedule) == total
    assert all(0 < p.amount <= each for p in schedule)


def test_monthly_dates_keep_the_day_or_fall_to_the_month_end():
    assert monthly_dates(date(2026, 1, 31), 4) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]


def test_custom_dates_must_increase():
    with pytest.raises(ScheduleError, match="早い順"):
        build_schedule(total=10_000, first_date=date(2026, 1, 1), dates=[date(2026, 2, 1), date(2026, 1, 15)])


def test_the_simulator_projects_late_charge_and_warns_about_prescription():
    covered = [
        CoveredInstallment(
            key=1,
            principal=65_000,
            outstanding_principal=65_000,
            outstanding_fee=100,
            due_date=date(2021, 5, 31),
            prescription_date=date(2026, 5, 31),
        ),
    ]
    # 32,550 on 9/30 and on 10/30, a Saturday, which moves to Monday 11/1
    schedule = build_schedule(total=65_100, first_date=date(2021, 9, 30), count=2)
    result = simulate(schedule, covered)
    assert result.total_paid == 65_100
    assert result.finishes_on == date(2021, 11, 1)
    assert result.late_charge_at_end > 0 and result.finishes_before_prescription
    # the whole 延滞金 falls on the payment that completes the 本税 (the second), none on the first
    assert result.late_charge_by_payment == (0, result.late_charge_at_end)
    late = build_schedule(total=65_100, first_date=date(2026, 5, 1), count=3)
    assert not simulate(late, covered).finishes_before_prescription


def test_monthly_schedule_of_twelve_from_today():
    start = date.today() + timedelta(days=1)
    schedule = build_schedule(total=120_001, first_date=start, count=12)
    assert [p.amount for p in schedule] == [10_000] * 11 + [10_001]
