"""賦課情報と突合して滞納有無の確認: for every installment, what its payments paid and what is
still owed on a day, and per taxpayer the totals of what is delinquent.

The results live in InstallmentBalance and TaxpayerBalance, which are derived (no history: the
assessments and payments they come from have it). One transaction:

0. Which installments: those asked (an import's, a disposition's), or all. All, on a day the
   daily run may be used (`_daily_possible`: the rules unchanged since the last run over every
   installment, no run back-dated since, none settled to a later day), means only those whose
   inputs changed — recorded by PostgreSQL triggers in ChangedInputs on every write of a 調定, a
   収納, a 時効 event, a 欠損 or a 延滞金 relief, however made — and those whose standing moves with
   the day on unchanged inputs (`_DAILY_SCOPE`: every 滞納, a 未到来 or 納期内 whose next state has
   come, every installment with a relief): at 100,000 persons some tens of thousands of 3.7
   million. Otherwise (and with `full`) every installment. The result is the same either way (a
   test compares them day after day); the nightly job computes every installment on the 1st of
   the month all the same, which also rewrites any stored row changed by hand.

1. One aggregate over installments and payments computes every installment's balance into a
   temporary table (`reconcile_computed`). Installments paid in full by 納期限, or with nothing
   paid and not yet late, with no 督促 or 時効 event — nearly all of them — are settled by it in
   SQL and flagged `simple`; their 時効予定日 is the base
   date, computed in Python by `standing.base_prescription_date` for each (科目, 納期限, 法定納期限)
   of the run and joined from a temporary table (no period arithmetic in SQL: one `period_end`).
2. The rest (paid late, in part, unpaid after 納期限, or with a 督促 or event) are the rows of
   that table not flagged simple (no second aggregate), read in chunks with their 時効 events, and given their standing by
   `taxpayers.standing` (the one home: the money and the renewed 時効予定日) in Python, then
   copied into a temporary table. Not computed again: an installment computed so before and found
   paid in full (nothing owed: its standing no longer moves with the day) while the digest of its
   inputs — the very row and 時効 events the standing is given, and the rules (the source of the
   modules and data files that compute a standing, the latest migration) — and of its stored
   balance row equals the one stored with it (`SettledInputs`); one with a 欠損, an 執行停止・猶予 or
   a 条例減免 is always computed (those depend on the day). About 53,000 of the ~94,000 at 100,000
   persons. InstallmentBalance keeps both dates: `base_prescription_date`
   (before renewals) and `prescription_date` (renewed; empty while 差押・交付要求・猶予 hold it),
   the latter indexed with the status for the near-時効 lists, and the 調定's taxpayer (copied, so
   those lists read the index alone). An installment written off (欠損)
   by `as_of` takes the status written_off and owes nothing. The computed rows replace their
   provisional rows in `reconcile_computed`.
3. The computed rows are diffed against InstallmentBalance: an UPDATE … FROM of the rows whose
   values are IS DISTINCT FROM the stored ones, then an INSERT of the installments that have no
   balance yet. Rows that did not change are neither locked nor written (an `INSERT … ON CONFLICT
   DO UPDATE … WHERE` locks every conflicting row, which dirtied the whole table and wrote ~591 MiB
   of WAL on a day when nothing changed at 100,000 persons); temporary tables write no WAL. A
   first run (no balance stored, every installment in scope) inserts without the indexes and
   builds them afterwards from the whole table.
4. Per-taxpayer totals (with the 科目 and 年度分 of what is delinquent, for the 滞納者一覧's
   filter) are computed into a temporary table and written the same way. A ReconcileRun row
   records the run.
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from taxpayers.exemptions import Reliefs, exemption_periods_for_ids
from taxpayers.late_charges import rates_for
from taxpayers.models import InstallmentBalance, ReconcileRun
from taxpayers.prescription import Event
from taxpayers.settlement import ReceivedPayment
from taxpayers.standing import base_prescription_date, standing_from_values
from wako_collections import planner

logger = logging.getLogger(__name__)

BALANCE_FIELDS = (
    "paid_principal",
    "paid_fee",
    "paid_late_charge",
    "outstanding_principal",
    "outstanding_fee",
    "late_charge",
    "status",
    "base_prescription_date",
    "prescription_date",
    "last_received_on",
    "taxpayer_id",  # copied from the 調定 for the near-時効 lists' index
    "due_date",  # copied from the 調定 for 督促状の一括発行's index
    "steady_through",  # a 滞納 row holds to this day on the same inputs (Standing.steady_through)
)
TOTAL_FIELDS = (
    "outstanding_principal",
    "outstanding_fee",
    "late_charge",
    "delinquent_installments",
    "oldest_due_date",
    "earliest_prescription_date",
    "delinquent_subjects",
    "delinquent_tax_years",
    "delinquent_subject_years",
    "time_barred_installments",
    "time_barred_principal",
    "time_barred_fee",
    "time_barred_late_charge",
)
CHUNK = 10_000
ANALYZE_AFTER = 0.1  # the share of installments changed after which reconcile refreshes the statistics


def _write_changed(cursor, *, table: str, key: str, fields: tuple[str, ...], source: str) -> int:
    """Writes the rows of the temporary table `source` into `table` where they differ: an UPDATE of
    the rows whose values are IS DISTINCT FROM the stored ones, then an INSERT of the keys `table`
    lacks. Unchanged rows are not touched (no row lock, no new tuple, no WAL). Returns the number
    of rows written (updated + inserted). Rows of `table` absent from `source` are left as they are."""
    assignments = ", ".join(f"{field} = s.{field}" for field in fields)
    stored = ", ".join(f"t.{field}" for field in fields)
    computed = ", ".join(f"s.{field}" for field in fields)
    columns = ", ".join((key, *fields))
    cursor.execute(
        f"UPDATE {table} t SET {assignments} FROM {source} s "
        f"WHERE t.{key} = s.{key} AND ({stored}) IS DISTINCT FROM ({computed})"
    )
    written = cursor.rowcount
    cursor.execute(
        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {source} s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{key} = s.{key})"
    )
    return written + cursor.rowcount


_PAYMENTS = "LEFT JOIN taxpayers_payment p ON p.assessment_id = a.id AND p.received_on <= %(as_of)s"
# Settled without Python: paid in full by 納期限, or nothing paid and not yet late. With 申告期限の
# 延長, "by 納期限" means by 法定納期限: a payment during the extension bears its 延滞金 (第327条).
# Their 時効 is the base date too: no 督促, no recorded event, no payment after 法定納期限 (保険料:
# 納期限) that would be an acknowledgement — `least` keeps this free of the subject rules.
# (Over `g`, the per-installment aggregate of _COMPUTE.)
_SIMPLE = (
    "(((g.paid >= g.principal + g.demand_fee AND (g.last IS NULL OR g.last <= "
    "CASE WHEN g.filing_deadline_extended THEN g.statutory_due_date ELSE g.due_date END)) "
    "OR (g.paid = 0 AND %(as_of)s <= g.due_date)) "
    "AND (g.last IS NULL OR g.last <= least(g.due_date, g.statutory_due_date)) "
    "AND g.demand_issued_on IS NULL AND g.id NOT IN (SELECT assessment_id FROM taxpayers_prescriptionevent))"
)
# 欠損 (不納欠損, taxpayers.WrittenOff) by the day settled to: nothing is owed on the installment any
# more (the amounts written off are on the WrittenOff row), and its status takes it out of every
# "delinquent" total, list, queue and letter. (An installment settled by the simple statement owes
# nothing already.) The ids, looked up in a hash (a handful of rows; probing the index once per
# installment cost a second at 10,000 persons).
_WRITTEN_OFF_IDS = (
    "SELECT w.assessment_id FROM taxpayers_writtenoff w WHERE w.written_off_on <= %(as_of)s"
    " AND (w.cancelled_on IS NULL OR w.cancelled_on > %(as_of)s)"
)
_OTHERS_WRITTEN_OFF = """
    UPDATE reconcile_others r
       SET status = 'written_off', outstanding_principal = 0, outstanding_fee = 0, late_charge = 0,
           steady_through = NULL
      FROM taxpayers_writtenoff w
     WHERE w.assessment_id = r.assessment_id AND w.written_off_on <= %(as_of)s
       AND (w.cancelled_on IS NULL OR w.cancelled_on > %(as_of)s)
