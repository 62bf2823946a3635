"""PostgreSQL out of connections answered 503 with the Japanese page in every mode (in development
it was Django's English debug page), and connections bounded outside production."""

import os
import subprocess
import sys

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import reverse

from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

TOO_MANY = "connection failed: FATAL:  sorry, too many clients already"


def failing(error):
    def fail(*args, **kwargs):
        raise error

    return fail


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("error", [OperationalError(TOO_MANY), InterfaceError("connection already closed")])
def test_a_database_failure_in_a_view_is_the_503_page(officer, settings, monkeypatch, debug, error):
    from wako_collections import views

    settings.DEBUG = debug
    client = Client(raise_request_exception=False)
    sign_in(client, officer)
    monkeypatch.setattr(views, "failed_jobs", failing(error))  # ホーム's first query
    response = client.get(reverse("home"))
    assert response.status_code == 503
    page = response.content.decode()
    assert "一時的にデータベースに接続できません" in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert response["Retry-After"] == "5"


@pytest.mark.parametrize("debug", [True, False])
def test_a_database_failure_in_a_middleware_is_the_503_page(officer, settings, monkeypatch, debug):
    from django.contrib.sessions.backends.db import SessionStore

    settings.DEBUG = debug
    client = Client(raise_request_exception=False)
    sign_in(client, officer)
    monkeypatch.setattr(SessionStore, "load", failing(OperationalError(TOO_MANY)))
    response = client.get(reverse("home"))
    assert response.status_code == 503
    assert "一時的にデータベースに接続できません" in response.content.decode()


def test_other_errors_are_still_500(officer, settings, monkeypatch):
    from wako_collections import views

    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    sign_in(client, officer)
    monkeypatch.setattr(views, "failed_jobs", failing(ValueError("bug")))
    assert client.get(reverse("home")).status_code == 500


def test_runserver_does_not_keep_a_connection_per_thread_in_development():
    environment, age = "development", "0"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_CONN_MAX_AGE"} | {
        "WAKO_ENV": environment,
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "example.org",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import wako_collections.settings as s; print(s.DATABASES['default']['CONN_MAX_AGE'])",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == age
