"""賦課情報と突合して滞納有無の確認: for every installment, what its payments paid and what is
still owed today, and per taxpayer the totals of what is delinquent.

The results live in InstallmentBalance and TaxpayerBalance, which are derived and rebuilt here
(no history: the assessments and payments they come from have it). A full run streams every
installment with its payments in one query, settles each in Python (most in a fast path:
paid in full by 納期限), writes the results with COPY and rebuilds the per-taxpayer totals in
one INSERT … SELECT, all in one transaction so readers see either the old or the new results.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from taxpayers.late_charges import load_rates
from taxpayers.settlement import ReceivedPayment, prescription_date, settle
from taxpayers.subjects import RULES, Subject

_SELECT = """
    SELECT a.id, a.taxpayer_id, a.subject_code, a.principal, a.demand_fee, a.due_date, a.statutory_due_date,
           coalesce(array_agg(p.received_on ORDER BY p.received_on, p.id) FILTER (WHERE p.id IS NOT NULL), ARRAY[]::date[]),
           coalesce(array_agg(p.amount ORDER BY p.received_on, p.id) FILTER (WHERE p.id IS NOT NULL), ARRAY[]::bigint[])
      FROM taxpayers_assessment a
      LEFT JOIN taxpayers_payment p ON p.assessment_id = a.id AND p.received_on <= %(as_of)s
     {where}
  GROUP BY a.id
"""


def _prescription_sql() -> str:
    """時効予定日 in SQL, from the same RULES as settlement.prescription_date (民法第143条:
    the day before the corresponding day; 28 February when a 29 February start has none)."""
    premium = ", ".join(f"'{code.value}'" for code, rule in RULES.items() if rule.is_premium) or "''"
    years = " ".join(f"WHEN '{code.value}' THEN {rule.prescription_years}" for code, rule in RULES.items())
    start = f"(CASE WHEN a.subject_code IN ({premium}) THEN a.due_date ELSE a.statutory_due_date END + 1)"
    span = f"(CASE a.subject_code {years} END)"
    target = f"(extract(year FROM {start})::int + {span})"
    leap = f"(mod({target}, 4) = 0 AND (mod({target}, 100) <> 0 OR mod({target}, 400) = 0))"
    return (
        f"CASE WHEN to_char({start}, 'MM-DD') = '02-29' AND NOT {leap} "
        f"THEN make_date({target}, 2, 28) "
        f"ELSE ({start} + make_interval(years => {span}))::date - 1 END"
    )


# Installments settled without Python: paid in full by 納期限, or nothing paid yet and not yet late.
_FAST = """
    INSERT INTO taxpayers_installmentbalance ({columns})
    SELECT a.id,
           CASE WHEN paid.total >= a.principal + a.demand_fee THEN a.principal ELSE 0 END,
           CASE WHEN paid.total >= a.principal + a.demand_fee THEN a.demand_fee ELSE 0 END,
           0,
           CASE WHEN paid.total >= a.principal + a.demand_fee THEN 0 ELSE a.principal END,
           CASE WHEN paid.total >= a.principal + a.demand_fee THEN 0 ELSE a.demand_fee END,
           0,
           CASE WHEN paid.total >= a.principal + a.demand_fee THEN 'paid'
                WHEN %(as_of)s < date_trunc('month', a.due_date)::date THEN 'not_yet_due'
                ELSE 'within_term' END,
           {prescription},
           paid.last,
           %(as_of)s
      FROM taxpayers_assessment a
      JOIN (SELECT a.id, coalesce(sum(p.amount), 0) AS total, max(p.received_on) AS last
              FROM taxpayers_assessment a
              LEFT JOIN taxpayers_payment p ON p.assessment_id = a.id AND p.received_on <= %(as_of)s
             {where}
             GROUP BY a.id) paid ON paid.id = a.id
     WHERE (paid.total >= a.principal + a.demand_fee AND (paid.last IS NULL OR paid.last <= a.due_date))
        OR (paid.total = 0 AND %(as_of)s <= a.due_date)
"""

_COLUMNS = (
    "assessment_id, paid_principal, paid_fee, paid_late_charge, outstanding_principal, outstanding_fee, "
    "late_charge, status, prescription_date, last_received_on, as_of"
)

_TOTALS = """
    INSERT INTO taxpayers_taxpayerbalance
           (taxpayer_id, outstanding_principal, outstanding_fee, late_charge, delinquent_installments,
            oldest_due_date, earliest_prescription_date, as_of)
    SELECT a.taxpayer_id,
           coalesce(sum(b.outstanding_principal) FILTER (WHERE b.status = 'delinquent'), 0),
           coalesce(sum(b.outstanding_fee) FILTER (WHERE b.status = 'delinquent'), 0),
           coalesce(sum(b.late_charge) FILTER (WHERE b.status = 'delinquent'), 0),
           count(*) FILTER (WHERE b.status = 'delinquent'),
           min(a.due_date) FILTER (WHERE b.status = 'delinquent'),
           min(b.prescription_date) FILTER (WHERE b.status = 'delinquent'),
           %(as_of)s
      FROM taxpayers_installmentbalance b
      JOIN taxpayers_assessment a ON a.id = b.assessment_id
     {where}
  GROUP BY a.taxpayer_id