"""
# The base 時効予定日 of each (科目, 納期限, 法定納期限) in the run, computed in Python by the one
# `prescription.period_end` (through `standing.base_prescription_date`): there are a few hundred.
# Joined on one column, the 科目 and the two dates as text: the planner multiplies the selectivities
# of a join on several columns as if they were independent and estimated 1,499 rows for 367,994,
# which nested index-scan loops into the payments and the balances (15 s instead of 5 s at 10,000
# persons); on one column with a few hundred distinct values on each side it estimates the join
# right. The dates as day numbers: formatting two dates for every installment cost a second.
_BASE_KEY = (
    "({t}.subject_code || ':' || "
    "(({t}.due_date - DATE '2000-01-01') * 100000 + ({t}.statutory_due_date - DATE '2000-01-01'))::text)"
)
# With the number of installments of each: their sum is the run's count.
_BASES = f"""
    SELECT a.subject_code, a.due_date, a.statutory_due_date, {_BASE_KEY.format(t="a")}, count(*)
      FROM taxpayers_assessment a {{where}}
  GROUP BY 1, 2, 3
"""
_COLUMNS = "assessment_id, " + ", ".join(BALANCE_FIELDS)

# Every installment in one aggregate (`g`: the single per-installment aggregate of its payments, in
# the order of the primary key, as the baseline reads it): the balance of the simple ones, and
# provisional values for the rest (flagged not simple; replaced by their standing computed in
# Python). Joined in the same pass to the stored balance, only what the write step needs is kept:
# the rows not simple, and the simple rows that are new or differ from what is stored (on a day
# when nothing changed, none) — so the temporary table holds thousands of rows, not one per
# installment, and neither the diff nor the insert of the missing rows reads every installment
# again.
_COMPUTE = f"""
    INSERT INTO reconcile_computed ({_COLUMNS}, simple)
    SELECT c.* FROM (
    SELECT g.id AS assessment_id,
           CASE WHEN g.paid >= g.principal + g.demand_fee THEN g.principal ELSE 0 END AS paid_principal,
           CASE WHEN g.paid >= g.principal + g.demand_fee THEN g.demand_fee ELSE 0 END AS paid_fee,
           0 AS paid_late_charge,
           CASE WHEN g.paid >= g.principal + g.demand_fee THEN 0 ELSE g.principal END AS outstanding_principal,
           CASE WHEN g.paid >= g.principal + g.demand_fee THEN 0 ELSE g.demand_fee END AS outstanding_fee,
           0 AS late_charge,
           CASE WHEN g.id IN ({_WRITTEN_OFF_IDS}) THEN 'written_off'
                WHEN g.paid >= g.principal + g.demand_fee THEN 'paid'
                WHEN %(as_of)s < date_trunc('month', g.due_date)::date THEN 'not_yet_due'
                ELSE 'within_term' END AS status,
           base.prescription_date AS base_prescription_date,
           base.prescription_date AS prescription_date,
           g.last AS last_received_on,
           g.taxpayer_id,
           g.due_date,
           NULL::date AS steady_through,
           {_SIMPLE} AS simple
      FROM (
        SELECT a.id, a.subject_code, a.principal, a.demand_fee, a.due_date, a.statutory_due_date,
               a.filing_deadline_extended, a.demand_issued_on, a.taxpayer_id,
               coalesce(sum(p.amount), 0)::bigint AS paid, max(p.received_on) AS last
          FROM taxpayers_assessment a {_PAYMENTS}
         {{where}}
      GROUP BY a.id
      ) g
      JOIN reconcile_bases base ON base.base_key = {_BASE_KEY.format(t="g")}
    ) c
    LEFT JOIN taxpayers_installmentbalance b ON b.assessment_id = c.assessment_id
    WHERE NOT c.simple OR b.assessment_id IS NULL
       OR ({", ".join(f"b.{field}" for field in BALANCE_FIELDS)})
          IS DISTINCT FROM ({", ".join(f"c.{field}" for field in BALANCE_FIELDS)})
