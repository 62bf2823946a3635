"""The CSV of approved 還付 for the city's 財務会計 (支出命令): one row per refund, the columns
declared once here; refunds/README.md documents each (kept true by a test).

支出区分: a 過誤納金 refunded within the fiscal year (4月〜翌年3月) in which the money was received
is paid back out of that revenue (歳入戻出, 地方自治法施行令第165条の7); one from an earlier year is
paid from the expenditure budget (歳出還付). The 出納整理期間 (4月1日〜5月31日) belongs to the
new year here: 財務会計 decides the 戻出 within it by its own rules."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from refunds.models import Disposal
from wako_collections.eras import fiscal_year_of


def _decided_on(disposal: Disposal) -> date:
    assert disposal.decided_on is not None  # refunds_disposal_approved_dated: only approved rows are exported
    return disposal.decided_on


def payment_category(disposal: Disposal) -> str:
    same_year = fiscal_year_of(disposal.overpayment.arose_on) == fiscal_year_of(_decided_on(disposal))
    return "歳入戻出" if same_year else "歳出還付"


@dataclass(frozen=True)
class ExportColumn:
    header: str
    description: str
    example: str
    value: Callable[[Disposal], object]


def _source(field: str) -> Callable[[Disposal], object]:
    def value(disposal: Disposal) -> object:
        assessment = disposal.overpayment.source_assessment
        return getattr(assessment, field) if assessment else ""

    return value


COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn("還付番号", "充当・還付の番号", "J2026000001", lambda d: d.number),
    ExportColumn(
        "支出決定日",
        "還付の支出を決定した日（決裁で指定）",
        "2026-02-14",
        lambda d: _decided_on(d).isoformat(),
    ),
    ExportColumn(
        "支出区分", "歳入戻出（収入した年度内）または歳出還付（過年度）", "歳入戻出", payment_category
    ),
    ExportColumn(
        "宛名番号", "還付を受ける人の宛名番号", "000000103", lambda d: d.overpayment.taxpayer.atena_number
    ),
    ExportColumn(
        "債権者名", "還付を受ける人の氏名・名称", "株式会社白子製作所", lambda d: d.overpayment.taxpayer.name
    ),
    ExportColumn(
        "債権者住所",
        "還付を受ける人の住所",
        "埼玉県和光市白子2-1-1",
        lambda d: d.overpayment.taxpayer.address,
    ),
    ExportColumn("科目コード", "過誤納の生じた期別の科目コード", "01", _source("subject_code")),
    ExportColumn("年度分", "過誤納の生じた期別の年度分（西暦）", "2024", _source("tax_year")),
    ExportColumn("通知書番号", "過誤納の生じた期別の通知書番号", "240000103", _source("notice_number")),
    ExportColumn("期別", "過誤納の生じた期別の論理期別", "1", _source("logical_period")),
    ExportColumn(
        "発生事由", "過誤納の発生事由", "二重納付（誤納）", lambda d: d.overpayment.get_cause_display()
    ),
    ExportColumn("還付金額", "還付する過誤納金の額（円）", "1234567", lambda d: d.amount),
    ExportColumn("還付加算金", "還付加算金（円、地方税法第17条の4）", "6900", lambda d: d.interest),
    ExportColumn("支払額", "還付金額と還付加算金の合計（円）", "1241467", lambda d: d.amount + d.interest),
    ExportColumn("金融機関コード", "振込先の金融機関コード（4桁）", "0017", lambda d: d.bank_code),
    ExportColumn("金融機関名", "振込先の金融機関名", "埼玉りそな銀行", lambda d: d.bank_name),
    ExportColumn("支店コード", "振込先の支店コード（3桁）", "123", lambda d: d.branch_code),
    ExportColumn("支店名", "振込先の支店名", "和光支店", lambda d: d.branch_name),
    ExportColumn("預金種目", "1 普通、2 当座、4 貯蓄", "1", lambda d: d.account_type),
    ExportColumn("口座番号", "振込先の口座番号（7桁）", "1234567", lambda d: d.account_number),
    ExportColumn(
        "口座名義カナ", "振込先の口座名義（カナ）", "カ）シラコセイサクショ", lambda d: d.account_holder_kana
    ),
    ExportColumn("起案者", "起案した職員番号", "S1001", lambda d: d.drafted_by),
    ExportColumn("決裁者", "決裁した職員番号", "S2001", lambda d: d.approved_by),
)


def approved_refunds(*, decided_from: date, decided_to: date):
    """Approved 還付 whose 支出決定日 falls in the range, in number order. One query."""
    return (
        Disposal.objects.filter(
            kind=Disposal.Kind.REFUND,
            status=Disposal.Status.APPROVED,
            decided_on__range=(decided_from, decided_to),
        )
        .select_related("overpayment__taxpayer", "overpayment__source_assessment")
        .order_by("number")
    )


def refund_csv(disposals: Iterable[Disposal]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.header for column in COLUMNS])
    for disposal in disposals:
        writer.writerow([column.value(disposal) for column in COLUMNS])
    return out.getvalue()
