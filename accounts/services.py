"""Account administration: every change to staff, roles, second factors and terminals.

Each function checks the state, writes inside one transaction under the acting administrator
(so the history row names them and their terminal), and appends a security event that
supervisors review.
"""

from __future__ import annotations

import enum
import re
import secrets
import string

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.events import record_event
from accounts.identity import STAFF_NUMBER_PATTERN, canonical_staff_number
from accounts.models import AuthenticatorApp, PrivilegeChange, RolePolicy, SecurityEvent, Staff, Terminal
from accounts.roles import Role, reaches_taxpayer_data
from accounts.terminals import network_width_error
from wako_collections.actors import Actor, acting_as
from wako_collections.records import save_tracked


class CodeCheck(enum.Enum):
    """What became of a one-time code."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"  # checked and wrong: the back-off counter rose by one
    THROTTLED = "throttled"  # not checked: the wait after the last wrong code has not passed


class AccountError(Exception):
    """A refused administrative action; the message is shown to the administrator."""


def generate_initial_password(length: int = 16) -> str:
    """`length` characters from an alphabet without look-alikes (0/O, 1/l/I), for reading aloud."""
    alphabet = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
    return "".join(secrets.choice(alphabet) for _ in range(length))


# Each half of a split initial password: 8 of 57 characters, about 46 bits, so that one half
# alone is no better than guessing a full password of the same length.
INITIAL_PASSWORD_HALF_LENGTH = 8


def _event(actor: Actor, kind: SecurityEvent.Kind, *, target: str = "", detail: str = "") -> None:
    record_event(
        kind,
        staff_number=actor.staff_number,
        target_staff_number=target,
        terminal_number=actor.terminal_number,
        detail=detail,
    )


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


def _console_only(actor: Actor, what: str) -> None:
    # A web actor (a signed-in staff member) goes through a request and a second person's
    # confirmation; only a command run on the server by the operator writes these at once.
    if actor.staff is not None:
        raise AccountError(f"{what}は、申請して別の職員の確認を受けてから反映されます。")


def _canonical_staff_number_or_error(staff_number: str) -> str:
    """The one spelling a typed 職員番号 is stored in (accounts.identity), or AccountError."""
    staff_number = canonical_staff_number(staff_number)
    if not re.fullmatch(STAFF_NUMBER_PATTERN, staff_number):
        raise AccountError("職員番号は英大文字と数字20文字以内で入力してください。")
    return staff_number


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
    """Registers a staff member at once, with a one-time password they must change at first login.

    For the server console only (`manage.py create_staff`: the first administrator of a new
    installation, demo and test data); from a page, staff are created by
    `request_staff_creation` and a second person's `confirm_privilege_change`. The number is
    stored in its canonical spelling (`Ｓ９００１` or `s9001` becomes S9001).
    """
    _console_only(actor, "職員の登録")
    staff_number = _canonical_staff_number_or_error(staff_number)
    if Staff.objects.filter(staff_number=staff_number).exists():
        raise AccountError(f"職員番号 {staff_number} は既に登録されています。")
    with transaction.atomic(), acting_as(actor):
        staff, password = _create_staff_now(
            actor,
            staff_number=staff_number,
            full_name=full_name,
            atena_number=atena_number,
            department=department,
            role=Group.objects.get(name=role.value),
            initial_password=initial_password,
            detail=f"ロール: {role.label}（サーバーのコマンドで登録）",
        )
    return staff, password


def _create_staff_now(
    actor: Actor,
    *,
    staff_number: str,
    full_name: str,
    atena_number: str,
    department: str,
    role: Group,
    initial_password: str | None,
    detail: str,
) -> tuple[Staff, str]:
    password = initial_password or generate_initial_password()
    staff = Staff(
        staff_number=staff_number,
        full_name=full_name,
        atena_number=atena_number,
        department=department,
        must_change_password=True,
    )
    staff.set_password(password)
    save_tracked(staff, reason="職員登録")
    staff.groups.set([role])
    _event(actor, SecurityEvent.Kind.STAFF_CREATED, target=staff_number, detail=detail)
    return staff, password


def update_staff(*, actor: Actor, staff: Staff, full_name: str, atena_number: str, department: str) -> Staff:
    """Changes a staff member's name, own 宛名番号 and 所属 at once (no privilege changes here:
    a role is changed by `request_role_change` and a second person's confirmation)."""
    before = f"{staff.full_name} / {staff.atena_number} / {staff.department}"
    with transaction.atomic(), acting_as(actor):
        staff.full_name = full_name
        staff.atena_number = atena_number
        staff.department = department
        save_tracked(
            staff, reason="職員情報の変更", update_fields=["full_name", "atena_number", "department"]
        )
        _event(
            actor,
            SecurityEvent.Kind.STAFF_UPDATED,
            target=staff.staff_number,
            detail=f"変更前: {before} → 変更後: {full_name} / {atena_number} / {department}",
        )
    return staff


