"""延滞金 (late charge) on local taxes and premiums, as the Local Tax Act computes it.

Pure: no database, no settings. Every rule and its source:

* Periods. 延滞金 runs from the day after 納期限 to the day of payment, both included
  (地方税法第326条第1項, 第369条第1項 ほか各税目の延滞金規定). The first band runs "納期限の
  翌日から1月を経過する日まで" — one month, counted by 民法第143条 (the day before the day
  corresponding to the start; the month's last day if there is none). A premium whose
  ordinance sets a longer band (e.g. 3 months) passes `first_band_months`.
* Rates. 本則 年7.3% / 年14.6%; while the 特例 is lower, the 特例 of the calendar year in
  which each day falls (地方税法附則第3条の2). Years and their rates are data
  (`data/late_charge_rates.csv`, each with its basis and source); a year missing from the
  table is an error, never a guess.
* A year counts 365 days, even a leap year (附則第3条の2 ただし書:「閏年の日を含む期間に
  ついても、365日当たりの割合」).
* The base. 1,000円未満の端数は切捨て; a tax under 2,000円 bears none (地方税法第20条の4の2
  第2項). After a partial payment the base for the days after the payment day is what
  remains unpaid (国税通則法第62条第1項と同旨; the same rule is applied to local taxes).
* Rounding. Each period's product is cut to the yen (the way the published examples compute),
  the total is cut to 100円, and a total under 1,000円 is none (地方税法第20条の4の2第3項・第5項).
* 申告期限の延長 (法人市民税). A company whose filing deadline is extended (法人税法第75条の2 and
  地方税法第321条の8) pays with its tax a 延滞金 for the extension period: from the day after
  法定納期限 to the extended deadline, both included, at 年7.3% (地方税法第327条第1項), which the
  特例 replaces while it is lower (附則第3条の2第2項: from 2021 the 猶予特例基準割合, 平均貸付割合
  +0.5% — 0.9% for 2024; 2014–2020 the 特例基準割合 itself). One rate, no bands; the days after the
  extended deadline bear the ordinary 延滞金 counted from it (the extended deadline is the
  納期限, 第321条の12). The two are separate 延滞金, each rounded on its own.
* 延滞金の免除 (地方税法第15条の9第1項), given as `reliefs` (periods, both days included):
  - 全額 (`EXEMPT`): the days of a 滞納処分の執行の停止 (第15条の7第1項) and of a 徴収の猶予 for
    災害・盗難・病気 and the like (第15条第1項第1号・第2号, 第5号のうちこれらに類する事実).
  - 2分の1 (`POSTPONED`): the days of a 徴収の猶予 for 事業の廃止・休止・損失 and the like
    (第15条第1項第3号・第4号, 第5号のうちこれらに類する事実, 第2項) and of a 換価の猶予
    (第15条の5第1項, 第15条の6第1項), counted only after 納期限の翌日から1月を経過する日
    (so 年14.6% becomes 年7.3%; the first band is not halved). While the 猶予特例基準割合 is below
    年7.3%, the 延滞金 of those days is instead at the 猶予特例基準割合 and the rest is exempted
    (附則第3条の2第2項: from 2021 平均貸付割合+0.5%, e.g. 0.9% for 2022–2025; 2014–2020 the
    特例基準割合). The table's `extension_percent` column holds that same 猶予特例基準割合.
    Both rules are applied as one: the rate charged for such a day is the lowest of the band's
    rate (halved in the later band) and the 猶予特例基準割合 of its year.
  - 条例減免 (`REDUCTION`, 地方税法第20条の9の5第2項・市税条例): a share of the days' 延滞金
    decided by the city (in 1/100 %: 10000 is all), and an amount decided in yen
    (`remitted_amount`, taken off the rounded total). Where periods overlap, the greater relief
    counts: 全額 over 2分の1, and a 条例減免 share on what is left.
  Each segment keeps its full figure, the figure charged and the difference (免除額), so the
  ledger and the printed forms can show the exemption as its own line with its period.

Money is integer yen; rates are integers in 1/100 % (2.4% → 240), so nothing is float.
"""

