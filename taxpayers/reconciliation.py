"""賦課情報と突合して滞納有無の確認: for every installment, what its payments paid and what is
still owed on a day, and per taxpayer the totals of what is delinquent.

The results live in InstallmentBalance and TaxpayerBalance, which are derived (no history: the
assessments and payments they come from have it). One transaction:

1. Installments paid in full by 納期限, or with nothing paid and not yet late — nearly all of
   them — are settled by one SQL statement.
2. The rest (paid late, in part, or unpaid after 納期限) are found by one aggregate, read in
   chunks, settled by `settlement.settle` in Python and copied into a temporary table.
   An installment written off (欠損) by `as_of` takes the status written_off and owes nothing.
3. Both are upserted into InstallmentBalance, writing only rows whose values changed, so a daily
   run rewrites the few percent that moved, not the whole ledger.
4. Per-taxpayer totals are rebuilt the same way. A ReconcileRun row records the run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from taxpayers.late_charges import rates_for
from taxpayers.models import ReconcileRun
from taxpayers.settlement import ReceivedPayment, prescription_date, settle
from taxpayers.subjects import RULES, Subject

logger = logging.getLogger(__name__)

BALANCE_FIELDS = (
    "paid_principal",
    "paid_fee",
    "paid_late_charge",
    "outstanding_principal",
    "outstanding_fee",
    "late_charge",
    "status",
    "prescription_date",
    "last_received_on",
)
TOTAL_FIELDS = (
    "outstanding_principal",
    "outstanding_fee",
    "late_charge",
    "delinquent_installments",
    "oldest_due_date",
    "earliest_prescription_date",
)
CHUNK = 10_000


def _upsert_tail(table: str, key: str, fields: tuple[str, ...]) -> str:
    """ON CONFLICT … DO UPDATE that writes a row only when one of its values changed."""
    assignments = ", ".join(f"{field} = EXCLUDED.{field}" for field in fields)
    current = ", ".join(f"{table}.{field}" for field in fields)
    proposed = ", ".join(f"EXCLUDED.{field}" for field in fields)
    return f"ON CONFLICT ({key}) DO UPDATE SET {assignments} WHERE ({current}) IS DISTINCT FROM ({proposed})"


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


_PAID = "coalesce(sum(p.amount), 0)"
_LAST = "max(p.received_on)"
# Settled without Python: paid in full by 納期限, or nothing paid and not yet late. With 申告期限の
# 延長, "by 納期限" means by 法定納期限: a payment during the extension bears its 延滞金 (第327条).
_SIMPLE = (
    f"(({_PAID} >= a.principal + a.demand_fee AND ({_LAST} IS NULL OR {_LAST} <= "
    f"CASE WHEN a.filing_deadline_extended THEN a.statutory_due_date ELSE a.due_date END)) "
    f"OR ({_PAID} = 0 AND %(as_of)s <= a.due_date))"
)
# 欠損 (不納欠損, taxpayers.WrittenOff) by the day settled to: nothing is owed on the installment any
# more (the amounts written off are on the WrittenOff row), and its status takes it out of every
# "delinquent" total, list, queue and letter. (An installment settled by the simple statement owes
# nothing already.)
_WRITTEN_OFF = (
    "SELECT 1 FROM taxpayers_writtenoff w WHERE w.assessment_id = a.id AND w.written_off_on <= %(as_of)s"
)
_OTHERS_WRITTEN_OFF = """
    UPDATE reconcile_others r
       SET status = 'written_off', outstanding_principal = 0, outstanding_fee = 0, late_charge = 0
      FROM taxpayers_writtenoff w
     WHERE w.assessment_id = r.assessment_id AND w.written_off_on <= %(as_of)s
"""
_JOIN = (
    "FROM taxpayers_assessment a "
    "LEFT JOIN taxpayers_payment p ON p.assessment_id = a.id AND p.received_on <= %(as_of)s"
)
_COLUMNS = "assessment_id, " + ", ".join(BALANCE_FIELDS)

_SIMPLE_UPSERT = f"""
    INSERT INTO taxpayers_installmentbalance ({_COLUMNS})
    SELECT a.id,
           CASE WHEN {_PAID} >= a.principal + a.demand_fee THEN a.principal ELSE 0 END,
           CASE WHEN {_PAID} >= a.principal + a.demand_fee THEN a.demand_fee ELSE 0 END,
           0,
           CASE WHEN {_PAID} >= a.principal + a.demand_fee THEN 0 ELSE a.principal END,
           CASE WHEN {_PAID} >= a.principal + a.demand_fee THEN 0 ELSE a.demand_fee END,
           0,
           CASE WHEN EXISTS ({_WRITTEN_OFF}) THEN 'written_off'
                WHEN {_PAID} >= a.principal + a.demand_fee THEN 'paid'
                WHEN %(as_of)s < date_trunc('month', a.due_date)::date THEN 'not_yet_due'
                ELSE 'within_term' END,
           {{prescription}},
           {_LAST}
      {_JOIN}
     {{where}}
  GROUP BY a.id
    HAVING {_SIMPLE}
    {_upsert_tail("taxpayers_installmentbalance", "assessment_id", BALANCE_FIELDS)}
"""

_OTHER_IDS = f"""
    SELECT a.id
      {_JOIN}
     {{where}}
  GROUP BY a.id
    HAVING NOT {_SIMPLE}
  ORDER BY a.id
"""

_OTHERS = f"""
    SELECT a.id, a.subject_code, a.principal, a.demand_fee, a.due_date, a.statutory_due_date,
           a.filing_deadline_extended,
           coalesce(array_agg(p.received_on ORDER BY p.received_on, p.id) FILTER (WHERE p.id IS NOT NULL), ARRAY[]::date[]),
           coalesce(array_agg(p.amount ORDER BY p.received_on, p.id) FILTER (WHERE p.id IS NOT NULL), ARRAY[]::bigint[])
      {_JOIN}
     WHERE a.id = ANY(%(chunk)s)
  GROUP BY a.id