def deactivate_staff(*, actor: Actor, staff: Staff, reason: str, successor: Staff | None = None) -> int:
    """Deactivates `staff` and ends their sessions at once; returns the sessions ended. The
    taxpayers assigned to them go to `successor` (an active staff member), which is required while
    they have any: a deactivated officer's cases were left on a 担当 nobody could pick (issue 18)."""
    from taxpayers.models import Taxpayer

    if not staff.is_active:
        raise AccountError(f"{staff} は既に無効化されています。")
    if staff.pk == getattr(actor.staff, "pk", None):
        raise AccountError("自分自身は無効化できません。")
    if not reason.strip():
        raise AccountError("無効化の理由を入力してください。")
    cases = Taxpayer.objects.filter(assigned_officer=staff)
    if successor is not None and (not successor.is_active or successor.pk == staff.pk):
        raise AccountError("引き継ぐ職員には、無効化する職員以外の有効な職員を選んでください。")
    if successor is None and cases.exists():
        raise AccountError(
            f"{staff} が担当している滞納者が{cases.count():,}人います。引き継ぐ職員を選んでください。"
        )
    with transaction.atomic(), acting_as(actor):
        if successor is not None:
            from negotiations.services import assign_officer

            moved = assign_officer(actor=actor, taxpayers=list(cases.select_for_update()), officer=successor)
            if moved:
                _event(
                    actor,
                    SecurityEvent.Kind.STAFF_UPDATED,
                    target=staff.staff_number,
                    detail=f"無効化に伴い担当 {moved:,}人を {successor.staff_number} に引継ぎ",
                )
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
    """Requires a security key or platform authenticator for a role, at once (it only closes
    access). Dropping the requirement weakens sign-in for everyone in the role: from a page it is
    `request_role_policy_relaxation`, confirmed by a second person; only the console does it here."""
    if not reason.strip():
        raise AccountError("変更の理由を入力してください。")
    if not require_security_key:
        _console_only(actor, "セキュリティキー必須の解除")
    with transaction.atomic(), acting_as(actor):
        policy, _ = RolePolicy.objects.select_for_update().get_or_create(role=role)
        if policy.require_security_key == require_security_key:
            return policy
        _set_role_policy_now(actor, policy, require_security_key=require_security_key, reason=reason)
    return policy


def _set_role_policy_now(
    actor: Actor, policy: RolePolicy, *, require_security_key: bool, reason: str
) -> None:
    policy.require_security_key = require_security_key
    save_tracked(policy, reason=f"認証方式の変更: {reason}")
    _event(
        actor,
        SecurityEvent.Kind.ROLE_POLICY_CHANGED,
        detail=f"{policy.role.name}: {'セキュリティキー・生体認証を必須' if require_security_key else '認証アプリでも可'}（{reason}）",
    )


