"""reconcile does not compute again an installment it found paid in full (完納) while its inputs are
unchanged (`SettledInputs`) — and computes it again as soon as any input changes: a payment, a 時効
event, an 執行停止, a 欠損, a 更正 of the 調定, the rules, or the stored balance itself. Each case
also checks the stored balance against a run from empty tables."""

from datetime import date

import pytest
from django.db import connection

from taxpayers import reconciliation
from taxpayers.models import (
    Assessment,
    InstallmentBalance,
    SettledInputs,
    WriteOffReason,
    WrittenOff,
)
from taxpayers.reconciliation import BALANCE_FIELDS, reconcile
from taxpayers.services import record_prescription_event
from tests.assessments import add_payment
from tests.taxpayers.test_ledger_exemptions import approved
from wako_collections.actors import Actor, acting_as
from wako_collections.records import stamp

pytestmark = pytest.mark.django_db

DAY = date(2024, 6, 28)


@pytest.fixture
def paid_late(ledger, batch_actor):
    """210000101 (65,000円, 35,000円 left after 2021-09-30) paid off late on 2022-01-11: computed in
    Python (a payment after 納期限), owes nothing, its 延滞金 fixed on that day."""
    assessment = Assessment.objects.get(notice_number="210000101")
    add_payment(assessment, batch_actor, on=date(2022, 1, 11), amount=60_000, receipt="R0101")
    return assessment


@pytest.fixture
def computed(monkeypatch):
    """The ids whose standing reconcile computes in Python."""
    ids: list[int] = []
    original = reconciliation._settled_row

    def counting(row, *args):
        ids.append(row[0])
        return original(row, *args)

    monkeypatch.setattr(reconciliation, "_settled_row", counting)
    return ids


def stored(assessment) -> tuple:
    return InstallmentBalance.objects.filter(pk=assessment.pk).values_list(*BALANCE_FIELDS).get()


def from_empty(assessment, as_of) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE taxpayers_installmentbalance, taxpayers_taxpayerbalance, taxpayers_settledinputs"
        )
    reconcile(as_of=as_of)
    return stored(assessment)


def test_an_unchanged_paid_off_installment_is_not_computed_again(paid_late, computed):
    reconcile(as_of=DAY)
    assert paid_late.pk in computed and stored(paid_late)[6] == "paid"
    assert SettledInputs.objects.filter(pk=paid_late.pk).exists()
    before = stored(paid_late)
    computed.clear()
    again = reconcile(as_of=date(2025, 6, 30))
    assert paid_late.pk not in computed
    assert again.changed >= 0 and stored(paid_late) == before == from_empty(paid_late, date(2025, 6, 30))


def _payment(assessment, actor, officer, supervisor):
    add_payment(assessment, actor, on=date(2024, 7, 1), amount=1_000, receipt="R0102")


def _event(assessment, actor, officer, supervisor):
    record_prescription_event(
        actor=actor, assessment=assessment, kind="acknowledgement", on=date(2024, 7, 1), source="承認書"
    )


def _stop(assessment, actor, officer, supervisor):
    approved(officer, supervisor, code="07", category="72", on=date(2021, 8, 1))


def _written_off(assessment, actor, officer, supervisor):
    written_off = WrittenOff(
        assessment=assessment,
        written_off_on=date(2024, 7, 1),
        fiscal_year=2024,
        reason=WriteOffReason.PRESCRIPTION,
        article="地方税法第18条第1項",
        extinguished_on=date(2024, 7, 1),
        principal=0,
        demand_fee=0,
        late_charge=0,
        source="K0001",
    )
    with acting_as(actor):
        stamp(written_off, actor)
        written_off.save()


def _corrected(assessment, actor, officer, supervisor):
    Assessment.objects.filter(pk=assessment.pk).update(principal=66_000)  # 更正: 1,000円 more


def _balance_edited(assessment, actor, officer, supervisor):
    InstallmentBalance.objects.filter(pk=assessment.pk).update(paid_late_charge=1)


def _rules(assessment, actor, officer, supervisor):
    reconciliation._rules_fingerprint = lambda cursor: "another deploy"


@pytest.mark.parametrize(
    "change", [_payment, _event, _stop, _written_off, _corrected, _balance_edited, _rules]
)
def test_a_paid_off_installment_is_computed_again_when_an_input_changes(
    paid_late, computed, batch_actor, officer, supervisor, monkeypatch, change
):
    monkeypatch.setattr(reconciliation, "_rules_fingerprint", reconciliation._rules_fingerprint)
    reconcile(as_of=DAY)
    assert SettledInputs.objects.filter(pk=paid_late.pk).exists()
    before = stored(paid_late)
    change(paid_late, Actor.for_staff(officer, "T0001"), officer, supervisor)
    computed.clear()
    as_of = date(2025, 6, 30)
    reconcile(as_of=as_of)
    assert paid_late.pk in computed
    after = stored(paid_late)
    assert after == from_empty(paid_late, as_of)
    if change in (_payment, _written_off, _corrected):
        assert after != before  # the change shows, and was not hidden by the stored balance
    if change is _balance_edited:
        assert after == before  # the edited row was written back


def test_the_rules_digest_covers_every_module_the_standing_is_computed_by():
    """A deploy that changes any module the standing imports (at any depth) must make the stored
    signatures stale: ordinance (the 保険料's low-band months) is imported by the standing alone."""
    sources = reconciliation.rule_sources()
    for module in (
        "taxpayers.standing",
        "taxpayers.settlement",
        "taxpayers.late_charges",
        "taxpayers.prescription",
        "taxpayers.exemptions",
        "taxpayers.subjects",
        "taxpayers.ordinance",
        "taxpayers.reconciliation",
        "wako_collections.eras",
    ):
        assert module in sources
    assert not any(name.startswith(("django", "psycopg")) for name in sources)