"""


@dataclass(frozen=True)
class ReconcileSummary:
    installments: int
    delinquent_installments: int
    delinquent_taxpayers: int
    outstanding_principal: int
    as_of: date


def _balance_row(row, as_of: date, order, premium_months: int, rates) -> tuple:
    assessment_id, _taxpayer, subject, principal, fee, due, statutory_due, paid_days, amounts = row
    rule = RULES[Subject(subject)]
    result = settle(
        principal=principal,
        fee=fee,
        due_date=due,
        payments=[ReceivedPayment(day, amount) for day, amount in zip(paid_days, amounts, strict=True)],
        as_of=as_of,
        first_band_months=premium_months if rule.is_premium else 1,
        order=order,
        rates=rates,
    )
    prescribed = prescription_date(
        statutory_due_date=statutory_due,
        due_date=due,
        is_premium=rule.is_premium,
        years=rule.prescription_years,
    )
    return (
        assessment_id,
        result.paid_principal,
        result.paid_fee,
        result.paid_late_charge,
        result.outstanding_principal,
        result.outstanding_fee,
        result.late_charge,
        result.status,
        prescribed,
        result.last_received_on,
        as_of,
    )


def reconcile(*, assessment_ids: Iterable[int] | None = None, as_of: date | None = None) -> ReconcileSummary:
    """Rebuilds the balances of the given installments (all when None) as of `as_of` (today)."""
    as_of = as_of or timezone.localdate()
    ids = sorted(set(assessment_ids)) if assessment_ids is not None else None
    order = tuple(settings.PAYMENT_ALLOCATION_ORDER)
    premium_months = settings.NHI_PREMIUM_FIRST_BAND_MONTHS
    rates = load_rates()
    params: dict = {"as_of": as_of, "ids": ids}
    only = " AND a.id = ANY(%(ids)s)" if ids is not None else ""
    where_window_all = "WHERE true" + only
    # The rest (paid late, in part, or not at all after 納期限) are settled in Python.
    where_window = (
        "WHERE a.id >= %(low)s AND a.id < %(high)s" + only + " AND NOT EXISTS "
        "(SELECT 1 FROM taxpayers_installmentbalance b WHERE b.assessment_id = a.id)"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if ids is not None:
            cursor.execute(
                "DELETE FROM taxpayers_installmentbalance WHERE assessment_id = ANY(%(ids)s)", params
            )
            cursor.execute(
                "SELECT DISTINCT taxpayer_id FROM taxpayers_assessment WHERE id = ANY(%(ids)s)", params
            )
            payer_ids = [row[0] for row in cursor.fetchall()]
        else:
            cursor.execute("DELETE FROM taxpayers_installmentbalance")
            payer_ids = None
        cursor.execute(
            _FAST.format(columns=_COLUMNS, prescription=_prescription_sql(), where=where_window_all), params
        )
        count = cursor.rowcount
        # Windows of assessment ids: a COPY cannot run while a server-side cursor on the same
        # connection is being read, so each window is read whole, then written.
        for window in _windows(cursor, ids):
            cursor.execute(_SELECT.format(where=where_window), {**params, **window})
            rows = cursor.fetchall()
            with cursor.cursor.copy(f"COPY taxpayers_installmentbalance ({_COLUMNS}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(_balance_row(row, as_of, order, premium_months, rates))
            count += len(rows)
        if payer_ids is not None:
            cursor.execute(
                "DELETE FROM taxpayers_taxpayerbalance WHERE taxpayer_id = ANY(%(payers)s)",
                {"payers": payer_ids},
            )
            cursor.execute(
                _TOTALS.format(where="WHERE a.taxpayer_id = ANY(%(payers)s)"),
                {"as_of": as_of, "payers": payer_ids},
            )
        else:
            cursor.execute("DELETE FROM taxpayers_taxpayerbalance")
            cursor.execute(_TOTALS.format(where=""), {"as_of": as_of})
    return summarize(as_of, installments=count)


WINDOW = 50_000


def _windows(cursor, ids: list[int] | None):
    if ids is not None:
        low, high = (ids[0], ids[-1]) if ids else (0, -1)
    else:
        cursor.execute("SELECT coalesce(min(id), 0), coalesce(max(id), -1) FROM taxpayers_assessment")
        low, high = cursor.fetchone()
    for start in range(low, high + 1, WINDOW):
        yield {"low": start, "high": start + WINDOW}


def summarize(as_of: date, *, installments: int) -> ReconcileSummary:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), coalesce(sum(outstanding_principal), 0), coalesce(sum(delinquent_installments), 0) "
            "FROM taxpayers_taxpayerbalance WHERE delinquent_installments > 0"
        )
        payers, principal, delinquent = cursor.fetchone()
    return ReconcileSummary(installments, delinquent, payers, principal, as_of)