"""

_OTHERS_UPSERT = f"""
    INSERT INTO taxpayers_installmentbalance ({_COLUMNS})
    SELECT {_COLUMNS} FROM reconcile_others
    {_upsert_tail("taxpayers_installmentbalance", "assessment_id", BALANCE_FIELDS)}
"""

_TOTALS_UPSERT = f"""
    INSERT INTO taxpayers_taxpayerbalance (taxpayer_id, {", ".join(TOTAL_FIELDS)})
    SELECT a.taxpayer_id,
           coalesce(sum(b.outstanding_principal) FILTER (WHERE b.status = 'delinquent'), 0),
           coalesce(sum(b.outstanding_fee) FILTER (WHERE b.status = 'delinquent'), 0),
           coalesce(sum(b.late_charge) FILTER (WHERE b.status = 'delinquent'), 0),
           count(*) FILTER (WHERE b.status = 'delinquent'),
           min(a.due_date) FILTER (WHERE b.status = 'delinquent'),
           min(b.prescription_date) FILTER (WHERE b.status = 'delinquent')
      FROM taxpayers_installmentbalance b
      JOIN taxpayers_assessment a ON a.id = b.assessment_id
     {{where}}
  GROUP BY a.taxpayer_id
    {_upsert_tail("taxpayers_taxpayerbalance", "taxpayer_id", TOTAL_FIELDS)}
"""


@dataclass(frozen=True)
class ReconcileSummary:
    installments: int
    changed: int
    delinquent_installments: int
    delinquent_taxpayers: int
    outstanding_principal: int
    as_of: date


def _settled_row(row, as_of: date, order, premium_months: int, rates) -> tuple:
    assessment_id, subject, principal, fee, due, statutory_due, extended, paid_days, amounts = row
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
        extended_from=statutory_due if extended else None,
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
        prescription_date(
            statutory_due_date=statutory_due,
            due_date=due,
            is_premium=rule.is_premium,
            years=rule.prescription_years,
        ),
        result.last_received_on,
    )


def reconcile(*, assessment_ids: Iterable[int] | None = None, as_of: date | None = None) -> ReconcileSummary:
    """Brings the balances of the given installments (all when None) up to `as_of` (today)."""
    as_of = as_of or timezone.localdate()
    started = timezone.now()
    ids = sorted(set(assessment_ids)) if assessment_ids is not None else None
    order = tuple(settings.PAYMENT_ALLOCATION_ORDER)
    premium_months = settings.NHI_PREMIUM_FIRST_BAND_MONTHS
    rates, assumed_from = rates_for(as_of)
    if assumed_from:
        logger.warning(
            "%s年の延滞金の割合が未登録のため、%s年の割合で消し込みます（taxpayers/data/late_charge_rates.csv）。",
            assumed_from,
            assumed_from - 1,
        )
    params: dict = {"as_of": as_of, "ids": ids}
    only = " AND a.id = ANY(%(ids)s)" if ids is not None else ""
    with transaction.atomic(), connection.cursor() as cursor:
        # Two runs may share a transaction (an import inside a larger one): reuse and empty the table.
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS reconcile_others (LIKE taxpayers_installmentbalance) ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE reconcile_others")
        cursor.execute(
            _SIMPLE_UPSERT.format(prescription=_prescription_sql(), where="WHERE true" + only), params
        )
        changed = cursor.rowcount
        cursor.execute(_OTHER_IDS.format(where="WHERE true" + only), params)
        other_ids = [row[0] for row in cursor.fetchall()]
        # In chunks: a COPY cannot run while another query on the connection is being read,
        # so each chunk is fetched whole, then written.
        for start in range(0, len(other_ids), CHUNK):
            cursor.execute(_OTHERS, {**params, "chunk": other_ids[start : start + CHUNK]})
            rows = cursor.fetchall()
            with cursor.cursor.copy(f"COPY reconcile_others ({_COLUMNS}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(_settled_row(row, as_of, order, premium_months, rates))
        cursor.execute(_OTHERS_WRITTEN_OFF, params)
        cursor.execute(_OTHERS_UPSERT)
        changed += cursor.rowcount
        if ids is None:
            cursor.execute("SELECT count(*) FROM taxpayers_assessment")
            installments = cursor.fetchone()[0]
            cursor.execute(_TOTALS_UPSERT.format(where=""))
            cursor.execute("ANALYZE taxpayers_installmentbalance")
            cursor.execute("ANALYZE taxpayers_taxpayerbalance")
        else:
            installments = len(ids)
            cursor.execute(
                _TOTALS_UPSERT.format(
                    where="WHERE a.taxpayer_id IN (SELECT taxpayer_id FROM taxpayers_assessment WHERE id = ANY(%(ids)s))"
                ),
                params,
            )
        summary = summarize(as_of, installments=installments, changed=changed)
        ReconcileRun.objects.create(
            as_of=as_of,
            started_at=started,
            finished_at=timezone.now(),
            scope=ReconcileRun.Scope.ALL if ids is None else ReconcileRun.Scope.SOME,
            installments=installments,
            changed=changed,
        )
    return summary


def summarize(as_of: date, *, installments: int, changed: int) -> ReconcileSummary:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), coalesce(sum(outstanding_principal), 0), coalesce(sum(delinquent_installments), 0) "
            "FROM taxpayers_taxpayerbalance WHERE delinquent_installments > 0"
        )
        payers, principal, delinquent = cursor.fetchone()
    return ReconcileSummary(installments, changed, int(delinquent), payers, int(principal), as_of)
