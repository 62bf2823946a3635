"""Account administration: every change to staff, roles, second factors and terminals.

Each function checks the state, writes inside one transaction under the acting administrator
(so the history row names them and their terminal), and appends a security event that
supervisors review.
"""

from __future__ import annotations

import secrets
import string

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from accounts.events import record_event
from accounts.models import AuthenticatorApp, RolePolicy, SecurityEvent, Staff, Terminal
from accounts.roles import Role
from wako_collections.actors import Actor, acting_as
from wako_collections.records import save_tracked


class AccountError(Exception):
    """A refused administrative action; the message is shown to the administrator."""


def generate_initial_password() -> str:
    """16 characters from an alphabet without look-alikes (0/O, 1/l/I), for reading aloud."""
    alphabet = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
    return "".join(secrets.choice(alphabet) for _ in range(16))


def _event(actor: Actor, kind: SecurityEvent.Kind, *, target: str = "", detail: str = "") -> None:
    record_event(
        kind,
        staff_number=actor.staff_number,
        target_staff_number=target,
        terminal_number=actor.terminal_number,
        detail=detail,
    )


def _set_role(staff: Staff, role: Role) -> None:
    staff.groups.set([Group.objects.get(name=role.value)])


def end_sessions_of(staff: Staff) -> int:
    """Deletes every live server-side session of `staff`; returns how many.

    Cost: decodes each unexpired session (one row per signed-in user in a 10–50 person office).
    """
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(staff.pk):
            session.delete()
            ended += 1
    return ended


def create_staff(
    *,
    actor: Actor,
    staff_number: str,
    full_name: str,
    atena_number: str,
    department: str,
    role: Role,
    initial_password: str | None = None,
) -> tuple[Staff, str]:
    """Registers a staff member with a one-time password they must change at first login."""
    if Staff.objects.filter(staff_number=staff_number).exists():
        raise AccountError(f"職員番号 {staff_number} は既に登録されています。")
    password = initial_password or generate_initial_password()
    with transaction.atomic(), acting_as(actor):
        staff = Staff(
            staff_number=staff_number,
            full_name=full_name,
            atena_number=atena_number,
            department=department,
            must_change_password=True,
        )
        staff.set_password(password)
        save_tracked(staff, reason="職員登録")
        _set_role(staff, role)
        _event(
            actor,
            SecurityEvent.Kind.STAFF_CREATED,
            target=staff_number,
            detail=f"ロール: {role.label}",
        )
    return staff, password


def update_staff(
    *, actor: Actor, staff: Staff, full_name: str, atena_number: str, department: str, role: Role
) -> Staff:
    if staff.pk == getattr(actor.staff, "pk", None) and role != Role.SYSTEM_ADMINISTRATOR:
        raise AccountError("自分自身のシステム管理者ロールは外せません。他の管理者に依頼してください。")
    before = f"{staff.full_name} / {staff.department} / {'・'.join(staff.role_names)}"
    with transaction.atomic(), acting_as(actor):
        staff.full_name = full_name
        staff.atena_number = atena_number
        staff.department = department
        save_tracked(
            staff, reason="職員情報・ロール変更", update_fields=["full_name", "atena_number", "department"]
        )
        _set_role(staff, role)
        _event(
            actor,
            SecurityEvent.Kind.STAFF_UPDATED,
            target=staff.staff_number,
            detail=f"変更前: {before} → 変更後: {full_name} / {department} / {role.label}",
        )
    return staff


def deactivate_staff(*, actor: Actor, staff: Staff, reason: str) -> int:
    """Deactivates `staff` and ends their sessions at once; returns the sessions ended."""
    if not staff.is_active:
        raise AccountError(f"{staff} は既に無効化されています。")
    if staff.pk == getattr(actor.staff, "pk", None):
        raise AccountError("自分自身は無効化できません。")
    if not reason.strip():
        raise AccountError("無効化の理由を入力してください。")
    with transaction.atomic(), acting_as(actor):
        staff.is_active = False
        staff.deactivated_at = timezone.now()
        save_tracked(staff, reason=f"無効化: {reason}", update_fields=["is_active", "deactivated_at"])
        ended = end_sessions_of(staff)
        _event(actor, SecurityEvent.Kind.STAFF_DEACTIVATED, target=staff.staff_number, detail=reason)
    return ended


