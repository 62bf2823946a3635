"""A new password may not contain, or be too similar to, the staff member's own 職員番号, 氏名,
宛名番号 or 所属 — checked on the password change page, with the fields Staff really has."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.conftest import PASSWORD, make_staff, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def s1002(terminal):
    return make_staff("S1002", Role.COLLECTIONS_OFFICER, full_name="佐藤 次郎")


def change_password(client, new_password):
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )


@pytest.mark.parametrize(
    ("new_password", "field"),
    [
        ("S1002S1002S1002", "職員番号"),  # the example: repeated
        ("s1002s1002s1002", "職員番号"),  # lower case
        ("Ｓ１００２-kaisei-2026", "職員番号"),  # full-width
        ("kaisei-S1002-2026!", "職員番号"),  # contained in the middle
        ("kaisei-s-1002-wako", "職員番号"),  # split by punctuation
        ("佐藤次郎のパスワード2026", "氏名"),
        ("佐藤 次郎 kaisei 2026", "氏名"),
        ("999991002-kaisei!", "宛名番号"),  # make_staff's 宛名番号 for S1002
        ("総務部収納課kaisei2026", "所属"),
    ],
)
def test_a_password_holding_the_staff_members_own_data_is_refused(client, s1002, new_password, field):
    sign_in(client, s1002)
    response = change_password(client, new_password)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"パスワードに{field}が含まれています" in page
    s1002.refresh_from_db()
    assert s1002.check_password(PASSWORD)


def test_a_password_too_similar_to_the_staff_number_is_refused(client, terminal):
    # not contained, but close: Django's ratio test now reads 職員番号
    long_number = make_staff("K20240417", Role.READ_ONLY, full_name="田中 一")
    sign_in(client, long_number)
    response = change_password(client, "K2024O417x")
    assert "このパスワードは 職員番号 と似すぎています" in response.content.decode()


@pytest.mark.parametrize(
    "new_password", ["kaisei-2026-wako!", "hikari-no-machi-7788", "S1003-is-my-colleague"]
)
def test_a_password_unrelated_to_the_staff_member_is_accepted(client, s1002, new_password):
    sign_in(client, s1002)
    response = change_password(client, new_password)
    assert response["Location"] == reverse("home")
    s1002.refresh_from_db()
    assert s1002.check_password(new_password)


def test_the_service_applies_the_same_rule(s1002):
    from django.core.exceptions import ValidationError

    from accounts import services
    from tests.conftest import SETUP

    with pytest.raises(ValidationError, match="職員番号が含まれています"):
        services.change_password(actor=SETUP, staff=s1002, new_password="S1002S1002S1002")
