"""Request gates, outermost first: registered terminal, session time limits, verified login."""

import math
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts import access_cache
from accounts.events import record_event, record_refused_request
from accounts.models import SecurityEvent
from accounts.terminals import UNKNOWN, client_ip, forwarded_for_problem, terminal_for_address

SESSION_STARTED_KEY = "wako_session_started_at"
SESSION_SEEN_KEY = "wako_session_seen_at"
# The idle clock is written to the session at most this often. Writing it on every request saved
# the session on every request (an UPDATE and a commit: the frame's costliest part, issue 21). The
# clock is then up to this much behind the member of staff's last request, so a session ends
# between SESSION_IDLE_TIMEOUT minus this and SESSION_IDLE_TIMEOUT after that request — sooner,
# never later — and the page's idle warning counts from the recorded time (`idle_seconds_left`).
IDLE_CLOCK_RESOLUTION_SECONDS = 60

# Reachable before the second factor is verified; everything else needs a verified login.
PUBLIC_URL_NAMES = {"accounts:login"}
WEBAUTHN_SCRIPTS = "otp_webauthn:js-i18n-catalog"
UNVERIFIED_URL_NAMES = {
    "accounts:verify",
    "accounts:enroll",
    "accounts:logout",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    WEBAUTHN_SCRIPTS,
}
PASSWORD_CHANGE_URL_NAMES = {"accounts:password_change", "accounts:logout"}
# Where a member of a role that requires a security key, signed in without one, may go.
KEY_REGISTRATION_URL_NAMES = {
    "accounts:security_keys",
    "accounts:logout",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    WEBAUTHN_SCRIPTS,
}

# Requests a page makes by itself to follow progress are not staff activity: they neither keep
# a session alive nor are served once it has been idle too long (issue 14, item 7). A polling
# script sends POLLING_HEADER; an auto-refreshing page reloads with ?POLLING_PARAMETER=1; the
# JSON progress endpoints count as polling whatever the request says. A marker can only make a
# session end sooner, so a client gains nothing by sending or leaving it off an ordinary request.
POLLING_HEADER = "X-Wako-Polling"
POLLING_PARAMETER = "polling"
POLLING_URL_NAMES = {"documents:batch_progress"}


def _url_name(request) -> str | None:
    match = request.resolver_match
    if match is None:
        from django.urls import Resolver404, resolve

        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
    return match.view_name


