"""The periods whose 延滞金 is exempted or remitted, for each installment, from the decisions
recorded elsewhere — the one place the 延滞金 computation learns of them.

* 滞納処分の執行停止 (dispositions, 処分コード 07), approved: 全額免除 from its 処分日 to the day
  before it is cancelled (取消の日からは停止していない), or to `as_of` (地方税法第15条の9第1項).
* 徴収の猶予 (10) and 換価の猶予 (11), approved: from the 処分日 to 猶予期間の終期, or to the day
  before an earlier cancellation: 一部免除 (2分の1 / 猶予特例基準割合, 第15条の9第1項・附則第3条の2
  第2項) — except a 徴収の猶予 whose 処分区分 is 第1号 (災害・盗難), 第2号 (病気・負傷) or 第5号 for a like
  fact (81, 82, 85): 全額免除. A 徴収の猶予 without its 号 (処分区分 00) counts as partial, the smaller
  relief; `entaikin --exempt` computes the full one.
* A disposition cancelled as 誤り (処分取消区分 2) counts for nothing: it never had effect.
* 条例減免 (reductions), decided and not cancelled: its share over its period, or its amount.

The other apps depend on taxpayers, not the reverse, so their models are looked up by name
when this runs (`apps.get_model`), and an app that is not installed contributes nothing.
Two queries, whatever the number of installments.

`known_at` (a moment): the decisions as they stood then, read from their history tables
(`wako_collections.records.states_at`) instead of the live rows — what the 逆連携 (exchange) sends
"as of a run's until", so that a later change never alters a rerun. `disposition_relief` and
`relief_kind` are the vocabulary both readings use (and the exchange's 延滞金減免情報 file).
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import BigIntegerField, F, Lookup, Value

from taxpayers.late_charges import EXEMPT, FULL_SHARE, POSTPONED, REDUCTION, ReliefPeriod
from wako_collections.records import states_at

SUSPENSION_CODE = "07"  # dispositions.DispositionCode.SUSPENSION
ERROR_CANCELLATION = "2"  # dispositions.CancellationCategory.ERROR (誤り)
POSTPONEMENT_CODES = {"10": "徴収の猶予", "11": "換価の猶予"}
# 徴収の猶予 for 災害・盗難 (第15条第1項第1号), 病気・負傷 (第2号) or a like fact (第5号): 全額免除
# (dispositions.models.FULLY_EXEMPT_POSTPONEMENT_CATEGORIES).
FULLY_EXEMPT_POSTPONEMENT_CATEGORIES = {"81", "82", "85"}


@dataclass
class Reliefs:
    """What the 延滞金 computation of one installment takes: `compute_late_charge(reliefs=…,
    remitted_amount=…)`."""

    periods: list[ReliefPeriod] = field(default_factory=list)
    remitted_amount: int = 0


def _last_day(*ends: date | None) -> date | None:
    days = [day for day in ends if day is not None]
    return min(days) if days else None


def relief_kind(code: str, category: str) -> str | None:
    """What a 滞納処分 of 処分コード `code` and 処分区分 `category` does to 延滞金: EXEMPT (全額免除:
    執行停止, or a 徴収の猶予 for 災害・盗難, 病気・負傷 or a like fact), POSTPONED (一部免除: the other
    猶予, 第15条の9第1項ただし書・附則第3条の2第2項), or None (no exemption: 差押 and the rest)."""
    if code == SUSPENSION_CODE:
        return EXEMPT
    if code in POSTPONEMENT_CODES:
        return EXEMPT if code == "10" and category in FULLY_EXEMPT_POSTPONEMENT_CATEGORIES else POSTPONED
    return None


@dataclass(frozen=True)
class DecidedRelief:
    """A 第15条の9 exemption as decided on one 滞納処分ファイル row: its first day (処分日), its last
    as decided (猶予期間の終期, or the day before a 取消 — 取消の日からは停止・猶予していない; None
    while a 執行停止 runs), EXEMPT or POSTPONED, the ledger's label and the 処分番号."""

    start: date
    end: date | None
    kind: str
    label: str
    ref: str

    def period(self, *, as_of: date, projecting: bool = False) -> ReliefPeriod | None:
        """The days it covers as known on `as_of`: a running 執行停止 to `as_of`; a 猶予 to its end,
        or to `as_of` unless `projecting`. None when nothing of it falls by then."""
        cap = None if projecting and self.kind == POSTPONED else as_of
        end = _last_day(self.end, cap)
        if end is None or end < self.start:
            return None
        return ReliefPeriod(self.start, end, self.kind, self.label, ref=self.ref)


