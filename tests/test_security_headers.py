"""Headers Django's deploy check does not look at: CSP, no-store, and no outside resources."""

import re

import pytest
from django.urls import reverse

from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_every_page_carries_a_strict_content_security_policy(client, officer):
    sign_in(client, officer)
    policy = client.get(reverse("home"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    # django-csp adds the nonce only to pages that use it; inline script never runs without it.
    assert re.fullmatch(r"'self'( 'nonce-[^']+')?", directives["script-src"])


def test_login_page_is_also_covered(client, terminal):
    assert "frame-ancestors 'none'" in client.get(reverse("accounts:login"))["Content-Security-Policy"]


def test_authenticated_pages_are_not_stored_and_not_sniffed_and_not_framed(client, officer):
    sign_in(client, officer)
    response = client.get(reverse("home"))
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_hsts_is_sent_over_https_with_production_values(client, officer, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    sign_in(client, officer)
    response = client.get(reverse("home"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_pages_load_nothing_from_outside_the_server(client, administrator):
    sign_in(client, administrator)
    for name in ("home", "accounts:staff_list", "accounts:terminal_list", "accounts:login"):
        html = client.get(reverse(name), follow=True).content.decode()
        external = re.findall(r"""(?:src|href)=["'](?:https?:)?//[^"']+""", html)
        assert external == [], f"{name} loads {external}"
