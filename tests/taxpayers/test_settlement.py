"""Allocation of payments, outstanding amounts, status and 時効予定日."""

from datetime import date

import pytest

from taxpayers.settlement import (
    DELINQUENT,
    NOT_YET_DUE,
    PAID,
    WITHIN_TERM,
    ReceivedPayment,
    check_order,
    prescription_date,
    settle,
)

DUE = date(2021, 5, 31)


def test_a_payment_on_time_pays_everything_and_bears_no_late_charge():
    result = settle(
        principal=65_000,
        fee=0,
        due_date=DUE,
        payments=[ReceivedPayment(DUE, 65_000)],
        as_of=date(2022, 1, 31),
    )
    assert (result.outstanding_total, result.status, result.paid_principal) == (0, PAID, 65_000)


def test_an_unpaid_installment_projects_its_late_charge_to_the_day_asked():
    result = settle(principal=65_000, fee=100, due_date=DUE, payments=[], as_of=date(2022, 1, 31))
    assert result.status == DELINQUENT
    assert (result.outstanding_principal, result.outstanding_fee, result.late_charge) == (65_000, 100, 3_400)
    assert not result.late_charge_fixed


def test_fee_then_principal_then_late_charge_and_the_late_charge_is_fixed_when_principal_is_paid():
    payments = [ReceivedPayment(date(2021, 9, 30), 30_100), ReceivedPayment(date(2022, 1, 31), 37_000)]
    result = settle(principal=65_000, fee=100, due_date=DUE, payments=payments, as_of=date(2022, 3, 31))
    first, second = result.allocations
    assert (first.fee, first.principal, first.late_charge) == (100, 30_000, 0)
    # 35,000 to 本税; 延滞金 fixed at 2,600 (see the partial-payment example); 2,000 goes to it.
    assert (second.fee, second.principal, second.late_charge, second.overpaid) == (0, 35_000, 2_000, 0)
    assert result.late_charge_fixed and result.late_charge == 600
    assert result.status == DELINQUENT  # 延滞金 still unpaid


def test_overpayment_is_shown_apart():
    result = settle(principal=10_000, fee=0, due_date=DUE, payments=[ReceivedPayment(DUE, 12_000)], as_of=DUE)
    assert result.allocations[0].overpaid == 2_000 and result.status == PAID


def test_payments_after_the_day_asked_are_not_counted():
    result = settle(
        principal=10_000,
        fee=0,
        due_date=DUE,
        payments=[ReceivedPayment(date(2021, 7, 1), 10_000)],
        as_of=date(2021, 6, 15),
    )
    assert result.outstanding_principal == 10_000 and result.allocations == []


@pytest.mark.parametrize(
    ("as_of", "status"),
    [
        (date(2021, 4, 30), NOT_YET_DUE),
        (date(2021, 5, 1), WITHIN_TERM),
        (DUE, WITHIN_TERM),
        (date(2021, 6, 1), DELINQUENT),
    ],
)
def test_status_follows_the_due_month(as_of, status):
    assert settle(principal=10_000, fee=0, due_date=DUE, payments=[], as_of=as_of).status == status


def test_principal_can_come_before_the_fee_but_never_after_the_late_charge():
    assert check_order(["principal", "fee", "late_charge"]) == ("principal", "fee", "late_charge")
    with pytest.raises(ValueError, match="延滞金を本税より先に"):
        check_order(["late_charge", "principal", "fee"])
    with pytest.raises(ValueError):
        check_order(["fee", "principal"])


def test_a_premium_uses_its_longer_first_band():
    tax = settle(principal=65_000, fee=0, due_date=DUE, payments=[], as_of=date(2022, 1, 31))
    premium = settle(
        principal=65_000, fee=0, due_date=DUE, payments=[], as_of=date(2022, 1, 31), first_band_months=3
    )
    assert premium.late_charge < tax.late_charge


@pytest.mark.parametrize(
    ("statutory", "is_premium", "years", "expected"),
    [
        # Tax: 法定納期限 2021-05-31 → counted from 6/1 → five years end 2026-05-31.
        (date(2021, 5, 31), False, 5, date(2026, 5, 31)),
        # Premium: two years from the day after 納期限.
        (date(2021, 5, 31), True, 2, date(2023, 5, 31)),
        # Counted from 29 February 2024: no 29 February in 2029, so the period ends 28 February.
        (date(2024, 2, 28), False, 5, date(2029, 2, 28)),
        (date(2023, 12, 31), False, 5, date(2028, 12, 31)),
    ],
)
def test_prescription_date(statutory, is_premium, years, expected):
    assert (
        prescription_date(
            statutory_due_date=statutory, due_date=statutory, is_premium=is_premium, years=years
        )
        == expected
    )