from __future__ import annotations

import calendar
import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

RATES_FILE = Path(__file__).with_name("data") / "late_charge_rates.csv"
DAYS_IN_YEAR = 365
BASE_UNIT = 1_000
MINIMUM_TAX = 2_000
RESULT_UNIT = 100
MINIMUM_RESULT = 1_000
ONE_DAY = timedelta(days=1)


EXEMPT = "exempt"  # 全額免除（第15条の9第1項: 執行停止、災害等による徴収の猶予）
POSTPONED = "postponed"  # 2分の1免除・猶予特例基準割合（第15条の9第1項、附則第3条の2第2項）
REDUCTION = "reduction"  # 条例減免（第20条の9の5第2項、市税条例）: 決定した割合
RELIEF_KINDS = {EXEMPT: "全額免除", POSTPONED: "一部免除（猶予）", REDUCTION: "減免"}
FULL_SHARE = 10_000


@dataclass(frozen=True)
class ReliefPeriod:
    """Days (both included) whose 延滞金 the law exempts, or the city remits (see the module
    docstring). `label` names the decision for the ledger (e.g. 「滞納処分の執行停止」)."""

    start: date
    end: date
    kind: str
    label: str = ""
    share: int = FULL_SHARE  # REDUCTION only: the share remitted, in 1/100 %
    ref: str = ""  # the decision's number (処分番号・減免番号), to find its 免除額 among the lines

    def __post_init__(self):
        if self.kind not in RELIEF_KINDS:
            raise ValueError(f"unknown relief kind {self.kind!r}")
        if self.end < self.start:
            raise ValueError("relief period ends before it starts")
        if not 0 < self.share <= FULL_SHARE:
            raise ValueError("relief share must be in 1..10000 (1/100 %)")

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def title(self) -> str:
        return self.label or RELIEF_KINDS[self.kind]


def _relief_rank(relief: ReliefPeriod) -> int:
    return {EXEMPT: 2, POSTPONED: 1, REDUCTION: 0}[relief.kind]


class RateMissingError(LookupError):
    """The rate of a calendar year is not in the table (announced each December)."""


@dataclass(frozen=True)
class AnnualRate:
    year: int
    first_band: int  # 1/100 % per year
    later_band: int
    basis: str
    source: str
    extension: int = 0  # 申告期限の延長の期間の割合 (地方税法第327条第1項・附則第3条の2第2項)
    extension_basis: str = ""
    refund_interest: int = (
        0  # 還付加算金の割合 (地方税法第17条の4第1項・附則第3条の2): see refunds/interest.py
    )
    refund_interest_basis: str = ""

    @property
    def extension_label(self) -> str:
        return _percent(self.extension)

    @property
    def refund_interest_label(self) -> str:
        return _percent(self.refund_interest)


def _percent(hundredths: int) -> str:
    return f"{Decimal(hundredths) / 100:.1f}%"


def _hundredths(text: str) -> int:
    value = Decimal(text) * 100
    if value != value.to_integral_value():
        raise ValueError(f"rate {text}% is finer than 0.01%")
    return int(value)


@cache
def load_rates(path: Path = RATES_FILE) -> dict[int, AnnualRate]:
    with path.open(encoding="utf-8") as handle:
        return {
            int(row["year"]): AnnualRate(
                year=int(row["year"]),
                first_band=_hundredths(row["first_band_percent"]),
                later_band=_hundredths(row["later_band_percent"]),
                basis=row["basis"],
                source=row["source"],
                extension=_hundredths(row["extension_percent"]),
                extension_basis=row["extension_basis"],
                refund_interest=_hundredths(row["refund_interest_percent"]),
                refund_interest_basis=row["refund_interest_basis"],
            )
            for row in csv.DictReader(handle)
        }


