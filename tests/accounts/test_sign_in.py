"""Password, then the second factor; lockout per account; OTP throttling; the event log."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuthenticatorApp, SecurityEvent
from accounts.roles import Role
from tests.conftest import PASSWORD, current_code, make_staff

pytestmark = pytest.mark.django_db


def post_password(client, staff_number, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"staff_number": staff_number, "password": password})


def test_password_alone_reaches_only_the_one_time_code_step(client, officer):
    response = post_password(client, "S1001")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:verify")
    assert client.get(reverse("home"))["Location"] == reverse("accounts:verify")


def test_correct_code_completes_login_and_rotates_the_session_key(client, officer):
    client.get(reverse("accounts:login"))
    post_password(client, "S1001")
    key_after_password = client.session.session_key
    response = client.post(reverse("accounts:verify"), {"token": current_code(officer)})
    assert response["Location"] == reverse("home")
    assert client.session.session_key != key_after_password
    page = client.get(reverse("home"))
    assert page.status_code == 200
    assert "山田 太郎" in page.content.decode() and "端末 T0001" in page.content.decode()
    assert (
        SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN_COMPLETED, staff_number="S1001").count()
        == 1
    )


def test_password_step_rotates_the_session_key(client, officer):
    client.get(reverse("accounts:login"))
    session = client.session
    session["probe"] = 1
    session.save()
    anonymous_key = client.session.session_key
    post_password(client, "S1001")
    assert client.session.session_key != anonymous_key


def test_wrong_code_is_refused_and_logged(client, officer):
    post_password(client, "S1001")
    good = current_code(officer)
    wrong = f"{(int(good) + 1) % 1000000:06d}"
    response = client.post(reverse("accounts:verify"), {"token": wrong})
    assert response.status_code == 200
    assert "ワンタイムパスワードが正しくありません" in response.content.decode()
    assert client.get(reverse("home"))["Location"] == reverse("accounts:verify")
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.OTP_REJECTED, staff_number="S1001").exists()


def test_codes_are_throttled_after_a_failure(client, officer):
    post_password(client, "S1001")
    good = current_code(officer)
    client.post(reverse("accounts:verify"), {"token": f"{(int(good) + 1) % 1000000:06d}"})
    # Immediately after a failure even the right code waits out the back-off.
    response = client.post(reverse("accounts:verify"), {"token": good})
    assert "しばらく入力できません" in response.content.decode()
    assert AuthenticatorApp.objects.get(user=officer).throttling_failure_count >= 1


def test_previous_login_time_and_terminal_are_shown_at_the_next_login(client, officer):
    with time_machine.travel(timezone.datetime(2026, 4, 1, 8, 30, tzinfo=timezone.get_current_timezone())):
        post_password(client, "S1001")
        client.post(reverse("accounts:verify"), {"token": current_code(officer)})
        first_page = client.get(reverse("home")).content.decode()
        assert "今回が初めてのログインです" in first_page
        client.post(reverse("accounts:logout"))
    with time_machine.travel(timezone.datetime(2026, 4, 2, 9, 0, tzinfo=timezone.get_current_timezone())):
        post_password(client, "S1001")
        client.post(reverse("accounts:verify"), {"token": current_code(officer)})
        page = client.get(reverse("home")).content.decode()
    assert "前回ログイン: 令和8年4月1日 08:30（端末 T0001）" in page


def test_first_login_enrols_an_authenticator_through_a_qr_code(client, terminal):
    newcomer = make_staff("S1500", Role.COLLECTIONS_OFFICER, enrolled=False)
    post_password(client, "S1500")
    assert client.get(reverse("accounts:verify"))["Location"] == reverse("accounts:enroll")
    page = client.get(reverse("accounts:enroll"))
    assert "<svg" in page.content.decode() and "QRコード" in page.content.decode()
    response = client.post(reverse("accounts:enroll"), {"token": current_code(newcomer)})
    assert response["Location"] == reverse("home")
    assert AuthenticatorApp.objects.get(user=newcomer).confirmed
    assert SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.DEVICE_ENROLLED, staff_number="S1500"
    ).exists()


def test_first_login_requires_a_new_password_before_anything_else(client, terminal):
    newcomer = make_staff("S1600", Role.COLLECTIONS_OFFICER, changed_password=False)
    post_password(client, "S1600")
    client.post(reverse("accounts:verify"), {"token": current_code(newcomer)})
    assert client.get(reverse("home"))["Location"] == reverse("accounts:password_change")
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "kaisei-2026-wako!",
            "new_password2": "kaisei-2026-wako!",
        },
    )
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    newcomer.refresh_from_db()
    assert not newcomer.must_change_password and newcomer.check_password("kaisei-2026-wako!")
    assert newcomer.history.first().history_change_reason == "パスワード変更"


def test_five_wrong_passwords_lock_that_account_but_not_a_colleague_on_the_same_address(
    terminal, officer, supervisor
):
    attacker = Client()
    for _ in range(5):
        post_password(attacker, "S1001", "wrong-password")
    locked = post_password(Client(), "S1001")  # even the right password is refused now
    assert locked.status_code == 403
    assert "30分間ロックされています" in locked.content.decode()
    colleague = post_password(Client(), "S2001")
    assert colleague.status_code == 302 and colleague["Location"] == reverse("accounts:verify")
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOCKED_OUT, staff_number="S1001").exists()
    assert (
        SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PASSWORD_REJECTED, staff_number="S1001").count()
        >= 5
    )


def test_lock_is_lifted_after_thirty_minutes(terminal, officer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            post_password(Client(), "S1001", "wrong-password")
        assert post_password(Client(), "S1001").status_code == 403
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert post_password(Client(), "S1001").status_code == 403
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        response = post_password(Client(), "S1001")
    assert response.status_code == 302


def test_wrong_password_shows_one_message_for_unknown_and_known_staff(client, officer):
    known = post_password(client, "S1001", "nope").content.decode()
    unknown = post_password(client, "S0000", "nope").content.decode()
    assert "職員番号またはパスワードが正しくありません" in known
    assert "職員番号またはパスワードが正しくありません" in unknown


def test_deactivated_staff_cannot_sign_in(client, officer):
    from tests.conftest import SETUP
    from wako_collections.actors import acting_as

    with acting_as(SETUP):
        officer.is_active = False
        officer.save(update_fields=["is_active"])
    assert post_password(client, "S1001").status_code == 200


def test_logout_destroys_the_server_side_session(client, officer):
    from django.contrib.sessions.models import Session

    post_password(client, "S1001")
    client.post(reverse("accounts:verify"), {"token": current_code(officer)})
    key = client.session.session_key
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGGED_OUT, staff_number="S1001").exists()


def test_login_does_not_follow_a_next_url_to_another_host(client, officer):
    client.post(
        reverse("accounts:login"),
        {"staff_number": "S1001", "password": PASSWORD, "next": "https://evil.example/"},
    )
    response = client.post(reverse("accounts:verify"), {"token": current_code(officer)})
    assert response["Location"] == reverse("home")
