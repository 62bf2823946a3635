"""What every request asks about access, read once and kept in this process until it changes.

Every page pays a frame: the registered terminals (terminal gate), the member of staff's menu
permissions (user and role), their role names (the 権限変更の確認 entry) and whether their role
requires a security key — five queries a request, with the same answers all day. They are kept
here per process, tagged with the **access generation**, a PostgreSQL sequence that every change
they depend on moves forward (`bump`, from the signals in accounts/signals.py: a terminal, role,
role policy, permission, a member of staff's roles or permissions, superuser flag). Each request
reads the generation once (one query, in place of the terminal query it replaces) and throws the
cache away when it moved: a revoked permission, a deactivated terminal or a role given a
security-key requirement takes effect on the very next request, in every process of every host.

Not cached: the session, the member of staff (is_active, the password hash that ends other sessions
on a password change, must_change_password) and the verified device — read every request, so a
deactivated account or a deleted authenticator is refused at once without any bump.

The bump is made twice: at once (nextval is not transactional: others see it before the change
commits, so a request may cache the old answer under the new generation…) and again on commit
(…which that second bump then discards). QuerySet.update(), bulk_update() and bulk_create() send
no signal: on the project's own models the cache reads (Terminal, RolePolicy, Staff) they bump
through `InvalidatingQuerySet` (the application writes each change with save() and its history; the
queryset covers a maintenance script or a later set-based change). Django's own Group and Permission
and the membership tables are written through save() and the related managers, whose signals bump;
raw SQL on any of these tables must call `bump()` itself.
"""

from __future__ import annotations

import ipaddress
import threading
from dataclasses import dataclass

from django.db import connection, models, transaction

SEQUENCE = "accounts_access_generation"


@dataclass(frozen=True)
class StaffAccess:
    user_permissions: frozenset[str]
    group_permissions: frozenset[str]
    role_names: frozenset[str]
    security_key_required: bool


class _Cache(threading.local):
    """Per thread (gunicorn's threads would otherwise share half-built entries)."""

    def __init__(self) -> None:
        self.generation: tuple[int, bool] | None = None
        self.terminals: list | None = None
        self.staff: dict[int, StaffAccess] = {}


_cache = _Cache()


def read_generation() -> tuple[int, bool]:
    """The current access generation (one query); drops this process's answers if it moved."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_value, is_called FROM {SEQUENCE}")  # noqa: S608 (a constant)
        generation = tuple(cursor.fetchone())
    if generation != _cache.generation:
        clear()
        _cache.generation = generation  # type: ignore[assignment]
    return generation  # type: ignore[return-value]


def clear() -> None:
    _cache.generation, _cache.terminals, _cache.staff = None, None, {}


def bump() -> None:
    """Moves the generation on: every process re-reads access on its next request. Now and on commit."""

    def advance() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [SEQUENCE])

    advance()
    transaction.on_commit(advance)
    clear()


class InvalidatingQuerySet(models.QuerySet):
    """The QuerySet of a model the cache reads: the set-based writes, which send no signal, move the
    generation on like a save does (accounts/signals.py). `fields_read_live`: columns the cache does
    not hold (read every request), whose writes need no bump."""

    fields_read_live: frozenset[str] = frozenset()

    def _touches_cache(self, fields) -> bool:
        return not set(fields) <= self.fields_read_live

    def update(self, **values) -> int:
        rows = super().update(**values)
        if rows and self._touches_cache(values):
            bump()
        return rows

    def bulk_update(self, objs, fields, batch_size=None) -> int:
        rows = super().bulk_update(objs, fields, batch_size=batch_size)
        if rows and self._touches_cache(fields):
            bump()
        return rows

    def bulk_create(self, objs, *args, **kwargs) -> list:
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            bump()
        return created


def active_terminals() -> list:
    """The active terminals, with their networks parsed (tens of rows), as of this request's generation."""
    from accounts.models import Terminal

    if _cache.terminals is None:
        terminals = list(Terminal.objects.active())
        for terminal in terminals:
            ipaddress.ip_network(terminal.network, strict=False)  # fail here, not in every request
        _cache.terminals = terminals
    return _cache.terminals


def staff_access(user) -> StaffAccess:
    """`user`'s permissions, role names and security-key policy, as of this request's generation."""
    found = _cache.staff.get(user.pk)
    if found is None:
        from django.contrib.auth.backends import ModelBackend  # reads the user model: not at import time

        from accounts.models import RolePolicy

        backend = ModelBackend()
        roles = list(user.groups.values_list("id", "name"))
        found = StaffAccess(
            user_permissions=frozenset(backend.get_user_permissions(user)),
            group_permissions=frozenset(backend.get_group_permissions(user)),
            role_names=frozenset(name for _id, name in roles),
            security_key_required=RolePolicy.objects.filter(
                role_id__in=[role_id for role_id, _name in roles], require_security_key=True
            ).exists(),
        )
        _cache.staff[user.pk] = found
    return found


def prime(user) -> StaffAccess:
    """Fills Django's own per-request permission caches on `user` (ModelBackend reads them instead
    of querying) and notes the role names and policy on it for `can_confirm_privilege_changes` and
    `security_key_required`."""
    access = staff_access(user)
    user._user_perm_cache = set(access.user_permissions)
    user._group_perm_cache = set(access.group_permissions)
    user._perm_cache = set(access.user_permissions | access.group_permissions)
    user.access = access
    return access
