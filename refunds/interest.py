"""還付加算金 (地方税法第17条の4) on 過誤納金, as a pure module: no database, no settings.

* Start. The article fixes a day by the cause of the 過誤納金 (第17条の4第1項各号); interest runs
  from the day after it. `start_day` returns that first counted day:
  - 第1号 更正・決定・賦課決定 (減額): the day of payment (the 納期限 when paid before it) → its next day.
  - 第2号 更正の請求に基づく更正: the earlier of 「更正の請求があつた日の翌日から起算して3月を経過する日」
    and 「更正があつた日の翌日から起算して1月を経過する日」 → its next day.
  - 第3号 所得税の更正・申告に基因する賦課決定: 「通知・申告の日の翌日から起算して1月を経過する日」 → its next day.
  - 第4号 誤納 (a double payment, a payment after 完納, after 時効完成 or 欠損): 「納付の日の翌日から起算して
    1月を経過する日」 → its next day.
  Months are counted by 民法第143条 (`late_charges.end_of_months_from`).
* End. The day the 長 decides the 還付 支出 or makes the 充当; if the money became fit for 充当
  (充当適状日) earlier, that day (第17条の4第1項かっこ書). Both ends inclusive.
* Rate. 年7.3%, replaced by the 特例 while lower (附則第3条の2), for the calendar year in which each day
  falls: the `refund_interest` column of `taxpayers/data/late_charge_rates.csv` — the same table and
  the same yearly machinery as 延滞金. 365 days a year, leap years too.
* Rounding. As 延滞金 (地方税法第20条の4の2): the base cut to 1,000円, none under 2,000円; each period
  cut to the yen; the total cut to 100円, none under 1,000円.

Money is integer yen; rates in 1/100 %.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from taxpayers.late_charges import (
    AnnualRate,
    Segment,
    end_of_months_from,
    load_rates,
    rate_for,
    rounded_result,
    taxable_base,
)


@dataclass(frozen=True)
class RefundInterest:
    amount: int  # cut to 100円, none under 1,000円
    unrounded: int
    segments: tuple[Segment, ...]


def compute_refund_interest(
    *, amount: int, start: date, end: date, rates: dict[int, AnnualRate] | None = None
) -> RefundInterest:
    """還付加算金 on `amount` from `start` (the first day counted) to `end` (the last), both
    inclusive, cut at each 1 January. Cost: one segment per calendar year."""
    if amount < 0:
        raise ValueError("amount must not be negative")
    rates = rates or load_rates()
    base = taxable_base(amount)
    segments: list[Segment] = []
    if base and end >= start:
        piece_start = start
        while piece_start <= end:
            piece_end = min(end, date(piece_start.year, 12, 31))
            rate = rate_for(piece_start.year, rates).refund_interest
            segments.append(Segment(piece_start, piece_end, base, rate, later_band=False))
            piece_start = piece_end + timedelta(days=1)
    unrounded = sum(segment.amount for segment in segments)
    return RefundInterest(rounded_result(unrounded), unrounded, tuple(segments))


def one_month_after(day: date) -> date:
    """「{day}の翌日から起算して1月を経過する日」 (民法第143条)."""
    return end_of_months_from(day + timedelta(days=1), 1)


def three_months_after(day: date) -> date:
    return end_of_months_from(day + timedelta(days=1), 3)


def describe(result: RefundInterest) -> Sequence[str]:
    """One line per period, in the form the cities' published explanations use."""
    return [
        f"{s.start.isoformat()}〜{s.end.isoformat()} {s.days}日 "
        f"{s.base:,}円×{s.rate_label}×{s.days}日÷365日 = {s.amount:,}円"
        for s in result.segments
    ]
