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
        page = self.page
        self.go("/accounts/login/")
        page.get_by_label("職員番号").fill(staff.staff_number)
        page.get_by_label("パスワード").fill(PASSWORD)
        page.get_by_role("button", name="次へ").click()
        self.arrive(re.compile(r"/accounts/login/verify/"))
        if with_code:
            # a code typed with at least 5 seconds of its 30 left, as a person reading the app would
            time.sleep(max(0.0, 5 - (30 - time.time() % 30)))
            page.get_by_label("ワンタイムパスワード").fill(current_code(staff))
            page.get_by_role("button", name="ログイン").click()

    def sign_out(self) -> None:
        self.page.locator("header").get_by_role("button", name="ログアウト").click()


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