def change_password(*, actor: Actor, staff: Staff, new_password: str) -> None:
    validate_password(new_password, staff)
    with transaction.atomic(), acting_as(actor):
        staff.set_password(new_password)
        staff.must_change_password = False
        save_tracked(staff, reason="パスワード変更", update_fields=["password", "must_change_password"])
        _event(actor, SecurityEvent.Kind.PASSWORD_CHANGED, target=staff.staff_number)


def _check_network(network: str, *, wide_network_reason: str = "") -> None:
    """Refuses an address that is not one, and a range wider than settings allow (unless the
    server operator gave a reason to exceed it, which is then logged)."""
    from django.core.exceptions import ValidationError

    from accounts.models import validate_network

    try:
        validate_network(network)
    except ValidationError as error:
        raise AccountError(" ".join(error.messages)) from None
    problem = network_width_error(network)
    if problem and not wide_network_reason.strip():
        raise AccountError(problem)


def _terminal_summary(terminal: Terminal) -> str:
    state = "有効" if terminal.is_active else "無効"
    return f"{terminal.name} {terminal.location} {terminal.network} {state}".replace("  ", " ")


def _wide_note(network: str, wide_network_reason: str) -> str:
    if network_width_error(network) and wide_network_reason.strip():
        return f"（範囲の上限を超える登録: {wide_network_reason.strip()}）"
    return ""


def register_terminal(
    *,
    actor: Actor,
    terminal_number: str,
    name: str,
    location: str,
    network: str,
    wide_network_reason: str = "",
) -> Terminal:
    """Registers a terminal at once. For the server console only (`manage.py register_terminal`:
    the first terminal of a new installation); from a page, `request_terminal_registration`.

    The range may not be wider than TERMINAL_WIDEST_PREFIX_IPV4/IPV6 unless the operator gives
    `wide_network_reason`, which the security event records."""
    _console_only(actor, "端末の登録")
    if Terminal.objects.filter(terminal_number=terminal_number).exists():
        raise AccountError(f"端末番号 {terminal_number} は既に登録されています。")
    _check_network(network, wide_network_reason=wide_network_reason)
    with transaction.atomic(), acting_as(actor):
        terminal = _register_terminal_now(
            actor,
            terminal_number=terminal_number,
            name=name,
            location=location,
            network=network,
            detail=_wide_note(network, wide_network_reason),
        )
    return terminal


def _register_terminal_now(
    actor: Actor, *, terminal_number: str, name: str, location: str, network: str, detail: str = ""
) -> Terminal:
    terminal = Terminal(terminal_number=terminal_number, name=name, location=location, network=network)
    terminal.full_clean()
    save_tracked(terminal, reason="端末登録")
    _event(
        actor,
        SecurityEvent.Kind.TERMINAL_REGISTERED,
        detail=f"{terminal_number} {name} {network}{detail}",
    )
    return terminal


def update_terminal(
    *,
    actor: Actor,
    terminal: Terminal,
    name: str,
    location: str,
    network: str,
    is_active: bool,
    wide_network_reason: str = "",
) -> Terminal:
    """Changes a terminal at once. From a page only switching a terminal off is immediate (closing
    access is never held up); any other change is `request_terminal_change`. The server console
    may change anything, within the range limit unless it gives `wide_network_reason`."""
    switching_off_only = (
        not is_active
        and (name, location, network) == (terminal.name, terminal.location, terminal.network)
        and terminal.is_active
    )
    if not switching_off_only:
        _console_only(actor, "端末の変更")
    if not is_active and terminal.terminal_number == actor.terminal_number:
        raise AccountError("いま使用中の端末は無効にできません。別の端末から操作してください。")
    if is_active:
        _check_network(network, wide_network_reason=wide_network_reason)
    with transaction.atomic(), acting_as(actor):
        _update_terminal_now(
            actor,
            terminal,
            name=name,
            location=location,
            network=network,
            is_active=is_active,
            detail=_wide_note(network, wide_network_reason) if is_active else "",
        )
    return terminal


