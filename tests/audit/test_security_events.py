import pytest
from django.urls import reverse

from accounts.events import record_event
from accounts.models import SecurityEvent
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_supervisors_filter_the_sign_in_log_by_staff_and_date(client, supervisor):
    record_event(SecurityEvent.Kind.PASSWORD_REJECTED, staff_number="S1234", terminal_number="T0009")
    record_event(SecurityEvent.Kind.LOCKED_OUT, staff_number="S7777", terminal_number="T0009")
    sign_in(client, supervisor)
    html = client.get(
        reverse("audit:security_events"), {"staff_number": "S1234", "date_from": "R8.1.1"}
    ).content.decode()
    assert "S1234" in html and "S7777" not in html
    assert "パスワード誤り" in html


def test_a_bad_date_is_explained_in_japanese(client, supervisor):
    sign_in(client, supervisor)
    html = client.get(reverse("audit:security_events"), {"date_from": "令和7年13月1日"}).content.decode()
    assert "という日付はありません" in html
