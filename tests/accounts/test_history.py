"""Every change leaves a history row naming the staff member and the terminal."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import PrivilegeChange, Staff, Terminal
from tests.conftest import sign_in
from wako_collections.actors import MissingActorError

pytestmark = pytest.mark.django_db


def test_a_change_made_through_a_page_is_recorded_with_staff_and_terminal(
    client, administrator, officer, supervisor
):
    sign_in(client, administrator)
    response = client.post(
        reverse("accounts:staff_edit", args=[officer.pk]),
        {
            "full_name": "山田 太郎",
            "atena_number": "100200300",
            "department": "総務部収納課 特別滞納整理係",
            "role": "監督者",
            "reason": "係長昇任",
        },
    )
    assert response.status_code == 302
    latest = Staff.history.filter(id=officer.pk).first()
    assert latest.department == "総務部収納課 特別滞納整理係"
    assert (latest.history_staff_number, latest.history_terminal_number) == ("S9001", "T0001")
    assert latest.history_user_id == administrator.pk
    assert latest.history_change_reason == "職員情報の変更"
    officer.refresh_from_db()
    assert officer.role_names == ["徴収担当"]  # the role waits for a second person
    change = PrivilegeChange.objects.get(staff=officer)
    sign_in(Client(), supervisor).post(reverse("accounts:privilege_change_confirm", args=[change.pk]))
    assert officer.role_names == ["監督者"]
    confirmed = change.history.first()
    assert (confirmed.history_staff_number, confirmed.status) == ("S2001", "confirmed")


def test_a_write_with_no_actor_is_refused_rather_than_recorded_anonymously(terminal):
    terminal = Terminal.objects.get(pk=terminal.pk)
    terminal.name = "誰が変えたか分からない変更"
    with pytest.raises(MissingActorError):
        terminal.save()


def test_history_never_stores_the_password_hash(officer):
    field_names = {field.name for field in Staff.history.model._meta.get_fields()}
    assert "password" not in field_names
