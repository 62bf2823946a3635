"""Text typed into a long note was lost when the idle timeout ended the session (issue 18): every
signed-in page carries the warning script (nonce'd), 「操作を続ける」 keeps the session, and the
script keeps no 個人番号, password or token."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import sign_in

pytestmark = pytest.mark.django_db
SCRIPT = Path(settings.BASE_DIR) / "static" / "js" / "session_guard.js"


def at(start, minutes):
    return time_machine.travel(start + timedelta(minutes=minutes), tick=False)


def test_a_signed_in_page_carries_the_warning_with_the_idle_time_and_a_nonce(client, officer):
    start = timezone.now()
    with at(start, 0):
        sign_in(client, officer)
        response = client.get(reverse("home"))
    page = response.content.decode()
    idle = int(settings.SESSION_IDLE_TIMEOUT.total_seconds())
    assert f'data-idle-seconds="{idle}"' in page
    assert f'data-keepalive-url="{reverse("accounts:keepalive")}"' in page
    nonce = re.search(r'<script src="/static/js/session_guard\.js" nonce="([^"]+)"', page).group(1)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_the_warning_counts_from_the_idle_clock_as_recorded(client, officer):
    """The clock moves at most once a minute (accounts/middleware.py): a page served 30 seconds
    after the recorded request says the session has 30 seconds less, as the server will count."""
    start = timezone.now()
    with at(start, 0):
        sign_in(client, officer)
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        page = client.get(reverse("home")).content.decode()
    idle = int(settings.SESSION_IDLE_TIMEOUT.total_seconds())
    assert f'data-idle-seconds="{idle - 30}"' in page


def test_the_sign_in_page_has_no_warning(client):
    assert "session_guard.js" not in client.get(reverse("accounts:login")).content.decode()


def test_continuing_keeps_the_session_past_the_idle_time(client, officer):
    start = timezone.now()
    with at(start, 0):
        sign_in(client, officer)
    with at(start, 14):  # the warning's 「操作を続ける」, two minutes before the end
        assert client.post(reverse("accounts:keepalive")).status_code == 204
    with at(start, 20):
        assert client.get(reverse("home")).status_code == 200
    with at(start, 36):  # then idle again past 15 minutes: ended
        assert client.post(reverse("accounts:keepalive"))["Location"] == reverse("accounts:login")


def test_the_script_never_keeps_an_individual_number_a_password_or_a_token():
    source = SCRIPT.read_text(encoding="utf-8")
    assert "sessionStorage" in source and "localStorage" not in source
    assert 'type === "password"' in source and 'type === "hidden"' in source
    never = re.search(r"var NEVER = /(.+)/i;", source).group(1)
    for name in ("individual_number", "individual_number_confirm", "my_number"):
        assert re.search(never, name, re.IGNORECASE)
    for name in ("content", "place", "interviewee"):
        assert not re.search(never, name, re.IGNORECASE)


def test_the_individual_number_reveal_form_is_never_kept():
    page = (Path(settings.BASE_DIR) / "templates" / "taxpayers" / "reveal.html").read_text(encoding="utf-8")
    assert '<form method="post" class="narrow" data-no-keep>' in page


def test_after_the_idle_timeout_the_login_page_leads_back_to_the_page_asked_for(client, officer):
    start = timezone.now()
    with at(start, 0):
        sign_in(client, officer)
    with at(start, 16):
        response = client.get(reverse("negotiations:case", args=["000000101"]))
    assert response["Location"] == "/accounts/login/?next=%2Fnegotiations%2Fcases%2F000000101%2F"


def test_the_warnings_own_trip_to_the_login_page_keeps_its_next(client, officer):
    start = timezone.now()
    with at(start, 0):
        sign_in(client, officer)
    with at(start, 16):
        response = client.get("/accounts/login/?next=%2Fnegotiations%2Fcases%2F000000101%2F")
    assert response["Location"] == "/accounts/login/?next=%2Fnegotiations%2Fcases%2F000000101%2F"


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/"])
def test_the_login_page_leads_nowhere_else(client, officer, elsewhere):
    start = timezone.now()
    with at(start, 0):
        sign_in(client, officer)
    with at(start, 16):
        assert client.get("/accounts/login/", {"next": elsewhere})["Location"] == "/accounts/login/"