def disposition_relief(row, disposition) -> DecidedRelief | None:
    """The exemption a 滞納処分ファイル row decides, or None: not an exempting code, not yet approved
    (no 処分日), or cancelled as 誤り (処分取消区分 2: it never had effect). `row`: a DispositionRow or
    its history state (disposition_code, disposition_category, disposed_on, cancelled_on,
    cancellation_category); `disposition`: its Disposition or history state (number, postponed_until)."""
    kind = relief_kind(row.disposition_code, row.disposition_category)
    if kind is None or row.disposed_on is None or row.cancellation_category == ERROR_CANCELLATION:
        return None
    cancelled_before = row.cancelled_on - timedelta(days=1) if row.cancelled_on else None
    number = disposition.number
    if row.disposition_code == SUSPENSION_CODE:
        return DecidedRelief(
            row.disposed_on, cancelled_before, kind, f"滞納処分の執行停止（{number}）", number
        )
    return DecidedRelief(
        row.disposed_on,
        _last_day(cancelled_before, disposition.postponed_until),
        kind,
        f"{POSTPONEMENT_CODES[row.disposition_code]}（{number}）",
        number,
    )


def reduction_relief(reduction) -> ReliefPeriod | None:
    """A 条例減免's relief period (a LateChargeReduction or its history state), None for one decided
    as an amount (taken off the total: `decided_amount`). The 減免番号 is its `ref`."""
    if reduction.category == "amount":  # reductions.LateChargeReduction.Category.AMOUNT
        return None
    share = FULL_SHARE if reduction.category == "all" else reduction.decided_share
    return ReliefPeriod(
        reduction.decided_start,
        reduction.decided_end,
        REDUCTION,
        f"条例減免（{reduction.number}）",
        share,
        ref=reduction.number,
    )


def exemption_periods_for(
    assessments: Iterable, *, as_of: date, projecting: bool = False
) -> dict[int, Reliefs]:
    """Each assessment's reliefs (by pk) known on `as_of`; an assessment with none is absent.

    `projecting` (the 分納 simulation, which counts 延滞金 to future payment days): a 猶予 runs to
    its 終期 and a 条例減免 to the end of its period, as decided; a running 執行停止 still ends on
    `as_of`, since it may be cancelled any day (the projection never promises less than is owed)."""
    return exemption_periods_for_ids(
        [assessment.pk for assessment in assessments], as_of=as_of, projecting=projecting
    )


class AnyOf(Lookup):
    """column = ANY(array): the ids as one parameter."""

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def exemption_periods_for_ids(
    ids: list[int], *, as_of: date, projecting: bool = False, known_at: datetime | None = None
) -> dict[int, Reliefs]:
    """The same by assessment id (`reconcile`, which reads plain rows): {assessment id: Reliefs}.
    Two queries, whatever the number of ids, their SQL compiled once per process (`decided_rows`,
    `effective_reductions`); four with `known_at`: the decisions as they stood at that moment, from
    history — a record deleted by then, or not yet written, counts for nothing."""
    found: dict[int, Reliefs] = defaultdict(Reliefs)
    if not ids:
        return {}
    if apps.is_installed("dispositions"):
        _dispositions(ids, as_of, found, projecting, known_at)
    if apps.is_installed("reductions"):
        _reductions(ids, as_of, found, known_at)
    return dict(found)


def _dispositions(
    ids: list[int],
    as_of: date,
    found: dict[int, Reliefs],
    projecting: bool,
    known_at: datetime | None,
) -> None:
    if known_at is None:
        # Each row read as one _DecidedRow, which is both the row and its disposition's header to
        # disposition_relief (it has the attributes of each that it reads).
        pairs: list[tuple[Any, Any]] = [
            (row, row) for row in map(_DecidedRow._make, _run(decided_rows, ids, as_of))
        ]
    else:
        row_model = apps.get_model("dispositions", "DispositionRow")
        codes = [SUSPENSION_CODE, *POSTPONEMENT_CODES]
        states = states_at(row_model, known_at, assessment_id__in=ids, disposition_code__in=codes)
        headers = states_at(
            apps.get_model("dispositions", "Disposition"),
            known_at,
            ids={state.disposition_id for state in states.values()},
        )
        pairs = [
            (row, headers[row.disposition_id])
            for row in states.values()
            if row.history_type != "-"
            and row.disposition_id in headers
            and headers[row.disposition_id].history_type != "-"
            and headers[row.disposition_id].status in ("approved", "cancelled")
            and row.disposed_on is not None
            and row.disposed_on <= as_of
        ]
    for row, disposition in pairs:
        decided = disposition_relief(row, disposition)
        relief = decided.period(as_of=as_of, projecting=projecting) if decided else None
        if relief is not None:
            found[row.assessment_id].periods.append(relief)


