"""収納状況照会 as of a past date used payments and events after that date (issue 18): as of a day
means as known on that day."""

from datetime import date

import pytest

from taxpayers.ledger import ledger_for
from taxpayers.models import Assessment, PrescriptionEvent, Taxpayer
from tests.taxpayers.conftest import PAYMENT_HEADER

pytestmark = pytest.mark.django_db


def pay(write_csv, actor, receipt, received, booked, amount):
    from taxpayers.importing import run_import, start_log

    row = f"{receipt},02,0000,112291,112291,1,2021,2021,210000101,1,{received},{booked},{amount},1"
    path = write_csv(f"{receipt}.csv", PAYMENT_HEADER, [row])
    run_import(
        log=start_log(kind="payments", path=path, file_name=path.name, actor=actor), path=path, actor=actor
    )


def paid(as_of):
    ledger = ledger_for(Taxpayer.objects.get(atena_number="000000101"), as_of=as_of)
    return sum(line.paid_total for line in ledger.lines if line.assessment.notice_number == "210000101")


def test_a_payment_received_after_the_day_is_not_in_the_ledger_of_that_day(ledger, write_csv, batch_actor):
    before = paid(date(2022, 2, 20))
    pay(write_csv, batch_actor, "P1", "2022-02-24", "2022-02-24", 10_000)
    assert paid(date(2022, 2, 20)) == before
    assert paid(date(2022, 2, 23)) == before
    assert paid(date(2022, 2, 24)) == before + 10_000


def test_a_payment_booked_after_the_day_was_not_known_on_it(ledger, write_csv, batch_actor):
    before = paid(date(2022, 2, 25))
    pay(write_csv, batch_actor, "P2", "2022-02-24", "2022-03-02", 10_000)  # paid at a bank, booked later
    assert paid(date(2022, 2, 25)) == before
    assert paid(date(2022, 3, 2)) == before + 10_000


def test_a_prescription_event_after_the_day_is_not_in_its_chain(ledger, batch_actor):
    from wako_collections.actors import acting_as
    from wako_collections.records import save_tracked, stamp

    assessment = Assessment.objects.get(notice_number="210000101")
    event = PrescriptionEvent(
        assessment=assessment,
        kind=PrescriptionEvent.Kind.ACKNOWLEDGEMENT,
        occurred_on=date(2024, 5, 1),
        source="分納誓約 B2024000001",
    )
    with acting_as(batch_actor):
        stamp(event, batch_actor)
        save_tracked(event, reason="分納誓約による承認")

    def explained(as_of):
        ledger = ledger_for(assessment.taxpayer, as_of=as_of)
        return next(line for line in ledger.lines if line.assessment.pk == assessment.pk).chain.explained()

    assert "B2024000001" not in explained(date(2024, 4, 30))
    assert "B2024000001" in explained(date(2024, 5, 1))