def check_one_time_code(*, device_id: int, token: str) -> tuple[CodeCheck, AuthenticatorApp]:
    """Checks `token` against the authenticator app `device_id`, under its back-off.

    django-otp reads the failure counter, checks the code and writes counter + 1 as three steps;
    parallel wrong codes all read the same count, are all checked and all write the same value
    (6 of 30 checked while the counter rose by 2, issue 14 item 8). The device row is therefore
    locked (SELECT … FOR UPDATE) from the read to the write: parallel attempts queue, each sees
    the failures before it, and only one code is checked per back-off period. The device is
    saved with save(), so each change is a whole-row write; every refusal is also in the
    security event log (OTP_REJECTED), written by the caller. One row lock, one or two queries.
    """
    with transaction.atomic():
        device = AuthenticatorApp.objects.select_for_update().get(pk=device_id)
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            return CodeCheck.THROTTLED, device
        if device.verify_token(token):
            return CodeCheck.ACCEPTED, device
        return CodeCheck.REJECTED, device


def _update_terminal_now(
    actor: Actor,
    terminal: Terminal,
    *,
    name: str,
    location: str,
    network: str,
    is_active: bool,
    detail: str = "",
) -> None:
    before = _terminal_summary(terminal)
    terminal.name, terminal.location, terminal.network, terminal.is_active = (
        name,
        location,
        network,
        is_active,
    )
    terminal.full_clean()
    save_tracked(terminal, reason="端末変更", update_fields=["name", "location", "network", "is_active"])
    _event(
        actor,
        SecurityEvent.Kind.TERMINAL_UPDATED,
        detail=f"{terminal.terminal_number}: {before} → {_terminal_summary(terminal)}{detail}",
    )


# --- Four eyes: requests that take effect only when a second person confirms them -------------


def _require_reason(reason: str, what: str = "申請") -> str:
    if not reason.strip():
        raise AccountError(f"{what}の理由を入力してください。")
    return reason.strip()


def _open_request(actor: Actor, change: PrivilegeChange) -> PrivilegeChange:
    """Saves a new request and logs it (inside the caller's transaction and actor)."""
    change.requested_by = actor.staff_number
    change.requested_terminal = actor.terminal_number
    change.requested_at = timezone.now()
    change.status = PrivilegeChange.Status.PENDING
    try:
        with transaction.atomic():
            save_tracked(change, reason=f"{change.get_kind_display()}の申請")
    except IntegrityError:
        raise AccountError(
            f"{change.subject} には確認待ちの申請が既にあります。確認または差戻しを待ってください。"
        ) from None
    _event(
        actor,
        SecurityEvent.Kind.PRIVILEGE_CHANGE_REQUESTED,
        target=change.staff_number,
        detail=_change_detail(change),
    )
    return change


def _change_detail(change: PrivilegeChange) -> str:
    before = f"{change.before} → " if change.before else ""
    taxpayer = "（納税者情報に触れるロール）" if change.reaches_taxpayer_data else ""
    return f"申請{change.pk} {change.get_kind_display()} {change.subject}: {before}{change.after}{taxpayer} 理由: {change.reason}"


