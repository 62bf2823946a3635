"""Wrong one-time codes sent in parallel (real threads, real PostgreSQL transactions): the back-off
counter counts every code that was checked, and only one code is checked per back-off period."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import AuthenticatorApp, SecurityEvent
from accounts.roles import Role
from tests.concurrency.test_concurrent_saves import run_together
from tests.conftest import PASSWORD, current_code, make_staff

pytestmark = pytest.mark.django_db(transaction=True)
ATTEMPTS = 30


def wrong_code(staff) -> str:
    return f"{(int(current_code(staff)) + 1) % 1_000_000:06d}"


@pytest.fixture
def guessed(terminal):
    return make_staff("S1002", Role.COLLECTIONS_OFFICER, full_name="佐藤 次郎")


def test_thirty_parallel_wrong_codes_raise_the_counter_once_for_each_code_checked(guessed):
    device = AuthenticatorApp.objects.get(user=guessed)
    wrong = wrong_code(guessed)
    results = run_together(
        lambda i: services.check_one_time_code(device_id=device.pk, token=wrong)[0], count=ATTEMPTS
    )
    assert not [r for r in results if isinstance(r, Exception)]
    checked = results.count(services.CodeCheck.REJECTED)
    throttled = results.count(services.CodeCheck.THROTTLED)
    device.refresh_from_db()
    assert checked + throttled == ATTEMPTS
    assert device.throttling_failure_count == checked  # no lost update
    # The first wrong code starts a one-second wait that doubles after each; thirty requests
    # released together fit in a few seconds, so only a handful can be checked at all.
    assert 1 <= checked <= 4


def test_parallel_wrong_codes_on_the_verify_page_are_each_counted_or_refused_unchecked(guessed):
    clients = []
    for _ in range(ATTEMPTS):
        client = Client()
        client.post(reverse("accounts:login"), {"staff_number": "S1002", "password": PASSWORD})
        clients.append(client)
    wrong = wrong_code(guessed)
    responses = run_together(
        lambda i: clients[i].post(reverse("accounts:verify"), {"token": wrong}).content.decode(),
        count=ATTEMPTS,
    )
    checked = sum("ワンタイムパスワードが正しくありません" in page for page in responses)
    throttled = sum("しばらく入力できません" in page for page in responses)
    assert checked + throttled == ATTEMPTS
    assert AuthenticatorApp.objects.get(user=guessed).throttling_failure_count == checked
    events = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.OTP_REJECTED, staff_number="S1002")
    assert events.count() == ATTEMPTS
    assert events.filter(detail="試行制限中").count() == throttled