"""

_OTHER_IDS = "SELECT assessment_id FROM reconcile_computed WHERE NOT simple ORDER BY assessment_id"

_OTHERS = f"""
    SELECT a.id, a.subject_code, a.principal, a.demand_fee, a.due_date, a.statutory_due_date,
           a.filing_deadline_extended, a.demand_issued_on,
           coalesce(array_agg(p.received_on ORDER BY p.received_on, p.id) FILTER (WHERE p.id IS NOT NULL), ARRAY[]::date[]),
           coalesce(array_agg(p.amount ORDER BY p.received_on, p.id) FILTER (WHERE p.id IS NOT NULL), ARRAY[]::bigint[]),
           a.taxpayer_id,
           -- may be skipped when unchanged (`SettledInputs`): no 欠損 and no relief of any kind
           NOT EXISTS (SELECT 1 FROM taxpayers_writtenoff w WHERE w.assessment_id = a.id) {{reliefs}},
           -- and is a candidate for it: stored as paid in full
           EXISTS (SELECT 1 FROM taxpayers_installmentbalance b WHERE b.assessment_id = a.id AND b.status = 'paid')
      FROM taxpayers_assessment a {_PAYMENTS}
     WHERE a.id = ANY(%(chunk)s)
  GROUP BY a.id
"""

_EVENTS = """
    SELECT assessment_id, kind, occurred_on, source FROM taxpayers_prescriptionevent
     WHERE assessment_id = ANY(%(chunk)s)
"""

_OTHERS_REPLACE = (
    "DELETE FROM reconcile_computed WHERE NOT simple",
    f"INSERT INTO reconcile_computed ({_COLUMNS}, simple) SELECT {_COLUMNS}, false FROM reconcile_others",
)

# The installments whose standing reconcile need not compute again (`SettledInputs`): computed in
# Python before and found to owe nothing. Nothing owed, the standing no longer moves with the day
# (no 延滞金 accrues, 完納 stays 完納; the renewed 時効予定日 does not depend on the day), so it is
# a function of its inputs alone — the very values `_settled_row` is given: the `_OTHERS` row (the
# 調定's columns, its payments up to the day) and its 時効 events — and of the rules
# (`_rules_fingerprint`). Installments with an input the row does not carry are never skipped: a
# 欠損 (applied after the standing, by the day), a 執行停止・猶予 or a 条例減免 (their periods depend
# on the day) — the `_OTHERS` row's last column. The digest of the inputs is computed in Python
# (`_inputs_digest`) and copied into a temporary table, a chunk at a time.
# The signature: the inputs and the balance row written from them (so a stored row changed by
# anything else than reconcile does not match, and is computed again).
_SIGNATURE = "md5({inputs} || row({fields})::text)::uuid"
# The chunk's installments whose stored balance owes nothing and whose signature is unchanged: not
# computed; their provisional rows leave `reconcile_computed` with the others' (`_OTHERS_REPLACE`),
# so they are neither compared nor written.
_UNCHANGED = f"""
    SELECT i.assessment_id
      FROM reconcile_inputs i
      JOIN taxpayers_settledinputs s ON s.assessment_id = i.assessment_id
      JOIN taxpayers_installmentbalance b ON b.assessment_id = i.assessment_id
     WHERE i.assessment_id = ANY(%(chunk)s)
       AND b.status = 'paid' AND b.outstanding_principal = 0 AND b.outstanding_fee = 0 AND b.late_charge = 0
       AND s.signature = {_SIGNATURE.format(inputs="i.inputs", fields=", ".join(f"b.{f}" for f in BALANCE_FIELDS))}
"""
# After the standing: the signature of each candidate computed owing nothing; the others' are dropped.
_SETTLED = f"""
    INSERT INTO reconcile_settled (assessment_id, signature)
    SELECT o.assessment_id, {_SIGNATURE.format(inputs="i.inputs", fields=", ".join(f"o.{f}" for f in BALANCE_FIELDS))}
      FROM reconcile_others o JOIN reconcile_inputs i ON i.assessment_id = o.assessment_id
     WHERE o.status = 'paid' AND o.outstanding_principal = 0 AND o.outstanding_fee = 0 AND o.late_charge = 0
"""
_UNSETTLED = """
    DELETE FROM taxpayers_settledinputs s USING reconcile_others o
     WHERE s.assessment_id = o.assessment_id
       AND NOT EXISTS (SELECT 1 FROM reconcile_settled r WHERE r.assessment_id = o.assessment_id)
