"""Who is writing, and from which terminal.

Every write in the system is made by an Actor: a staff member (職員番号 and their own 宛名番号)
at a registered terminal (端末番号). Web requests get theirs from the verified login and the
terminal the request came from (never from a form); management commands and the background
worker name theirs explicitly with `acting_as`. History rows copy the current actor, and a
tracked write with no actor raises instead of leaving an anonymous change.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import Staff

BATCH_TERMINAL_NUMBER = "BATCH"


class MissingActorError(RuntimeError):
    """A tracked record was written outside any actor: the history would not say who did it."""


@dataclass(frozen=True)
class Actor:
    staff_number: str
    staff_atena_number: str
    terminal_number: str
    staff: Staff | None = None

    @classmethod
    def for_staff(cls, staff: Staff, terminal_number: str) -> Actor:
        return cls(
            staff_number=staff.staff_number,
            staff_atena_number=staff.atena_number,
            terminal_number=terminal_number,
            staff=staff,
        )

    @classmethod
    def batch(cls, operator: str = "SYSTEM") -> Actor:
        """The actor for a management command or background job run on the server itself."""
        return cls(staff_number=operator, staff_atena_number="", terminal_number=BATCH_TERMINAL_NUMBER)


_current: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("actor", default=None)


def current_actor() -> Actor:
    actor = _current.get()
    if actor is None:
        raise MissingActorError("記録を更新した職員と端末が特定できません（actor が設定されていません）")
    return actor


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


class ActorMiddleware:
    """Sets the actor for a request from a verified staff member at a registered terminal."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        terminal = getattr(request, "terminal", None)
        if user is None or terminal is None or not user.is_authenticated or not user.is_verified():
            return self.get_response(request)
        actor = Actor.for_staff(user, terminal.terminal_number)
        request.actor = actor
        with acting_as(actor):
            return self.get_response(request)
