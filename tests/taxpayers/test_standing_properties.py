"""Properties the faster standing code must keep (branch hU): the 延滞金 segments carry the unpaid
amount from piece to piece instead of summing the payments again for each, and the 送達 pass is
skipped when no document came back. Checked here against the rules as the modules state them."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from taxpayers.late_charges import PartialPayment, compute_late_charge, load_rates, taxable_base
from taxpayers.prescription import (
    ACKNOWLEDGEMENT,
    DEMAND,
    NOTICE,
    SEIZURE,
    Event,
    demand_service,
    period_end,
    served,
)

days = st.dates(min_value=date(2012, 1, 1), max_value=date(2025, 12, 31))


@settings(max_examples=300, deadline=None)
@given(
    principal=st.integers(min_value=0, max_value=3_000_000),
    due=days,
    length=st.integers(min_value=0, max_value=3_000),
    paid=st.lists(st.tuples(st.integers(min_value=0, max_value=3_000), st.integers(1, 900_000)), max_size=6),
)
def test_each_segment_bears_what_was_unpaid_at_its_start(principal, due, length, paid):
    until = min(due + timedelta(days=length), date(2025, 12, 31))
    payments = [PartialPayment(due + timedelta(days=offset), amount) for offset, amount in paid]
    result = compute_late_charge(
        principal=principal, due_date=due, until=until, payments=payments, rates=load_rates()
    )
    for segment in result.segments:
        earlier = sum(p.amount for p in payments if p.paid_on < min(segment.start, until))
        assert segment.base == taxable_base(max(principal - earlier, 0))
    # the pieces do not overlap and stay inside the days counted
    for before, after in zip(result.segments, result.segments[1:], strict=False):
        assert before.end < after.start
    assert all(due < s.start <= s.end <= until for s in result.segments)
    # given in any order, the payments give the same 延滞金
    again = compute_late_charge(
        principal=principal, due_date=due, until=until, payments=payments[::-1], rates=load_rates()
    )
    assert again == result


events = st.lists(
    st.builds(
        Event, st.sampled_from([DEMAND, ACKNOWLEDGEMENT, SEIZURE, NOTICE]), days, st.sampled_from(["", "A"])
    ),
    max_size=6,
)


@settings(max_examples=200, deadline=None)
@given(items=events)
def test_without_a_returned_document_every_event_takes_effect_as_recorded(items):
    effective, notes = served(items)
    assert effective == items and notes == []
    demands = [e.on for e in items if e.kind == DEMAND]
    assert demand_service(items).effective_on == (min(demands) if demands else None)
    assert demand_service(items).unserved == ()


@given(start=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)), years=st.integers(1, 10))
def test_period_end_is_the_day_before_the_corresponding_day(start, years):
    end = period_end(start, years)
    if (start.month, start.day) == (2, 29) and end.month == 2 and end.day == 28:
        assert end.year == start.year + years  # no 2月29日 that year: its last day (民法第143条)
    else:
        assert end + timedelta(days=1) == start.replace(year=start.year + years)
