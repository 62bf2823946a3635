"""A day's casework in a real browser: an officer finds a taxpayer, records a contact, agrees a
pledge and prints its 納付書, drafts a seizure; a supervisor approves it and reviews its history;
an administrator is refused from taxpayer pages. Screenshots of every step: test-artifacts/e2e/."""

import re
from datetime import date, timedelta

import pytest

from dispositions.models import Disposition
from documents.models import Document
from negotiations.models import InstallmentPledge, NegotiationRecord

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def this_years_delinquency(ledger, write_csv, batch_actor):
    """An installment of this 年度 that fell due two months ago and was demanded 45 days ago, so
    that the pledge and the seizure below are lawful whatever day the test runs (the ledger's
    older installments reach their 時効 as the years pass)."""
    from taxpayers.importing import run_import, start_log
    from tests.taxpayers.conftest import ASSESSMENT_HEADER

    due = date.today() - timedelta(days=60)
    year = due.year if due.month >= 4 else due.year - 1
    row = (
        f"000000101,01,0000,112291,112291,1,{year},{year},{year % 100:02d}9000101,2,"
        f"{due.isoformat()},{due.isoformat()},80000,{(due + timedelta(days=15)).isoformat()},"
    )
    path = write_csv("this_year.csv", ASSESSMENT_HEADER, [row])
    log = start_log(kind="assessments", path=path, file_name=path.name, actor=batch_actor)
    run_import(log=log, path=path, actor=batch_actor)


def on(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def test_officer_casework_then_supervisor_approval_and_review(
    steps, this_years_delinquency, officer, supervisor, administrator
):
    page = steps.page
    steps.sign_in(officer)
    steps.arrive("/")
    steps.shot("home")

    # 検索: kana, half-width and spaces do not matter
    steps.go("/taxpayers/")
    page.get_by_label("氏名（漢字・カナ）").fill("ﾜｺｳ ﾀﾛｳ")
    page.get_by_role("button", name="検索").click()
    steps.shot("search")
    page.get_by_role("link", name="000000101").first.click()
    steps.arrive(re.compile(r"/cases/000000101/"))
    assert "和光 太郎" in page.content()
    steps.shot("taxpayer")

    # 交渉記録
    steps.go("/negotiations/cases/000000101/")
    page.get_by_label("内容区分").select_option("21")
    page.get_by_label("予実結果").select_option("2")
    page.get_by_label("科目グループコード").select_option("02")
    page.get_by_label("徴収区分").select_option("2")
    page.get_by_label("訪問内容").fill("来庁。固定資産税の分納を相談。月末から5回で納めると申出。")
    page.get_by_role("button", name="保存する").click()
    page.get_by_text("固定資産税の分納を相談").first.wait_for()
    steps.shot("contact-recorded")
    assert NegotiationRecord.objects.filter(staff_number="S1001", taxpayer_id="000000101").count() == 1

    # 分納誓約 and its first 納付書
    steps.go("/negotiations/cases/000000101/pledges/new/")
    page.locator("input[name=assessments]").first.check()
    page.get_by_label("誓約日").fill(on(0))
    page.get_by_label("初回納付日").fill(on(28))
    page.get_by_label("回数").fill("5")
    page.get_by_role("button", name="試算する").click()
    steps.shot("pledge-simulated")
    page.get_by_role("button", name="この内容で誓約を登録する").click()
    steps.arrive(re.compile(r"/negotiations/pledges/"))
    steps.shot("pledge")
    pledge = InstallmentPledge.objects.get(taxpayer__atena_number="000000101")
    assert pledge.schedule.count() == 5
    page.get_by_role("link", name="納付書を発行").first.click()
    page.get_by_role("button", name="発行する").click()
    steps.arrive(re.compile(r"/documents/D\d+/"))
    steps.shot("payment-slip-issued")
    slip = Document.objects.get(form_code="01")
    pdf = page.request.get(f"{steps.base_url}/documents/{slip.number}/pdf/")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

    # 差押の起案
    steps.go("/dispositions/cases/000000101/new/?code=01")
    page.get_by_label("処分区分").select_option("11")
    page.get_by_label("処分予定日").fill(on(4))
    page.get_by_label("処分理由").fill("預貯金調査で残高を確認")
    page.get_by_label("財産の表示").fill("和光銀行 本店 普通預金 1234567")
    page.get_by_label("第三債務者等", exact=True).fill("株式会社和光銀行")
    page.locator("input[name=assessments]").first.check()
    steps.shot("seizure-draft")
    page.get_by_role("button", name="起案する").click()
    steps.arrive(re.compile(r"/dispositions/S\d+/"))
    steps.shot("seizure-drafted")
    disposition = Disposition.objects.get(taxpayer__atena_number="000000101")
    assert disposition.status == "draft"
    steps.sign_out()

    # 監督者: 決裁 and the history review
    steps.sign_in(supervisor)
    steps.arrive("/")
    steps.go(f"/dispositions/{disposition.number}/")
    page.get_by_role("link", name="決裁する").click()
    page.get_by_role("button", name="決裁を確定する").click()
    page.get_by_text("決裁済").first.wait_for()
    steps.shot("approved")
    disposition.refresh_from_db()
    assert (disposition.status, disposition.approved_by) == ("approved", "S2001")
    steps.go("/audit/history/?kind=disposition")
    page.get_by_role("link", name=f"滞納処分 {disposition.number}").first.click()
    page.get_by_text("決裁", exact=True).first.wait_for()
    html = page.content()
    assert "決裁済（執行）" in html and "S2001" in html and "S1001" in html
    steps.shot("history")
    steps.sign_out()

    # システム管理者: no taxpayer page
    steps.sign_in(administrator)
    steps.arrive("/")
    response = page.goto(steps.base_url + "/taxpayers/000000101/")
    assert response.status == 403 and "このページを表示する権限がありません" in page.content()
    assert "和光 太郎" not in page.content()
    steps.shot("administrator-refused")
