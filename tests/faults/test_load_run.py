"""The load run's own machinery, briefly, against the test database: gunicorn with production
settings over TLS, locust officers signing in with password and TOTP and doing their work. This
keeps `scripts/benchmark` working as the app changes, and shows the production configuration
(secure cookies, HSTS, the CSRF Referer check on HTTPS, whitenoise's static files) serving real
requests. It asserts what happened, not how fast: the figures are the benchmark's business."""

import pytest

from benchmarks import load
from taxpayers.demo import generate
from taxpayers.reconciliation import reconcile

pytestmark = pytest.mark.django_db(transaction=True)


def test_officers_sign_in_and_work_against_production_settings_with_nothing_lost(settings):
    # gunicorn runs with production's password hashers: the accounts must be hashed with one of them
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    generate(persons=120, seed=5)
    reconcile()

    result = load.run(users=3, minutes=0.5, workers=2)

    figures = result["figures"]
    assert figures["login"]["n"] == 3 * 4 and figures["login"]["failed"] == 0  # 2 pages, 2 posts each
    assert figures["pages"]["n"] >= 6, figures["by_name"]
    assert figures["pages"]["failed"] == figures["pdf"]["failed"] == 0, figures["errors"]
    check = result["integrity"]
    assert check["confirmed_missing"] == check["recorded_twice"] == check["missing_history"] == 0
    assert check["broken_documents"] == 0
