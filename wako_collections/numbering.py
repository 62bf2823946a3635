"""The serial-number prefix of every kind of record, declared once so that no two kinds share one
(分納誓約 and 一括発行 were both B2026000001). A number is prefix + year + six digits; no prefix +
year is the start of another's (tests/wako_collections/test_numbering.py)."""

from datetime import date
from enum import Enum


class NumberKind(Enum):
    DISPOSITION = ("S", "滞納処分")
    PLEDGE = ("B", "分納誓約")
    DOCUMENT = ("D", "発行文書")
    BATCH = ("K", "帳票の一括発行")  # 一括 (ikkatsu); B until issue 18, which 分納誓約 already used
    INQUIRY = ("Q", "照会")
    INQUIRY_BATCH = ("QB", "照会の一括作成")
    COLLECTION = ("T", "取立")
    DISTRIBUTION = ("H", "配当計算書")
    REDUCTION = ("R", "延滞金の減免")
    WRITE_OFF = ("F", "不納欠損決議")
    WRITE_OFF_CANCELLATION = ("FC", "不納欠損の取消")
    OVERPAYMENT_DISPOSAL = ("J", "過誤納金の充当・還付")

    def __init__(self, letters: str, label: str):
        self.letters = letters
        self.label = label

    def prefix(self, on: date) -> str:
        return f"{self.letters}{on.year}"
