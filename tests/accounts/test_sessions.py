"""Idle timeout (15 minutes) and absolute limit (9 hours), measured with time-machine."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import SESSION_SEEN_KEY
from accounts.models import SecurityEvent
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_fourteen_idle_minutes_keep_the_session(client, officer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, officer)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert client.get(reverse("home")).status_code == 200


def test_sixteen_idle_minutes_end_the_session(client, officer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, officer)
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        response = client.get(reverse("home"))
        assert response["Location"] == reverse("accounts:login")
        follow = client.get(response["Location"])
    assert "一定時間操作がなかったため、ログアウトしました" in follow.content.decode()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SESSION_EXPIRED)
    assert (event.staff_number, event.terminal_number) == ("S1001", "T0001")


def test_activity_every_ten_minutes_still_ends_after_nine_hours(client, officer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, officer)
    minutes = 10
    while minutes < 9 * 60:
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("home")).status_code == 200, f"ended early at {minutes} minutes"
        minutes += 10
    with time_machine.travel(start + timedelta(hours=9, minutes=1), tick=False):
        response = client.get(reverse("home"))
    assert response["Location"] == reverse("accounts:login")
    assert (
        "ログインから時間が経過したため"
        in SecurityEvent.objects.get(kind=SecurityEvent.Kind.SESSION_EXPIRED).detail
    )


def test_a_request_within_a_minute_of_the_recorded_one_leaves_the_session_unsaved(client, officer):
    """The idle clock moves at most once a minute, so most pages write nothing to the session."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, officer)
    with (
        time_machine.travel(start + timedelta(seconds=59), tick=False),
        CaptureQueriesContext(connection) as captured,
    ):
        assert client.get(reverse("home")).status_code == 200
    assert not [q["sql"] for q in captured.captured_queries if "UPDATE" in q["sql"]]
    with (
        time_machine.travel(start + timedelta(seconds=61), tick=False),
        CaptureQueriesContext(connection) as captured,
    ):
        assert client.get(reverse("home")).status_code == 200
    assert [q["sql"] for q in captured.captured_queries if q["sql"].startswith('UPDATE "django_session"')]
    assert client.session[SESSION_SEEN_KEY] == (start + timedelta(seconds=61)).timestamp()


def test_a_request_the_clock_did_not_record_never_makes_the_session_last_longer(client, officer):
    """Sooner, never later: 15 minutes after the recorded request the session ends, even though
    a later request (within the minute) was not recorded."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, officer)
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        assert client.get(reverse("home"))["Location"] == reverse("accounts:login")


def test_continuing_always_moves_the_clock(client, officer):
    """「操作を続ける」 restarts the page's count from the full idle time, so it is always recorded."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, officer)
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        assert client.post(reverse("accounts:keepalive")).status_code == 204
    with time_machine.travel(start + timedelta(minutes=15, seconds=20), tick=False):
        assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_the_login_page_sends_a_member_still_signed_in_back_to_the_page_it_came_from(client, officer):
    """A page whose idle timer ran out a little before the server's goes to the login page with
    ?next=; while the session is still alive the login page returns there (an address of this
    site only), not to ホーム."""
    sign_in(client, officer)
    login = reverse("accounts:login")
    assert (
        client.get(login, {"next": "/negotiations/cases/000000101/"}).url == "/negotiations/cases/000000101/"
    )
    assert client.get(login, {"next": "https://evil.example/"}).url == reverse("home")
    assert client.get(login).url == reverse("home")
