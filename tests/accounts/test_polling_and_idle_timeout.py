"""Pages that follow progress by themselves (a batch's progress bar, an import's automatic
reload) do not keep an idle session alive, and are not served once it has been idle 15 minutes."""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import SecurityEvent
from tests.conftest import sign_in
from tests.test_url_role_matrix import objects  # noqa: F401  (a batch and an import log)

pytestmark = pytest.mark.django_db


def at(start, minutes):
    return time_machine.travel(start + timedelta(minutes=minutes), tick=False)


def progress_url(objects):  # noqa: F811
    return reverse("documents:batch_progress", args=[objects["batch"].number])


def test_polling_a_batch_every_minute_does_not_keep_the_session_alive(client, objects):  # noqa: F811
    start = timezone.now()
    with at(start, 0):
        sign_in(client, objects["officer"])
    for minute in range(1, 15):
        with at(start, minute):
            assert client.get(progress_url(objects)).status_code == 200, f"minute {minute}"
    with at(start, 16):
        response = client.get(reverse("home"))
    assert response["Location"] == reverse("accounts:login")
    assert (
        SecurityEvent.objects.get(kind=SecurityEvent.Kind.SESSION_EXPIRED).detail
        == "一定時間操作がなかったため"
    )


def test_a_poll_after_the_idle_limit_is_refused_and_the_page_is_told_to_reload(client, objects):  # noqa: F811
    start = timezone.now()
    with at(start, 0):
        sign_in(client, objects["officer"])
    with at(start, 10):
        client.get(progress_url(objects))
    with at(start, 16):
        response = client.get(progress_url(objects), headers={"X-Wako-Polling": "1"})
        assert response.status_code == 401
        assert response.json() == {"expired": True, "login_url": reverse("accounts:login")}
        assert "rendered" not in response.json()
        page = client.get(reverse("accounts:login")).content.decode()
    assert "一定時間操作がなかったため、ログアウトしました" in page
    # the session is over: the next poll no longer reaches the progress view either
    assert client.get(progress_url(objects))["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "marker",
    [{"headers": {"X-Wako-Polling": "1"}}, {"data": {"polling": "1"}}],
    ids=["header from the polling script", "query from an automatic reload"],
)
def test_a_marked_request_to_any_page_leaves_the_idle_clock_alone(client, officer, marker):
    start = timezone.now()
    with at(start, 0):
        sign_in(client, officer)
    with at(start, 10):
        assert client.get(reverse("home"), **marker).status_code == 200
    with at(start, 16):
        assert client.get(reverse("home"))["Location"] == reverse("accounts:login")


def test_the_officers_own_requests_still_keep_the_session_alive_between_polls(client, objects):  # noqa: F811
    start = timezone.now()
    with at(start, 0):
        sign_in(client, objects["officer"])
    with at(start, 10):
        client.get(progress_url(objects))
        client.get(reverse("documents:batch_detail", args=[objects["batch"].number]))
    with at(start, 24):
        assert client.get(reverse("home")).status_code == 200


def test_the_running_import_page_reloads_itself_marked_as_polling(objects):  # noqa: F811
    client = sign_in(Client(), _supervisor())
    url = reverse("taxpayers:import_detail", args=[objects["import_log"].pk])
    page = client.get(url).content.decode()
    assert f'<meta http-equiv="refresh" content="2; url={url}?polling=1">' in page


def test_the_running_import_page_polled_for_sixteen_minutes_ends_the_session(objects):  # noqa: F811
    client = Client()
    start = timezone.now()
    url = reverse("taxpayers:import_detail", args=[objects["import_log"].pk])
    with at(start, 0):
        sign_in(client, _supervisor())
        assert client.get(url).status_code == 200
    for minute in range(1, 15):
        with at(start, minute):
            assert client.get(url, {"polling": "1"}).status_code == 200
    with at(start, 16):
        response = client.get(url, {"polling": "1"})
    assert response["Location"] == reverse("accounts:login")


def test_the_batch_progress_script_marks_its_requests():
    script = (Path(settings.BASE_DIR) / "documents/static/documents/batch_progress.js").read_text()
    assert '"X-Wako-Polling": "1"' in script


def _supervisor():
    from accounts.models import Staff
    from accounts.roles import Role
    from tests.conftest import make_staff

    existing = Staff.objects.filter(staff_number="S2001").first()
    return existing or make_staff("S2001", Role.SUPERVISOR, full_name="鈴木 一郎")
