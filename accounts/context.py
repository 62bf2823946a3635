"""Template context for the header: who is signed in, at which terminal, and their last login."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from accounts.middleware import idle_seconds_left
from wako_collections.eras import format_date

PREVIOUS_LOGIN_KEY = "wako_previous_login"


def header(request):
    user = getattr(request, "user", None)
    terminal = getattr(request, "terminal", None)
    context = {"current_terminal": terminal}
    if user is None or not user.is_authenticated or not user.is_verified():
        return context
    previous = request.session.get(PREVIOUS_LOGIN_KEY)
    if previous:
        at = timezone.localtime(datetime.fromisoformat(previous["at"]))
        context["previous_login"] = f"{format_date(at)} {at:%H:%M}（端末 {previous['terminal'] or '不明'}）"
    else:
        context["previous_login"] = "今回が初めてのログインです"
    # the idle warning of static/js/session_guard.js counts from the page the server served, from
    # the idle clock as recorded (it moves at most once a minute: accounts/middleware.py)
    context["session_idle_seconds"] = idle_seconds_left(request)
    # 「操作を続ける」 moves the clock: the script then counts the whole idle time again
    context["session_idle_timeout"] = int(settings.SESSION_IDLE_TIMEOUT.total_seconds())
    return context
