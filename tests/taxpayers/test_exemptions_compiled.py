"""`exemption_periods_for_ids` reads the 猶予・執行停止 rows and the 条例減免 in effect through
statements compiled once per process (issue 21, the load knee): the same answers as the querysets
read through the ORM (the way it read them before), on days across a 猶予's end, a 執行停止 and its
取消, a disposition cancelled as 誤り, and a 条例減免 of each category, one compiled statement
serving every day and every set of ids. The fixture's 210000101 is due 2021-05-31, 210000102
2021-07-31, both unpaid."""

from collections import defaultdict
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dispositions.models import DispositionRow
from reductions import services as reductions
from reductions.models import LateChargeReduction
from taxpayers import exemptions
from taxpayers.exemptions import (
    Reliefs,
    disposition_relief,
    exemption_periods_for_ids,
    reduction_relief,
)
from taxpayers.late_charges import EXEMPT, FULL_SHARE, POSTPONED, REDUCTION
from taxpayers.models import Assessment
from tests.assessments import approve_relief
from wako_collections.actors import Actor

pytestmark = pytest.mark.django_db


def through_the_orm(ids, *, as_of, projecting=False):
    """What exemption_periods_for_ids answered before its statements were compiled: the same
    querysets read as model instances, a Disposition for each row (select_related)."""
    found = defaultdict(Reliefs)
    rows = DispositionRow.objects.filter(
        assessment_id__in=ids,
        disposed_on__isnull=False,
        disposed_on__lte=as_of,
        disposition_code__in=["07", "10", "11"],
        disposition__status__in=["approved", "cancelled"],
    ).select_related("disposition")
    for row in rows:
        decided = disposition_relief(row, row.disposition)
        relief = decided.period(as_of=as_of, projecting=projecting) if decided else None
        if relief is not None:
            found[row.assessment_id].periods.append(relief)
    for reduction in LateChargeReduction.objects.effective_on(as_of).filter(assessment_id__in=ids):
        relief = reduction_relief(reduction)
        if relief is not None:
            found[reduction.assessment_id].periods.append(relief)
        else:
            found[reduction.assessment_id].remitted_amount += reduction.decided_amount or 0
    return dict(found)


def reduction(officer, supervisor, notice, *, decided_on, **decision):
    clerk, boss = Actor.for_staff(officer, "T0001"), Actor.for_staff(supervisor, "T0002")
    assessment = Assessment.objects.get(notice_number=notice)
    with time_machine.travel(decided_on, tick=False):
        applied = reductions.apply_for_reduction(
            actor=clerk,
            assessment=assessment,
            applied_on=decided_on,
            reason="災害により事業用資産に損害を受けたため",
            **(
                {"requested_amount": decision["amount"]}
                if "amount" in decision
                else {"requested_start": decision["start"], "requested_end": decision["end"]}
            ),
        )
        return reductions.decide_reduction(actor=boss, reduction=applied, note="条例第○条に該当", **decision)


def cancel(supervisor, decided, *, on):
    with time_machine.travel(on, tick=False):
        reductions.cancel_reduction(
            actor=Actor.for_staff(supervisor, "T0002"), reduction=decided, reason="事由が消滅したため"
        )


def periods(found, notice):
    reliefs = found.get(Assessment.objects.get(notice_number=notice).pk)
    if reliefs is None:
        return [], 0
    return [(p.start, p.end, p.kind, p.share) for p in reliefs.periods], reliefs.remitted_amount


def assert_same_every_day(ids, days):
    for day in days:
        for projecting in (False, True):
            compiled = exemption_periods_for_ids(ids, as_of=day, projecting=projecting)
            assert compiled == through_the_orm(ids, as_of=day, projecting=projecting), (day, projecting)


