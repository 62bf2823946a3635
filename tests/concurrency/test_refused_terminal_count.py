"""Parallel requests from one unregistered address (real threads, real PostgreSQL): one
security-log row for the minute, and its count is every refused request — none lost."""

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import SecurityEvent
from tests.concurrency.test_concurrent_saves import run_together

pytestmark = pytest.mark.django_db(transaction=True)
REQUESTS = 24


def test_parallel_refusals_in_one_minute_add_up_on_one_row(terminal):
    with time_machine.travel(timezone.now().replace(second=10, microsecond=0), tick=False):
        statuses = run_together(
            lambda i: Client(REMOTE_ADDR="10.20.30.40").get(reverse("accounts:login")).status_code,
            count=REQUESTS,
        )
    assert statuses == [403] * REQUESTS
    row = SecurityEvent.objects.get(kind=SecurityEvent.Kind.TERMINAL_REFUSED)
    assert row.repeat_count == REQUESTS
