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
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.apps import apps
from django.contrib.postgres.fields import ArrayField
from django.db.models import BigIntegerField, F, Lookup, Value

from taxpayers.late_charges import EXEMPT, POSTPONED, ReliefPeriod

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


class _AnyOf(Lookup):
    """column = ANY(array): the ids as one parameter."""

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def exemption_periods_for_ids(ids: list[int], *, as_of: date, projecting: bool = False) -> dict[int, Reliefs]:
    """The same by assessment id (`reconcile`, which reads plain rows): {assessment id: Reliefs}.
    Two queries, whatever the number of ids."""
    found: dict[int, Reliefs] = defaultdict(Reliefs)
    if not ids:
        return {}
    # One array parameter, "= ANY(%s)": an IN list of reconcile's 10,000 ids a chunk took Django and
    # the server longer to build and parse than the query took to run.
    any_of = _AnyOf(F("assessment_id"), Value(list(ids), output_field=ArrayField(BigIntegerField())))
    if apps.is_installed("dispositions"):
        _dispositions(any_of, as_of, found, projecting)
    if apps.is_installed("reductions"):
        _reductions(any_of, as_of, found)
    return dict(found)


def _dispositions(any_of: _AnyOf, as_of: date, found: dict[int, Reliefs], projecting: bool) -> None:
    row_model = apps.get_model("dispositions", "DispositionRow")
    rows = row_model.objects.filter(
        any_of,
        disposed_on__isnull=False,  # set when the disposition is approved (決裁)
        disposed_on__lte=as_of,
        disposition_code__in=[SUSPENSION_CODE, *POSTPONEMENT_CODES],
        disposition__status__in=["approved", "cancelled"],
    ).select_related("disposition")
    for row in rows:
        if row.disposed_on is None:  # not possible under the filter; keeps the type exact
            continue
        if row.cancellation_category == ERROR_CANCELLATION:
            continue  # recorded in error: it never had effect, so neither has its exemption
        cancelled_before = row.cancelled_on - timedelta(days=1) if row.cancelled_on else None
        number = row.disposition.number
        if row.disposition_code == SUSPENSION_CODE:
            end = _last_day(cancelled_before, as_of)
            kind, label = EXEMPT, f"滞納処分の執行停止（{number}）"
        else:
            end = _last_day(cancelled_before, row.disposition.postponed_until, None if projecting else as_of)
            full = (
                row.disposition_code == "10"
                and row.disposition_category in FULLY_EXEMPT_POSTPONEMENT_CATEGORIES
            )
            kind = EXEMPT if full else POSTPONED
            label = f"{POSTPONEMENT_CODES[row.disposition_code]}（{number}）"
        if end is not None and end >= row.disposed_on:
            found[row.assessment_id].periods.append(ReliefPeriod(row.disposed_on, end, kind, label))


def _reductions(any_of: _AnyOf, as_of: date, found: dict[int, Reliefs]) -> None:
    model = apps.get_model("reductions", "LateChargeReduction")
    for reduction in model.objects.effective_on(as_of).filter(any_of):
        relief = reduction.relief_period()
        if relief is not None:
            found[reduction.assessment_id].periods.append(relief)
        else:
            found[reduction.assessment_id].remitted_amount += reduction.decided_amount or 0
