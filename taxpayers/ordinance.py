"""The city's ordinance figures the ledger applies, as dated data with their source.

Law is data, not deployment settings: each figure is a row of a CSV file in taxpayers/data/ with the
day it starts to apply and its source. A city that amends its ordinance adds a row (a 督促手数料
abolished from 2027-04-01 is the row ``2027-04-01,0,…``); earlier rows keep applying to earlier days.

- 督促手数料 (taxpayers/data/demand_fees.csv): yen per 督促状, by the day the 督促状 was sent
  (市税条例; 地方自治法第231条の3第2項).
- 国民健康保険料の延滞金 (taxpayers/data/nhi_premium_late_charge_bands.csv): months after the 納期限
  during which the lower rate applies, by the installment's 納期限 (国民健康保険条例; for a tax the
  law fixes one month, 地方税法第326条).

Both files are read and checked when the app starts (taxpayers/apps.py): a bad row stops start-up
with ImproperlyConfigured naming the file and line.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

DATA = Path(__file__).resolve().parent / "data"
DEMAND_FEES = DATA / "demand_fees.csv"
NHI_PREMIUM_BANDS = DATA / "nhi_premium_late_charge_bands.csv"


@dataclass(frozen=True)
class DatedFigure:
    """One row: `value` applies from `starts_on` (inclusive) until the next row's day."""

    starts_on: date
    value: int
    source: str


def read_schedule(path: Path, column: str, *, minimum: int) -> tuple[DatedFigure, ...]:
    """The rows of `path`, oldest first. Raises ImproperlyConfigured naming the file and line for
    a missing column, a bad date, a non-integer or a value below `minimum`, a repeated day, a
    missing source, or an empty file."""
    rows: list[DatedFigure] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"starts_on", column, "source"} - set(reader.fieldnames or ())
        if missing:
            raise ImproperlyConfigured(f"{path.name}: 列 {', '.join(sorted(missing))} がありません。")
        for line, row in enumerate(reader, start=2):
            try:
                starts_on = date.fromisoformat(row["starts_on"].strip())
                value = int(row[column].strip())
            except (ValueError, AttributeError):
                raise ImproperlyConfigured(
                    f"{path.name} {line}行目: starts_on は YYYY-MM-DD、{column} は整数で書いてください。"
                ) from None
            if value < minimum:
                raise ImproperlyConfigured(f"{path.name} {line}行目: {column} は {minimum} 以上です。")
            if not (row.get("source") or "").strip():
                raise ImproperlyConfigured(f"{path.name} {line}行目: 出典（source）がありません。")
            rows.append(DatedFigure(starts_on, value, row["source"].strip()))
    if not rows:
        raise ImproperlyConfigured(f"{path.name}: 行がありません。")
    rows.sort(key=lambda figure: figure.starts_on)
    days = [figure.starts_on for figure in rows]
    if len(set(days)) != len(days):
        raise ImproperlyConfigured(f"{path.name}: 同じ適用開始日の行が二つあります。")
    return tuple(rows)


@cache
def demand_fee_schedule() -> tuple[DatedFigure, ...]:
    return read_schedule(DEMAND_FEES, "amount", minimum=0)


@cache
def nhi_premium_band_schedule() -> tuple[DatedFigure, ...]:
    return read_schedule(NHI_PREMIUM_BANDS, "first_band_months", minimum=1)


def _in_force(schedule: tuple[DatedFigure, ...], day: date) -> int:
    value = 0
    for figure in schedule:
        if figure.starts_on <= day:
            value = figure.value
    return value


def demand_fee_on(day: date) -> int:
    """督促手数料 in yen for a 督促状 sent on `day` (0 before the first row or where abolished)."""
    return _in_force(demand_fee_schedule(), day)


def first_band_months(*, is_premium: bool, due_date: date) -> int:
    """Months after `due_date` at the lower 延滞金 rate: 1 for a tax (地方税法第326条第1項 and the
    like); for a 保険料 the ordinance's months in force on its 納期限 (at least 1)."""
    if not is_premium:
        return 1
    return max(1, _in_force(nhi_premium_band_schedule(), due_date))


def check() -> None:
    """Reads every schedule (at start-up): raises ImproperlyConfigured on a bad file."""
    demand_fee_schedule()
    nhi_premium_band_schedule()
