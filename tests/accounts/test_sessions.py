"""Idle timeout (15 minutes) and absolute limit (9 hours), measured with time-machine."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

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
