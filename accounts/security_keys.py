"""Security keys and platform authenticators (fingerprint, face on the terminal) as a second
factor beside TOTP, through django-otp-webauthn (Part III: 生体認証・ICカードによるアクセス制御).

The package's ceremony views are used as they are, except the two that complete a ceremony:
signing in with a key goes through the same bookkeeping as signing in with TOTP (session key
cycled, previous login remembered, LOGIN_COMPLETED logged), and registering a key is logged.
Errors reach staff in Japanese. An administrator can require a key per role (RolePolicy): a
member of such a role who has a key must use it; one who has none yet signs in with TOTP and
is held on the registration page until they register one (accounts.middleware).
"""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import CompleteCredentialAuthenticationView, CompleteCredentialRegistrationView

from accounts.events import record_request_event
from accounts.models import RolePolicy, SecurityEvent
from wako_collections.access import signed_in

ERRORS_JA = {
    "credential_not_found": "このセキュリティキーは登録されていません。登録済みのキーを使うか、ワンタイムパスワードで確認してください。",
    "credential_user_mismatch": "このセキュリティキーは別の職員のものです。",
    "credential_disabled": "このセキュリティキーは使用停止になっています。",
    "user_disabled": "この職員番号は無効化されています。",
    "invalid_state": "確認の手続きが古くなっています。もう一度ボタンを押してください。",
    "user_not_verified": "キーを登録する前に、ワンタイムパスワードで本人確認をしてください。",
    "not_authenticated": "先に職員番号とパスワードでログインしてください。",
}
MESSAGES_JA = {
    "Verify with Passkey": "セキュリティキー・生体認証で確認",
    "Verifying...": "確認しています…",
    "Finishing verification...": "確認を完了しています…",
    "Verification successful!": "確認できました。",
    "Verification aborted.": "確認を中止しました。",
    "Verification canceled or not allowed.": "確認が取り消されたか、許可されませんでした。もう一度お試しください。",
    "Verification failed. A server error occurred.": "確認できませんでした（サーバーの誤り）。",
    "Verification failed. An unknown error occurred.": "確認できませんでした。",
    "Verification failed. An unknown server error occurred.": "確認できませんでした（サーバーの誤り）。",
    "Verification failed. Could not retrieve parameters from the server.": "確認できませんでした（サーバーから設定を受け取れません）。",
    "An error occurred during verification.": "確認中に誤りが起きました。",
    "Register a Passkey": "セキュリティキー・生体認証を登録",
    "Registering...": "登録しています…",
    "Finishing registration...": "登録を完了しています…",
    "Registration successful!": "登録しました。",
    "Registration aborted.": "登録を中止しました。",
    "Registration aborted or not allowed.": "登録が取り消されたか、許可されませんでした。",
    "Registration failed. A server error occurred.": "登録できませんでした（サーバーの誤り）。",
    "Registration failed. An unknown error occurred.": "登録できませんでした。",
    "Registration failed. The server was unable to verify this passkey.": "登録できませんでした（キーを検証できません）。",
    "Registration failed. Unable to fetch registration options from server.": "登録できませんでした（サーバーから設定を受け取れません）。",
    "Registration failed. You most likely already have a Passkey registered for this site.": "このキーは既に登録されています。",
    "Registration failed. A technical problem occurred that prevents you from registering a Passkey for this site.": "この端末ではキーを登録できません。",
    "An error occurred during registration.": "登録中に誤りが起きました。",
}


def security_key_required(user) -> bool:
    if access := getattr(user, "access", None):  # this request's cached answer (accounts/access_cache.py)
        return access.security_key_required
    return RolePolicy.objects.filter(role__in=user.groups.all(), require_security_key=True).exists()


def has_security_key(user) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def verified_with_security_key(user) -> bool:
    return isinstance(getattr(user, "otp_device", None), WebAuthnCredential)


class JapaneseErrors:
    def handle_exception(self, exc):
        if isinstance(exc, exceptions.OTPWebAuthnApiError):
            detail = ERRORS_JA.get(exc.code, "確認できませんでした。もう一度お試しください。")
            return JsonResponse({"detail": detail, "code": exc.code}, status=exc.status_code)
        return super().handle_exception(exc)


class CompleteAuthentication(JapaneseErrors, CompleteCredentialAuthenticationView):
    def complete_auth(self, device):
        from accounts.views import complete_login

        complete_login(self.request, device)

    def get_success_url(self):
        from accounts.views import next_url

        return next_url(self.request)


class CompleteRegistration(JapaneseErrors, CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            record_request_event(
                self.request,
                SecurityEvent.Kind.DEVICE_ENROLLED,
                staff_number=self.request.user.staff_number,
                detail="セキュリティキー・生体認証",
            )
        return response


class JapaneseCatalog(JavaScriptCatalog):
    """The package's script texts in Japanese (it ships no Japanese catalog)."""

    packages = ["django_otp_webauthn"]

    def get_catalog(self):
        return dict(MESSAGES_JA)


@signed_in
@never_cache
@require_GET
def security_keys(request):
    """The staff member's own keys, and the button to register one (their browser does the rest)."""
    keys = WebAuthnCredential.objects.filter(user=request.user).order_by("created_at")
    required = security_key_required(request.user)
    if required and not verified_with_security_key(request.user):
        messages.warning(
            request,
            "あなたのロールではセキュリティキー・生体認証が必須です。登録してから業務を始めてください。",
        )
    return render(request, "accounts/security_keys.html", {"keys": keys, "required": required})
