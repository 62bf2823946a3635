"""The one shape of a decision view: 決裁, 却下, 取下げ and 取消 of a record drafted by one person.

A decision view only asks its app's service to act and tells the user what came of it; every check
(the record's state, four eyes, the permission, the law) stays in the service, which raises the
app's small domain error with a Japanese message. Two shapes:

- a confirm page (GET shows what will happen, POST decides): `attempt` gives back the refusal's
  message to show on the page again, or "" once the decision is made and its success message added;
- a POST-only action from a detail page (取下げ, 却下 with its reason): `act_and_return` shows the
  refusal (or the invalid reason) as an error message on the page it returns to.

`may_decide` is what a detail page asks before it offers the 決裁 and 却下 buttons.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse

from wako_collections.records import FourEyesRecord

Refusal = type[Exception] | tuple[type[Exception], ...]


def attempt(
    request: HttpRequest, action: Callable[[], object], *, refused: Refusal, done: str | Callable[[], str]
) -> str:
    """Runs `action` (a service call). On a `refused` error returns its message (nothing was written:
    the service refuses before or rolls back its transaction); otherwise adds `done` (or what
    `done()` says, asked after the action, for a message that reads the result) as the success
    message and returns ""."""
    try:
        action()
    except refused as refusal:
        return str(refusal)
    messages.success(request, done if isinstance(done, str) else done())
    return ""


def act_and_return(
    request: HttpRequest,
    action: Callable[[], object],
    *,
    refused: Refusal,
    done: str,
    then: HttpResponse,
    form: forms.Form | None = None,
    invalid: HttpResponse | None = None,
) -> HttpResponse:
    """A POST-only decision: when `form` (the reason of a 却下) is given and not valid, nothing is
    done and its first error is shown on `invalid` (default `then`); otherwise `attempt`, with a
    refusal shown as an error message, and back to `then`."""
    if form is not None and not form.is_valid():
        messages.error(request, str(next(iter(form.errors.values()))[0]))
        return invalid or then
    if error := attempt(request, action, refused=refused, done=done):
        messages.error(request, error)
    return then


def may_decide(user, record: FourEyesRecord, *, permission: str = "accounts.approve_dispositions") -> bool:
    """Whether `user` may approve or reject `record` now: the permission, a draft, not its drafter
    (what the service and the database also enforce; this only decides what the page offers)."""
    return user.has_perm(permission) and record.can_be_approved_by(user.staff_number)
