"""Only registered terminals reach the system; X-Forwarded-For is believed only from proxies."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import SecurityEvent
from accounts.terminals import client_ip
from tests.conftest import PASSWORD, current_code, sign_in

pytestmark = pytest.mark.django_db


def test_an_unregistered_address_is_refused_with_a_clear_page_even_when_signed_in(officer):
    client = sign_in(Client(REMOTE_ADDR="10.20.30.40"), officer)
    response = client.get(reverse("home"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "登録されていない端末からは利用できません" in page and "10.20.30.40" in page
    assert SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.TERMINAL_REFUSED, ip_address="10.20.30.40"
    ).exists()


def test_the_login_page_itself_is_refused_to_an_unregistered_address(terminal):
    assert Client(REMOTE_ADDR="192.0.2.7").get(reverse("accounts:login")).status_code == 403


def test_a_deactivated_terminal_is_refused(officer, terminal):
    from accounts import services
    from tests.conftest import SETUP

    services.update_terminal(
        actor=SETUP,
        terminal=terminal,
        name=terminal.name,
        location=terminal.location,
        network=terminal.network,
        is_active=False,
    )
    assert sign_in(Client(), officer).get(reverse("home")).status_code == 403


def test_a_spoofed_forwarded_for_header_is_ignored(officer, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1/32"]
    spoofer = Client(REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert spoofer.get(reverse("accounts:login")).status_code == 403


def test_forwarded_for_from_a_trusted_proxy_names_the_terminal(officer, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1/32"]
    behind_proxy = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")
    behind_proxy.post(reverse("accounts:login"), {"staff_number": "S1001", "password": PASSWORD})
    behind_proxy.post(reverse("accounts:verify"), {"token": current_code(officer)})
    assert "端末 T0001" in behind_proxy.get(reverse("home")).content.decode()


def test_client_ip_takes_the_rightmost_address_not_added_by_a_trusted_proxy(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.168.1.20, 10.0.0.1")
    assert client_ip(request) == "192.168.1.20"


def test_the_most_specific_range_wins(officer):
    from accounts import services
    from accounts.terminals import terminal_for_address
    from tests.conftest import SETUP

    services.register_terminal(
        actor=SETUP, terminal_number="T0100", name="収納課フロア", location="2階", network="192.168.10.0/24"
    )
    services.register_terminal(
        actor=SETUP, terminal_number="T0101", name="窓口1", location="2階", network="192.168.10.21"
    )
    assert terminal_for_address("192.168.10.21").terminal_number == "T0101"
    assert terminal_for_address("192.168.10.22").terminal_number == "T0100"
    assert terminal_for_address("192.168.11.1") is None


@pytest.mark.parametrize(
    "forwarded",
    [
        "not-an-ip",
        "192.168.1.20:51234",
        "999.1.1.1",
        "<script>alert(1)</script>",
        "192.168.1.20, garbage",
        "\x00",
        "ｘ" * 500,
        "unknown",
    ],
)
def test_a_non_ip_forwarded_for_from_a_trusted_proxy_is_refused_as_an_unknown_terminal_and_logged(
    officer, settings, forwarded
):
    """A proxy that passes garbage on is not believed: no terminal, a 403 page, a SecurityEvent."""
    settings.TRUSTED_PROXIES = ["10.0.0.1/32"]
    response = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded).get(reverse("accounts:login"))
    assert response.status_code == 403
    assert "登録されていない端末からは利用できません" in response.content.decode()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.TERMINAL_REFUSED)
    assert event.ip_address is None
    assert "X-Forwarded-For" in event.detail


def test_a_non_ip_hop_hides_a_registered_address_to_its_left(rf, settings):
    """The hops left of garbage cannot be believed either: the chain is broken there."""
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="127.0.0.1, junk, 10.0.0.1")
    assert client_ip(request) == ""


def test_a_valid_forwarded_chain_still_names_the_client(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=" 2001:db8::7 , 10.0.0.1")
    assert client_ip(request) == "2001:db8::7"
