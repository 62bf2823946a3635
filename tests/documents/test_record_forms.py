"""Forms made from records — 分納誓約書 and its 納付書, 財産調査照会書, 差押調書 and the disposition
notices — checked by the text of their PDFs; and the batch pages a collections officer uses."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dispositions import services as disposition_services
from documents import services
from documents.models import Batch, Document
from taxpayers.models import Assessment, Taxpayer
from tests.conftest import sign_in
from tests.documents.test_documents import pdf_text
from wako_collections.actors import Actor

pytestmark = pytest.mark.django_db


def taro():
    return Taxpayer.objects.get(atena_number="000000101")


def fixed_asset():
    return Assessment.objects.get(notice_number="210000101")


def issue(officer, record, form_code=""):
    return services.issue_for_record(
        actor=Actor.for_staff(officer, "T0001"),
        form_code=form_code,
        record=record,
        issued_on=date(2026, 11, 27),
    )


@pytest.fixture
def pledge(officer, ledger):
    from negotiations import services as negotiation_services
    from negotiations.schedules import PlannedPayment

    return negotiation_services.make_pledge(
        actor=Actor.for_staff(officer, "T0001"),
        taxpayer=taro(),
        assessments=[fixed_asset()],
        schedule=[
            PlannedPayment(1, date(2026, 12, 25), 20_000),
            PlannedPayment(2, date(2027, 1, 25), 23_000),
        ],
        pledged_on=date(2026, 11, 27),
        interval="monthly",
    )


def test_a_pledge_form_lists_the_installments_the_schedule_and_the_acknowledgement(officer, pledge):
    document = issue(officer, pledge)
    text = pdf_text(services.render_document(document))
    assert "分納誓約書" in text and pledge.pledge_number in text and "和光太郎" in text
    assert "令和8年12月25日" in text and "20,000" in text and "23,000" in text
    assert "民法第152条" in text
    assert document.source == f"分納誓約 {pledge.pledge_number}" and list(document.assessments.all()) == [
        fixed_asset()
    ]


def test_a_scheduled_payment_gets_a_payment_slip_for_its_amount_and_date(officer, pledge):
    payment = pledge.schedule.get(sequence=2)
    document = issue(officer, payment)
    assert (
        document.form_code == "01"
        and document.total_amount == 23_000
        and document.deadline == date(2027, 1, 25)
    )
    digits = document.content["slip"]["barcode"]
    assert digits[30:36] == "270125" and digits[37:43] == "023000"
    text = pdf_text(services.render_document(document))
    assert "領収済通知書" in text and "第2回" in text and "令和9年1月25日" in text


def inquiry(officer, purpose, kind="bank"):
    from dispositions import inquiries
    from dispositions.models import InquiryTarget
    from wako_collections.actors import acting_as
    from wako_collections.records import stamp

    actor = Actor.for_staff(officer, "T0001")
    with acting_as(actor):
        target = InquiryTarget(
            kind=kind, name="埼玉和光銀行", branch="駅前支店", address="埼玉県和光市本町2-1"
        )
        stamp(target, actor)
        target.save()
    return inquiries.create_inquiries(
        actor=actor,
        taxpayer=taro(),
        targets=[target],
        purpose=purpose,
        answer_due=date(2026, 12, 18),
        today=date(2026, 11, 27),
    )[0]


@pytest.mark.parametrize(
    ("purpose", "kind", "title", "item"),
    [
        ("deposits", "bank", "財産調査照会書（預貯金）", "預貯金口座の有無"),
        ("salary", "employer", "財産調査照会書（給与）", "給与の支給日"),
        ("residence", "municipality", "財産調査照会書（他市区町村）", "住民登録"),
    ],
)
def test_inquiry_letters_name_the_person_the_items_the_deadline_and_the_law(
    officer, ledger, purpose, kind, title, item
):
    letter = issue(officer, inquiry(officer, purpose, kind))
    text = pdf_text(services.render_document(letter))
    assert title in text and item in text and "埼玉和光銀行駅前支店御中" in text
    assert (
        "和光太郎" in text
        and "ワコウタロウ" in text
        and "昭和50年4月1日" in text
        and "令和8年12月18日" in text
    )
    assert ("国税徴収法第141条" in text) or ("地方税法第20条の11" in text)


def disposition(officer, supervisor, code, category, **extra):
    draft = disposition_services.draft_disposition(
        actor=Actor.for_staff(officer, "T0001"),
        taxpayer=taro(),
        assessment_ids=[fixed_asset().pk],
        code=code,
        category=category,
        reason="滞納が続き、納付の意思が見られない",
        # before 2026-06-28, when this installment's 時効 (renewed by its 督促状) completes
        planned_on=date(2026, 6, 1),
        **extra,
    )
    return disposition_services.approve_disposition(
        actor=Actor.for_staff(supervisor, "T0001"), disposition=draft
    )


def test_a_seizure_record_carries_the_items_of_enforcement_order_article_21(officer, supervisor, ledger):
    seizure = disposition(
        officer,
        supervisor,
        "01",
        "11",
        property_description="普通預金 口座番号1234567",
        third_party_name="埼玉和光銀行",
        third_party_address="埼玉県和光市本町2-1",
    )
    assert services.forms_for_disposition(seizure) == ["31", "32"]
    text = pdf_text(services.render_document(issue(officer, seizure, "31")))
    # 一 滞納者の氏名及び住所 二 国税の年度・税目・納期限・金額 三 差押財産の名称等 四 作成年月日
    assert "和光太郎" in text and "埼玉県和光市広沢1-5" in text
    assert "固定資産税" in text and "令和3年度" in text and "令和3年5月31日" in text
    assert "普通預金口座番号1234567" in text and "令和8年11月27日" in text
    assert "国税徴収法施行令第21条" in text
    notice = pdf_text(services.render_document(issue(officer, seizure, "32")))
    assert (
        "債権差押通知書" in notice
        and "埼玉和光銀行御中" in notice
        and "滞納者に支払うことはできません" in notice
    )


def test_a_salary_seizure_notice_prints_the_prohibited_amount_and_the_monthly_seizure(
    officer, supervisor, ledger
):
    seizure = disposition(
        officer,
        supervisor,
        "01",
        "12",
        property_description="給与（令和8年6月支給分以降）",
        third_party_name="株式会社和光製作所",
        wage=disposition_services.WageTerms(
            paid=300_000,
            income_tax=8_000,
            resident_tax=12_000,
            social_insurance=42_000,
            dependants=2,
            seized_monthly_amount=38_400,
        ),
    )
    notice = pdf_text(services.render_document(issue(officer, seizure, "32")))
    assert "債権差押通知書" in notice and "株式会社和光製作所御中" in notice
    assert "毎月38,400円" in notice and "差押禁止額261,600円" in notice
    assert "第4号100,000円+45,000円×2人=190,000円" in notice and "国税徴収法第76条" in notice
    record = pdf_text(services.render_document(issue(officer, seizure, "31")))
    assert (
        "差押禁止額" not in record
    )  # the 差押調書 is the taxpayer's copy of the seizure, not the order to pay


def test_suspension_and_delivery_request_notices(officer, supervisor, ledger):
    request = disposition(
        officer,
        supervisor,
        "03",
        "00",
        property_description="不動産競売事件 令和8年(ヌ)第12号",
        third_party_name="さいたま地方裁判所",
    )
    text = pdf_text(services.render_document(issue(officer, request, "35")))
    assert "交付要求書" in text and "さいたま地方裁判所御中" in text and "国税徴収法第82条" in text
    stop = disposition(officer, supervisor, "07", "71")
    text = pdf_text(services.render_document(issue(officer, stop, "34")))
    assert "執行停止通知書" in text and "地方税法第15条の7" in text and "第1号" in text


def test_a_release_notice_only_for_a_cancelled_seizure(officer, supervisor, ledger):
    seizure = disposition(officer, supervisor, "01", "21", property_description="土地 和光市広沢1番5")
    with pytest.raises(services.DocumentError):
        issue(officer, seizure, "33")
    release = disposition_services.draft_cancellation(
        actor=Actor.for_staff(officer, "T0001"),
        disposition=seizure,
        category="4",
        reason="完納のため差押解除",
        cancelled_on=timezone.localdate(),
    )
    seizure.refresh_from_db()
    with pytest.raises(services.DocumentError):  # drafted, not approved: the seizure still stands
        issue(officer, seizure, "33")
    disposition_services.approve_cancellation(
        actor=Actor.for_staff(supervisor, "T0001"), cancellation=release
    )
    seizure.refresh_from_db()
    text = pdf_text(services.render_document(issue(officer, seizure, "33")))
    assert (
        "差押解除通知書" in text and "土地和光市広沢1番5" in text and "第80条（差押えの解除の手続）" in text
    )


def test_issuing_from_a_pledge_page_asks_first_then_records(client, officer, pledge):
    sign_in(client, officer)
    url = reverse("documents:issue_from", args=["pledge", pledge.pledge_number])
    page = client.get(url)
    assert "発行する" in page.content.decode() and not Document.objects.exists()
    response = client.post(url)
    document = Document.objects.get()
    assert response["Location"] == reverse("documents:detail", args=[document.number])
    assert document.updated_terminal_number == "T0001"


def test_the_demand_batch_page_previews_then_runs_and_reports_progress(
    client, officer, ledger, write_csv, batch_actor, django_capture_on_commit_callbacks
):
    from taxpayers.importing import run_import, start_log
    from taxpayers.reconciliation import reconcile
    from tests.taxpayers.conftest import ASSESSMENT_HEADER

    due = timezone.localdate() - timedelta(days=3)
    row = f"000000101,01,0000,112291,112291,1,{due.year},{due.year},260000101,2,{due},{due},41000,,"
    path = write_csv("a.csv", ASSESSMENT_HEADER, [row])
    run_import(
        log=start_log(kind="assessments", path=path, file_name=path.name, actor=batch_actor),
        path=path,
        actor=batch_actor,
    )
    reconcile()
    sign_in(client, officer)
    preview = client.get(reverse("documents:demand_batch")).content.decode()
    assert "1人・1期別" in preview and "000000101" in preview and not Batch.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("documents:demand_batch"), {"confirm": "1"})
    batch = Batch.objects.get()
    assert response["Location"] == reverse("documents:batch_detail", args=[batch.number])
    progress = client.get(reverse("documents:batch_progress", args=[batch.number])).json()
    assert progress == {"status": "done", "status_label": "完了", "rendered": 1, "total": 1, "finished": True}
    detail = client.get(response["Location"]).content.decode()
    assert "印刷用PDF" in detail and "batch_progress.js" in detail
    pdf = client.get(reverse("documents:batch_pdf", args=[batch.number]))
    assert pdf.streaming  # from the file on disk, never the whole batch in memory
    assert "督促状" in pdf_text(b"".join(pdf.streaming_content))
