"""Sign-in events from Django and django-axes, written to the security event log; and the access
generation moved on by every change the per-process access cache depends on (accounts/access_cache.py)."""

from axes.signals import user_locked_out
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from accounts import access_cache
from accounts.events import record_request_event
from accounts.identity import canonical_staff_number
from accounts.models import STAFF_FIELDS_READ_LIVE, RolePolicy, SecurityEvent, Staff, Terminal


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


# Cache invalidation is a side effect of these writes, not a business rule: whatever service makes
# the change, the frame's cached answers must not outlive it.
@receiver([post_save, post_delete], sender=Terminal)
@receiver([post_save, post_delete], sender=RolePolicy)
@receiver([post_save, post_delete], sender=Group)
@receiver([post_save, post_delete], sender=Permission)
def _access_changed(sender, **kwargs):
    access_cache.bump()


@receiver(post_save, sender=Staff)
def _staff_saved(sender, instance, created, update_fields=None, **kwargs):
    if created or update_fields is None or not set(update_fields) <= STAFF_FIELDS_READ_LIVE:
        access_cache.bump()


@receiver(m2m_changed, sender=Staff.groups.through)
@receiver(m2m_changed, sender=Staff.user_permissions.through)
@receiver(m2m_changed, sender=Group.permissions.through)
def _memberships_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        access_cache.bump()
