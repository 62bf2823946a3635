"""Sign-in events from Django and django-axes, written to the security event log."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.events import record_request_event
from accounts.identity import canonical_staff_number
from accounts.models import SecurityEvent


@receiver(user_logged_in)
def _password_accepted(sender, request, user, **kwargs):
    record_request_event(request, SecurityEvent.Kind.PASSWORD_ACCEPTED, staff_number=user.staff_number)


@receiver(user_login_failed)
def _password_rejected(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    record_request_event(
        request,
        SecurityEvent.Kind.PASSWORD_REJECTED,
        staff_number=canonical_staff_number(credentials.get("username")),
        detail="ロック中のため拒否" if getattr(request, "axes_locked_out", False) else "",
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    record_request_event(request, SecurityEvent.Kind.LOCKED_OUT, staff_number=username or "")


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is None or getattr(request, "session_expired", False):
        return
    record_request_event(request, SecurityEvent.Kind.LOGGED_OUT, staff_number=user.staff_number)