def test_dispositions_across_their_ends_and_cancellations_as_through_the_orm(officer, supervisor, ledger):
    first, second = "210000101", "210000102"
    postponement = approve_relief(
        officer, supervisor, first, code="11", category="00", on=date(2022, 4, 1), until=date(2023, 3, 31)
    )
    stop = approve_relief(
        officer,
        supervisor,
        first,
        code="07",
        category="72",
        on=date(2023, 6, 1),
        cancelled=(date(2024, 4, 1), "9"),
    )
    approve_relief(
        officer, supervisor, second, code="10", category="81", on=date(2022, 9, 1), until=date(2023, 8, 31)
    )
    approve_relief(  # cancelled as 誤り: it never had effect
        officer,
        supervisor,
        second,
        code="07",
        category="72",
        on=date(2023, 10, 1),
        cancelled=(date(2024, 1, 10), "2"),
    )
    ids = list(Assessment.objects.values_list("pk", flat=True))
    day = date(2022, 4, 1)
    edges = [date(2022, 3, 31), day, date(2023, 3, 30), date(2023, 3, 31), date(2023, 4, 1), date(2023, 6, 1)]
    edges += [date(2023, 10, 1), date(2024, 1, 10), date(2024, 3, 31), date(2024, 4, 1), date(2024, 6, 28)]
    assert_same_every_day(ids, edges)

    # and what they are: the one statement answers each day with that day's rows
    assert periods(exemption_periods_for_ids(ids, as_of=date(2022, 3, 31)), first) == ([], 0)
    assert periods(exemption_periods_for_ids(ids, as_of=date(2022, 12, 31)), first) == (
        [(day, date(2022, 12, 31), POSTPONED, FULL_SHARE)],
        0,
    )
    found = exemption_periods_for_ids(ids, as_of=date(2024, 6, 28))
    assert sorted(periods(found, first)[0]) == [
        (day, date(2023, 3, 31), POSTPONED, FULL_SHARE),  # to its 終期
        (date(2023, 6, 1), date(2024, 3, 31), EXEMPT, FULL_SHARE),  # to the day before its 取消
    ]
    assert {p.ref for p in found[Assessment.objects.get(notice_number=first).pk].periods} == {
        postponement.number,
        stop.number,
    }
    assert periods(found, second) == ([(date(2022, 9, 1), date(2023, 8, 31), EXEMPT, FULL_SHARE)], 0)
    # projecting: a 猶予 to its 終期, a running 執行停止 to the day asked about
    projected = exemption_periods_for_ids(ids, as_of=date(2023, 12, 1), projecting=True)
    assert sorted(periods(projected, first)[0]) == [
        (day, date(2023, 3, 31), POSTPONED, FULL_SHARE),
        (date(2023, 6, 1), date(2023, 12, 1), EXEMPT, FULL_SHARE),
    ]
    # ids outside the call are not read: the other installment's rows stay out
    only_second = [Assessment.objects.get(notice_number=second).pk]
    assert set(exemption_periods_for_ids(only_second, as_of=date(2024, 6, 28))) == set(only_second)
    # the history reading of the same moment agrees (it reads the rows in another order)
    history = exemption_periods_for_ids(ids, as_of=date(2024, 6, 28), known_at=timezone.now())

    def in_order(reliefs):
        return {pk: sorted(r.periods, key=lambda p: (p.start, p.ref)) for pk, r in reliefs.items()}

    assert in_order(history) == in_order(found)


def test_reductions_of_each_category_as_through_the_orm(officer, supervisor, ledger):
    first, second = "210000101", "210000102"
    share = reduction(
        officer, supervisor, first, decided_on=date(2024, 5, 1), category="share", share=50,
        start=date(2022, 4, 1), end=date(2024, 3, 31),
    )  # fmt: skip
    full = reduction(
        officer, supervisor, second, decided_on=date(2024, 5, 1), category="all",
        start=date(2021, 8, 1), end=date(2024, 6, 28),
    )  # fmt: skip
    ids = list(Assessment.objects.values_list("pk", flat=True))
    days = [date(2024, 4, 30), date(2024, 5, 1), date(2024, 6, 28)]
    assert_same_every_day(ids, days)
    found = exemption_periods_for_ids(ids, as_of=date(2024, 6, 28))
    assert periods(found, first) == ([(date(2022, 4, 1), date(2024, 3, 31), REDUCTION, 50)], 0)
    assert periods(found, second) == ([(date(2021, 8, 1), date(2024, 6, 28), REDUCTION, FULL_SHARE)], 0)
    assert exemption_periods_for_ids(ids, as_of=date(2024, 4, 30)) == {}  # not yet decided

    cancel(supervisor, full, on=date(2024, 5, 20))  # a cancelled one counts for nothing
    reduction(officer, supervisor, second, decided_on=date(2024, 6, 1), category="amount", amount=3_000)
    assert_same_every_day(ids, [*days, date(2024, 5, 31), date(2024, 6, 1)])
    found = exemption_periods_for_ids(ids, as_of=date(2024, 6, 28))
    assert periods(found, second) == ([], 3_000)
    assert found[share.assessment_id].periods[0].ref == share.number


def test_one_statement_per_reading_compiled_once(officer, supervisor, ledger):
    approve_relief(officer, supervisor, "210000101", code="07", category="72", on=date(2023, 6, 1))
    ids = list(Assessment.objects.values_list("pk", flat=True))
    exemption_periods_for_ids(ids, as_of=date(2024, 6, 28))
    compiled = dict(exemptions._compiled)
    assert set(compiled) == {exemptions.decided_rows, exemptions.effective_reductions}
    with CaptureQueriesContext(connection) as queries:
        for offset in range(3):
            exemption_periods_for_ids(ids[offset:], as_of=date(2024, 6, 28) - timedelta(days=offset))
    assert len(queries) == 6
    assert len({query["sql"] for query in queries}) == 2 * 3  # each with its own ids and day
    assert exemptions._compiled == compiled  # the SQL itself built once