def _reductions(ids: list[int], as_of: date, found: dict[int, Reliefs], known_at: datetime | None) -> None:
    if known_at is None:
        effective: list[Any] = list(map(_EffectiveReduction._make, _run(effective_reductions, ids, as_of)))
    else:
        model = apps.get_model("reductions", "LateChargeReduction")
        effective = [
            state
            for state in states_at(model, known_at, assessment_id__in=ids).values()
            if state.history_type != "-"
            and state.status == "decided"  # reductions.LateChargeReduction.effective_on
            and state.decided_on is not None
            and state.decided_on <= as_of
        ]
    for reduction in effective:
        relief = reduction_relief(reduction)
        if relief is not None:
            found[reduction.assessment_id].periods.append(relief)
        else:
            found[reduction.assessment_id].remitted_amount += reduction.decided_amount or 0


# The two live statements, compiled once per process: building them through the ORM on every call
# cost ~9 % of the CPU of the pages officers open all day (issue 21, "Load"), though they depend on
# nothing but the ids and the day (codes and statuses are constants of the code). The querysets
# below stay the one definition of what counts; only their SQL is kept, with marks in place of the
# ids and the day, which each call replaces with its own (as `standing.holds_for_ids` does). The
# same SQL text each time also lets psycopg prepare it on the server.
_IDS_MARK = [-202_100_021]  # no installment has a negative id
# The ids go as one array parameter, "= ANY(%s)": an IN list of reconcile's 10,000 ids a chunk took
# Django and the server longer to build and parse than the query took to run.
_IDS_FIELD = ArrayField(BigIntegerField())
_DAY_MARK = date(1, 1, 2)  # nor is any day of the system's 0001-01-02

_DecidedRow = namedtuple(  # a DispositionRow with its Disposition's number and postponed_until
    "_DecidedRow",
    "assessment_id disposition_code disposition_category disposed_on cancelled_on"
    " cancellation_category number postponed_until",
)
_EffectiveReduction = namedtuple(
    "_EffectiveReduction",
    "assessment_id number category decided_share decided_amount decided_start decided_end",
)


def decided_rows(ids: Any, as_of: Any):
    """The 滞納処分ファイル rows that may exempt 延滞金 on `as_of`: approved (処分日 set, on or
    before `as_of`) with an exempting code, the disposition approved or since cancelled; with their
    disposition's 処分番号 and 猶予期間の終期, in the model's order (the fields of _DecidedRow)."""
    row_model = apps.get_model("dispositions", "DispositionRow")
    return row_model.objects.filter(
        AnyOf(F("assessment_id"), Value(ids, output_field=_IDS_FIELD)),
        disposed_on__isnull=False,  # set when the disposition is approved (決裁)
        disposed_on__lte=as_of,
        disposition_code__in=[SUSPENSION_CODE, *POSTPONEMENT_CODES],
        disposition__status__in=["approved", "cancelled"],
    ).values_list(
        "assessment_id",
        "disposition_code",
        "disposition_category",
        "disposed_on",
        "cancelled_on",
        "cancellation_category",
        "disposition__number",
        "disposition__postponed_until",
    )


def effective_reductions(ids: Any, as_of: Any):
    """The 条例減免 in effect on `as_of` (`LateChargeReduction.objects.effective_on`) of the
    installments `ids`, in the model's order (the fields of _EffectiveReduction)."""
    model = apps.get_model("reductions", "LateChargeReduction")
    return (
        model.objects.effective_on(as_of)
        .filter(AnyOf(F("assessment_id"), Value(ids, output_field=_IDS_FIELD)))
        .values_list(*_EffectiveReduction._fields)
    )


_compiled: dict[Any, tuple[str, list]] = {}


def _statement(queryset_for) -> tuple[str, list]:
    """The SQL and parameters of `queryset_for(ids, day)`, compiled once with the marks."""
    if queryset_for not in _compiled:
        sql, params = queryset_for(_IDS_MARK, _DAY_MARK).query.sql_with_params()
        marks = [param for param in params if param in (_IDS_MARK, _DAY_MARK)]
        if marks.count(_IDS_MARK) != 1 or _DAY_MARK not in marks:
            raise RuntimeError(f"exemptions: the compiled statement lost its marks ({params!r})")
        _compiled[queryset_for] = (sql, list(params))
    return _compiled[queryset_for]


def _run(queryset_for, ids: list[int], as_of: date) -> list[tuple]:
    sql, params = _statement(queryset_for)
    array = _IDS_FIELD.get_db_prep_value(list(ids), connection)  # bigint[], as Django sends the mark
    values = [array if param == _IDS_MARK else as_of if param == _DAY_MARK else param for param in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchall()
