"""Separation of duties (issue 14, item 5): the システム管理者 cannot reach taxpayer data alone.

Creating staff, changing a role, registering a terminal and changing one (other than switching it
off) take effect only when a second person confirms; the requester never sees the new account's
initial password; a terminal's range is at most /24 (IPv4) or /64 (IPv6) unless configured.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import PrivilegeChange, SecurityEvent, Staff, Terminal
from accounts.roles import Role, reaches_taxpayer_data
from tests.conftest import make_staff, sign_in
from wako_collections.actors import Actor

pytestmark = pytest.mark.django_db

NEW_SUPERVISOR = {
    "staff_number": "S2777",
    "full_name": "佐藤 次郎",
    "atena_number": "900002777",
    "department": "総務部収納課",
    "role": "監督者",
    "reason": "人事異動（4月1日付け）",
}


def web(staff) -> Actor:
    return Actor.for_staff(staff, "T0001")


def confirm(client, change):
    return client.post(reverse("accounts:privilege_change_confirm", args=[change.pk]), {"reason": ""})


# --- The finding: S9001 created a 監督者, saw its password and signed in with it ---------------------


def _slip_password(page: str) -> str:
    return page.split('<code class="secret">', 1)[1].split("</code>", 1)[0]


def test_an_administrator_alone_cannot_create_a_supervisor_nor_learn_its_password(
    client, administrator, supervisor
):
    sign_in(client, administrator)
    requested = client.post(reverse("accounts:staff_create"), NEW_SUPERVISOR)
    change = PrivilegeChange.objects.get(staff_number="S2777")
    assert not Staff.objects.filter(staff_number="S2777").exists()
    assert change.reaches_taxpayer_data
    first_slip = client.get(requested["Location"]).content.decode()
    assert "初期パスワード通知書（前半" in first_slip
    first_half = _slip_password(first_slip)
    assert '<code class="secret">' not in client.get(requested["Location"]).content.decode()  # once

    own = confirm(client, change)  # the requester tries to confirm their own request
    assert not Staff.objects.filter(staff_number="S2777").exists()
    assert "自分の申請を確認・差戻しできません" in client.get(own["Location"]).content.decode()

    confirmer = sign_in(Client(), supervisor)
    response = confirm(confirmer, change)
    second_slip = confirmer.get(response["Location"]).content.decode()
    assert "初期パスワード通知書（後半" in second_slip
    second_half = _slip_password(second_slip)
    assert '<code class="secret">' not in confirmer.get(response["Location"]).content.decode()  # once
    created = Staff.objects.get(staff_number="S2777")
    # Neither the requester's half nor the confirmer's signs in alone; the staff member has both.
    assert not created.check_password(first_half) and not created.check_password(second_half)
    assert not created.check_password(second_half + first_half)
    assert created.check_password(first_half + second_half)
    for url in (
        reverse("accounts:privilege_change_detail", args=[change.pk]),
        reverse("accounts:staff_detail", args=[created.pk]),
        reverse("accounts:privilege_change_list"),
    ):
        assert second_half not in client.get(url).content.decode()
        assert first_half not in confirmer.get(url).content.decode()
    change.refresh_from_db()
    assert change.initial_password_first_half == ""  # not kept once decided
    assert not hasattr(change.history.model, "initial_password_first_half")  # never in history
    issued = list(
        SecurityEvent.objects.filter(kind=SecurityEvent.Kind.INITIAL_PASSWORD_ISSUED)
        .order_by("id")
        .values_list("staff_number", "target_staff_number")
    )
    assert issued == [("S9001", "S2777"), ("S2001", "S2777")]


def test_a_rejected_creation_forgets_the_first_half(administrator, supervisor):
    change, _ = services.request_staff_creation(
        actor=web(administrator), **{**NEW_SUPERVISOR, "role": Role.SUPERVISOR}
    )
    assert len(change.initial_password_first_half) == services.INITIAL_PASSWORD_HALF_LENGTH
    services.reject_privilege_change(actor=web(supervisor), change=change, reason="採用取消")
    change.refresh_from_db()
    assert change.initial_password_first_half == ""
    assert not Staff.objects.filter(staff_number="S2777").exists()


def test_a_second_administrator_may_confirm_by_default(administrator):
    second = make_staff("S9002", Role.SYSTEM_ADMINISTRATOR)
    change, first_half = services.request_staff_creation(
        actor=web(administrator), **{**NEW_SUPERVISOR, "role": Role.SUPERVISOR}
    )
    _, second_half = services.confirm_privilege_change(actor=web(second), change=change)
    staff = Staff.objects.get(staff_number="S2777")
    assert staff.check_password(first_half + second_half) and not staff.check_password(second_half)


def test_confirmer_roles_are_configurable(settings, administrator, persona_client):
    settings.PRIVILEGE_CONFIRMER_ROLES = ["監督者"]
    second = make_staff("S9002", Role.SYSTEM_ADMINISTRATOR)
    change = services.request_role_change(
        actor=web(second), staff=Staff.objects.get(staff_number="S1001"), role=Role.SUPERVISOR, reason="昇任"
    )
    with pytest.raises(services.AccountError, match="確認できるロールではありません"):
        services.confirm_privilege_change(actor=web(administrator), change=change)
    admin_client = persona_client("administrator")
    assert confirm(admin_client, change).status_code == 403
    assert (
        persona_client("supervisor")
        .post(reverse("accounts:privilege_change_confirm", args=[change.pk]))
        .status_code
        == 302
    )
    assert Staff.objects.get(staff_number="S1001").role_names == ["監督者"]


def test_nobody_confirms_a_change_for_themself(administrator, supervisor):
    change = services.request_role_change(
        actor=web(administrator), staff=supervisor, role=Role.SYSTEM_ADMINISTRATOR, reason="兼務"
    )
    with pytest.raises(services.AccountError, match="自分自身に関する申請"):
        services.confirm_privilege_change(actor=web(supervisor), change=change)
    with pytest.raises(services.AccountError, match="自分自身に関する申請"):
        services.reject_privilege_change(actor=web(supervisor), change=change, reason="不要")


def test_officers_and_read_only_staff_cannot_confirm(administrator, officer, read_only):
    change = services.request_terminal_registration(
        actor=web(administrator),
        terminal_number="T0300",
        name="窓口3",
        location="1階",
        network="192.168.10.30",
        reason="窓口増設",
    )
    for staff in (officer, read_only):
        with pytest.raises(services.AccountError, match="確認できるロールではありません"):
            services.confirm_privilege_change(actor=web(staff), change=change)
    assert not Terminal.objects.filter(terminal_number="T0300").exists()


def test_the_database_refuses_a_request_decided_by_its_requester(administrator):
    change = services.request_role_change(
        actor=web(administrator), staff=make_staff("S1500", Role.READ_ONLY), role=Role.SUPERVISOR, reason="x"
    )
    with pytest.raises(IntegrityError, match="accounts_privilegechange_four_eyes"):
        PrivilegeChange.objects.filter(pk=change.pk).update(
            status="confirmed", decided_by="S9001", decided_at=change.requested_at
        )


def test_the_database_refuses_a_request_decided_by_the_person_it_is_for(administrator, supervisor):
    change = services.request_role_change(
        actor=web(administrator), staff=supervisor, role=Role.SYSTEM_ADMINISTRATOR, reason="x"
    )
    with pytest.raises(IntegrityError, match="accounts_privilegechange_not_own_privilege"):
        PrivilegeChange.objects.filter(pk=change.pk).update(
            status="confirmed", decided_by="S2001", decided_at=change.requested_at
        )


def test_only_one_request_at_a_time_per_staff_member(administrator, officer):
    services.request_role_change(actor=web(administrator), staff=officer, role=Role.SUPERVISOR, reason="昇任")
    with pytest.raises(services.AccountError, match="確認待ちの申請が既にあります"):
        services.request_role_change(
            actor=web(administrator), staff=officer, role=Role.READ_ONLY, reason="異動"
        )


# --- Roles ---------------------------------------------------------------------------------------


def test_a_role_change_waits_and_every_direction_is_four_eyes(administrator, officer, supervisor):
    for role in (Role.SUPERVISOR, Role.READ_ONLY):  # raising and lowering alike
        change = services.request_role_change(
            actor=web(administrator), staff=officer, role=role, reason="異動"
        )
        assert officer.role_names != [role.value]
        services.confirm_privilege_change(actor=web(supervisor), change=change)
        assert officer.role_names == [role.value]


def test_a_request_made_stale_by_a_later_change_is_not_applied(administrator, officer, supervisor):
    second = make_staff("S9002", Role.SYSTEM_ADMINISTRATOR)
    first = services.request_role_change(
        actor=web(administrator), staff=officer, role=Role.SUPERVISOR, reason="a"
    )
    services.reject_privilege_change(actor=web(second), change=first, reason="時期尚早")
    stale = services.request_role_change(
        actor=web(administrator), staff=officer, role=Role.SUPERVISOR, reason="b"
    )
    officer.groups.set([Group.objects.get(name="閲覧専用")])  # changed behind the request's back
    with pytest.raises(services.AccountError, match="申請の後にロールが変わっています"):
        services.confirm_privilege_change(actor=web(supervisor), change=stale)
    assert officer.role_names == ["閲覧専用"]


def test_rejection_needs_a_reason_and_applies_nothing(client, administrator, officer, supervisor):
    change = services.request_role_change(
        actor=web(administrator), staff=officer, role=Role.SUPERVISOR, reason="昇任"
    )
    confirmer = sign_in(client, supervisor)
    confirmer.post(reverse("accounts:privilege_change_reject", args=[change.pk]), {"reason": ""})
    change.refresh_from_db()
    assert change.is_pending
    confirmer.post(reverse("accounts:privilege_change_reject", args=[change.pk]), {"reason": "規程外"})
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decision_reason) == ("rejected", "S2001", "規程外")
    assert officer.role_names == ["徴収担当"]
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.PRIVILEGE_CHANGE_REJECTED)
    assert "規程外" in event.detail and event.staff_number == "S2001"
    with pytest.raises(services.AccountError, match="差戻し"):
        services.confirm_privilege_change(
            actor=web(make_staff("S9002", Role.SYSTEM_ADMINISTRATOR)), change=change
        )


def test_roles_reaching_taxpayer_data_are_read_from_their_permissions():
    from django.contrib.auth.models import Group, Permission

    assert not reaches_taxpayer_data(Group.objects.get(name="システム管理者"))
    for name in ("徴収担当", "監督者", "閲覧専用"):
        assert reaches_taxpayer_data(Group.objects.get(name=name))
    widened = Group.objects.get(name="システム管理者")
    widened.permissions.add(Permission.objects.get(codename="audit"))
    assert reaches_taxpayer_data(widened)


def test_the_web_cannot_use_the_console_shortcuts(administrator, terminal):
    with pytest.raises(services.AccountError, match="別の職員の確認"):
        services.create_staff(
            actor=web(administrator),
            staff_number="S2777",
            full_name="佐藤 次郎",
            atena_number="900002777",
            department="総務部収納課",
            role=Role.SUPERVISOR,
        )
    with pytest.raises(services.AccountError, match="別の職員の確認"):
        services.register_terminal(
            actor=web(administrator), terminal_number="T0400", name="x", location="", network="192.168.1.4"
        )
    with pytest.raises(services.AccountError, match="別の職員の確認"):
        services.update_terminal(
            actor=web(administrator),
            terminal=terminal,
            name=terminal.name,
            location=terminal.location,
            network="127.0.0.0/24",
            is_active=True,
        )


# --- Terminals -----------------------------------------------------------------------------------

TOO_WIDE = [
    "0.0.0.0/0",
    "10.0.0.0/8",
    "192.168.0.0/16",
    "192.168.10.0/23",
    "192.168.10.7/20",  # host bits set: the range is still a /20
    "::/0",
    "2001:db8::/32",
    "2001:db8:1::/63",
    "::ffff:0:0/96",  # every IPv4 address, written as IPv6
    "::ffff:10.0.0.0/104",
    "64:ff9b::/96",  # NAT64: every IPv4 address again
]
WITHIN = ["192.168.10.21", "192.168.10.0/24", "2001:db8:1:2::/64", "::1", "::ffff:192.168.10.0/120"]


@pytest.mark.parametrize("network", TOO_WIDE)
def test_a_range_wider_than_the_limit_is_refused_on_the_page(client, administrator, network):
    sign_in(client, administrator)
    response = client.post(
        reverse("accounts:terminal_create"),
        {"terminal_number": "T0900", "name": "全部", "location": "", "network": network, "reason": "x"},
    )
    assert "より広くできません" in response.content.decode()
    assert not PrivilegeChange.objects.exists()
    with pytest.raises(services.AccountError, match="より広くできません"):
        services.request_terminal_registration(
            actor=web(administrator),
            terminal_number="T0900",
            name="全部",
            location="",
            network=network,
            reason="x",
        )


@pytest.mark.parametrize("network", WITHIN)
def test_a_range_within_the_limit_can_be_requested(administrator, network):
    change = services.request_terminal_registration(
        actor=web(administrator),
        terminal_number="T0900",
        name="窓口",
        location="",
        network=network,
        reason="x",
    )
    assert change.is_pending


def test_the_limit_is_a_setting(settings, administrator):
    settings.TERMINAL_WIDEST_PREFIX_IPV4 = 16
    services.request_terminal_registration(
        actor=web(administrator),
        terminal_number="T0901",
        name="庁舎",
        location="",
        network="10.1.0.0/16",
        reason="x",
    )
    with pytest.raises(services.AccountError, match="/16 より広くできません"):
        services.request_terminal_registration(
            actor=web(administrator),
            terminal_number="T0902",
            name="庁舎",
            location="",
            network="10.0.0.0/15",
            reason="x",
        )


def test_widening_a_terminal_is_a_request_but_switching_it_off_is_immediate(
    client, administrator, supervisor
):
    with_actor = Actor.batch("TEST")
    services.register_terminal(
        actor=with_actor, terminal_number="T0500", name="窓口5", location="1階", network="192.168.5.5"
    )
    terminal = Terminal.objects.get(terminal_number="T0500")
    sign_in(client, administrator)
    url = reverse("accounts:terminal_edit", args=[terminal.pk])
    no_reason = client.post(
        url, {"name": "窓口5", "location": "1階", "network": "192.168.5.0/24", "is_active": "on"}
    )
    assert "理由を入力してください" in no_reason.content.decode()
    client.post(
        url,
        {
            "name": "窓口5",
            "location": "1階",
            "network": "192.168.5.0/24",
            "is_active": "on",
            "reason": "島ごと",
        },
    )
    terminal.refresh_from_db()
    assert terminal.network == "192.168.5.5"
    change = PrivilegeChange.objects.get(terminal=terminal)
    services.confirm_privilege_change(actor=web(supervisor), change=change)
    terminal.refresh_from_db()
    assert terminal.network == "192.168.5.0/24"

    client.post(url, {"name": "窓口5", "location": "1階", "network": "192.168.5.0/24"})  # off, no reason
    terminal.refresh_from_db()
    assert not terminal.is_active
    client.post(
        url,
        {
            "name": "窓口5",
            "location": "1階",
            "network": "192.168.5.0/24",
            "is_active": "on",
            "reason": "再開",
        },
    )
    terminal.refresh_from_db()
    assert not terminal.is_active  # switching it back on waits for a second person


def test_register_terminal_command_keeps_the_limit_unless_an_override_is_given_and_logged(capsys):
    with pytest.raises(CommandError, match="より広くできません"):
        call_command("register_terminal", "--number", "T0600", "--name", "全部", "--network", "0.0.0.0/0")
    assert not Terminal.objects.filter(terminal_number="T0600").exists()
    call_command(
        "register_terminal",
        "--number",
        "T0600",
        "--name",
        "庁内LAN",
        "--network",
        "10.20.0.0/16",
        "--allow-wide-network",
        "庁内LAN全体（検証環境）",
    )
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.TERMINAL_REGISTERED)
    assert "範囲の上限を超える登録: 庁内LAN全体（検証環境）" in event.detail
    assert event.staff_number == "SYSTEM"


def test_every_step_is_in_the_administration_log(administrator, supervisor):
    before = SecurityEvent.objects.order_by("-id").values_list("id", flat=True).first()
    change = services.request_terminal_registration(
        actor=web(administrator),
        terminal_number="T0700",
        name="窓口7",
        location="",
        network="192.168.7.7",
        reason="増設",
    )
    services.confirm_privilege_change(actor=web(supervisor), change=change, reason="現地確認済み")
    kinds = list(
        SecurityEvent.objects.filter(id__gt=before).order_by("id").values_list("kind", "staff_number")
    )
    assert kinds == [
        (SecurityEvent.Kind.PRIVILEGE_CHANGE_REQUESTED, "S9001"),
        (SecurityEvent.Kind.TERMINAL_REGISTERED, "S2001"),
        (SecurityEvent.Kind.PRIVILEGE_CHANGE_CONFIRMED, "S2001"),
    ]


def test_a_wide_terminal_from_before_the_limit_is_flagged_on_the_list(client, administrator):
    call_command(
        "register_terminal",
        "--number",
        "T0800",
        "--name",
        "旧設定",
        "--network",
        "10.0.0.0/8",
        "--allow-wide-network",
        "移行前の設定",
    )
    sign_in(client, administrator)
    page = client.get(reverse("accounts:terminal_list")).content.decode()
    assert "10.0.0.0/8 は広すぎます" in page and "範囲を狭める変更を申請してください" in page


def test_requiring_a_key_is_immediate_but_dropping_the_requirement_waits(client, administrator, supervisor):
    from accounts.models import RolePolicy

    officers = Group.objects.get(name="徴収担当")
    field = f"role_{officers.pk}"
    sign_in(client, administrator)
    client.post(reverse("accounts:role_policies"), {field: "on", "reason": "指紋認証の導入"})
    assert RolePolicy.objects.get(role=officers).require_security_key
    client.post(reverse("accounts:role_policies"), {"reason": "キーの故障が多い"})
    assert RolePolicy.objects.get(role=officers).require_security_key  # still required
    change = PrivilegeChange.objects.get(kind=PrivilegeChange.Kind.ROLE_POLICY_RELAXATION)
    with pytest.raises(services.AccountError, match="別の職員の確認"):
        services.set_role_policy(
            actor=web(administrator), role=officers, require_security_key=False, reason="x"
        )
    services.confirm_privilege_change(actor=web(supervisor), change=change)
    assert not RolePolicy.objects.get(role=officers).require_security_key
    event = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.ROLE_POLICY_CHANGED).first()
    assert event.staff_number == "S2001" and "申請 S9001" in event.detail
