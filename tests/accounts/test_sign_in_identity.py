"""One identity per staff member at sign-in: however the 職員番号 is typed (spaces, a tab, a
full-width space or full-width letters, lower case, a trailing newline), the lock, the failure
count, OTP throttling and the event log all read the same canonical 職員番号."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import SecurityEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "wrong-password"
VARIANTS = [
    " S1001",
    "S1001 ",
    "\tS1001",
    "S1001\t",
    "\u3000S1001",
    "S1001\u3000",
    "S1001\n",
    "S1001\r\n",
    "Ｓ１００１",
    "s1001",
    " ｓ１００１\u3000",
]


def post_password(staff_number, password=PASSWORD):
    return Client().post(reverse("accounts:login"), {"staff_number": staff_number, "password": password})


def lock(staff_number="S1001"):
    for _ in range(5):
        post_password(staff_number, WRONG)


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_locked_account_stays_locked_however_the_staff_number_is_typed(officer, variant):
    lock()
    response = post_password(variant)
    assert response.status_code == 403
    assert "30分間ロックされています" in response.content.decode()


@pytest.mark.parametrize("variant", VARIANTS)
def test_wrong_passwords_through_a_variant_count_towards_the_same_lock(officer, variant):
    lock(variant)
    assert post_password("S1001").status_code == 403
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOCKED_OUT, staff_number="S1001").exists()


def test_twenty_guesses_through_a_variant_are_not_each_checked(officer):
    lock()
    for _ in range(20):
        assert post_password(" S1001", WRONG).status_code == 403
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"S1001"}
    assert AccessAttempt.objects.get().failures_since_start == 5


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_right_password_through_a_variant_signs_in_to_the_canonical_account(officer, variant):
    response = post_password(variant)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:verify")
    assert SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.PASSWORD_ACCEPTED, staff_number="S1001"
    ).exists()


@pytest.mark.parametrize("variant", VARIANTS)
def test_failures_are_logged_under_the_canonical_staff_number(officer, variant):
    post_password(variant, WRONG)
    assert list(
        SecurityEvent.objects.filter(kind=SecurityEvent.Kind.PASSWORD_REJECTED).values_list(
            "staff_number", flat=True
        )
    ) == ["S1001"]


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        (" S1002", "S1002"),
        ("S1002 ", "S1002"),
        ("\tS1002", "S1002"),
        ("\u3000S1002\u3000", "S1002"),
        ("S1002\n", "S1002"),
        ("Ｓ１００２", "S1002"),
        ("s1002", "S1002"),
        ("\u200bS1002\ufeff", "S1002"),
        (None, ""),
    ],
)
def test_canonical_staff_number_folds_every_spelling(typed, canonical):
    from accounts.identity import canonical_staff_number

    assert canonical_staff_number(typed) == canonical


@pytest.mark.parametrize("typed", ["Ｓ１７７７", " s1777 ", "S1777\u3000"])
def test_registering_staff_stores_the_canonical_number(client, administrator, supervisor, typed):
    from django.test import Client

    from accounts.models import PrivilegeChange, Staff
    from tests.conftest import sign_in

    sign_in(client, administrator)
    response = client.post(
        reverse("accounts:staff_create"),
        {
            "staff_number": typed,
            "full_name": "中村 陽子",
            "atena_number": "123456789",
            "department": "総務部収納課",
            "role": "徴収担当",
            "reason": "新規採用（4月1日付け）",
        },
    )
    assert response.status_code == 302
    change = PrivilegeChange.objects.get(kind=PrivilegeChange.Kind.STAFF_CREATION)
    assert change.staff_number == "S1777"
    confirmer = sign_in(Client(), supervisor)
    confirmer.post(reverse("accounts:privilege_change_confirm", args=[change.pk]), {"reason": ""})
    assert list(Staff.objects.filter(full_name="中村 陽子").values_list("staff_number", flat=True)) == [
        "S1777"
    ]


@pytest.mark.parametrize("typed", ["s1001", "Ｓ１００１", " S1001"])
def test_a_staff_number_taken_in_another_spelling_is_refused(client, administrator, officer, typed):
    from tests.conftest import sign_in

    sign_in(client, administrator)
    response = client.post(
        reverse("accounts:staff_create"),
        {
            "staff_number": typed,
            "full_name": "重複",
            "atena_number": "1",
            "department": "総務部収納課",
            "role": "徴収担当",
            "reason": "新規採用",
        },
    )
    assert response.status_code == 200
    assert "この職員番号は既に登録されています" in response.content.decode()


def test_the_service_folds_the_number_and_refuses_a_second_spelling(officer):
    from accounts import services
    from accounts.roles import Role
    from tests.conftest import SETUP

    with pytest.raises(services.AccountError, match="既に登録されています"):
        services.create_staff(
            actor=SETUP,
            staff_number="ｓ１００１",
            full_name="重複",
            atena_number="1",
            department="総務部収納課",
            role=Role.READ_ONLY,
        )
    with pytest.raises(services.AccountError, match="英大文字と数字"):
        services.create_staff(
            actor=SETUP,
            staff_number="S-1001",
            full_name="記号",
            atena_number="1",
            department="総務部収納課",
            role=Role.READ_ONLY,
        )


def test_the_database_refuses_a_staff_number_outside_the_canonical_spelling(officer):
    from django.db import IntegrityError, transaction

    from accounts.models import Staff

    with pytest.raises(IntegrityError, match="accounts_staff_staff_number_canonical"), transaction.atomic():
        Staff.objects.filter(pk=officer.pk).update(staff_number="s1001")


def test_signing_in_through_a_variant_clears_the_failures_of_the_account(officer):
    for _ in range(4):
        post_password("S1001", WRONG)
    assert post_password(" ｓ１００１").status_code == 302  # AXES_RESET_ON_SUCCESS
    for _ in range(4):
        post_password("S1001", WRONG)
    assert post_password("S1001").status_code == 302  # four since the reset: not locked