def request_staff_creation(
    *,
    actor: Actor,
    staff_number: str,
    full_name: str,
    atena_number: str,
    department: str,
    role: Role,
    reason: str,
) -> tuple[PrivilegeChange, str]:
    """申請: a new staff account. The account does not exist (nobody can sign in with it) until a
    second person confirms. Returns the request and the first half of the initial password, to be
    issued to the requester now; the second half is made on confirmation and issued to the
    confirmer, so that only the staff member, who receives both, knows the whole."""
    reason = _require_reason(reason)
    staff_number = _canonical_staff_number_or_error(staff_number)
    if Staff.objects.filter(staff_number=staff_number).exists():
        raise AccountError(f"職員番号 {staff_number} は既に登録されています。")
    group = Group.objects.get(name=role.value)
    first_half = generate_initial_password(INITIAL_PASSWORD_HALF_LENGTH)
    with transaction.atomic(), acting_as(actor):
        change = _open_request(
            actor,
            PrivilegeChange(
                kind=PrivilegeChange.Kind.STAFF_CREATION,
                staff_number=staff_number,
                full_name=full_name,
                atena_number=atena_number,
                department=department,
                role=group,
                reaches_taxpayer_data=reaches_taxpayer_data(group),
                initial_password_first_half=first_half,
                reason=reason,
            ),
        )
        _event(
            actor,
            SecurityEvent.Kind.INITIAL_PASSWORD_ISSUED,
            target=staff_number,
            detail=f"初期パスワード通知書（前半）を申請者 {actor.staff_number} に交付",
        )
    return change, first_half


def request_role_change(*, actor: Actor, staff: Staff, role: Role, reason: str) -> PrivilegeChange:
    """申請: a new role for a staff member, in effect once a second person confirms it."""
    reason = _require_reason(reason, "ロール変更")
    if staff.pk == getattr(actor.staff, "pk", None) and role != Role.SYSTEM_ADMINISTRATOR:
        raise AccountError("自分自身のシステム管理者ロールは外せません。他の管理者に依頼してください。")
    if not staff.is_active:
        raise AccountError(f"{staff} は無効化されているため、ロールを変更できません。")
    current = "・".join(staff.role_names)
    if current == role.value:
        raise AccountError(f"{staff} のロールは既に {role.label} です。")
    group = Group.objects.get(name=role.value)
    with transaction.atomic(), acting_as(actor):
        return _open_request(
            actor,
            PrivilegeChange(
                kind=PrivilegeChange.Kind.ROLE_CHANGE,
                staff=staff,
                staff_number=staff.staff_number,
                role=group,
                reaches_taxpayer_data=reaches_taxpayer_data(group),
                before=f"ロール: {current or 'なし'}",
                reason=reason,
            ),
        )


def request_terminal_registration(
    *, actor: Actor, terminal_number: str, name: str, location: str, network: str, reason: str
) -> PrivilegeChange:
    """申請: a new terminal, registered (and reachable) once a second person confirms it."""
    reason = _require_reason(reason)
    if Terminal.objects.filter(terminal_number=terminal_number).exists():
        raise AccountError(f"端末番号 {terminal_number} は既に登録されています。")
    _check_network(network)
    with transaction.atomic(), acting_as(actor):
        return _open_request(
            actor,
            PrivilegeChange(
                kind=PrivilegeChange.Kind.TERMINAL_REGISTRATION,
                terminal_number=terminal_number,
                terminal_name=name,
                location=location,
                network=network,
                terminal_is_active=True,
                reason=reason,
            ),
        )


def request_terminal_change(
    *,
    actor: Actor,
    terminal: Terminal,
    name: str,
    location: str,
    network: str,
    is_active: bool,
    reason: str,
) -> PrivilegeChange:
    """申請: a change to a registered terminal (its address, reactivation, name or place), in effect
    once a second person confirms it. Switching a terminal off alone is `update_terminal`, at once."""
    reason = _require_reason(reason, "端末変更")
    if (name, location, network, is_active) == (
        terminal.name,
        terminal.location,
        terminal.network,
        terminal.is_active,
    ):
        raise AccountError("変更する内容がありません。")
    if is_active:
        _check_network(network)
    with transaction.atomic(), acting_as(actor):
        return _open_request(
            actor,
            PrivilegeChange(
                kind=PrivilegeChange.Kind.TERMINAL_CHANGE,
                terminal=terminal,
                terminal_number=terminal.terminal_number,
                terminal_name=name,
                location=location,
                network=network,
                terminal_is_active=is_active,
                before=_terminal_summary(terminal),
                reason=reason,
            ),
        )


