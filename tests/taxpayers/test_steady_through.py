"""`steady_through` (issue 21): the last day to which a 滞納 installment's stored balance holds on
the same inputs, so the daily reconcile leaves it until the day after. What it promises is checked
against the computation itself, day by day: the 延滞金 counted to any day up to it is the same
amount, and (unless the next day starts a new period) the day after it is not — so no day is
skipped that would have changed, and none is computed that could not have."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from taxpayers.late_charges import PartialPayment, compute_late_charge, first_band_end, load_rates
from taxpayers.prescription import (
    ACKNOWLEDGEMENT,
    DEEMED_SERVED,
    DEMAND,
    NOT_DELIVERED,
    NOTICE,
    POSTPONEMENT,
    POSTPONEMENT_ENDED,
    SEIZURE,
    SEIZURE_ENDED,
    Event,
)
from taxpayers.settlement import ReceivedPayment
from taxpayers.standing import standing_from_values

RATES = load_rates()
days = st.dates(min_value=date(2012, 1, 1), max_value=date(2025, 6, 30))


def cuts(due: date, until: date, months: int, payments) -> set[date]:
    """The days a new period of 延滞金 starts after `until` (its own rate or base, its own cut to
    the yen): the day after the first band, 1 January, the day after a payment made on `until`."""
    return {
        first_band_end(due, months) + timedelta(days=1),
        date(until.year + 1, 1, 1),
        *(p.paid_on + timedelta(days=1) for p in payments),
    }


@settings(max_examples=400, deadline=None)
@given(
    principal=st.integers(min_value=0, max_value=5_000_000),
    due=days,
    length=st.integers(min_value=1, max_value=700),
    months=st.sampled_from([1, 3]),
    paid=st.lists(st.tuples(st.integers(min_value=0, max_value=700), st.integers(1, 900_000)), max_size=3),
    on_the_day=st.integers(min_value=0, max_value=900_000),
    extension=st.integers(min_value=0, max_value=90),
)
def test_the_late_charge_holds_to_its_steady_day_and_moves_the_day_after(
    principal, due, length, months, paid, on_the_day, extension
):
    until = min(due + timedelta(days=length), date(2025, 12, 31))
    payments = [PartialPayment(due + timedelta(days=offset), amount) for offset, amount in paid]
    if on_the_day:  # a payment on `until` lowers the base only from the next day
        payments.append(PartialPayment(until, on_the_day))
    payments = [p for p in payments if p.paid_on <= until]  # known on `until`, one of them maybe that day
    # 申告期限の延長: from 法定納期限 to the extended 納期限 the extension's 延滞金, fixed by `until`
    extended_from = due - timedelta(days=extension) if extension else None

    def amount(day: date) -> int:
        return compute_late_charge(
            principal=principal,
            due_date=due,
            until=day,
            payments=payments,
            first_band_months=months,
            rates=RATES,
            extended_from=extended_from,
        ).amount

    result = compute_late_charge(
        principal=principal,
        due_date=due,
        until=until,
        payments=payments,
        first_band_months=months,
        rates=RATES,
        extended_from=extended_from,
    )
    steady = result.steady_through
    assert steady is not None and until <= steady < date(until.year + 1, 1, 1)
    day = until
    while day < steady:  # every day to it, counted as the ledger counts it
        day += timedelta(days=1)
        assert amount(day) == result.amount, (day, steady)
    after = steady + timedelta(days=1)
    if after not in cuts(due, until, months, payments):
        assert amount(after) != result.amount  # the very next day it moves: nothing computed for naught


def test_a_relief_or_an_amount_remitted_promises_no_day():
    from taxpayers.late_charges import EXEMPT, ReliefPeriod

    relief = ReliefPeriod(date(2024, 8, 1), date(2024, 8, 31), EXEMPT, "執行停止")
    for options in ({"reliefs": [relief]}, {"remitted_amount": 500}):
        result = compute_late_charge(
            principal=500_000, due_date=date(2024, 5, 31), until=date(2024, 10, 1), rates=RATES, **options
        )
        assert result.amount and result.steady_through is None


# Every kind of 時効 event, on any day — after `as_of` too: reconcile gives the chain all of an
# installment's events (one dated ahead is marked for its day, and the installment computed again
# then), so a completion the chain already knows of may still be ahead (a 催告 returned and served
# by 公示送達 next week, after the 時効予定日).
events = st.lists(
    st.builds(
        Event,
        st.sampled_from(
            [
                DEMAND,
                ACKNOWLEDGEMENT,
                NOTICE,
                SEIZURE,
                SEIZURE_ENDED,
                POSTPONEMENT,
                POSTPONEMENT_ENDED,
                NOT_DELIVERED,
                DEEMED_SERVED,
            ]
        ),
        st.dates(date(2012, 1, 1), date(2027, 6, 30)),
        st.sampled_from(["督促状", "催告書"]),
    ),
    max_size=4,
)


def stored(standing) -> tuple:
    """What reconcile stores of a standing (`_settled_row`)."""
    s = standing.settlement
    return (
        s.paid_principal,
        s.paid_fee,
        s.paid_late_charge,
        s.outstanding_principal,
        s.outstanding_fee,
        s.late_charge,
        standing.payment_status,
        standing.base_prescription_date,
        standing.prescription_date,
        s.last_received_on,
        standing.steady_through,
    )


@settings(max_examples=400, deadline=None)
@given(
    subject=st.sampled_from(["01", "05", "06"]),
    principal=st.integers(min_value=1_000, max_value=3_000_000),
    fee=st.sampled_from([0, 100]),
    due=st.dates(date(2012, 1, 1), date(2024, 12, 31)),
    length=st.integers(min_value=1, max_value=2_500),
    paid=st.lists(st.tuples(st.integers(min_value=0, max_value=2_500), st.integers(1, 900_000)), max_size=3),
    recorded=events,
    extension=st.integers(min_value=0, max_value=90),
    demanded=st.one_of(st.none(), st.integers(min_value=1, max_value=200)),
)
def test_what_reconcile_stores_holds_to_the_steady_day(
    subject, principal, fee, due, length, paid, recorded, extension, demanded
):
    as_of = min(due + timedelta(days=length), date(2025, 12, 31))

    def standing(day: date):
        return standing_from_values(
            # 法人市民税 with 申告期限の延長: the days from 法定納期限 bear the extension's 延滞金
            subject_code="04" if extension else subject,
            principal=principal,
            fee=fee,
            due_date=due,
            statutory_due_date=due - timedelta(days=extension),
            extended_from=due - timedelta(days=extension) if extension else None,
            demand_issued_on=due + timedelta(days=demanded) if demanded else None,
            payments=[
                ReceivedPayment(due + timedelta(days=offset), amount)
                for offset, amount in paid
                if due + timedelta(days=offset) <= as_of  # the inputs known on as_of, unchanged
            ],
            events=recorded,  # as reconcile gives them: all, some maybe still ahead
            as_of=day,
            rates=RATES,
        )

    today = standing(as_of)
    steady = today.steady_through
    if steady is None:
        return
    assert today.payment_status == "delinquent" and steady >= as_of

    def barred(s) -> bool:  # 時効完成 on its day: the lists count it apart
        return s.chain.completed_on is not None and s.chain.completed_on < s.as_of

    last = min(steady, as_of + timedelta(days=400), date(2026, 12, 31))
    for day in sorted({last, as_of + (last - as_of) // 2, as_of + timedelta(days=1)}):
        if day <= last:
            later = standing(day)
            assert stored(later) == stored(today), (day, steady)
            # 時効 does not complete on the way (from that day the totals count it apart)
            assert barred(later) == barred(today), (day, steady)
            if not barred(today):  # the totals' filter (prescription_date >= the day) holds too
                assert later.prescription_date is None or later.prescription_date >= day
