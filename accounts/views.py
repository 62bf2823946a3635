"""Signing in and out: password, then the second factor (enrolled at first login), then — on
first login — a new password. Each step is logged to the security event log."""

import base64

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from accounts import services
from accounts.context import PREVIOUS_LOGIN_KEY
from accounts.events import record_request_event
from accounts.forms import LoginForm, TokenForm
from accounts.middleware import move_idle_clock, start_session_clock
from accounts.models import AuthenticatorApp, SecurityEvent
from wako_collections.access import signed_in
from wako_collections.actors import Actor

NEXT_KEY = "wako_next"


def _safe_next(request, candidate: str | None) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.user.is_authenticated and request.user.is_verified():
        # still signed in (a page's idle timer ran out a little before the server's): back to the page
        return redirect(_safe_next(request, request.GET.get("next")) or "home")
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.staff)  # rotates the session key
        start_session_clock(request)
        next_url = _safe_next(request, request.POST.get("next"))
        if next_url:
            request.session[NEXT_KEY] = next_url
        return redirect("accounts:verify")
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "next": _safe_next(request, request.GET.get("next") or request.POST.get("next")),
        },
        status=403 if form.has_error("__all__", "locked_out") else 200,
    )


def locked_out(request, response=None, credentials=None):
    """django-axes hook: the login view has already rendered the Japanese lockout message."""
    if response is not None:
        return response
    return render(request, "accounts/login.html", {"form": LoginForm(request), "locked": True}, status=403)


def complete_login(request, device) -> None:
    otp_login(request, device)
    request.session.cycle_key()
    previous = (
        SecurityEvent.objects.logins()
        .filter(staff_number=request.user.staff_number)
        .order_by("-occurred_at")
        .first()
    )
    if previous is not None:
        request.session[PREVIOUS_LOGIN_KEY] = {
            "at": previous.occurred_at.isoformat(),
            "terminal": previous.terminal_number,
        }
    record_request_event(request, SecurityEvent.Kind.LOGIN_COMPLETED, staff_number=request.user.staff_number)


def next_url(request) -> str:
    return request.session.pop(NEXT_KEY, None) or resolve_url(settings.LOGIN_REDIRECT_URL)


def _after_login(request):
    return redirect(next_url(request))


def _refuse_throttled_code(request, form, *, detail: str = "試行制限中") -> None:
    form.add_error(
        "token",
        "誤りが続いたため、しばらく入力できません。数秒待ってから、新しいワンタイムパスワードを入力してください。",
    )
    record_request_event(
        request, SecurityEvent.Kind.OTP_REJECTED, staff_number=request.user.staff_number, detail=detail
    )


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    from accounts.security_keys import has_security_key, security_key_required

    if request.user.is_verified():
        return redirect("home")
    device = AuthenticatorApp.objects.filter(user=request.user, confirmed=True).first()
    has_key = has_security_key(request.user)
    if device is None and not has_key:
        return redirect("accounts:enroll")
    # A role that requires a key refuses the app's code once a key is registered.
    totp_allowed = device is not None and not (has_key and security_key_required(request.user))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and not totp_allowed:
        form.is_valid()
        form.add_error(None, "あなたのロールでは、セキュリティキー・生体認証で確認してください。")
    elif request.method == "POST" and form.is_valid():
        result, device = services.check_one_time_code(device_id=device.pk, token=form.cleaned_data["token"])
        if result is services.CodeCheck.THROTTLED:
            _refuse_throttled_code(request, form)
        elif result is services.CodeCheck.ACCEPTED:
            complete_login(request, device)
            return _after_login(request)
        else:
            form.add_error(
                "token",
                "ワンタイムパスワードが正しくありません。認証アプリに表示されている6桁の数字を入力してください。",
            )
            record_request_event(
                request, SecurityEvent.Kind.OTP_REJECTED, staff_number=request.user.staff_number
            )
    return render(
        request, "accounts/verify.html", {"form": form, "has_key": has_key, "totp_allowed": totp_allowed}
    )


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@never_cache
@require_http_methods(["GET", "POST"])
def enroll(request):
    if request.user.is_verified():
        return redirect("home")
    if AuthenticatorApp.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("accounts:verify")
    device = AuthenticatorApp.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = AuthenticatorApp.objects.create(user=request.user, name="認証アプリ", confirmed=False)
    form = TokenForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result, device = services.check_one_time_code(device_id=device.pk, token=form.cleaned_data["token"])
    if result is services.CodeCheck.THROTTLED:
        _refuse_throttled_code(request, form, detail="登録時・試行制限中")
    elif result is services.CodeCheck.ACCEPTED:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record_request_event(
            request, SecurityEvent.Kind.DEVICE_ENROLLED, staff_number=request.user.staff_number
        )
        complete_login(request, device)
        messages.success(
            request,
            "認証アプリを登録しました。次回からは6桁のワンタイムパスワードでログインします。",
        )
        return _after_login(request)
    elif result is services.CodeCheck.REJECTED:
        form.add_error(
            "token", "ワンタイムパスワードが正しくありません。時刻のずれがないか確認してください。"
        )
        record_request_event(
            request,
            SecurityEvent.Kind.OTP_REJECTED,
            staff_number=request.user.staff_number,
            detail="登録時",
        )
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/enroll.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def logout_view(request):
    if request.method == "POST":
        logout(request)  # flushes the server-side session
        messages.info(request, "ログアウトしました。")
        return redirect("accounts:login")
    return render(request, "accounts/logout_confirm.html")


@never_cache
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = Actor.for_staff(request.user, request.terminal.terminal_number)
        services.change_password(
            actor=actor, staff=request.user, new_password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(request, request.user)  # keeps this session, rotates its key
        messages.success(request, "パスワードを変更しました。")
        return redirect("home")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "first_time": request.user.must_change_password},
    )


@never_cache
@require_http_methods(["POST"])
@signed_in
def keepalive(request):
    """「操作を続ける」 on the idle warning (static/js/session_guard.js): a request by the member of
    staff, so it moves the idle clock — always, even within the clock's resolution, since the page
    counts the full idle time again from here. Answers 204 with nothing; an ended session has
    already been answered by the timeout middleware (a redirect to the login page)."""
    from django.http import HttpResponse

    move_idle_clock(request)
    return HttpResponse(status=204)
