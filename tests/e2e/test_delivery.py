"""送達 in a real browser: an officer records a 督促状 returned (返戻); the 差押 draft reached from the
case page shows the installment blocked with the reason, and the 所在調査 is on the work list; the
officer drafts the 公示送達, a supervisor approves it; until the deemed-service day (掲示開始日 + 7日,
地方税法第20条の2第3項) the gate stays shut, and once that day and the ten days of 第331条第1項 have
passed it opens. Screenshots: test-artifacts/e2e/test_a_returned_demand_is_served_by_public_notice/
(`gate-blocked` and `gate-open` are the pictures in documents/README.md, docs/screenshots/delivery_*.png,
reduced to 64 colours)."""

import re
from datetime import date, timedelta

import pytest
import time_machine

from documents.models import PublicNotice, ReturnedMail
from tests.documents.test_delivery import demand_letter, undemanded  # noqa: F401  (shared fixture)
from wako_collections.actors import Actor, acting_as
from wako_collections.records import save_tracked, stamp
from wako_collections.templatetags.wareki import wareki as wareki_date

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_returned_demand_is_served_by_public_notice(steps, officer, supervisor, undemanded):  # noqa: F811
    page = steps.page
    today = date.today()
    letter = demand_letter(officer, undemanded, on=today - timedelta(days=20))
    taxpayer = undemanded.taxpayer  # the officer's own case: its 所在調査 comes to her work list
    actor = Actor.for_staff(supervisor, "T0001")
    with acting_as(actor):
        taxpayer.assigned_officer = officer
        stamp(taxpayer, actor)
        save_tracked(taxpayer, reason="担当の割当")
    steps.sign_in(officer)
    steps.arrive("/")

    # 返戻: the letter came back 転居先不明
    steps.go(f"/documents/{letter.number}/")
    page.get_by_role("link", name="返戻を登録する").click()
    steps.arrive(f"/documents/{letter.number}/return/")
    page.get_by_label("返戻日").fill((today - timedelta(days=15)).isoformat())
    page.get_by_label("返戻理由").select_option("03")
    page.get_by_label("備考").fill("転居先不明の付箋")
    page.get_by_role("button", name="返戻を登録する").click()
    steps.arrive(f"/documents/{letter.number}/")
    delivery = page.locator("section.delivery")
    assert "この文書は送達されていません" in delivery.inner_text()
    returned = ReturnedMail.objects.get(document=letter)
    assert f"交渉記録 {returned.investigation_record_number}" in delivery.inner_text()
    steps.shot("returned")

    # the 差押 gate, from the case page: blocked, with the reason
    steps.go("/cases/000000101/")
    page.get_by_role("link", name="差押の起案").click()
    steps.arrive(re.compile(r"/dispositions/cases/000000101/new/"))
    row = page.locator("tr", has_text="240000101")
    assert f"督促状（督促状 {letter.number}）が返戻され送達されていないため差押できません" in row.inner_text()
    steps.shot("gate-blocked")

    # the 所在調査 is a planned contact on the work list
    steps.go("/negotiations/my-work/")
    planned = page.locator("#planned + table")
    assert "所在調査" in planned.inner_text() and letter.number in planned.inner_text()
    steps.shot("investigation-planned")

    # 公示送達: posted today, drafted by the officer
    steps.go(f"/documents/{letter.number}/")
    page.get_by_role("link", name="公示送達を起案する").click()
    steps.arrive(f"/documents/{letter.number}/public-notice/")
    page.get_by_label("掲示開始日").fill(today.isoformat())
    page.get_by_label(re.compile("所在調査の結果")).fill(
        "住民票・戸籍の附票を照会、転出先不明。近隣聞き取りでも所在不明。"
    )
    page.get_by_role("button", name="起案する").click()
    steps.arrive(f"/documents/{letter.number}/")
    assert "公示送達は決裁待ちです" in page.locator("section.delivery").inner_text()
    steps.sign_out()

    # approved by a supervisor: served on the deemed day, a week on; the gate still shut today
    deemed = today + timedelta(days=7)
    steps.sign_in(supervisor)
    steps.go(f"/documents/{letter.number}/public-notice/approve/")
    assert wareki_date(deemed) in page.locator("main").inner_text()
    page.get_by_role("button", name="決裁する").click()
    steps.arrive(f"/documents/{letter.number}/")
    assert f"{wareki_date(deemed)}に送達とみなします" in page.locator("body").inner_text()
    assert PublicNotice.objects.get().status == PublicNotice.Status.APPROVED
    steps.go("/dispositions/cases/000000101/new/")
    assert (
        "返戻され送達されていないため差押できません" in page.locator("tr", has_text="240000101").inner_text()
    )
    steps.shot("approved-gate-still-shut")
    steps.sign_out()

    # eighteen days on (the deemed day + the ten days of 第331条第1項 have passed): the gate opens
    with time_machine.travel(today + timedelta(days=18)):
        steps.sign_in(officer)
        steps.go("/dispositions/cases/000000101/new/")
        row = page.locator("tr", has_text="240000101")
        assert "処分できます" in row.inner_text()
        steps.shot("gate-open")
        steps.go("/cases/000000101/")
        assert "公示送達により" in page.locator("body").inner_text()  # the 時効 renewed on the deemed day
        steps.shot("case-time-bar-renewed")
