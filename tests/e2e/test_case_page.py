"""The case page (カルテ) in a real browser at 1280 px: an officer opens a case from the search,
writes the pinned memo, adds a 付箋 and records a contact from the case page, and finds each on it;
the page does not overflow sideways. Screenshots: test-artifacts/e2e/test_officer_works_a_case_from_its_page/
(the last one, `case-page`, is the image in cases/README.md)."""

import re
from datetime import date, timedelta

import pytest

from cases.models import CaseFlag, CaseMemo
from negotiations import services as negotiation_services
from negotiations.models import NegotiationRecord
from negotiations.schedules import build_schedule
from taxpayers.models import Assessment, Taxpayer
from tests.e2e.test_casework import this_years_delinquency  # noqa: F401  (shared fixture)
from wako_collections.actors import Actor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pledged(this_years_delinquency, officer):  # noqa: F811
    """This year's installment under a three-part pledge made today: its payments are to come."""
    assessment = Assessment.objects.get(taxpayer__atena_number="000000101", principal=80_000)
    return negotiation_services.make_pledge(
        actor=Actor.for_staff(officer, "T0001"),
        taxpayer=Taxpayer.objects.get(atena_number="000000101"),
        assessments=[assessment],
        schedule=build_schedule(total=80_000, first_date=date.today() + timedelta(days=28), count=3),
        pledged_on=date.today(),
        interval="monthly",
    )


def test_officer_works_a_case_from_its_page(steps, pledged, officer):
    page = steps.page
    steps.sign_in(officer)
    steps.arrive("/")

    # the search result opens the case
    steps.go("/taxpayers/")
    page.get_by_label("氏名（漢字・カナ）").fill("和光")
    page.get_by_role("button", name="検索").click()
    page.get_by_role("link", name="000000101").first.click()
    steps.arrive(re.compile(r"/cases/000000101/$"))
    assert page.get_by_role("heading", name=re.compile("カルテ — 和光 太郎")).is_visible()
    assert page.locator("[data-figure=owed-total]").inner_text().endswith("円")
    assert pledged.pledge_number in page.locator("section.case-summary").inner_text()
    upcoming = page.locator("details.timeline-upcoming")
    # the pledge's three payments and the nearest 時効予定日 (one list with the summary's 次の予定)
    assert "今後の予定 4件" in upcoming.locator("summary").inner_text()
    assert "時効予定日" in page.locator("[data-figure=next-dates]").inner_text()
    assert not upcoming.locator("table").is_visible()  # folded: the page opens on today
    steps.shot("case-opened")

    # the pinned memo
    page.get_by_role("link", name="編集").click()
    steps.arrive(re.compile(r"/cases/000000101/memo/$"))
    page.get_by_label("勤務先").fill("和光運送株式会社（白子）048-000-0000")
    page.get_by_label("連絡可能時間").fill("平日18時以降、土曜午前")
    page.get_by_label("注意事項").fill("暴言注意。訪問は2名で。")
    page.get_by_role("button", name="保存する").click()
    steps.arrive(re.compile(r"/cases/000000101/$"))
    memo = page.locator("section.case-memo")
    assert "平日18時以降、土曜午前" in memo.inner_text() and "版 1" in memo.inner_text()
    steps.shot("memo-saved")

    # a 付箋
    page.get_by_role("link", name="付箋を追加").click()
    page.get_by_label("種類").select_option(label="暴言注意")
    page.get_by_label("内容").fill("大声で威圧することがある")
    page.get_by_role("button", name="付箋を付ける").click()
    steps.arrive(re.compile(r"/cases/000000101/$"))
    assert "大声で威圧することがある" in page.locator("ul.case-flags").inner_text()
    steps.shot("flag-added")

    # a 交渉記録 from the case page's action, back to the case with the contact on top
    page.locator("nav.case-actions").get_by_role("link", name="交渉記録").click()
    steps.arrive(re.compile(r"/negotiations/cases/000000101/$"))
    page.get_by_label("内容区分").select_option("11")
    page.get_by_label("予実結果").select_option("2")
    page.get_by_label("科目グループコード").select_option("02")
    page.get_by_label("徴収区分").select_option("2")
    page.get_by_label("訪問内容").fill("架電。本人と話し、月末に来庁して分納を相談すると。")
    page.get_by_role("button", name="保存する").click()
    steps.arrive(re.compile(r"/cases/000000101/$"))
    first_row = page.locator("table.timeline").last.locator("tbody tr").first
    assert "月末に来庁して分納を相談" in first_row.inner_text()
    assert "最後の接触" in page.content() and "架電" in page.locator("section.case-summary").inner_text()

    # 1280 px: nothing wider than the window
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    steps.shot("case-page")

    assert CaseMemo.objects.get().updated_staff_number == "S1001"
    assert CaseFlag.objects.get().kind == "abusive"
    assert NegotiationRecord.objects.filter(staff_number="S1001", taxpayer_id="000000101").count() == 1
