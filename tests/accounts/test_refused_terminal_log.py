"""Requests from unregistered addresses are refused and logged, but counted rather than listed:
one security-log row per address and minute, so a flood cannot fill the table."""

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.events import record_event
from accounts.models import SecurityEvent

pytestmark = pytest.mark.django_db
REFUSED = SecurityEvent.Kind.TERMINAL_REFUSED
A_MINUTE = timezone.now().replace(second=5, microsecond=0)


def refusals():
    return SecurityEvent.objects.filter(kind=REFUSED).order_by("occurred_at")


def test_a_flood_from_one_address_within_a_minute_is_one_row_with_its_count(terminal):
    flooder = Client(REMOTE_ADDR="10.20.30.40")
    with time_machine.travel(A_MINUTE, tick=False):
        for i in range(50):
            assert flooder.get(f"/accounts/login/?try={i}").status_code == 403
    row = refusals().get()
    assert (row.ip_address, row.repeat_count, row.detail) == ("10.20.30.40", 50, "/accounts/login/")
    assert row.minute == A_MINUTE.replace(second=0)


def test_each_minute_and_each_address_has_its_own_row(terminal):
    with time_machine.travel(A_MINUTE, tick=False):
        for _ in range(3):
            Client(REMOTE_ADDR="10.20.30.40").get(reverse("accounts:login"))
        Client(REMOTE_ADDR="10.20.30.41").get(reverse("accounts:login"))
    with time_machine.travel(A_MINUTE + timedelta(seconds=50), tick=False):  # 00:55 — same minute
        Client(REMOTE_ADDR="10.20.30.40").get(reverse("home"))
    with time_machine.travel(A_MINUTE + timedelta(minutes=1), tick=False):
        for _ in range(2):
            Client(REMOTE_ADDR="10.20.30.40").get(reverse("accounts:login"))
    assert [
        (row.ip_address, row.repeat_count) for row in refusals().order_by("occurred_at", "ip_address")
    ] == [
        ("10.20.30.40", 4),
        ("10.20.30.41", 1),
        ("10.20.30.40", 2),
    ]


def test_ipv6_addresses_are_counted_the_same_way(terminal):
    with time_machine.travel(A_MINUTE, tick=False):
        for _ in range(5):
            assert Client(REMOTE_ADDR="2001:db8::7").get(reverse("accounts:login")).status_code == 403
    assert refusals().get().repeat_count == 5


def test_a_forwarded_address_that_is_no_address_is_refused_and_counted_not_an_error(terminal, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1/32"]
    proxy = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-address")
    with time_machine.travel(A_MINUTE, tick=False):
        assert proxy.get(reverse("accounts:login")).status_code == 403
        assert proxy.get(reverse("accounts:login")).status_code == 403
    row = refusals().get()
    assert row.ip_address is None and row.repeat_count == 2
    assert "not-an-address" in row.detail


def test_other_events_are_never_counted(terminal):
    event = record_event(SecurityEvent.Kind.PASSWORD_REJECTED, staff_number="S1001")
    assert (event.repeat_count, event.minute) == (1, None)
    with (
        pytest.raises(IntegrityError, match="accounts_securityevent_only_refusals_are_counted"),
        transaction.atomic(),
    ):
        SecurityEvent.objects.filter(pk=event.pk).update(repeat_count=2)


def test_the_audit_log_shows_how_many_times(terminal, supervisor):
    from tests.conftest import sign_in

    with time_machine.travel(A_MINUTE, tick=False):
        for _ in range(7):
            Client(REMOTE_ADDR="10.20.30.40").get(reverse("accounts:login"))
    page = sign_in(Client(), supervisor).get(reverse("audit:security_events")).content.decode()
    assert "10.20.30.40" in page and "7回" in page