"""
# What a standing is computed by: these modules and every module of the project they import, at any
# depth (taxpayers.ordinance, the models, wako_collections' date helpers …). A change to any of them (a
# deploy, a new year's rate) makes every stored signature stale, and the next run computes every
# candidate again.
_RULE_MODULES = ("taxpayers.standing", "taxpayers.reconciliation")


def _rules_fingerprint(cursor) -> str:
    """The digest of the rules a stored standing was computed by: the source of `_RULE_MODULES`,
    every data file of `taxpayers/data` (rates, fees, bands), the allocation order, the balance
    columns and the latest applied taxpayers migration (one that rewrites stored balances, or adds
    a column reconcile fills, makes every signature stale)."""
    import hashlib

    from django.conf import settings

    cursor.execute("SELECT max(name) FROM django_migrations WHERE app = 'taxpayers'")
    dynamic = repr((tuple(settings.PAYMENT_ALLOCATION_ORDER), BALANCE_FIELDS, cursor.fetchone()))
    return hashlib.md5((_code_fingerprint() + dynamic).encode(), usedforsecurity=False).hexdigest()


def rule_sources() -> list[str]:
    """The project's modules a standing is computed by: `_RULE_MODULES` and what they import from the
    project, transitively (read from their source, `import` and `from … import` at any depth of the
    file, so imports inside functions count), sorted. Third-party and standard modules are not in it."""
    import ast
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    found: set[str] = set()
    pending = list(_RULE_MODULES)
    while pending:
        name = pending.pop()
        if name in found:
            continue
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, AttributeError, ValueError):  # `from module import name`: a name, not a module
            continue
        origin = Path(spec.origin) if spec and spec.origin else None
        if origin is None or root not in origin.parents or {".venv", "site-packages"} & set(origin.parts):
            continue
        found.add(name)
        with open(origin, "rb") as source:  # builtins: the import tests guard Path.read_bytes
            tree = ast.parse(source.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                pending += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                pending.append(node.module)
                # `from taxpayers import ordinance`: the name may itself be a module
                pending += [f"{node.module}.{alias.name}" for alias in node.names]
    return sorted(found)


@functools.cache
def _code_fingerprint() -> str:
    """The digest of the rule modules' source (`rule_sources`) and the data files of taxpayers/data,
    read once per process (a deploy starts new processes)."""
    import hashlib
    import importlib.util
    from pathlib import Path

    digest = hashlib.md5(usedforsecurity=False)
    paths = [Path(importlib.util.find_spec(name).origin or "") for name in rule_sources()]  # type: ignore[union-attr]
    paths += sorted(path for path in (Path(__file__).parent / "data").iterdir() if path.is_file())
    for path in paths:
        with open(path, "rb") as source:  # builtins: the import tests guard Path.read_bytes
            digest.update(path.name.encode() + source.read())
    return digest.hexdigest()


def _inputs_digest(rules: str, row: tuple, events: list[Event]) -> str:
    """The digest of what `_settled_row` computes a standing from (the rates are in `rules`)."""
    import hashlib

    text = repr((rules, row, sorted(map(repr, events))))
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _drop_indexes(cursor, table: str) -> list[str]:
    """Drops every index of `table`, its primary key's too, and returns the statements that build
    them again as they were (`pg_get_indexdef`, `pg_get_constraintdef`: names, columns, INCLUDE)."""
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), quote_ident(c.conname),"
        " pg_get_constraintdef(c.oid)"
        "  FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid"
        " WHERE i.indrelid = %s::regclass",
        [table],
    )
    rebuild = []
    for index, definition, constraint, constraint_definition in cursor.fetchall():
        if constraint:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}")
            rebuild.append(f"ALTER TABLE {table} ADD CONSTRAINT {constraint} {constraint_definition}")
        else:
            cursor.execute(f"DROP INDEX {index}")
            rebuild.append(definition)
    return rebuild


def _relief_exclusions() -> str:
    """The installments with a relief of any kind are never skipped (see `_UNCHANGED`)."""
    return "".join(
        f" AND NOT EXISTS (SELECT 1 FROM {t} r WHERE r.assessment_id = a.id)" for t in _relief_tables()
    )


# Per taxpayer, the totals of the delinquent installments: summed from the delinquent balances alone
# (read by the (status, 時効予定日) index: a few percent of the ledger), and a row of zeros for every
# other taxpayer with an installment in scope (`payers`), so a taxpayer who paid up is written back to
# zero. A run over some installments (or the daily run) lists their taxpayers in `reconcile_payers`.
_TOTALS_COMPUTE = f"""
    INSERT INTO reconcile_totals (taxpayer_id, {", ".join(TOTAL_FIELDS)})
    SELECT tp.id,
           coalesce(d.outstanding_principal, 0),
           coalesce(d.outstanding_fee, 0),
           coalesce(d.late_charge, 0),
           coalesce(d.delinquent_installments, 0),
           d.oldest_due_date,
           d.earliest_prescription_date,
           coalesce(d.delinquent_subjects, ARRAY[]::varchar[]),
           coalesce(d.delinquent_tax_years, ARRAY[]::integer[]),
           coalesce(d.delinquent_subject_years, ARRAY[]::varchar[]),
           coalesce(d.time_barred_installments, 0),
           coalesce(d.time_barred_principal, 0),
           coalesce(d.time_barred_fee, 0),
           coalesce(d.time_barred_late_charge, 0)
      FROM ({{payers}}) tp
      LEFT JOIN (
        SELECT a.taxpayer_id,
               sum(b.outstanding_principal) AS outstanding_principal,
               sum(b.outstanding_fee) AS outstanding_fee,
               sum(b.late_charge) AS late_charge,
               count(*) AS delinquent_installments,
               -- the oldest 納期限 of what can still be collected: a 期別 時効完成 on the run's day
               -- (its renewed 時効予定日 passed) is extinguished, and the 滞納者一覧 does not date a
               -- taxpayer's arrears from it
               min(a.due_date) FILTER (WHERE b.prescription_date IS NULL OR b.prescription_date >= %(as_of)s)
                   AS oldest_due_date,
               -- the nearest 時効予定日 still ahead on the run's day: one already passed is 時効完成
               -- (不納欠損's business), and the near-時効 lists, ホーム's count and the work queues
               -- all ask "from today" (negotiations.queues.prescription_soon reads the installments)
               min(b.prescription_date) FILTER (WHERE b.prescription_date >= %(as_of)s)
                   AS earliest_prescription_date,
               -- the 科目 / 年度分 of what is delinquent, for the 滞納者一覧's filter (working_list.py)
               array_agg(DISTINCT a.subject_code ORDER BY a.subject_code) AS delinquent_subjects,
               array_agg(DISTINCT a.tax_year ORDER BY a.tax_year) AS delinquent_tax_years,
               array_agg(DISTINCT a.subject_code || ':' || a.tax_year
                         ORDER BY a.subject_code || ':' || a.tax_year) AS delinquent_subject_years,
               -- of them, what is 時効完成 on the run's day (its renewed 時効予定日 passed: the
               -- standing's TIME_BARRED read from its stored balance), for the lists to show apart
               count(*) FILTER (WHERE b.prescription_date < %(as_of)s) AS time_barred_installments,
               sum(b.outstanding_principal) FILTER (WHERE b.prescription_date < %(as_of)s) AS time_barred_principal,
               sum(b.outstanding_fee) FILTER (WHERE b.prescription_date < %(as_of)s) AS time_barred_fee,
               sum(b.late_charge) FILTER (WHERE b.prescription_date < %(as_of)s) AS time_barred_late_charge
          FROM taxpayers_installmentbalance b
          JOIN taxpayers_assessment a ON a.id = b.assessment_id
         WHERE b.status = 'delinquent' {{delinquent_scope}}
      GROUP BY a.taxpayer_id
      ) d ON d.taxpayer_id = tp.id
"""
_ALL_PAYERS = (
    "SELECT tp.id FROM taxpayers_taxpayer tp"
    " WHERE EXISTS (SELECT 1 FROM taxpayers_assessment a WHERE a.taxpayer_id = tp.id)"
)
_SOME_PAYERS = "SELECT taxpayer_id AS id FROM reconcile_payers"


# The daily run (`_daily_possible`): instead of every installment, those that need computing on the
# day — the ones whose inputs changed (ChangedInputs, written by triggers: see taxpayers.models) and
# the ones whose standing moves with the day on unchanged inputs. By the stored status (the payment
# status of settlement.status_on, which reconcile stores), every value classified here and checked
# complete by a test:
#   滞納 (delinquent): 延滞金 grows, 時効 comes — computed again the day after its stored
#     `steady_through` (the day before its 延滞金, cut to 100円, next moves, or its 時効予定日;
#     once 時効完成, never on the same inputs; with a relief, none: every day);
#   未到来 (not_yet_due): becomes 納期内 on the first day of 納期限's month — computed from that day;
#   納期内 (within_term): becomes 滞納 the day after 納期限 — computed from that day;
#   完納・欠損 (paid, written_off): owe nothing, fixed while their inputs are (a 欠損 or its
#   cancellation dated ahead is marked for its day).
# And every installment with a row that relieves its 延滞金 (執行停止・猶予, 条例減免: the periods
# depend on the day), as `_relief_exclusions` never skips them.
MOVING_STATUSES = ("delinquent",)
TRANSITIONAL_STATUSES = ("not_yet_due", "within_term")
SETTLED_STATUSES = ("paid", "written_off")
# The changes due by the run's day: taken (deleted) as the scope is built, so a change committed
# after this statement stays for the next run; rolled back with the run.
_TAKE_CHANGED = (
    "DELETE FROM taxpayers_changedinputs WHERE (effective_on IS NULL OR effective_on <= %(as_of)s){only}"
)
_DAILY_SCOPE = """
    WITH taken AS ({take} RETURNING assessment_id)
    INSERT INTO reconcile_scope (id)
    SELECT assessment_id FROM taken
     UNION SELECT assessment_id FROM taxpayers_installmentbalance
            WHERE status = ANY(%(moving)s) AND (steady_through IS NULL OR steady_through < %(as_of)s)
     UNION SELECT assessment_id FROM taxpayers_installmentbalance
            WHERE status = 'not_yet_due' AND due_date < %(next_month)s
     UNION SELECT assessment_id FROM taxpayers_installmentbalance
            WHERE status = 'within_term' AND due_date < %(as_of)s
    {reliefs}
"""


def _relief_tables() -> list[str]:
    """The tables whose rows relieve an installment's 延滞金 on days of their own (執行停止・猶予 in
    dispositions, 条例減免 in reductions): those installments are computed every time."""
    from django.apps import apps

    tables = []
    if apps.is_installed("dispositions"):
        tables.append(apps.get_model("dispositions", "DispositionRow")._meta.db_table)
    if apps.is_installed("reductions"):
        tables.append(apps.get_model("reductions", "LateChargeReduction")._meta.db_table)
    return tables


def _daily_possible(as_of: date, rules: str) -> bool:
    """Whether the run on `as_of` may compute only the day's installments (`_DAILY_SCOPE`): the latest
    run over every installment (full or daily) was computed by the same `rules`; the balances are
    there (a TRUNCATE fires no trigger); no run since then, nor this one, was back-dated (a 基準日
    before the day it ran: it took the day's changes without counting those dated after its 基準日);
    and no run settled to a day after `as_of`. Otherwise every installment is computed (and the next
    run may be daily again)."""
    if as_of < timezone.localdate() or not InstallmentBalance.objects.exists():  # emptied (TRUNCATE)
        return False
    runs = ReconcileRun.objects.order_by("-finished_at", "-id")
    last = runs.filter(scope__in=[ReconcileRun.Scope.ALL, ReconcileRun.Scope.DAILY]).first()
    if last is None or last.rules != rules:
        return False
    since = runs.filter(
        Q(finished_at__gt=last.finished_at) | Q(finished_at=last.finished_at, id__gte=last.id)
    ).values_list("as_of", "started_at")
    if any(day < timezone.localdate(started) for day, started in since):
        return False
    latest = ReconcileRun.objects.aggregate(day=Max("as_of"))["day"]
    return latest is None or latest <= as_of


@dataclass(frozen=True)
class ReconcileSummary:
    installments: int
    changed: int
    delinquent_installments: int
    delinquent_taxpayers: int
    outstanding_principal: int
    as_of: date
    scope: str = "all"  # ReconcileRun.Scope: all, diff (the daily run) or some
    # the 滞納 figures above are what can still be collected; the 期別 時効完成 on the day (extinguished,
    # 地方税法第18条, waiting for 不納欠損) are counted here apart, as the 滞納者一覧 shows them
    time_barred_installments: int = 0
    time_barred_taxpayers: int = 0  # whose only 滞納 期別 are 時効完成 (not in delinquent_taxpayers)
    time_barred_principal: int = 0


def _settled_row(
    row, as_of: date, rates, events: dict[int, list[Event]], reliefs: dict[int, Reliefs]
) -> tuple:
    (
        assessment_id,
        subject,
        principal,
        fee,
        due,
        statutory_due,
        extended,
        demanded,
        paid_days,
        amounts,
        payer,
    ) = row
    standing = standing_from_values(
        subject_code=subject,
        principal=principal,
        fee=fee,
        due_date=due,
        statutory_due_date=statutory_due,
        extended_from=statutory_due if extended else None,
        demand_issued_on=demanded,
        payments=[ReceivedPayment(day, amount) for day, amount in zip(paid_days, amounts, strict=True)],
        events=events.get(assessment_id, ()),
        as_of=as_of,
        rates=rates,
        reliefs=reliefs.get(assessment_id),
    )
    result = standing.settlement
    return (
        assessment_id,
        result.paid_principal,
        result.paid_fee,
        result.paid_late_charge,
        result.outstanding_principal,
        result.outstanding_fee,
        result.late_charge,
        standing.payment_status,
        standing.base_prescription_date,
        standing.prescription_date,
        result.last_received_on,
        payer,
        due,
        standing.steady_through,
    )


def _owes_nothing(settled: tuple) -> bool:
    """Whether a `_settled_row` is paid in full and owes nothing (as `_SETTLED` selects)."""
    return settled[7] == "paid" and settled[4] == settled[5] == settled[6] == 0


def reconcile(
    *,
    assessment_ids: Iterable[int] | None = None,
    as_of: date | None = None,
    ids_table: str | None = None,
    full: bool = False,
) -> ReconcileSummary:
    """Brings the balances of the given installments (all when None) up to `as_of` (today).
    `ids_table` instead of `assessment_ids`: the name of a temporary table whose bigint column `id`
    lists them (an import's touched installments: a million ids need not pass through Python).

    All installments: the daily run when it may be (`_daily_possible`): only the installments whose
    inputs changed and those whose standing moves with the day (`_DAILY_SCOPE`), the result the same
    as computing every one; else, or with `full`, every installment. Every run takes the recorded
    changes (ChangedInputs) of what it computes, due by `as_of`."""
    as_of = as_of or timezone.localdate()
    started = timezone.now()
    ids = sorted(set(assessment_ids)) if assessment_ids is not None else None
    some = ids is not None or ids_table is not None
    subset = f"SELECT id FROM {ids_table}" if ids_table else ""
    rates, assumed_from = rates_for(as_of)
    if assumed_from:
        logger.warning(
            "%s年の延滞金の割合が未登録のため、%s年の割合で消し込みます（taxpayers/data/late_charge_rates.csv）。",
            assumed_from,
            assumed_from - 1,
        )
    next_month = (as_of.replace(day=1) + timedelta(days=32)).replace(day=1)
    params: dict = {"as_of": as_of, "ids": ids, "moving": list(MOVING_STATUSES), "next_month": next_month}
    with transaction.atomic(), connection.cursor() as cursor:
        # the rates: the published table, or (a year not yet published) the table carried on from its
        # latest year (`rates_for`) — the same file gives one or the other
        rules = f"{_rules_fingerprint(cursor)}:{assumed_from}"
        scope = ReconcileRun.Scope.SOME
        if not some:
            # One run over every installment at a time (the nightly job and a run by hand): a second
            # waits for the first to commit instead of deadlocking with it on a first run's index drop.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('wako_collections.reconcile'))")
            daily = not full and _daily_possible(as_of, rules)
            scope = ReconcileRun.Scope.DAILY if daily else ReconcileRun.Scope.ALL
        if scope == ReconcileRun.Scope.DAILY:
            # The day's installments are ~1% of the ledger, read and written by their keys. With the
            # server's default random_page_cost (4, for spinning disks) the planner hash-joins them to
            # a scan of every balance instead (the diff, the insert of the missing rows and the totals:
            # 5 s of 7 at 100,000 persons); the project's PostgreSQL (docker-compose.yml) is set to 1.1
            # for its SSD, and so is this run's transaction, wherever it runs.
            cursor.execute(
                "SELECT set_config('random_page_cost', %s, true)", [planner.SHIPPED["random_page_cost"]]
            )
            cursor.execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS reconcile_scope (id bigint PRIMARY KEY) ON COMMIT DROP"
            )
            cursor.execute("TRUNCATE reconcile_scope")
            reliefs_sql = "".join(f" UNION SELECT assessment_id FROM {table}" for table in _relief_tables())
            cursor.execute(
                _DAILY_SCOPE.format(take=_TAKE_CHANGED.format(only=""), reliefs=reliefs_sql), params
            )
            cursor.execute("ANALYZE reconcile_scope")
            ids_table = "reconcile_scope"
            subset = f"SELECT id FROM {ids_table}"
        elif scope == ReconcileRun.Scope.ALL:
            cursor.execute(_TAKE_CHANGED.format(only=""), params)
        else:
            taken = f"IN ({subset})" if ids_table else "= ANY(%(ids)s)"
            if ids_table:
                # Ids in a table are many (an import, a 更正 file), and so are the changes their
                # triggers have just recorded in this transaction: statistics taken when the table
                # held a few hundred rows in tens of thousands of pages made the planner expect one
                # row and join the two by a nested loop — 17 minutes of CPU for a 1,000,000-row
                # import at 100,000 persons (session 20's benchmark). ANALYZE counts this
                # transaction's own rows; its lock (SHARE UPDATE EXCLUSIVE, to the commit) lets
                # other transactions write changes and makes a second such run wait to ANALYZE.
                cursor.execute("ANALYZE taxpayers_changedinputs")
            cursor.execute(_TAKE_CHANGED.format(only=f" AND assessment_id {taken}"), params)
        only = (
            f" AND a.id IN ({subset})" if ids_table else " AND a.id = ANY(%(ids)s)" if ids is not None else ""
        )
        # Two runs may share a transaction (an import inside a larger one): reuse and empty the table.
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS reconcile_others (LIKE taxpayers_installmentbalance) ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE reconcile_others")
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS reconcile_bases (base_key text, prescription_date date) ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE reconcile_bases")
        cursor.execute(_BASES.format(where="WHERE true" + only), params)
        found = cursor.fetchall()
        installments = sum(count for *_key, count in found)
        bases = [
            (key, base_prescription_date(subject_code=subject, statutory_due_date=statutory, due_date=due))
            for subject, due, statutory, key, _count in found
        ]
        with cursor.cursor.copy("COPY reconcile_bases (base_key, prescription_date) FROM STDIN") as copy:
            for base in bases:
                copy.write_row(base)
        # Without statistics the planner takes the temporary table for 1,000 rows, estimates the
        # join at a few dozen and nests a loop of index scans into the payments (11 s instead of
        # 2 s at 10,000 persons).
        cursor.execute("ANALYZE reconcile_bases")
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS reconcile_computed (LIKE taxpayers_installmentbalance, "
            "simple boolean NOT NULL) ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE reconcile_computed")
        cursor.execute(_COMPUTE.format(where="WHERE true" + only), params)
        cursor.execute("ANALYZE reconcile_computed")
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS reconcile_inputs (assessment_id bigint PRIMARY KEY, "
            "inputs text NOT NULL) ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE reconcile_inputs")
        others, skipped = _OTHERS.format(reliefs=_relief_exclusions()), 0
        cursor.execute(_OTHER_IDS)
        other_ids = [row[0] for row in cursor.fetchall()]
        # In chunks: a COPY cannot run while another query on the connection is being read,
        # so each chunk is fetched whole, then written.
        for start in range(0, len(other_ids), CHUNK):
            chunk = other_ids[start : start + CHUNK]
            cursor.execute(_EVENTS, {"chunk": chunk})
            events: dict[int, list[Event]] = defaultdict(list)
            for assessment_id, kind, occurred_on, source in cursor.fetchall():
                events[assessment_id].append(Event(kind, occurred_on, source))
            cursor.execute(others, {**params, "chunk": chunk})
            rows = [(row[:-2], row[-2], row[-1]) for row in cursor.fetchall()]
            # The digest of the inputs of those that may be skipped: first of the candidates (stored
            # as paid in full), which it decides; after the standing, of those found paid in full now.
            with cursor.cursor.copy("COPY reconcile_inputs (assessment_id, inputs) FROM STDIN") as copy:
                for row, may_skip, stored_paid in rows:
                    if may_skip and stored_paid:
                        copy.write_row((row[0], _inputs_digest(rules, row, events.get(row[0], []))))
            cursor.execute(_UNCHANGED, {"chunk": chunk})
            unchanged = {assessment_id for (assessment_id,) in cursor.fetchall()}
            skipped += len(unchanged)
            # 延滞金の免除 (執行停止・猶予、地方税法第15条の9) and 条例減免: the same inputs, from the same
            # function, as the ledger's standing (two queries a chunk)
            reliefs = exemption_periods_for_ids(chunk, as_of=as_of)
            paid_now = []
            with cursor.cursor.copy(f"COPY reconcile_others ({_COLUMNS}) FROM STDIN") as copy:
                for row, may_skip, stored_paid in rows:
                    if row[0] not in unchanged:
                        settled = _settled_row(row, as_of, rates, events, reliefs)
                        copy.write_row(settled)
                        if may_skip and not stored_paid and _owes_nothing(settled):
                            paid_now.append(row)
            with cursor.cursor.copy("COPY reconcile_inputs (assessment_id, inputs) FROM STDIN") as copy:
                for row in paid_now:
                    copy.write_row((row[0], _inputs_digest(rules, row, events.get(row[0], []))))
        cursor.execute(_OTHERS_WRITTEN_OFF, params)
        for statement in _OTHERS_REPLACE:
            cursor.execute(statement)
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS reconcile_settled (LIKE taxpayers_settledinputs) ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE reconcile_settled")
        cursor.execute(_SETTLED)
        cursor.execute(_UNSETTLED)
        _write_changed(
            cursor,
            table="taxpayers_settledinputs",
            key="assessment_id",
            fields=("signature",),
            source="reconcile_settled",
        )
        # A first run (no balance stored yet): every row is new, so the rows go in without their
        # indexes, which are built afterwards from the whole table — maintaining three indexes row
        # by row was half the first run at 100,000 persons. The table is locked (ACCESS EXCLUSIVE)
        # until the commit; empty, it had nothing to show.
        cursor.execute("SELECT NOT EXISTS (SELECT 1 FROM taxpayers_installmentbalance)")
        rebuild = (
            _drop_indexes(cursor, "taxpayers_installmentbalance")
            if scope == ReconcileRun.Scope.ALL and cursor.fetchone()[0]
            else []
        )
        changed = _write_changed(
            cursor,
            table="taxpayers_installmentbalance",
            key="assessment_id",
            fields=BALANCE_FIELDS,
            source="reconcile_computed",
        )
        for statement in rebuild:
            cursor.execute(statement)
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS reconcile_totals (LIKE taxpayers_taxpayerbalance) ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE reconcile_totals")
        if scope == ReconcileRun.Scope.ALL:
            cursor.execute(_TOTALS_COMPUTE.format(payers=_ALL_PAYERS, delinquent_scope=""), params)
        else:
            cursor.execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS reconcile_payers (taxpayer_id bigint PRIMARY KEY) ON COMMIT DROP"
            )
            cursor.execute("TRUNCATE reconcile_payers")
            cursor.execute(
                f"INSERT INTO reconcile_payers SELECT DISTINCT a.taxpayer_id FROM taxpayers_assessment a WHERE true{only}",
                params,
            )
            cursor.execute("ANALYZE reconcile_payers")
            cursor.execute(
                _TOTALS_COMPUTE.format(
                    payers=_SOME_PAYERS,
                    delinquent_scope="AND a.taxpayer_id IN (SELECT taxpayer_id FROM reconcile_payers)",
                ),
                params,
            )
        _write_changed(
            cursor,
            table="taxpayers_taxpayerbalance",
            key="taxpayer_id",
            fields=TOTAL_FIELDS,
            source="reconcile_totals",
        )
        if scope == ReconcileRun.Scope.ALL and changed > installments * ANALYZE_AFTER:
            # New statistics only when a good part of the table changed (a first run, a new
            # year's 調定); a day's changes are left to autovacuum's own threshold.
            cursor.execute("ANALYZE taxpayers_installmentbalance")
            cursor.execute("ANALYZE taxpayers_taxpayerbalance")
        logger.info("消込: %s期別のうち%s期別は入力が変わらず完納のため再計算を省略", installments, skipped)
        summary = summarize(as_of, installments=installments, changed=changed, scope=scope)
        ReconcileRun.objects.create(
            as_of=as_of,
            started_at=started,
            finished_at=timezone.now(),
            scope=scope,
            installments=installments,
            changed=changed,
            rules=rules,
        )
    return summary


def summarize(as_of: date, *, installments: int, changed: int, scope: str = "all") -> ReconcileSummary:
    """The run's summary from what it stored (one aggregate over the delinquent balances): the 滞納
    期別, taxpayers and 本税 that can still be collected, and the 時効完成 ones apart."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE delinquent_installments > time_barred_installments),"
            " coalesce(sum(collectible_principal), 0),"
            " coalesce(sum(delinquent_installments - time_barred_installments), 0),"
            " count(*) FILTER (WHERE delinquent_installments = time_barred_installments),"
            " coalesce(sum(time_barred_principal), 0),"
            " coalesce(sum(time_barred_installments), 0)"
            " FROM taxpayers_taxpayerbalance WHERE delinquent_installments > 0"
        )
        payers, principal, delinquent, barred_payers, barred_principal, barred = cursor.fetchone()
    return ReconcileSummary(
        installments,
        changed,
        int(delinquent),
        payers,
        int(principal),
        as_of,
        scope,
        time_barred_installments=int(barred),
        time_barred_taxpayers=barred_payers,
        time_barred_principal=int(barred_principal),
    )


def refresh_prescription_dates(*, assessment_ids: Iterable[int]) -> int:
    """After a 時効 event is recorded: the renewed 時効予定日 of those installments (and their
    taxpayers' earliest one) from their standing, without waiting for the next reconcile, so the
    near-時効 lists, which read the stored date, see the event at once. Only the dates: the money
    stays as the last reconcile left it. Returns the number of balances changed."""
    from taxpayers.chains import chain_for
    from taxpayers.models import Assessment, InstallmentBalance

    ids = sorted(set(assessment_ids))
    if not ids:
        return 0
    today = timezone.localdate()
    changed = []
    for assessment in (
        Assessment.objects.filter(pk__in=ids, balance__isnull=False)
        .select_related("balance")
        .prefetch_related("prescription_events", "payments")
    ):
        renewed = chain_for(assessment, today=today).expires_on
        if assessment.balance.prescription_date != renewed:
            assessment.balance.prescription_date = renewed
            changed.append(assessment.balance)
    if changed:
        InstallmentBalance.objects.bulk_update(changed, ["prescription_date"])
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE taxpayers_taxpayerbalance t SET earliest_prescription_date = ("
                " SELECT min(b.prescription_date) FROM taxpayers_installmentbalance b"
                " JOIN taxpayers_assessment a ON a.id = b.assessment_id"
                " WHERE a.taxpayer_id = t.taxpayer_id AND b.status = 'delinquent' AND b.prescription_date >= %s)"
                " WHERE t.taxpayer_id IN (SELECT taxpayer_id FROM taxpayers_assessment WHERE id = ANY(%s))",
                [today, [b.assessment_id for b in changed]],
            )
    return len(changed)
