"""Browser tests: Playwright for Python driving Debian's chromium (/usr/bin/chromium, installed by
scripts/bootstrap.sh; never a downloaded browser) against Django's live server.

Screenshots of each step go to test-artifacts/e2e/<test name>/NN-step.png.
"""

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from accounts import services
from tests.conftest import PASSWORD, SETUP, current_code
from tests.taxpayers.conftest import batch_actor, ledger, write_csv  # noqa: F401  (shared fixtures)
from wako_collections.actors import acting_as

# Playwright's sync API runs an event loop on the test's thread; the test body still talks to the
# database synchronously, as every other test does.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("WAKO_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"


@pytest.fixture
def ipv6_terminal(terminal):
    """Chromium may reach `localhost` over ::1."""
    with acting_as(SETUP):
        return services.register_terminal(
            actor=SETUP, terminal_number="T0002", name="収納課 2番", location="本庁舎2階", network="::1/128"
        )


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} がありません。scripts/test（WAKO_WITH_BROWSER=1）で chromium を入れてください。"
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


class Steps:
    """A page plus numbered screenshots of each step."""

    def __init__(self, page, folder: Path, base_url: str):
        self.page, self.folder, self.base_url, self.count = page, folder, base_url, 0

    def shot(self, name: str) -> None:
        self.count += 1
        self.page.screenshot(path=self.folder / f"{self.count:02d}-{name}.png", full_page=True)

    def go(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def arrive(self, url) -> None:
        """Waits for the page at `url` (a path, or a pattern) to be parsed. When it does not come,
        the test fails with the page the browser shows instead: its address and its words."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        target = self.base_url + url if isinstance(url, str) else url
        try:
            self.page.wait_for_url(target, wait_until="domcontentloaded")
            return
        except PlaywrightTimeout:
            pass
        shown = self.page.locator("body").inner_text(timeout=2_000)
        self.shot("unexpected")
        pytest.fail(f"{url} に移りませんでした。表示中: {self.page.url}\n{shown[:1500]}")

    def sign_in(self, staff, *, with_code: bool = True) -> None:
        """Password, then (with_code) the app's one-time code.

        Chromium sometimes follows the 302 that answers the code with the session cookie it had
        before, although the 302 carries the new one (seen in CI and here about once in ten runs of
        the browser tests: the server's Set-Cookie holds the new key, the next request sends the old
        one, and the server — rightly — treats it as signed out). When the server did sign the
        person in (the new session it issued is verified), the sign-in is done once more, with the
        next code; anything else is left for the test to fail on."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        page = self.page
        for attempt in (1, 2):
            self.go("/accounts/login/")
            if attempt == 2 and "/accounts/login/" not in page.url:
                return  # the new cookie did arrive after all: signed in, the login page sent us home
            page.get_by_label("職員番号").fill(staff.staff_number)
            page.get_by_label("パスワード").fill(PASSWORD)
            page.get_by_role("button", name="次へ").click()
            self.arrive(re.compile(r"/accounts/login/verify/"))
            if not with_code:
                return
            if attempt == 2:  # the last code was used: wait for the next one (replay protection)
                time.sleep(30 - time.time() % 30 + 0.5)
            # a code typed with at least 5 seconds of its 30 left, as a person reading the app would
            left = 30 - time.time() % 30
            time.sleep(left + 0.5 if left < 5 else 0)
            page.get_by_label("ワンタイムパスワード").fill(current_code(staff))
            with page.expect_response(
                lambda r: r.request.method == "POST" and "/accounts/login/verify/" in r.url
            ) as answer:
                page.get_by_role("button", name="ログイン").click()
            try:  # wherever the answer leads (a refused code stays on the form)
                page.wait_for_url(lambda url: "/accounts/login/verify/" not in url, wait_until="commit")
            except PlaywrightTimeout:
                return
            if not re.search(r"/accounts/login/(\?|$)", page.url) or not _signed_in_by(answer.value, staff):
                return
            print(
                f"ブラウザが古いセッションでリダイレクトを辿ったため、もう一度ログインします（{attempt}回目）"
            )

    def sign_out(self) -> None:
        self.page.locator("header").get_by_role("button", name="ログアウト").click()


def _signed_in_by(response, staff) -> bool:
    """Whether `response` (the answer to the code) issued a session in which `staff` is signed in
    with the second factor verified."""
    from django.contrib.sessions.models import Session
    from django_otp import DEVICE_ID_SESSION_KEY

    found = re.search(r"wako_session=([a-z0-9]+)", response.all_headers().get("set-cookie", ""))
    session = Session.objects.filter(session_key=found.group(1)).first() if found else None
    data = session.get_decoded() if session else {}
    return data.get("_auth_user_id") == str(staff.pk) and bool(data.get(DEVICE_ID_SESSION_KEY))


@pytest.fixture
def steps(request, browser, live_server, ipv6_terminal, settings):
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    folder = ARTIFACTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    # the browser's console, shown by pytest when a test fails
    page.on("console", lambda message: print("browser console:", message.type, message.text))
    yield Steps(page, folder, live_server.url)
    context.close()


@pytest.fixture(scope="session", autouse=True)
def _end_live_server_sessions(django_db_setup, django_db_blocker):
    """A live-server thread that served a kept-alive browser connection can leave its database
    session idle after the browser has gone; after the last browser test, end it so the test
    database can be dropped."""
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle'"
        )


def add_virtual_authenticator(page) -> str:
    """Chromium's virtual authenticator: a platform authenticator (like a fingerprint reader) that
    always verifies the user."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    return cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )["authenticatorId"]
