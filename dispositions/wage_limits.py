"""給与・年金の差押禁止額 (国税徴収法第76条・第77条, applied to local taxes by 地方税法第331条第6項
ほか各税目の滞納処分の規定). Pure: no database, no settings.

For one month's 給料等 (or a 賞与, counted as one month), the part that may not be seized is
the sum of:

1. 所得税 withheld (第76条第1項第1号),
2. 住民税 withheld (同第2号: 道府県民税・市町村民税, and since 令和6年 the 森林環境税 collected with
   them by 特別徴収 — the number to enter is all of it),
3. 社会保険料 withheld (同第3号),
4. the base amount for the taxpayer and each dependant living on the same income
   (同第4号; the amounts are 施行令第34条's, held as dated data in
   `data/wage_seizure_base_amounts.csv` with their source), and
5. 20% of what remains after 1–4 (同第5号), but not more than twice the amount of 4.

What is left is the 差押可能額. Where the statute itself settles the detail:

* several payers for the same period: the 禁止額 is computed once on the total (第76条第2項);
* a 賞与 is treated as 給料等 paid when due, its period counted as one month (第76条第3項),
  so a bonus paid in the same month as a salary is computed on its own;
* 年金等 (第77条第1項) are computed the same way as 給料等.

Rounding: the statute fixes no rounding unit, and it needs none. The part of the 給料等 "up to" the
total of 1–5 may not be seized (第76条第1項「次に掲げる金額の合計額に達するまでの部分の金額は、差し押える
ことができない」), and a seizure is of whole yen: the seizable amount is the whole yen above that total,
so a fraction of the 20% part (1/5 of a whole-yen remainder: .2, .4, .6 or .8) is counted up. Rounding
it up is therefore the statute's own arithmetic, not a choice; it is done in one place (here).
The 徴収基本通達 (第76条関係) could not be read for this module (not in the sources searched); no
worked example with figures was found published either, so the tests are computed from the text.

Sources (text checked): 国税徴収法第76条 as amended by 令和6年法律第52号 (iuris.jp / e-Gov;
第2号 names 森林環境税), 国税徴収法施行令第34条 (税研 法令, updated 2022-09-02: 1月ごとに10万円,
親族1人につき4万5千円).

Money is integer yen.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

BASE_AMOUNTS_FILE = Path(__file__).with_name("data") / "wage_seizure_base_amounts.csv"
PROPORTIONAL_PERCENT = 20  # 第76条第1項第5号「百分の二十」
PROPORTIONAL_CAP_MULTIPLE = 2  # 同号かっこ書「前号に掲げる金額の二倍」


class BaseAmountMissingError(LookupError):
    """No base amount is registered for the day asked."""


class WageInputError(ValueError):
    """An input the computation cannot take (a negative amount)."""


@dataclass(frozen=True)
class BaseAmount:
    valid_from: date
    person_per_month: int
    dependant_per_month: int
    basis: str
    source: str


@cache
def base_amounts() -> tuple[BaseAmount, ...]:
    with BASE_AMOUNTS_FILE.open(encoding="utf-8") as handle:
        rows = [
            BaseAmount(
                date.fromisoformat(row["valid_from"]),
                int(row["person_per_month"]),
                int(row["dependant_per_month"]),
                row["basis"],
                row["source"],
            )
            for row in csv.DictReader(handle)
        ]
    return tuple(sorted(rows, key=lambda row: row.valid_from))


def base_amount_on(day: date) -> BaseAmount:
    applicable = [row for row in base_amounts() if row.valid_from <= day]
    if not applicable:
        first = base_amounts()[0].valid_from
        raise BaseAmountMissingError(
            f"{day.isoformat()} に適用する差押禁止の基礎となる金額（国税徴収法施行令第34条）が登録されていません"
            f"（登録は {first.isoformat()} 以降）。"
        )
    return applicable[-1]


@dataclass(frozen=True)
class WageSeizureLimit:
    paid: int
    income_tax: int
    resident_tax: int
    social_insurance: int
    dependants: int
    base: int  # 第4号
    proportional: int  # 第5号
    base_amount: BaseAmount

    @property
    def withheld(self) -> int:
        return self.income_tax + self.resident_tax + self.social_insurance

    @property
    def prohibited(self) -> int:
        """差押禁止額: never more than what is paid."""
        return min(self.paid, self.withheld + self.base + self.proportional)

    @property
    def seizable(self) -> int:
        return self.paid - self.prohibited


def compute_wage_seizure_limit(
    *,
    paid: int,
    income_tax: int,
    resident_tax: int,
    social_insurance: int,
    dependants: int,
    on: date,
) -> WageSeizureLimit:
    """The 差押禁止額 and 差押可能額 of one month's 給料等 (several payers: pass the total; a 賞与:
    pass it alone, as one month) paid on `on`. Raises WageInputError on a negative input and
    BaseAmountMissingError when no base amount is registered for `on`."""
    if min(paid, income_tax, resident_tax, social_insurance, dependants) < 0:
        raise WageInputError("支給額・源泉所得税・住民税・社会保険料・扶養人数は0以上で入力してください。")
    amounts = base_amount_on(on)
    base = amounts.person_per_month + amounts.dependant_per_month * dependants
    remainder = max(0, paid - income_tax - resident_tax - social_insurance - base)
    proportional = min(-(-remainder * PROPORTIONAL_PERCENT // 100), base * PROPORTIONAL_CAP_MULTIPLE)
    return WageSeizureLimit(
        paid, income_tax, resident_tax, social_insurance, dependants, base, proportional, amounts
    )


def describe(limit: WageSeizureLimit) -> list[str]:
    """The computation in words, one line per 号, as the command and the 債権差押通知書 print it."""
    amounts = limit.base_amount
    return [
        f"支給額 {limit.paid:,}円",
        f"第1号 源泉所得税 {limit.income_tax:,}円",
        f"第2号 住民税（森林環境税を含む） {limit.resident_tax:,}円",
        f"第3号 社会保険料 {limit.social_insurance:,}円",
        f"第4号 {amounts.person_per_month:,}円 + {amounts.dependant_per_month:,}円 × {limit.dependants}人"
        f" = {limit.base:,}円（国税徴収法施行令第34条。{amounts.valid_from.isoformat()}以降の金額）",
        f"第5号 (支給額 − 第1号〜第4号) × 20%（第4号の2倍 {limit.base * PROPORTIONAL_CAP_MULTIPLE:,}円が上限、"
        f"1円未満切上げ） = {limit.proportional:,}円",
        f"差押禁止額 {limit.prohibited:,}円（国税徴収法第76条第1項）",
        f"差押可能額 {limit.seizable:,}円",
    ]
