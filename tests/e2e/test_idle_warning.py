"""The idle timeout no longer loses a note (issue 18): the page warns before the session ends,
「操作を続ける」 keeps it, and what was typed is offered back after signing in again."""

import re
from datetime import timedelta

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NOTE = "勤務先に電話。本人不在のため、夕方に折り返すよう伝言。来週の来庁を約束。"


def test_a_note_survives_the_idle_timeout(steps, ledger, officer, settings):
    page = steps.page
    steps.sign_in(officer)
    steps.arrive("/")
    settings.SESSION_IDLE_TIMEOUT = timedelta(seconds=25)  # warned 15 s before the end (at 10 s)
    steps.go("/negotiations/cases/000000101/")
    page.get_by_label("訪問内容").fill(NOTE)
    warning = page.get_by_role("alertdialog")
    warning.wait_for(timeout=20_000)
    assert "まもなく自動的にログアウトします" in warning.inner_text()
    steps.shot("warned")
    page.get_by_role("button", name="操作を続ける").click()
    warning.wait_for(state="detached")
    # then nobody answers: the page goes to the login page, keeping the note in this tab
    page.wait_for_url(
        re.compile(r"/accounts/login/\?next=%2Fnegotiations%2Fcases%2F000000101%2F"), timeout=40_000
    )
    steps.shot("signed-out")
    settings.SESSION_IDLE_TIMEOUT = timedelta(minutes=15)
    steps.sign_in(officer)
    steps.go("/negotiations/cases/000000101/")
    assert page.get_by_label("訪問内容").input_value() == ""
    page.get_by_role("button", name="入力を復元する").click()
    assert page.get_by_label("訪問内容").input_value() == NOTE
    steps.shot("restored")


def test_after_continuing_the_page_counts_the_whole_idle_time_again(steps, ledger, officer):
    """The server records its idle clock at most once a minute, so a page may be served with less
    than the whole idle time left (data-idle-seconds). 「操作を続ける」 moves the server's clock: the
    page must then count the whole idle time (data-idle-timeout), not what was left at loading —
    else it warned again at once and went to the login page while the session was still alive."""
    page = steps.page
    steps.sign_in(officer)
    steps.arrive("/")
    whole = 15 * 60
    assert f'data-idle-timeout="{whole}"' in page.content()

    def served_with_200_seconds_left(route):
        response = route.fetch()
        html = re.sub(r'data-idle-seconds="\d+"', 'data-idle-seconds="200"', response.text())
        route.fulfill(response=response, body=html)

    page.route("**/negotiations/cases/*/", served_with_200_seconds_left)
    page.clock.install()
    steps.go("/negotiations/cases/000000101/")
    warning = page.get_by_role("alertdialog")
    page.clock.run_for(79_000)
    assert warning.count() == 0
    page.clock.run_for(2_000)  # warned 120 s before the 200 s run out
    warning.wait_for()
    page.get_by_role("button", name="操作を続ける").click()
    warning.wait_for(state="detached")
    page.clock.run_for(300_000)  # past what was left at loading: still here, no warning
    assert warning.count() == 0
    assert page.url.endswith("/negotiations/cases/000000101/")
    page.clock.run_for((whole - 120 - 300 + 1) * 1000)  # 120 s before the whole time runs out
    warning.wait_for()