def reset_second_factor(*, actor: Actor, staff: Staff, reason: str) -> None:
    """Removes a lost authenticator; the staff member enrols a new one at their next login."""
    if not reason.strip():
        raise AccountError("リセットの理由を入力してください。")
    from django_otp_webauthn.models import WebAuthnCredential

    with transaction.atomic():
        removed = AuthenticatorApp.objects.filter(user=staff).delete()[0]
        keys = (
            WebAuthnCredential.objects.filter(user=staff)
            .delete()[1]
            .get("django_otp_webauthn.WebAuthnCredential", 0)
        )
        end_sessions_of(staff)
        _event(
            actor,
            SecurityEvent.Kind.SECOND_FACTOR_RESET,
            target=staff.staff_number,
            detail=f"{reason}（削除した認証アプリ: {removed}件、セキュリティキー: {keys}件）",
        )


def set_role_policy(*, actor: Actor, role: Group, require_security_key: bool, reason: str) -> RolePolicy:
    """Requires (or stops requiring) a security key or platform authenticator for a role."""
    if not reason.strip():
        raise AccountError("変更の理由を入力してください。")
    with transaction.atomic(), acting_as(actor):
        policy, _ = RolePolicy.objects.select_for_update().get_or_create(role=role)
        if policy.require_security_key == require_security_key:
            return policy
        policy.require_security_key = require_security_key
        save_tracked(policy, reason=f"認証方式の変更: {reason}")
        _event(
            actor,
            SecurityEvent.Kind.ROLE_POLICY_CHANGED,
            detail=f"{role.name}: {'セキュリティキー・生体認証を必須' if require_security_key else '認証アプリでも可'}（{reason}）",
        )
    return policy


def change_password(*, actor: Actor, staff: Staff, new_password: str) -> None:
    validate_password(new_password, staff)
    with transaction.atomic(), acting_as(actor):
        staff.set_password(new_password)
        staff.must_change_password = False
        save_tracked(staff, reason="パスワード変更", update_fields=["password", "must_change_password"])
        _event(actor, SecurityEvent.Kind.PASSWORD_CHANGED, target=staff.staff_number)


def register_terminal(
    *, actor: Actor, terminal_number: str, name: str, location: str, network: str
) -> Terminal:
    if Terminal.objects.filter(terminal_number=terminal_number).exists():
        raise AccountError(f"端末番号 {terminal_number} は既に登録されています。")
    with transaction.atomic(), acting_as(actor):
        terminal = Terminal(terminal_number=terminal_number, name=name, location=location, network=network)
        terminal.full_clean()
        save_tracked(terminal, reason="端末登録")
        _event(
            actor,
            SecurityEvent.Kind.TERMINAL_REGISTERED,
            detail=f"{terminal_number} {name} {network}",
        )
    return terminal


def update_terminal(
    *, actor: Actor, terminal: Terminal, name: str, location: str, network: str, is_active: bool
) -> Terminal:
    if not is_active and terminal.terminal_number == actor.terminal_number:
        raise AccountError("いま使用中の端末は無効にできません。別の端末から操作してください。")
    before = (
        f"{terminal.name} {terminal.location} {terminal.network} {'有効' if terminal.is_active else '無効'}"
    )
    with transaction.atomic(), acting_as(actor):
        terminal.name, terminal.location, terminal.network, terminal.is_active = (
            name,
            location,
            network,
            is_active,
        )
        terminal.full_clean()
        save_tracked(terminal, reason="端末変更", update_fields=["name", "location", "network", "is_active"])
        after = f"{name} {location} {network} {'有効' if is_active else '無効'}"
        _event(
            actor,
            SecurityEvent.Kind.TERMINAL_UPDATED,
            detail=f"{terminal.terminal_number}: {before} → {after}",
        )
    return terminal