def rates_for(day: date) -> tuple[dict[int, AnnualRate], int | None]:
    """The rates to settle the ledger up to `day` with, and the first year they assume.

    The published table when it reaches `day`'s year (assumed: None). Otherwise — a future 基準日,
    or the weeks after 1 January before the new year's row (財務大臣告示, each November) is added —
    the table carried on at the latest published rates, so that the office keeps working; the
    pages that show such amounts say which year is assumed. `compute_late_charge` itself (the
    `entaikin` command, the 延滞金試算 page) still refuses a year that is not in the table."""
    rates = load_rates()
    latest = max(rates)
    if day.year <= latest:
        return rates, None
    return projected_rates(), latest + 1


@cache
def projected_rates(path: Path = RATES_FILE) -> dict[int, AnnualRate]:
    """The table plus every later year at the latest published rates, for projections only
    (a 分納 schedule, a future 基準日). Accounting (reconcile) uses `load_rates`, which refuses
    a year that has not been published."""
    rates = dict(load_rates(path))
    latest = rates[max(rates)]
    for year in range(latest.year + 1, 2101):
        rates[year] = AnnualRate(
            year,
            latest.first_band,
            latest.later_band,
            f"見込（{latest.year}年の割合を仮定）",
            "",
            latest.extension,
            f"見込（{latest.year}年の割合を仮定）",
            latest.refund_interest,
            f"見込（{latest.year}年の割合を仮定）",
        )
    return rates


def rate_for(year: int, rates: dict[int, AnnualRate]) -> AnnualRate:
    first_year = min(rates)
    if year < first_year:
        return rates[first_year]  # the table's first row is the 本則 that applied before the 特例
    if year not in rates:
        raise RateMissingError(
            f"{year}年の延滞金の割合が登録されていません（taxpayers/data/late_charge_rates.csv）。"
        )
    return rates[year]


def end_of_months_from(start: date, months: int) -> date:
    """The day on which `months` months counted from `start` (inclusive) end — 民法第143条:
    the day before the corresponding day; if the last month has no corresponding day, its last day."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    if start.day > last_day:
        return date(year, month, last_day)
    return date(year, month, start.day) - timedelta(days=1)


@lru_cache(maxsize=8192)
def first_band_end(due_date: date, months: int = 1) -> date:
    """「納期限の翌日から{months}月を経過する日」. Cached: a reconcile asks it for the same few
    hundred 納期限 tens of thousands of times."""
    return end_of_months_from(due_date + timedelta(days=1), months)


def taxable_base(unpaid: int) -> int:
    """延滞金 and 還付加算金 alike: 1,000円未満切捨て, none under 2,000円 (地方税法第20条の4の2第2項)."""
    if unpaid < MINIMUM_TAX:
        return 0
    return unpaid // BASE_UNIT * BASE_UNIT


@dataclass(frozen=True)
class Segment:
    start: date
    end: date
    base: int
    rate: int  # 1/100 % per year
    later_band: bool
    extension: bool = False  # the extension period of a filing deadline (地方税法第327条)
    relief: ReliefPeriod | None = None  # 第15条の9 / 条例減免 for these days (the main one)
    charged_rate: int | None = None  # the rate after 第15条の9・附則第3条の2 (None: `rate`)
    remitted_share: int = 0  # 条例減免 of what is left, in 1/100 %

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def full_amount(self) -> int:
        """The 延滞金 of these days before any exemption."""
        return self.base * self.rate * self.days // (DAYS_IN_YEAR * 10_000)

    @property
    def amount(self) -> int:
        """What these days bear after the exemptions (each product cut to the yen)."""
        rate = self.rate if self.charged_rate is None else self.charged_rate
        amount = self.base * rate * self.days // (DAYS_IN_YEAR * 10_000)
        return amount - amount * self.remitted_share // FULL_SHARE

    @property
    def exempted(self) -> int:
        """免除額 of these days."""
        return self.full_amount - self.amount

    @property
    def rate_label(self) -> str:
        return _percent(self.rate)


@dataclass(frozen=True)
class ReliefLine:
    """One exemption as the ledger prints it: 免除額 and the period."""

    relief: ReliefPeriod
    start: date
    end: date
    amount: int

    @property
    def title(self) -> str:
        return self.relief.title


@dataclass(frozen=True)
class LateCharge:
    amount: int  # what is owed: cut to 100円, none under 1,000円 (each 延滞金 on its own)
    unrounded: int  # the sum of the periods, before the 100円 cut
    segments: tuple[Segment, ...]
    extension_amount: int = 0  # of `amount`: the 延滞金 for the extension period, rounded on its own
    extension_unrounded: int = 0
    remitted_amount: int = 0  # 条例減免 decided as an amount, taken off the rounded total
    # The last day to which `until` may move, with no new payment, and `amount` stay the same
    # (`steady_through`); None where no such day is promised.
    steady_through: date | None = None

    @property
    def exempted(self) -> int:
        """免除額 in all: the periods' exemptions and any amount remitted."""
        return sum(segment.exempted for segment in self.segments) + self.remitted_amount

    @property
    def full_unrounded(self) -> int:
        return sum(segment.full_amount for segment in self.segments)

    def relief_lines(self) -> tuple[ReliefLine, ...]:
        """Each relief with the days of this computation it covered and its 免除額."""
        lines: dict[ReliefPeriod, list] = {}
        for segment in self.segments:
            if segment.relief is None or not segment.exempted:
                continue
            line = lines.setdefault(segment.relief, [segment.start, segment.end, 0])
            line[0], line[1] = min(line[0], segment.start), max(line[1], segment.end)
            line[2] += segment.exempted
        return tuple(ReliefLine(relief, start, end, amount) for relief, (start, end, amount) in lines.items())

    @property
    def ordinary_amount(self) -> int:
        return self.amount - self.extension_amount

    @property
    def ordinary_unrounded(self) -> int:
        return self.unrounded - self.extension_unrounded