class TerminalMiddleware:
    """Refuses every request that does not come from a registered terminal, login page included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        address = client_ip(request)
        request.client_ip = address
        access_cache.read_generation()  # the one query of the frame's cached parts (accounts/access_cache.py)
        request.terminal = terminal_for_address(address, terminals=access_cache.active_terminals())
        if request.terminal is None:
            path = request.path[:200]
            if address == UNKNOWN:
                path = f"{path} {forwarded_for_problem(request)}"
            record_refused_request(address=address, path=path)
            return render(request, "accounts/terminal_refused.html", {"address": address}, status=403)
        return self.get_response(request)


def is_polling(request) -> bool:
    """Whether `request` was made by a page following progress, not by the member of staff."""
    return (
        request.headers.get(POLLING_HEADER) == "1"
        or request.GET.get(POLLING_PARAMETER) == "1"
        or _url_name(request) in POLLING_URL_NAMES
    )


def _login_url_back_to(request) -> str:
    """The login page, with ?next= back to the page asked for (a GET), so that signing in again
    after the idle timeout returns there (and the idle warning's kept form is offered back). A
    request for the login page itself keeps its own ?next=."""
    from urllib.parse import urlencode

    login = reverse(settings.LOGIN_URL)
    if request.method != "GET" or is_polling(request):  # a page's own reload: nobody asked for it
        return login
    back = request.GET.get("next", "") if request.path == login else request.get_full_path()
    if back in ("", "/") or not back.startswith("/") or back.startswith("//"):
        return login
    return f"{login}?{urlencode({'next': back})}"


class SessionTimeoutMiddleware:
    """Ends a session idle for SESSION_IDLE_TIMEOUT or older than SESSION_ABSOLUTE_TIMEOUT.

    Only requests the member of staff makes move the idle clock, and only when it is at least
    IDLE_CLOCK_RESOLUTION_SECONDS old (so most requests leave the session unsaved); polling
    (`is_polling`) is measured against it like any request but leaves it where it was."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            polling = is_polling(request)
            now = time.time()
            started = request.session.get(SESSION_STARTED_KEY)
            seen = request.session.get(SESSION_SEEN_KEY)
            reason = None
            if started is None or seen is None:
                reason = "セッション情報が不完全です"
            elif now - started > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
                reason = "ログインから時間が経過したため"
            elif now - seen > settings.SESSION_IDLE_TIMEOUT.total_seconds():
                reason = "一定時間操作がなかったため"
            if reason:
                record_event(
                    SecurityEvent.Kind.SESSION_EXPIRED,
                    staff_number=request.user.staff_number,
                    terminal_number=request.terminal.terminal_number,
                    ip_address=request.client_ip,
                    detail=reason,
                )
                request.session_expired = True
                logout(request)
                messages.info(request, f"{reason}、ログアウトしました。もう一度ログインしてください。")
                if polling and request.GET.get(POLLING_PARAMETER) != "1":
                    # A script's fetch would follow a redirect to the login page silently; it is
                    # told instead, and reloads the page, which then goes to the login page.
                    return JsonResponse(
                        {"expired": True, "login_url": reverse(settings.LOGIN_URL)}, status=401
                    )
                return redirect(_login_url_back_to(request))
            if not polling and now - seen >= IDLE_CLOCK_RESOLUTION_SECONDS:
                request.session[SESSION_SEEN_KEY] = now
        return self.get_response(request)


def idle_seconds_left(request) -> int:
    """Seconds until the idle timeout ends `request`'s session unless another request moves the
    clock (whole seconds, rounded up): the idle time less the age of the recorded clock."""
    seen = request.session.get(SESSION_SEEN_KEY)
    idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
    if seen is None:
        return int(idle)
    return max(0, math.ceil(idle - max(0.0, time.time() - seen)))


def move_idle_clock(request) -> None:
    """Records a request of the member of staff now, whatever the clock's resolution."""
    request.session[SESSION_SEEN_KEY] = time.time()


def start_session_clock(request) -> None:
    now = time.time()
    request.session[SESSION_STARTED_KEY] = now
    request.session[SESSION_SEEN_KEY] = now


class RequireVerifiedStaffMiddleware:
    """Deny by default: every URL but login needs a password, a verified second factor and,
    on first login, a changed password. Static files are served before this by WhiteNoise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = _url_name(request)
        user = request.user
        if name in PUBLIC_URL_NAMES:
            return self.get_response(request)
        if not user.is_authenticated:
            return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}")
        if not user.is_verified():
            if name in UNVERIFIED_URL_NAMES:
                return self.get_response(request)
            return redirect("accounts:verify")
        if user.must_change_password and name not in PASSWORD_CHANGE_URL_NAMES:
            return redirect("accounts:password_change")
        # Permissions, roles and policy from this process's cache, current as of this request.
        access_cache.prime(user)
        # Asked once per request; the menu reads the answer instead of asking again.
        request.held_for_security_key = needs_security_key(user)
        if request.held_for_security_key and name not in KEY_REGISTRATION_URL_NAMES:
            return redirect("accounts:security_keys")
        return self.get_response(request)


def needs_security_key(user) -> bool:
    """A member of a role requiring a key who signed in another way (only possible before they
    had a key: the verify page then refuses the app's code)."""
    from accounts.security_keys import security_key_required, verified_with_security_key

    return not verified_with_security_key(user) and security_key_required(user)
