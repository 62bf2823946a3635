"""WebAuthn in a real browser: Chromium's virtual authenticator stands in for a fingerprint reader."""

import re

import pytest
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import RolePolicy, SecurityEvent
from tests.e2e.conftest import add_virtual_authenticator

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_officer_registers_a_key_and_signs_in_with_it(steps, officer):
    page = steps.page
    add_virtual_authenticator(page)
    steps.sign_in(officer)
    steps.arrive("/")
    steps.go("/accounts/security-keys/")
    steps.shot("security-keys")
    page.get_by_role("button", name="セキュリティキー・生体認証を登録").click()
    page.get_by_text("登録しました。").wait_for()
    steps.shot("registered")
    assert WebAuthnCredential.objects.filter(user=officer, confirmed=True).count() == 1
    assert SecurityEvent.objects.filter(kind="device_enrolled", detail="セキュリティキー・生体認証").exists()

    steps.sign_out()
    steps.sign_in(officer, with_code=False)
    steps.shot("verify-with-key-or-code")
    page.get_by_role("button", name="セキュリティキー・生体認証で確認").click()
    steps.arrive("/")
    steps.shot("signed-in-with-key")
    assert "山田 太郎（職員番号 S1001）" in page.locator("header").inner_text()
    assert SecurityEvent.objects.filter(kind="login_completed", staff_number="S1001").count() == 2


def test_a_role_that_requires_a_key_holds_its_members_until_they_register_one(steps, officer, administrator):
    page = steps.page
    steps.sign_in(administrator)
    steps.arrive("/")
    steps.go("/accounts/admin/role-policies/")
    page.get_by_label("徴収担当: セキュリティキー・生体認証を必須とする").check()
    page.get_by_label("変更の理由").fill("生体認証端末の配備完了（令和8年11月）")
    steps.shot("policy")
    page.get_by_role("button", name="保存する").click()
    page.get_by_text("ロールの認証方式を保存しました。").wait_for()
    assert RolePolicy.objects.get(role__name="徴収担当").require_security_key
    assert SecurityEvent.objects.filter(kind="role_policy_changed").exists()
    steps.sign_out()

    add_virtual_authenticator(page)
    steps.sign_in(officer)  # no key yet: the app's code still lets them in, to register one
    steps.arrive(re.compile(r"/accounts/security-keys/"))
    steps.shot("held-on-registration")
    assert page.locator("nav.menu a").count() == 0  # no business menu while held
    steps.go("/taxpayers/")
    assert "/accounts/security-keys/" in page.url  # nothing else until a key is registered
    page.get_by_role("button", name="セキュリティキー・生体認証を登録").click()
    page.get_by_text("登録しました。").wait_for()
    steps.sign_out()

    steps.sign_in(officer, with_code=False)
    steps.shot("key-only")
    assert page.get_by_label("ワンタイムパスワード").count() == 0  # the code is refused now
    page.get_by_role("button", name="セキュリティキー・生体認証で確認").click()
    steps.arrive("/")
    steps.go("/taxpayers/")
    assert page.url.endswith("/taxpayers/")
    steps.shot("at-work")