@dataclass(frozen=True)
class PartialPayment:
    paid_on: date
    amount: int


def rounded_result(unrounded: int) -> int:
    """延滞金 and 還付加算金 alike: cut to 100円, none under 1,000円 (地方税法第20条の4の2第3項・第5項)."""
    amount = unrounded // RESULT_UNIT * RESULT_UNIT
    return amount if amount >= MINIMUM_RESULT else 0


def _segments(
    *,
    principal: int,
    start: date,
    end: date,
    reductions: Sequence[PartialPayment],
    extra_cuts: Iterable[date],
    rate_of,
    reliefs: Sequence[ReliefPeriod] = (),
    relief_rate_of=None,
) -> list[Segment]:
    """The days `start`..`end` cut at each 1 January, the day after each payment and `extra_cuts`;
    each piece with what remains unpaid and `rate_of(piece start)` → (rate, later_band, extension).
    `reductions` in date order (as `compute_late_charge` sorts them). Linear in the cuts: the
    unpaid amount is carried from piece to piece, not summed again for each."""
    cuts = set(extra_cuts)
    cuts.update(date(year, 1, 1) for year in range(start.year + 1, end.year + 1))
    cuts.update(p.paid_on + ONE_DAY for p in reductions)
    for relief in reliefs:
        cuts.add(relief.start)
        cuts.add(relief.end + ONE_DAY)
    boundaries = sorted(day for day in cuts if start < day <= end)
    boundaries.append(end + ONE_DAY)
    segments: list[Segment] = []
    segment_start = start
    unpaid, paid_before = principal, 0  # paid_before: the reductions paid before segment_start
    for next_start in boundaries:
        while paid_before < len(reductions) and reductions[paid_before].paid_on < segment_start:
            unpaid -= reductions[paid_before].amount
            paid_before += 1
        base = taxable_base(max(unpaid, 0))
        if base:
            rate, later, extension = rate_of(segment_start)
            segment = Segment(segment_start, next_start - ONE_DAY, base, rate, later, extension)
            if reliefs:
                segment = _relieved(segment, [r for r in reliefs if r.covers(segment_start)], relief_rate_of)
            segments.append(segment)
        segment_start = next_start
    return segments