def request_role_policy_relaxation(*, actor: Actor, role: Group, reason: str) -> PrivilegeChange:
    """申請: stop requiring a security key for a role (its members could sign in with the
    authenticator app's code again), in effect once a second person confirms it."""
    reason = _require_reason(reason, "変更")
    policy = RolePolicy.objects.filter(role=role).first()
    if policy is None or not policy.require_security_key:
        raise AccountError(f"{role.name} はセキュリティキー・生体認証を必須としていません。")
    with transaction.atomic(), acting_as(actor):
        return _open_request(
            actor,
            PrivilegeChange(
                kind=PrivilegeChange.Kind.ROLE_POLICY_RELAXATION,
                role=role,
                require_security_key=False,
                before="セキュリティキー・生体認証を必須",
                reason=reason,
            ),
        )


def can_confirm_privilege_changes(staff) -> bool:
    """Whether `staff` holds one of settings.PRIVILEGE_CONFIRMER_ROLES (one query, or none when the
    request's access cache has the roles: accounts/access_cache.py)."""
    from django.conf import settings

    if access := getattr(staff, "access", None):
        return not access.role_names.isdisjoint(settings.PRIVILEGE_CONFIRMER_ROLES)
    return bool(
        getattr(staff, "is_authenticated", False)
        and staff.groups.filter(name__in=settings.PRIVILEGE_CONFIRMER_ROLES).exists()
    )


def _check_confirmer(actor: Actor, change: PrivilegeChange) -> None:
    if actor.staff is None or not can_confirm_privilege_changes(actor.staff):
        raise AccountError("権限変更・端末登録を確認できるロールではありません。")
    if actor.staff_number == change.requested_by:
        raise AccountError("申請した職員は自分の申請を確認・差戻しできません。別の職員に依頼してください。")
    if change.staff_number and actor.staff_number == change.staff_number:
        raise AccountError("自分自身に関する申請は確認・差戻しできません。別の職員に依頼してください。")


def _stale(message: str) -> AccountError:
    return AccountError(f"{message}この申請を差し戻し、改めて申請してください。")


