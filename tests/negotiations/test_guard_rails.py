"""Guard rails of issue 18: no promise in the past, no pledge paying before it was made, no
payment day on 元日 or a Sunday."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from negotiations import services
from negotiations.models import NegotiationRecord
from negotiations.schedules import build_schedule
from taxpayers.deadlines import is_closed
from tests.conftest import sign_in
from tests.negotiations.conftest import CONTACT
from tests.negotiations.test_pledges import make
from tests.negotiations.test_promises import promise

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("days_before", [1, 30, 365])
def test_a_promise_dated_before_today_is_refused(officer_actor, ledger, days_before):
    with (
        time_machine.travel(date(2022, 2, 10), tick=False),
        pytest.raises(services.NegotiationError, match="予実日"),
    ):
        promise(officer_actor, 10_000, date.fromordinal(date(2022, 2, 10).toordinal() - days_before))
    assert not NegotiationRecord.objects.promises().exists()


def test_a_promise_for_today_or_later_is_accepted(officer_actor, ledger):
    with time_machine.travel(date(2022, 2, 10), tick=False):
        assert promise(officer_actor, 10_000, date(2022, 2, 10)).pk
        assert promise(officer_actor, 10_000, date(2022, 3, 1)).pk


def test_an_edit_cannot_move_a_promise_before_the_day_it_was_made(officer_actor, ledger):
    with time_machine.travel(date(2022, 2, 10), tick=False):
        record = promise(officer_actor, 10_000, date(2022, 2, 20))
        values = {**CONTACT, "result": "4", "promised_amount": 10_000, "scheduled_date": date(2022, 2, 9)}
        with pytest.raises(services.NegotiationError, match="予実日"):
            services.update_negotiation(
                actor=officer_actor, record_number=record.record_number, expected_revision=1, values=values
            )


def test_the_form_shows_the_refusal_and_records_nothing(client, officer, ledger):
    sign_in(client, officer)
    with time_machine.travel(date(2022, 2, 10), tick=False):
        page = client.post(
            reverse("negotiations:record_create", args=["000000101"]),
            {**CONTACT, "result": "4", "promised_amount": 10_000, "scheduled_date": "令和4年2月1日"},
        )
    assert page.status_code == 400
    assert "予実日（入金の予定日）が約束をした日より前です" in page.content.decode()
    assert not NegotiationRecord.objects.exists()


@pytest.mark.parametrize("first", [date(2022, 1, 31), date(2021, 12, 1)])
def test_a_pledge_whose_first_payment_is_before_the_pledge_day_is_refused(officer_actor, ledger, first):
    with pytest.raises(services.NegotiationError, match="誓約日より前"):
        make(officer_actor, first=first, pledged=date(2022, 2, 1))


def test_a_pledge_paying_on_its_pledge_day_is_accepted(officer_actor, ledger):
    assert make(officer_actor, first=date(2022, 2, 1), pledged=date(2022, 2, 1)).pk


@pytest.mark.parametrize(
    ("first", "moved_to"),
    [
        (date(2026, 1, 1), date(2026, 1, 5)),  # 元日 (Thu) → 1/2, 1/3 closed, 1/4 Sunday → Monday 1/5
        (date(2026, 3, 1), date(2026, 3, 2)),  # a Sunday → Monday
        (date(2026, 5, 3), date(2026, 5, 7)),  # 憲法記念日 (Sunday), みどりの日, こどもの日, 振替休日
    ],
)
def test_a_payment_day_on_a_closed_day_moves_to_the_next_open_day(first, moved_to):
    schedule = build_schedule(total=120_000, first_date=first, count=12)
    assert schedule[0].due_date == moved_to
    assert not any(is_closed(p.due_date) for p in schedule)


def test_custom_dates_move_too():
    schedule = build_schedule(
        total=30_000, first_date=date(2026, 1, 1), dates=[date(2026, 1, 1), date(2026, 2, 1)]
    )
    assert [p.due_date for p in schedule] == [date(2026, 1, 5), date(2026, 2, 2)]