def _relieved(segment: Segment, reliefs: Sequence[ReliefPeriod], relief_rate_of) -> Segment:
    """The segment with the reliefs that cover it (see the module docstring)."""
    if not reliefs:
        return segment
    main = max(reliefs, key=_relief_rank)
    charged_rate: int | None = None
    if any(r.kind == EXEMPT for r in reliefs):
        charged_rate = 0
    elif any(r.kind == POSTPONED for r in reliefs):
        halved = segment.rate // 2 if segment.later_band else segment.rate  # 第15条の9第1項
        charged_rate = min(halved, relief_rate_of(segment.start))  # 附則第3条の2第2項
    shares = [r.share for r in reliefs if r.kind == REDUCTION]
    return replace(segment, relief=main, charged_rate=charged_rate, remitted_share=max(shares, default=0))


def compute_late_charge(
    *,
    principal: int,
    due_date: date,
    until: date,
    payments: Iterable[PartialPayment] = (),
    first_band_months: int = 1,
    rates: dict[int, AnnualRate] | None = None,
    extended_from: date | None = None,
    reliefs: Iterable[ReliefPeriod] = (),
    remitted_amount: int = 0,
) -> LateCharge:
    """延滞金 on `principal` due `due_date`, counted to `until` (the payment day, or the day
    to which an unpaid installment is projected). `payments` are earlier partial payments of
    本税; each lowers the base from the day after it. Cost: one segment per band, year and payment.

    `extended_from`: only when `due_date` is a filing deadline extended from this 法定納期限
    (法人市民税 with 申告期限の延長): the days from the day after it to `due_date` (or `until`, if
    earlier) bear the extension-period 延滞金 (地方税法第327条), rounded on its own.

    `reliefs`: the days whose 延滞金 is exempted in full or in part (地方税法第15条の9第1項,
    附則第3条の2第2項) or remitted by the city (条例減免); `remitted_amount`: a 条例減免 decided
    in yen, taken off the (ordinary) 延滞金 after rounding, never below nothing."""
    if principal < 0:
        raise ValueError("principal must not be negative")
    rates = rates or load_rates()
    payments = tuple(payments)
    reductions = sorted((p for p in payments if p.paid_on < until), key=lambda p: p.paid_on)
    reliefs = tuple(reliefs)
    if remitted_amount < 0:
        raise ValueError("remitted_amount must not be negative")

    def postponement_rate(day: date) -> int:
        return rate_for(day.year, rates).extension  # 猶予特例基準割合 (附則第3条の2第2項)

    extension: list[Segment] = []
    if extended_from is not None and extended_from < due_date and until > extended_from:
        extension = _segments(
            principal=principal,
            start=extended_from + timedelta(days=1),
            end=min(due_date, until),
            reductions=reductions,
            extra_cuts=(),
            rate_of=lambda day: (rate_for(day.year, rates).extension, False, True),
            reliefs=reliefs,
            relief_rate_of=postponement_rate,
        )

    ordinary: list[Segment] = []
    start = due_date + timedelta(days=1)
    if until >= start:
        band_end = first_band_end(due_date, first_band_months)

        def banded(day: date) -> tuple[int, bool, bool]:
            annual = rate_for(day.year, rates)
            later = day > band_end
            return (annual.later_band if later else annual.first_band, later, False)

        ordinary = _segments(
            principal=principal,
            start=start,
            end=until,
            reductions=reductions,
            extra_cuts=(band_end + timedelta(days=1),),
            rate_of=banded,
            reliefs=reliefs,
            relief_rate_of=postponement_rate,
        )

    extension_unrounded = sum(segment.amount for segment in extension)
    ordinary_unrounded = sum(segment.amount for segment in ordinary)
    extension_amount = rounded_result(extension_unrounded)
    ordinary_amount = rounded_result(ordinary_unrounded)
    remitted = min(remitted_amount, ordinary_amount)
    steady = None
    if until >= start and not reliefs and not remitted_amount:
        paid_since = [p.paid_on for p in payments if p.paid_on >= until]  # they cut from the next day
        steady = _steady_through(
            until=until, ordinary=ordinary, unrounded=ordinary_unrounded, band_end=band_end, paid=paid_since
        )
    return LateCharge(
        amount=extension_amount + ordinary_amount - remitted,
        unrounded=extension_unrounded + ordinary_unrounded,
        segments=(*extension, *ordinary),
        extension_amount=extension_amount,
        extension_unrounded=extension_unrounded,
        remitted_amount=remitted,
        steady_through=steady,
    )


