"""The supervisors' dashboard: 収納率, outstanding over time, 整理未済額の内訳, officer activity.

Definitions (the figures a 収納課 reports, on 本税):
- 本税への充当額 of an installment by a date = min(調定額, max(0, 収納額 − 督促手数料)) when the
  allocation order puts 督促手数料 first (the default; PAYMENT_ALLOCATION_ORDER), else min(調定額, 収納額).
- 現年課税分 of fiscal year Y: installments with 年度分 Y; 調定額 their 本税, 収入済額 what was applied
  to 本税 by 31 May of Y+1 (the end of the 出納整理期間, 地方自治法第235条の5).
- 滞納繰越分 of Y: installments with 年度分 before Y still owed after 31 May of Y; 調定額 what was owed
  then, 収入済額 what was applied from 1 June of Y to 31 May of Y+1.
- 不納欠損額 of Y: 本税 of the installments written off (taxpayers.WrittenOff) counted in 年度 Y — 現年課税分
  when 年度分 is Y, 滞納繰越分 when earlier; an installment written off in an earlier 年度 has left the
  ledger and is in neither 調定額 nor 収入済額 of Y. 収納率（不納欠損を除く） = 収入済額 ÷ (調定額 − 不納欠損額).
  The table of 不納欠損額 by 事由 and 年度 shows 本税, 督促手数料 and 延滞金.
- Outstanding at a month's end: 本税 of installments due by then, less what was applied by then, less
  those written off by then.
- 整理未済額の内訳: today's outstanding 本税 (reconciled balances) of installments past their 納期限
  (one not yet due is not an arrear), each installment counted once in
  the first category that holds it: 差押, 換価猶予, 執行停止, 徴収猶予, 交付要求, 分納誓約, その他
  (approved, uncancelled dispositions; a 猶予 until its 終期; active pledges).

Stored, not computed per request: 収納率, 月末の未納額 and 整理未済額の内訳 read the whole ledger (at
100,000 persons and 3.7 million installments 37 s, 124 s and 3 s). The scheduled job
`dashboard_figures` (jobs/schedule.py, daily after 消込) runs the functions below once and keeps
the result per day (`store_figures` → audit.DashboardFigures); the page reads the newest day
(`stored_figures`) and says when it was computed. 不納欠損額 and the officers' activity are small
aggregates and stay live.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import date

from django.conf import settings
from django.db import connection
from django.utils import timezone

from dispositions.models import Disposition, DispositionCode
from taxpayers.models import InstallmentBalance, WriteOffReason
from taxpayers.subjects import Subject

CATEGORIES = ["差押", "換価猶予", "執行停止", "徴収猶予", "交付要求", "分納誓約", "その他"]
CATEGORY_CODES = {
    "差押": [
        DispositionCode.SEIZURE,
        DispositionCode.JOINT_SEIZURE,
        DispositionCode.COLLECTION,
        DispositionCode.PUBLIC_SALE,
    ],
    "換価猶予": [DispositionCode.SALE_POSTPONED],
    "執行停止": [DispositionCode.SUSPENSION],
    "徴収猶予": [DispositionCode.COLLECTION_POSTPONED],
    "交付要求": [DispositionCode.DELIVERY_REQUEST],
}


def applied_sql(paid: str) -> str:
    """SQL for the 本税 an installment `a` received from `paid` yen of payments."""
    order = settings.PAYMENT_ALLOCATION_ORDER
    if order.index("fee") < order.index("principal"):
        return f"LEAST(a.principal, GREATEST(0, {paid} - a.demand_fee))"
    return f"LEAST(a.principal, {paid})"


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass
class Rate:
    fiscal_year: int
    subject: str
    current_assessed: int
    current_collected: int
    arrears_assessed: int
    arrears_collected: int
    current_written_off: int = 0  # 不納欠損額（本税）
    arrears_written_off: int = 0

    @staticmethod
    def percent(collected: int, assessed: int) -> str:
        return f"{collected * 100 / assessed:.1f}%" if assessed else "—"

    @property
    def current_rate(self) -> str:
        return self.percent(self.current_collected, self.current_assessed)

    @property
    def arrears_rate(self) -> str:
        return self.percent(self.arrears_collected, self.arrears_assessed)

    @property
    def current_rate_without_write_offs(self) -> str:
        return self.percent(self.current_collected, self.current_assessed - self.current_written_off)

    @property
    def arrears_rate_without_write_offs(self) -> str:
        return self.percent(self.arrears_collected, self.arrears_assessed - self.arrears_written_off)


def collection_rates(fiscal_years: list[int]) -> list[Rate]:
    rates = []
    for year in fiscal_years:
        start, end = date(year, 5, 31), date(year + 1, 5, 31)
        # An installment written off in an earlier 年度 has left the ledger (arrears only).
        arrears = "a.tax_year < %(y)s AND (w.fiscal_year IS NULL OR w.fiscal_year >= %(y)s)"
        sql = f"""
            SELECT a.subject_code,
              SUM(CASE WHEN a.tax_year = %(y)s THEN a.principal ELSE 0 END),
              SUM(CASE WHEN a.tax_year = %(y)s THEN {applied_sql("p.by_end")} ELSE 0 END),
              SUM(CASE WHEN {arrears} THEN a.principal - {applied_sql("p.by_start")} ELSE 0 END),
              SUM(CASE WHEN {arrears} THEN {applied_sql("p.by_end")} - {applied_sql("p.by_start")}
                  ELSE 0 END),
              SUM(CASE WHEN a.tax_year = %(y)s AND w.fiscal_year = %(y)s THEN w.principal ELSE 0 END),
              SUM(CASE WHEN a.tax_year < %(y)s AND w.fiscal_year = %(y)s THEN w.principal ELSE 0 END)
            FROM taxpayers_assessment a
            LEFT JOIN taxpayers_writtenoff w ON w.assessment_id = a.id AND w.cancelled_on IS NULL
            LEFT JOIN LATERAL (
              SELECT COALESCE(SUM(amount) FILTER (WHERE received_on <= %(start)s), 0) AS by_start,
                     COALESCE(SUM(amount) FILTER (WHERE received_on <= %(end)s), 0) AS by_end
              FROM taxpayers_payment WHERE assessment_id = a.id) p ON true
            WHERE a.tax_year <= %(y)s
            GROUP BY a.subject_code ORDER BY a.subject_code"""  # noqa: S608  (fixed fragments only)
        for code, cur_assessed, cur_collected, arr_assessed, arr_collected, cur_off, arr_off in _rows(
            sql, {"y": year, "start": start, "end": end}
        ):
            rates.append(
                Rate(
                    year,
                    Subject(code).label,
                    int(cur_assessed),
                    int(cur_collected),
                    int(arr_assessed),
                    int(arr_collected),
                    int(cur_off),
                    int(arr_off),
                )
            )
    return rates


def outstanding_by_month(month_ends: list[date]) -> list[tuple[date, int]]:
    sql = f"""
        SELECT m.month_end, COALESCE(SUM(a.principal - {applied_sql("COALESCE(p.paid, 0)")}), 0)
        FROM unnest(%s::date[]) AS m(month_end)
        LEFT JOIN taxpayers_assessment a ON a.due_date <= m.month_end AND NOT EXISTS (
          SELECT 1 FROM taxpayers_writtenoff w WHERE w.assessment_id = a.id AND w.written_off_on <= m.month_end
          AND (w.cancelled_on IS NULL OR w.cancelled_on > m.month_end))
        LEFT JOIN LATERAL (
          SELECT SUM(amount) AS paid FROM taxpayers_payment
          WHERE assessment_id = a.id AND received_on <= m.month_end) p ON true
        GROUP BY m.month_end ORDER BY m.month_end"""  # noqa: S608
    return [(day, int(total)) for day, total in _rows(sql, [month_ends])]


def month_ends(today: date, count: int = 12) -> list[date]:
    ends = []
    year, month = today.year, today.month
    for _ in range(count):
        first_of_month = date(year, month, 1)
        ends.append(first_of_month.fromordinal(first_of_month.toordinal() - 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return sorted(ends)


def unresolved_breakdown(today: date) -> list[tuple[str, int]]:
    """Today's outstanding 本税 of installments past their 納期限, by category, each installment
    once, in CATEGORIES' order (a 猶予 counts only until its last day)."""
    whens, params = [], []
    for label in CATEGORIES:
        codes = CATEGORY_CODES.get(label)
        if codes:
            whens.append(
                "WHEN EXISTS (SELECT 1 FROM dispositions_dispositionrow r JOIN dispositions_disposition d "
                "ON d.id = r.disposition_id WHERE r.assessment_id = b.assessment_id AND d.status = %s "
                "AND r.cancelled_on IS NULL AND d.code = ANY(%s) "
                "AND (d.postponed_until IS NULL OR d.postponed_until >= %s)) THEN %s"
            )
            params += [Disposition.Status.APPROVED, [str(c) for c in codes], today, label]
        elif label == "分納誓約":
            whens.append(
                "WHEN EXISTS (SELECT 1 FROM negotiations_installmentpledge_assessments pa "
                "JOIN negotiations_installmentpledge p ON p.id = pa.installmentpledge_id "
                "WHERE pa.assessment_id = b.assessment_id AND p.status = 'active') THEN %s"
            )
            params.append(label)
    sql = (
        "SELECT CASE " + " ".join(whens) + " ELSE 'その他' END AS category, SUM(b.outstanding_principal) "
        "FROM taxpayers_installmentbalance b "
        "WHERE b.outstanding_principal > 0 AND b.status <> %s AND b.due_date < %s GROUP BY 1"
    )
    # 整理未済 is what is past its 納期限 and still owed: an installment not yet due (this year's later
    # 期) is no arrear, whatever the last reconcile called it.
    found = dict(_rows(sql, [*params, InstallmentBalance.Status.WRITTEN_OFF, today]))
    return [(label, int(found.get(label, 0))) for label in CATEGORIES]


