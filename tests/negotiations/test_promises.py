"""Promises (入金予定額 by 予実日) are judged after a grace period against payments."""

from datetime import date

import pytest
import time_machine

from negotiations import services
from negotiations.models import NegotiationRecord
from taxpayers.models import Taxpayer
from tests.negotiations.conftest import CONTACT
from tests.taxpayers.conftest import PAYMENT_HEADER

pytestmark = pytest.mark.django_db


def promise(actor, amount, on):
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    return services.record_negotiation(
        actor=actor,
        taxpayer=taxpayer,
        values={**CONTACT, "result": "4", "promised_amount": amount, "scheduled_date": on},
    )


def pay(write_csv, batch_actor, receipt, day, amount):
    from taxpayers.importing import run_import, start_log

    row = f"{receipt},02,0000,112291,112291,1,2021,2021,210000101,1,{day},{day},{amount},1"
    path = write_csv(f"{receipt}.csv", PAYMENT_HEADER, [row])
    run_import(
        log=start_log(kind="payments", path=path, file_name=path.name, actor=batch_actor),
        path=path,
        actor=batch_actor,
    )


@pytest.mark.parametrize(
    ("paid", "result", "broken"), [(20_000, "5", False), (5_000, "6", True), (0, "7", True)]
)
def test_a_promise_is_kept_partly_kept_or_broken(
    officer_actor, ledger, write_csv, batch_actor, settings, paid, result, broken
):
    settings.PROMISE_GRACE_DAYS = 3
    with time_machine.travel(date(2022, 2, 1), tick=False):
        record = promise(officer_actor, 20_000, date(2022, 2, 25))
    if paid:
        with time_machine.travel(date(2022, 2, 26), tick=False):  # the import judges what is due: nothing yet
            pay(write_csv, batch_actor, "P1", "2022-02-24", paid)
    with time_machine.travel(date(2022, 2, 28), tick=False):  # within grace: not judged yet
        services.evaluate_promises()
    record.refresh_from_db()
    assert record.result == NegotiationRecord.Result.PROMISED
    with time_machine.travel(date(2022, 3, 1), tick=False):
        services.evaluate_promises()
    record.refresh_from_db()
    assert (record.result, record.broken, record.promise_paid) == (result, broken, paid)
    assert record.history.first().history_change_reason.startswith("約束の判定")


def test_a_payment_import_judges_the_promises_it_touches(
    officer_actor, ledger, write_csv, batch_actor, settings
):
    settings.PROMISE_GRACE_DAYS = 0
    with time_machine.travel(date(2022, 2, 1), tick=False):
        record = promise(officer_actor, 10_000, date(2022, 2, 10))
    with time_machine.travel(date(2022, 2, 20), tick=False):
        pay(write_csv, batch_actor, "P2", "2022-02-09", 10_000)
    record.refresh_from_db()
    assert record.result == NegotiationRecord.Result.KEPT


def test_the_nightly_command_judges_and_summarises(officer_actor, ledger, capsys, settings):
    from django.core.management import call_command

    settings.PROMISE_GRACE_DAYS = 0
    with time_machine.travel(date(2022, 2, 1), tick=False):
        promise(officer_actor, 20_000, date(2022, 2, 10))
    call_command("evaluate_promises", "--as-of", "2022-03-01")
    assert "不履行 1件" in capsys.readouterr().out
