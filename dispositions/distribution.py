"""配当 (国税徴収法第129条〜第133条, 施行令第49条; applied to local taxes by 地方税法第331条第6項
ほか): who receives what from the money of a 取立 or a sale. Pure: no database.

The order of the claims is data (`data/distribution_ranks.csv`, each rank with its article):
直接の滞納処分費 → 法定納期限等以前の担保権 → 差押に係る本市の徴収金 (差押先着手) → 交付要求
(受付の順) → 法定納期限等後の担保権. Within a rank, the earlier 設定日・受付日 first, then the order
entered. Each claim receives at most what it claims; the rest goes down the ranks; what is left
after every claim is the 残余金, handed to the 滞納者 (第129条第3項).

Dates (第131条, 施行令第49条第2項, 第132条第2項): copies of the 配当計算書 go to the 滞納者 and every
claimant known, those receiving nothing included (徴収基本通達第131条関係3), within 3 days of the
day the buyer paid (第131条) or of the 取立 (施行令第49条第2項). The 3 days are counted without the
first day (国税通則法第10条第1項第1号; 徴収基本通達第131条関係4), and a last day on a 休日等
(日曜・祝日・土曜・12月29日〜1月3日) moves to the next open day (通則法第10条第2項,
`taxpayers.deadlines.deadline`). The 交付期日 is the day on which 7 days counted from the sending
day (初日算入: 「起算して」) have passed; it does not move for a holiday (no 通則法第10条第2項: it is
no 期限 of anyone's act) and may be shortened only when no claimant of 第129条第1項第3号・第4号 is
among the recipients (第132条第2項ただし書; not offered here).
Sources: 国税徴収法第131条・第132条 (e-Gov, as amended by 令和6年法律第52号), 国税庁 徴収基本通達
第131条関係 https://www.nta.go.jp/law/tsutatsu/kihon/chosyu/05/04/131/01.htm.

Money is integer yen.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

RANKS_FILE = Path(__file__).with_name("data") / "distribution_ranks.csv"
SENDING_DAYS = 3  # 第131条: 金銭の交付を受けた日から3日以内に謄本を発送
DELIVERY_DAYS = 7  # 第132条第2項: 発送した日から起算して7日を経過した日


class DistributionInputError(ValueError):
    """A claim or a total the computation cannot take; the message is shown to staff."""


@dataclass(frozen=True)
class Rank:
    kind: str
    rank: int
    label: str
    source: str


@cache
def ranks() -> dict[str, Rank]:
    with RANKS_FILE.open(encoding="utf-8") as handle:
        return {
            row["kind"]: Rank(row["kind"], int(row["rank"]), row["label"], row["source"])
            for row in csv.DictReader(handle)
        }


CITY_SEIZURE = "city_seizure"


@dataclass(frozen=True)
class Claim:
    kind: str
    claimant: str
    claimed: int
    established_on: date | None = None
    address: str = ""


@dataclass(frozen=True)
class Allotment:
    claim: Claim
    rank: int
    allotted: int

    @property
    def rank_label(self) -> str:
        return ranks()[self.claim.kind].label


@dataclass(frozen=True)
class Distribution:
    total: int
    allotments: tuple[Allotment, ...]
    residue: int

    @property
    def city_share(self) -> int:
        return sum(a.allotted for a in self.allotments if a.claim.kind == CITY_SEIZURE)


def distribute(*, total: int, claims: Sequence[Claim]) -> Distribution:
    if total <= 0:
        raise DistributionInputError("換価代金等の総額は1円以上で入力してください。")
    known = ranks()
    for claim in claims:
        if claim.kind not in known:
            raise DistributionInputError(f"債権の種類 {claim.kind!r} は配当の順位表にありません。")
        if claim.claimed < 0:
            raise DistributionInputError(f"{claim.claimant} の債権額は0円以上で入力してください。")
    ordered = sorted(
        enumerate(claims),
        key=lambda item: (known[item[1].kind].rank, item[1].established_on or date.max, item[0]),
    )
    left = total
    allotments = []
    for _, claim in ordered:
        allotted = min(left, claim.claimed)
        left -= allotted
        allotments.append(Allotment(claim, known[claim.kind].rank, allotted))
    return Distribution(total, tuple(allotments), left)


def sending_deadline(received_on: date) -> date:
    """The last day the copies may be sent: 3 days from the day the money was received, the first
    day not counted (第131条, 施行令第49条第2項, 通則法第10条第1項), moved past a 休日等 to the next
    open day (通則法第10条第2項; 徴収基本通達第131条関係4)."""
    from taxpayers.deadlines import deadline

    return deadline(received_on + timedelta(days=SENDING_DAYS))


def delivery_date(sent_on: date) -> date:
    """交付期日: counted from the sending day (初日算入) 7 days have passed (第132条第2項)."""
    return sent_on + timedelta(days=DELIVERY_DAYS)