@dataclass
class WriteOffSum:
    fiscal_year: int
    reason: str
    count: int
    principal: int
    demand_fee: int
    late_charge: int

    @property
    def total(self) -> int:
        return self.principal + self.demand_fee + self.late_charge


def write_offs(fiscal_years: list[int]) -> list[WriteOffSum]:
    """不納欠損額 by 年度 (the one it is counted in) and 事由, in the years' and the reasons' order.
    One aggregate over taxpayers_writtenoff."""
    sql = """
        SELECT fiscal_year, reason, count(*), SUM(principal), SUM(demand_fee), SUM(late_charge)
        FROM taxpayers_writtenoff WHERE fiscal_year = ANY(%s) AND cancelled_on IS NULL GROUP BY 1, 2"""
    found = {(year, reason): row for year, reason, *row in _rows(sql, [fiscal_years])}
    return [
        WriteOffSum(year, WriteOffReason(reason).label, *(int(v) for v in found[(year, reason)]))
        for year in fiscal_years
        for reason in WriteOffReason.values
        if (year, reason) in found
    ]


@dataclass
class Activity:
    staff_number: str
    name: str
    contacts: int
    documents: int
    dispositions: int


def officer_activity(first: date, last: date) -> list[Activity]:
    sql = """
        SELECT s.staff_number, s.full_name,
          (SELECT count(*) FROM negotiations_negotiationrecord n
             WHERE n.staff_number = s.staff_number AND n.input_date BETWEEN %(first)s AND %(last)s
             AND n.cancelled_at IS NULL),
          (SELECT count(*) FROM documents_document d
             WHERE d.updated_staff_number = s.staff_number AND d.issued_on BETWEEN %(first)s AND %(last)s),
          (SELECT count(*) FROM dispositions_disposition p
             WHERE p.drafted_by = s.staff_number AND p.created_on BETWEEN %(first)s AND %(last)s)
        FROM accounts_staff s WHERE s.is_active ORDER BY s.staff_number"""
    return [
        Activity(number, name, contacts, documents, dispositions)
        for number, name, contacts, documents, dispositions in _rows(sql, {"first": first, "last": last})
        if contacts or documents or dispositions
    ]


