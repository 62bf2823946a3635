"""利用者管理: staff accounts, deactivation, second-factor reset, terminals — all logged."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.models import AuthenticatorApp, PrivilegeChange, SecurityEvent, Staff, Terminal
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_creating_staff_is_a_request_that_a_supervisor_confirms(client, administrator, supervisor):
    sign_in(client, administrator)
    response = client.post(
        reverse("accounts:staff_create"),
        {
            "staff_number": "S1777",
            "full_name": "中村 陽子",
            "atena_number": "123456789",
            "department": "総務部収納課",
            "role": "徴収担当",
            "reason": "4月1日付け採用",
        },
    )
    change = PrivilegeChange.objects.get(staff_number="S1777")
    assert response["Location"] == reverse("accounts:privilege_change_detail", args=[change.pk])
    assert not Staff.objects.filter(staff_number="S1777").exists()  # nobody can sign in with it yet
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.PRIVILEGE_CHANGE_REQUESTED)
    assert (event.staff_number, event.target_staff_number, event.terminal_number) == (
        "S9001",
        "S1777",
        "T0001",
    )
    confirmer = sign_in(Client(), supervisor)
    confirmer.post(reverse("accounts:privilege_change_confirm", args=[change.pk]), {"reason": ""})
    created = Staff.objects.get(staff_number="S1777")
    assert created.must_change_password and created.role_names == ["徴収担当"]
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.STAFF_CREATED, target_staff_number="S1777")
    assert (event.staff_number, event.terminal_number) == ("S2001", "T0001")
    assert "申請 S9001" in event.detail


def test_a_duplicate_staff_number_is_refused_in_japanese(client, administrator, officer):
    sign_in(client, administrator)
    response = client.post(
        reverse("accounts:staff_create"),
        {
            "staff_number": "S1001",
            "full_name": "重複",
            "atena_number": "1",
            "department": "x",
            "role": "徴収担当",
            "reason": "採用",
        },
    )
    assert response.status_code == 200
    assert "この職員番号は既に登録されています" in response.content.decode()


def test_deactivation_asks_for_confirmation_and_ends_the_staff_members_sessions_at_once(
    client, administrator, officer
):
    officer_client = sign_in(Client(), officer)
    assert officer_client.get(reverse("home")).status_code == 200
    sign_in(client, administrator)
    confirm = client.get(reverse("accounts:staff_deactivate", args=[officer.pk]))
    assert "無効化" in confirm.content.decode() and confirm.status_code == 200
    officer.refresh_from_db()
    assert officer.is_active  # a GET changes nothing
    client.post(reverse("accounts:staff_deactivate", args=[officer.pk]), {"reason": "退職"})
    officer.refresh_from_db()
    assert not officer.is_active and officer.deactivated_at is not None
    assert officer_client.get(reverse("home"))["Location"].startswith(reverse("accounts:login"))
    assert not any(s.get_decoded().get("_auth_user_id") == str(officer.pk) for s in Session.objects.all())
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.STAFF_DEACTIVATED)
    assert (event.target_staff_number, event.detail) == ("S1001", "退職")
    assert Staff.objects.filter(pk=officer.pk).exists()  # never deleted


def test_deactivation_without_a_reason_is_refused(client, administrator, officer):
    sign_in(client, administrator)
    response = client.post(reverse("accounts:staff_deactivate", args=[officer.pk]), {"reason": ""})
    assert response.status_code == 200
    officer.refresh_from_db()
    assert officer.is_active


def test_an_administrator_cannot_deactivate_themself(client, administrator):
    sign_in(client, administrator)
    response = client.post(
        reverse("accounts:staff_deactivate", args=[administrator.pk]), {"reason": "テスト"}
    )
    assert "自分自身は無効化できません" in response.content.decode()


def test_resetting_a_lost_second_factor_is_logged_and_forces_a_new_enrolment(client, administrator, officer):
    from django_otp_webauthn.models import WebAuthnCredential

    WebAuthnCredential.objects.create(
        user=officer, name="指紋", credential_id=b"credential-1", public_key=b"key", confirmed=True
    )
    sign_in(client, administrator)
    client.post(
        reverse("accounts:staff_reset_second_factor", args=[officer.pk]), {"reason": "スマートフォン紛失"}
    )
    assert not AuthenticatorApp.objects.filter(user=officer).exists()
    assert not WebAuthnCredential.objects.filter(user=officer).exists()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.SECOND_FACTOR_RESET)
    assert (event.staff_number, event.target_staff_number) == ("S9001", "S1001")
    assert "スマートフォン紛失" in event.detail and "セキュリティキー: 1件" in event.detail
    officer_client = Client()
    officer_client.post(
        reverse("accounts:login"), {"staff_number": "S1001", "password": "correct-horse-battery-staple"}
    )
    assert officer_client.get(reverse("accounts:verify"))["Location"] == reverse("accounts:enroll")


def test_terminals_are_requested_with_a_checked_address_and_registered_on_confirmation(
    client, administrator, supervisor
):
    sign_in(client, administrator)
    bad = client.post(
        reverse("accounts:terminal_create"),
        {
            "terminal_number": "T0200",
            "name": "窓口2",
            "location": "1階",
            "network": "192.168.300.1",
            "reason": "窓口増設",
        },
    )
    assert "IPアドレス" in bad.content.decode()
    assert not PrivilegeChange.objects.filter(terminal_number="T0200").exists()
    client.post(
        reverse("accounts:terminal_create"),
        {
            "terminal_number": "T0200",
            "name": "窓口2",
            "location": "1階",
            "network": "192.168.10.22",
            "reason": "窓口増設",
        },
    )
    assert not Terminal.objects.filter(terminal_number="T0200").exists()
    change = PrivilegeChange.objects.get(terminal_number="T0200")
    sign_in(Client(), supervisor).post(reverse("accounts:privilege_change_confirm", args=[change.pk]))
    terminal = Terminal.objects.get(terminal_number="T0200")
    assert terminal.history.first().history_staff_number == "S2001"
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.TERMINAL_REGISTERED).exists()


def test_the_terminal_in_use_cannot_be_switched_off_from_itself(client, administrator, terminal):
    sign_in(client, administrator)
    response = client.post(
        reverse("accounts:terminal_edit", args=[terminal.pk]),
        {"name": terminal.name, "location": terminal.location, "network": terminal.network},
    )
    assert "いま使用中の端末は無効にできません" in response.content.decode()
    terminal.refresh_from_db()
    assert terminal.is_active


def test_no_one_can_be_made_a_superuser(terminal):
    from django.db import IntegrityError

    from accounts.roles import Role
    from tests.conftest import make_staff

    staff = make_staff("S5000", Role.READ_ONLY)
    with pytest.raises(IntegrityError):
        Staff.objects.filter(pk=staff.pk).update(is_superuser=True)