def _steady_through(
    *, until: date, ordinary: Sequence[Segment], unrounded: int, band_end: date, paid: Sequence[date]
) -> date:
    """The last day to which the ordinary 延滞金 counted to `until` can be counted, with no new
    payment, and still round to the same amount (the extension period's, before 納期限, is fixed
    by then). No later than the day before the next cut after `until` — the day after the first
    band, 1 January (a new period with its own rate and its own cut to the yen), the day after a
    payment made on `until` or later (`paid`: a new base). Before it the last period only grows by
    `base × rate` a day, and the amount moves on the first day its product, cut to the yen
    (`Segment.amount`), brings the sum to the next 100円 — or to 1,000円, under which there is none
    (`rounded_result`, 地方税法第20条の4の2第3項・第5項). Counted with the same integers as
    `Segment.amount`: the very day `compute_late_charge` would first give another amount."""
    cuts = [
        day
        for day in (band_end + ONE_DAY, date(until.year + 1, 1, 1), *(on + ONE_DAY for on in paid))
        if day > until
    ]
    steady = min(cuts) - ONE_DAY
    last = ordinary[-1] if ordinary else None
    if last is None or last.end != until or not last.base * last.rate:
        return steady  # no 延滞金 accrues on these days (the base under 2,000円, or paid down)
    before = unrounded - last.amount  # the earlier periods' sum
    target = MINIMUM_RESULT if unrounded < MINIMUM_RESULT else (unrounded // RESULT_UNIT + 1) * RESULT_UNIT
    per_year = last.base * last.rate
    # the fewest days n of the last period with before + per_year × n // (365 × 10,000) ≥ target
    days = -(-(target - before) * DAYS_IN_YEAR * 10_000 // per_year)
    moves_on = last.start + timedelta(days=days - 1)
    return min(steady, moves_on - ONE_DAY)


def describe(result: LateCharge) -> Sequence[str]:
    """One line per period, in the form the published examples use; a period with an exemption
    says so, and each exemption follows as its own line (免除額 and the period)."""
    lines = []
    for s in result.segments:
        line = (
            f"{'延長期間 ' if s.extension else ''}{s.start.isoformat()}〜{s.end.isoformat()} {s.days}日 "
            f"{s.base:,}円×{s.rate_label}×{s.days}日÷365日 = {s.full_amount:,}円"
        )
        if s.exempted:
            charged = s.rate if s.charged_rate is None else s.charged_rate
            share = f" 減免{Decimal(s.remitted_share) / 100:g}%" if s.remitted_share else ""
            line += (
                f"（{s.relief.title if s.relief else '免除'}: {_percent(charged)}{share}で"
                f" {s.amount:,}円、免除 {s.exempted:,}円）"
            )
        lines.append(line)
    for relief in result.relief_lines():
        lines.append(
            f"免除額 {relief.title} {relief.start.isoformat()}〜{relief.end.isoformat()} {relief.amount:,}円"
        )
    if result.remitted_amount:
        lines.append(f"減免額（金額による減免） {result.remitted_amount:,}円")
    return lines
