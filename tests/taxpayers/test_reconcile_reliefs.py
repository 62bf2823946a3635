"""reconcile stores the 延滞金 the standing computes, 免除 and 減免 included (issue 16): the stored
InstallmentBalance (滞納者一覧, queues, dashboard) and `standings_for` / `standing_of` (収納状況照会,
forms) read the same inputs through `exemptions.exemption_periods_for_ids`.
The fixture's 210000101 is the field case: 65,000円 due 2021-05-31, 35,000円 left; 9,900円 of 延滞金
as of 2024-06-28 with no relief."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reductions import services as reductions
from taxpayers.exemptions import exemption_periods_for
from taxpayers.models import Assessment, InstallmentBalance, TaxpayerBalance
from taxpayers.reconciliation import reconcile
from taxpayers.standing import standing_of, standings_for
from tests.taxpayers.test_ledger_exemptions import approved
from wako_collections.actors import Actor

pytestmark = pytest.mark.django_db

AS_OF = date(2024, 6, 28)


def field_case():
    return Assessment.objects.get(notice_number="210000101")


def stored_and_computed(as_of=AS_OF):
    reconcile(as_of=as_of)
    assessment = field_case()
    balance = InstallmentBalance.objects.get(assessment=assessment)
    (many,) = standings_for([assessment], as_of=as_of)
    one = standing_of(
        assessment, as_of=as_of, reliefs=exemption_periods_for([assessment], as_of=as_of).get(assessment.pk)
    )
    return balance, many, one


def test_without_relief_the_stored_late_charge_is_the_whole_delay(ledger):
    balance, many, one = stored_and_computed()
    assert balance.late_charge == many.late_charge == one.late_charge == 9_900


def test_a_stop_period_is_exempted_in_the_stored_balance_as_in_the_standing(officer, supervisor, ledger):
    approved(
        officer, supervisor, code="07", category="72", on=date(2022, 4, 1), cancelled_on=date(2024, 4, 1)
    )
    balance, many, one = stored_and_computed()
    assert balance.late_charge == many.late_charge == one.late_charge == 3_800
    assert TaxpayerBalance.objects.get(taxpayer__atena_number="000000101").late_charge == 3_800
    # before the stop was approved nothing was known of it: the whole delay to that day
    balance, many, _ = stored_and_computed(date(2022, 3, 31))
    assert balance.late_charge == many.late_charge


def test_a_postponement_bears_the_reduced_rate_in_the_stored_balance(officer, supervisor, ledger):
    approved(officer, supervisor, code="11", category="00", on=date(2022, 4, 1), until=date(2023, 3, 31))
    balance, many, one = stored_and_computed()
    assert balance.late_charge == many.late_charge == one.late_charge == 7_200


def test_a_decided_reduction_lowers_the_stored_balance_as_the_standing(officer, supervisor, ledger):
    clerk, boss = Actor.for_staff(officer, "T0001"), Actor.for_staff(supervisor, "T0002")
    with time_machine.travel(date(2024, 5, 1), tick=False):
        reduction = reductions.apply_for_reduction(
            actor=clerk,
            assessment=field_case(),
            applied_on=date(2024, 5, 1),
            reason="災害により事業用資産に損害を受けたため",
            requested_start=date(2022, 4, 1),
            requested_end=date(2024, 6, 28),
        )
    with time_machine.travel(date(2024, 5, 10), tick=False):
        reductions.decide_reduction(
            actor=boss,
            reduction=reduction,
            note="条例第○条に該当",
            category="share",
            share=5_000,
            start=date(2022, 4, 1),
            end=date(2024, 6, 28),
        )
    balance, many, one = stored_and_computed()
    assert balance.late_charge == many.late_charge == one.late_charge == 6_500


def test_a_reduction_by_amount_is_taken_off_the_stored_total(officer, supervisor, ledger):
    clerk, boss = Actor.for_staff(officer, "T0001"), Actor.for_staff(supervisor, "T0002")
    with time_machine.travel(date(2024, 5, 1), tick=False):
        reduction = reductions.apply_for_reduction(
            actor=clerk,
            assessment=field_case(),
            applied_on=date(2024, 5, 1),
            reason="災害により事業用資産に損害を受けたため",
            requested_amount=3_000,
        )
    with time_machine.travel(date(2024, 5, 10), tick=False):
        reductions.decide_reduction(
            actor=boss, reduction=reduction, note="条例第○条に該当", category="amount", amount=3_000
        )
    balance, many, one = stored_and_computed()
    assert balance.late_charge == many.late_charge == one.late_charge == 6_900


def test_reconcile_reads_the_reliefs_in_a_fixed_number_of_queries(officer, supervisor, ledger):
    approved(
        officer, supervisor, code="07", category="72", on=date(2022, 4, 1), cancelled_on=date(2024, 4, 1)
    )
    reconcile(as_of=AS_OF)
    with CaptureQueriesContext(connection) as few:
        reconcile(as_of=AS_OF)
    # every other installment made delinquent too (a bulk update: no history needed in a test)
    Assessment.objects.exclude(pk=field_case().pk).update(
        due_date=date(2021, 5, 31), statutory_due_date=date(2021, 5, 31)
    )
    with CaptureQueriesContext(connection) as many:
        reconcile(as_of=AS_OF)
    assert InstallmentBalance.objects.filter(status="delinquent").count() == Assessment.objects.count() > 1

    # Refreshing the statistics after a large change (ANALYZE) is not a read of the reliefs.
    def reads(queries):
        return [q for q in queries.captured_queries if not q["sql"].startswith("ANALYZE taxpayers_")]

    assert len(reads(many)) == len(reads(few))


def test_approving_and_cancelling_a_stop_refreshes_the_stored_balance_at_once(officer, supervisor, ledger):
    # no reconcile run here: the approvals themselves bring the stored balance in line with the ledger
    approved(
        officer, supervisor, code="07", category="72", on=date(2022, 4, 1), cancelled_on=date(2024, 4, 1)
    )
    day = date(2024, 4, 1)  # the cancellation's 決裁 reconciled the installment as of that day
    balance = InstallmentBalance.objects.get(assessment=field_case())
    (held,) = standings_for([field_case()], as_of=day)
    assert balance.late_charge == held.late_charge
    assert held.late_charge < standing_of(field_case(), as_of=day).late_charge  # the same day without relief


def test_deciding_a_reduction_refreshes_the_stored_balance_at_once(officer, supervisor, ledger):
    clerk, boss = Actor.for_staff(officer, "T0001"), Actor.for_staff(supervisor, "T0002")
    with time_machine.travel(date(2024, 5, 1), tick=False):
        reconcile()
        reduction = reductions.apply_for_reduction(
            actor=clerk,
            assessment=field_case(),
            applied_on=date(2024, 5, 1),
            reason="災害により事業用資産に損害を受けたため",
            requested_amount=3_000,
        )
    day = date(2024, 5, 10)
    with time_machine.travel(day, tick=False):
        reductions.decide_reduction(
            actor=boss, reduction=reduction, note="条例第○条に該当", category="amount", amount=3_000
        )
    (held,) = standings_for([field_case()], as_of=day)
    assert InstallmentBalance.objects.get(assessment=field_case()).late_charge == held.late_charge
    assert held.settlement.late_charge_remitted == 3_000
    with time_machine.travel(date(2024, 5, 20), tick=False):
        reductions.cancel_reduction(actor=boss, reduction=reduction, reason="申請内容に偽りがあったため")
    (held,) = standings_for([field_case()], as_of=date(2024, 5, 20))
    assert InstallmentBalance.objects.get(assessment=field_case()).late_charge == held.late_charge
    assert held.settlement.late_charge_remitted == 0
