"""Roles are groups of menu permissions; a user sees only the menus their role allows."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import ROLE_MENUS, Role
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_the_migration_grants_each_role_exactly_its_menus():
    for role, menus in ROLE_MENUS.items():
        granted = set(Group.objects.get(name=role.value).permissions.values_list("codename", flat=True))
        assert granted == set(menus), role


def test_the_system_administrator_holds_no_taxpayer_menu():
    granted = set(
        Group.objects.get(name=Role.SYSTEM_ADMINISTRATOR).permissions.values_list("codename", flat=True)
    )
    assert granted == {"user_admin"}


@pytest.mark.parametrize(
    ("persona", "shown", "hidden"),
    [
        ("administrator", ["利用者管理"], ["監査", "収納状況照会", "交渉記録", "滞納処分"]),
        ("supervisor", ["監査", "担当割当", "データ取込", "滞納処分"], ["利用者管理"]),
        (
            "officer",
            ["収納状況照会", "交渉記録", "分納誓約", "照会文書", "滞納処分"],
            ["監査", "利用者管理", "担当割当"],
        ),
        ("read_only", ["収納状況照会"], ["監査", "利用者管理", "交渉記録", "滞納処分"]),
    ],
)
def test_the_menu_lists_only_what_the_role_allows(persona, shown, hidden, persona_client):
    html = persona_client(persona).get(reverse("home")).content.decode()
    nav = html.split('<nav class="menu"', 1)[1].split("</nav>", 1)[0] if '<nav class="menu"' in html else ""
    for label in shown:
        assert f">{label}</a>" in nav
    for label in hidden:
        assert f">{label}</a>" not in nav


def test_an_administrator_is_refused_from_the_audit_pages(client, administrator):
    sign_in(client, administrator)
    response = client.get(reverse("audit:security_events"))
    assert response.status_code == 403
    assert "このページを表示する権限がありません" in response.content.decode()
