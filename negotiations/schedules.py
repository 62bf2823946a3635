"""分納 schedules and their simulation. Pure: no database.

A schedule splits a total into payments on increasing dates: equal amounts (in whole yen, or a
given amount each), the last one adjusting so that they sum to the total exactly.
"""

from __future__ import annotations

import calendar
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from taxpayers.deadlines import deadline
from taxpayers.late_charges import PartialPayment, ReliefPeriod, compute_late_charge, projected_rates


class ScheduleError(ValueError):
    """The schedule asked for cannot be made; the message says why, in Japanese."""


@dataclass(frozen=True)
class PlannedPayment:
    """One 回 of a 分納 schedule before it is saved (saved, it is a negotiations.ScheduledPayment)."""

    sequence: int
    due_date: date
    amount: int


def monthly_dates(first: date, count: int) -> list[date]:
    """The same day each month from `first` (the month's last day where it has no such day)."""
    dates = []
    for n in range(count):
        month_index = first.month - 1 + n
        year, month = first.year + month_index // 12, month_index % 12 + 1
        dates.append(date(year, month, min(first.day, calendar.monthrange(year, month)[1])))
    return dates


def build_schedule(
    *,
    total: int,
    first_date: date,
    count: int | None = None,
    amount_each: int | None = None,
    dates: Sequence[date] | None = None,
) -> list[PlannedPayment]:
    """Splits `total` yen. Give `count` (equal parts) or `amount_each` (the count follows);
    dates are monthly from `first_date` unless `dates` lists them (custom interval). A date on a
    day the office and banks are shut (元日, 日曜日, 祝日, 土曜日, 12/29–1/3) moves to the next open
    day, as a 納期限 does (地方税法第20条の5第2項, taxpayers/deadlines.py)."""
    if total <= 0:
        raise ScheduleError("誓約額は1円以上にしてください。")
    if amount_each is not None:
        if amount_each <= 0:
            raise ScheduleError("1回の金額は1円以上にしてください。")
        count = math.ceil(total / amount_each)
    if dates is not None:
        count = len(dates)
    if not count or count < 1:
        raise ScheduleError("回数または1回の金額を指定してください。")
    if count > 120:
        raise ScheduleError("分納は120回（10年）以内にしてください。")
    if count > total:
        raise ScheduleError("回数が誓約額（円）より多いため、分けられません。")
    when = [deadline(day) for day in (list(dates) if dates is not None else monthly_dates(first_date, count))]
    if any(later <= earlier for earlier, later in itertools.pairwise(when)):
        raise ScheduleError("納付予定日は日付の早い順に、同じ日を重ねずに指定してください。")
    each = amount_each if amount_each is not None else total // count
    amounts = [each] * (count - 1) + [total - each * (count - 1)]
    if amounts[-1] <= 0:
        raise ScheduleError("最終回の金額が0円以下になります。1回の金額を見直してください。")
    return [
        PlannedPayment(n + 1, day, amount) for n, (day, amount) in enumerate(zip(when, amounts, strict=True))
    ]


@dataclass(frozen=True)
class CoveredInstallment:
    """What a pledge covers: an installment's unpaid 本税 and 督促手数料 and its earlier payments."""

    key: object
    principal: int
    outstanding_principal: int
    outstanding_fee: int
    due_date: date
    prescription_date: date | None  # None while a 差押 or 交付要求 suspends it
    earlier_principal_payments: tuple[PartialPayment, ...] = ()
    first_band_months: int = 1
    extended_from: date | None = None  # 法定納期限 when due_date is an extended filing deadline
    # 延滞金の免除 (地方税法第15条の9: 猶予) and 条例減免 (taxpayers.exemptions.exemption_periods_for)
    reliefs: tuple[ReliefPeriod, ...] = ()
    remitted_amount: int = 0


@dataclass(frozen=True)
class Simulation:
    total_paid: int
    late_charge_at_end: int
    finishes_on: date
    earliest_prescription: date | None
    # per scheduled payment: the 延滞金 of the installments whose 本税 that payment completes
    late_charge_by_payment: tuple[int, ...] = ()

    @property
    def finishes_before_prescription(self) -> bool:
        return self.earliest_prescription is None or self.finishes_on <= self.earliest_prescription


def simulate(schedule: Sequence[PlannedPayment], covered: Sequence[CoveredInstallment]) -> Simulation:
    """Applies the schedule to the covered installments, oldest 納期限 first (督促手数料, then
    本税), and computes the 延滞金 each installment will owe on the day its 本税 is paid off."""
    remaining = sorted(covered, key=lambda c: c.due_date)
    owed_fee = {c.key: c.outstanding_fee for c in remaining}
    owed_principal = {c.key: c.outstanding_principal for c in remaining}
    paid_principal: dict[object, list[PartialPayment]] = {
        c.key: list(c.earlier_principal_payments) for c in remaining
    }
    late = 0
    by_payment = [0] * len(schedule)
    for index, payment in enumerate(schedule):
        left = payment.amount
        for item in remaining:
            if left == 0:
                break
            take = min(left, owed_fee[item.key])
            owed_fee[item.key] -= take
            left -= take
            if left and owed_principal[item.key]:
                take = min(left, owed_principal[item.key])
                owed_principal[item.key] -= take
                left -= take
                if owed_principal[item.key] == 0:
                    charge = compute_late_charge(
                        principal=item.principal,
                        due_date=item.due_date,
                        until=payment.due_date,
                        payments=paid_principal[item.key],
                        first_band_months=item.first_band_months,
                        rates=projected_rates(),
                        extended_from=item.extended_from,
                        reliefs=item.reliefs,
                        remitted_amount=item.remitted_amount,
                    ).amount
                    late += charge
                    by_payment[index] += charge
                else:
                    paid_principal[item.key].append(PartialPayment(payment.due_date, take))
    finishes = schedule[-1].due_date if schedule else date.today()
    prescriptions = [c.prescription_date for c in covered if c.prescription_date is not None]
    return Simulation(
        total_paid=sum(p.amount for p in schedule),
        late_charge_at_end=late,
        finishes_on=finishes,
        earliest_prescription=min(prescriptions) if prescriptions else None,
        late_charge_by_payment=tuple(by_payment),
    )