def confirm_privilege_change(
    *, actor: Actor, change: PrivilegeChange, reason: str = ""
) -> tuple[PrivilegeChange, str | None]:
    """確認: a second person (a PRIVILEGE_CONFIRMER_ROLES member, never the requester nor the
    person the change is for) puts the request into effect. For a new staff member it returns the
    second half of their initial password, to be issued by the confirmer (the requester issued
    the first half; the password is the two halves in order).

    Re-checks what the request assumed (the number still free, the role or terminal unchanged
    since, the range within the limit): a stale request is refused, not applied over a newer state.
    """
    password: str | None = None
    with transaction.atomic(), acting_as(actor):
        change = PrivilegeChange.objects.select_for_update().get(pk=change.pk)
        if not change.is_pending:
            raise AccountError(f"この申請は{change.get_status_display()}です。")
        _check_confirmer(actor, change)
        note = f"（申請 {change.requested_by}、確認 {actor.staff_number}）"
        if change.kind == PrivilegeChange.Kind.STAFF_CREATION:
            if Staff.objects.filter(staff_number=change.staff_number).exists():
                raise _stale(f"職員番号 {change.staff_number} は既に登録されています。")
            assert change.role is not None
            if not change.initial_password_first_half:
                raise _stale("初期パスワードの前半が残っていません。")
            password = generate_initial_password(INITIAL_PASSWORD_HALF_LENGTH)
            staff, _ = _create_staff_now(
                actor,
                staff_number=change.staff_number,
                full_name=change.full_name,
                atena_number=change.atena_number,
                department=change.department,
                role=change.role,
                initial_password=change.initial_password_first_half + password,
                detail=f"ロール: {change.role.name}{note}",
            )
            change.staff = staff
            _event(
                actor,
                SecurityEvent.Kind.INITIAL_PASSWORD_ISSUED,
                target=staff.staff_number,
                detail=f"初期パスワード通知書（後半）を確認者 {actor.staff_number} に交付",
            )
        elif change.kind == PrivilegeChange.Kind.ROLE_CHANGE:
            staff = Staff.objects.select_for_update(of=("self",)).get(privilege_changes=change)
            if not staff.is_active:
                raise _stale(f"{staff} は無効化されています。")
            if f"ロール: {'・'.join(staff.role_names) or 'なし'}" != change.before:
                raise _stale("申請の後にロールが変わっています。")
            assert change.role is not None
            staff.groups.set([change.role])
            _event(
                actor,
                SecurityEvent.Kind.STAFF_UPDATED,
                target=staff.staff_number,
                detail=f"{change.before} → ロール: {change.role.name}{note}",
            )
        elif change.kind == PrivilegeChange.Kind.TERMINAL_REGISTRATION:
            if Terminal.objects.filter(terminal_number=change.terminal_number).exists():
                raise _stale(f"端末番号 {change.terminal_number} は既に登録されています。")
            _check_network(change.network)
            change.terminal = _register_terminal_now(
                actor,
                terminal_number=change.terminal_number,
                name=change.terminal_name,
                location=change.location,
                network=change.network,
                detail=note,
            )
        elif change.kind == PrivilegeChange.Kind.ROLE_POLICY_RELAXATION:
            assert change.role is not None
            policy, _ = RolePolicy.objects.select_for_update().get_or_create(role=change.role)
            if not policy.require_security_key:
                raise _stale("申請の後に認証方式が変わっています。")
            _set_role_policy_now(actor, policy, require_security_key=False, reason=f"{change.reason}{note}")
        else:
            terminal = Terminal.objects.select_for_update(of=("self",)).get(changes=change)
            if _terminal_summary(terminal) != change.before:
                raise _stale("申請の後に端末の内容が変わっています。")
            if change.terminal_is_active:
                _check_network(change.network)
            _update_terminal_now(
                actor,
                terminal,
                name=change.terminal_name,
                location=change.location,
                network=change.network,
                is_active=change.terminal_is_active,
                detail=note,
            )
        _decide(actor, change, PrivilegeChange.Status.CONFIRMED, reason)
        _event(
            actor,
            SecurityEvent.Kind.PRIVILEGE_CHANGE_CONFIRMED,
            target=change.staff_number,
            detail=_change_detail(change),
        )
    return change, password


def _decide(actor: Actor, change: PrivilegeChange, status: str, reason: str) -> None:
    change.status = status
    change.decided_by = actor.staff_number
    change.decided_terminal = actor.terminal_number
    change.decided_at = timezone.now()
    change.decision_reason = reason.strip()
    change.initial_password_first_half = ""  # no longer needed, whatever the decision
    save_tracked(
        change,
        reason=f"{change.get_kind_display()}の{'確認' if status == PrivilegeChange.Status.CONFIRMED else '差戻し'}",
        update_fields=[
            "status",
            "staff",
            "terminal",
            "decided_by",
            "decided_terminal",
            "decided_at",
            "decision_reason",
            "initial_password_first_half",
        ],
    )


def reject_privilege_change(*, actor: Actor, change: PrivilegeChange, reason: str) -> PrivilegeChange:
    """差戻し: a second person refuses the request; nothing of it takes effect."""
    reason = _require_reason(reason, "差戻し")
    with transaction.atomic(), acting_as(actor):
        change = PrivilegeChange.objects.select_for_update().get(pk=change.pk)
        if not change.is_pending:
            raise AccountError(f"この申請は{change.get_status_display()}です。")
        _check_confirmer(actor, change)
        _decide(actor, change, PrivilegeChange.Status.REJECTED, reason)
        _event(
            actor,
            SecurityEvent.Kind.PRIVILEGE_CHANGE_REJECTED,
            target=change.staff_number,
            detail=f"{_change_detail(change)} 差戻しの理由: {reason}",
        )
    return change