def fiscal_year_of(day: date) -> int:
    """The 会計年度 (April to March, 地方自治法第208条) a day belongs to."""
    return day.year if day.month >= 4 else day.year - 1


def dashboard_years(today: date) -> list[int]:
    """This fiscal year and the two before it, oldest first: the years the dashboard shows."""
    this_year = fiscal_year_of(today)
    return [this_year - 2, this_year - 1, this_year]


@dataclass
class StoredFigures:
    """The slow figures as the page shows them, with the day and time they were computed."""

    as_of: date
    computed_at: object  # datetime (aware)
    seconds: float
    rates: list[Rate]
    months: list[tuple[date, int]]
    breakdown: list[tuple[str, int]]


def store_figures(*, today: date | None = None) -> StoredFigures:
    """Computes 収納率 (the three dashboard years), 月末の未納額 (the last 12 month-ends) and 整理未済額の
    内訳 as of `today` with the live functions above and keeps them as that day's
    DashboardFigures row (replacing one of the same day). Reads the whole ledger: minutes at
    100,000 persons; run by the scheduled job, not by a request."""
    from audit.models import DashboardFigures

    today = today or timezone.localdate()
    started = time.perf_counter()
    rates = collection_rates(dashboard_years(today))
    months = outstanding_by_month(month_ends(today))
    breakdown = unresolved_breakdown(today)
    DashboardFigures.objects.update_or_create(
        as_of=today,
        defaults={
            "computed_at": timezone.now(),
            "seconds": time.perf_counter() - started,
            "collection_rates": [asdict(rate) for rate in rates],
            "outstanding_by_month": [[day.isoformat(), total] for day, total in months],
            "unresolved_breakdown": [[label, amount] for label, amount in breakdown],
        },
    )
    stored = stored_figures()
    assert stored is not None  # just written
    return stored


def stored_figures() -> StoredFigures | None:
    """The newest stored day's figures, in the shapes the live functions return; None before the
    job first ran. One query."""
    from audit.models import DashboardFigures

    row = DashboardFigures.objects.order_by("-as_of").first()
    if row is None:
        return None
    return StoredFigures(
        as_of=row.as_of,
        computed_at=row.computed_at,
        seconds=row.seconds,
        rates=[Rate(**rate) for rate in row.collection_rates],
        months=[(date.fromisoformat(day), int(total)) for day, total in row.outstanding_by_month],
        breakdown=[(label, int(amount)) for label, amount in row.unresolved_breakdown],
    )
