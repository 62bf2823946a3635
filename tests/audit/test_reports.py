"""自己点検 and 開示請求: the report's sections and the disclosure PDF holding every kind of record."""

from datetime import date, timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit import inspection
from documents import services as document_services
from taxpayers.models import Assessment, Taxpayer, TaxpayerAccess
from tests.conftest import SETUP, make_staff, sign_in
from tests.documents.test_documents import pdf_text
from tests.negotiations.conftest import CONTACT
from wako_collections.actors import Actor, acting_as

pytestmark = pytest.mark.django_db


def test_the_self_inspection_lists_accounts_needing_attention_terminals_imports_and_output(
    client, supervisor, officer, ledger
):
    idle = make_staff("S1005", Role.COLLECTIONS_OFFICER, full_name="休眠 職員")
    with acting_as(SETUP):
        idle.created_at = timezone.now() - timedelta(days=120)
        idle.save(update_fields=["created_at"])
    make_staff("S1006", Role.READ_ONLY, full_name="未登録 職員", enrolled=False)
    AccessAttempt.objects.create(
        username="S1002",
        ip_address="127.0.0.1",
        user_agent="",
        failures_since_start=5,
        attempt_time=timezone.now(),
    )
    document_services.issue_document(
        actor=Actor.for_staff(officer, "T0001"),
        form_code="03",
        taxpayer=Taxpayer.objects.get(atena_number="000000101"),
        assessment_ids=[Assessment.objects.get(notice_number="210000101").pk],
        issued_on=timezone.localdate(),
        deadline=timezone.localdate() + timedelta(days=14),
    )
    today = timezone.localdate()
    report = inspection.build(today - timedelta(days=30), today)
    assert [line.staff.staff_number for line in report.unused] == ["S1005"]
    assert [line.staff.staff_number for line in report.without_second_factor] == ["S1006"]
    assert report.locked == [] and inspection.locked_staff_numbers(timezone.now()) == {"S1002"}
    officer_line = next(line for line in report.staff if line.staff.staff_number == "S1001")
    assert officer_line.roles == ["徴収担当"] and "交渉記録" in officer_line.permissions
    assert len(report.imports) == 3 and all(log.file_deleted_at for log in report.imports)
    assert [(o.staff_number, o.documents) for o in report.output] == [("S1001", 1)]
    assert [t.terminal_number for t in report.terminals] == ["T0001"]

    sign_in(client, supervisor)
    assert "休眠 職員" in client.get(reverse("audit:self_inspection")).content.decode()
    response = client.get(
        reverse("audit:self_inspection"),
        {"date_from": (today - timedelta(days=30)).isoformat(), "date_to": today.isoformat(), "pdf": "1"},
    )
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in ("自己点検報告書", "S1005", "未登録", "persons.csv", "点検者", "時間外・閉庁日の照会"):
        assert expected in text


@pytest.fixture
def everything(officer, ledger):
    """One of each kind of record for 000000101."""
    from dispositions import inquiries
    from dispositions import services as disposition_services
    from dispositions.models import InquiryTarget
    from negotiations import services
    from negotiations.schedules import PlannedPayment
    from wako_collections.records import stamp

    actor = Actor.for_staff(officer, "T0001")
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    assessment = Assessment.objects.get(notice_number="210000101")
    services.record_negotiation(actor=actor, taxpayer=taxpayer, values=CONTACT)
    services.make_pledge(
        actor=actor,
        taxpayer=taxpayer,
        assessments=[assessment],
        schedule=[PlannedPayment(1, date(2026, 12, 10), 34_900)],
        pledged_on=date(2026, 11, 20),
        interval="monthly",
    )
    disposition_services.draft_disposition(
        actor=actor,
        taxpayer=taxpayer,
        assessment_ids=[assessment.pk],
        code="07",
        category="71",
        reason="財産調査の結果、滞納処分をすることができる財産がない",
        planned_on=date(2026, 6, 15),  # before this installment's 時効 completes (2026-06-28)
    )
    with acting_as(actor):
        target = InquiryTarget(kind="bank", name="和光銀行", branch="本店", address="埼玉県和光市本町1-1")
        stamp(target, actor)
        target.save()
    inquiries.create_inquiries(
        actor=actor,
        taxpayer=taxpayer,
        targets=[target],
        purpose="deposits",
        answer_due=date(2099, 1, 31),
        today=date(2026, 11, 20),
    )
    document_services.issue_document(
        actor=actor,
        form_code="03",
        taxpayer=taxpayer,
        assessment_ids=[assessment.pk],
        issued_on=date(2026, 11, 20),
        deadline=date(2026, 12, 4),
    )
    return taxpayer


def test_the_disclosure_pdf_holds_each_kind_of_record(client, supervisor, everything):
    sign_in(client, supervisor)
    form = client.get(reverse("audit:disclosure"))
    assert "開示請求" in form.content.decode()
    response = client.post(
        reverse("audit:disclosure"),
        {"atena_number": "000000101", "reason": "本人から開示請求（受付番号 2026-015）"},
    )
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for section in (
        "交渉記録（1件）",
        "分納誓約（1件）",
        "分納誓約の回（1件）",
        "照会（1件）",
        "滞納処分（1件）",
        "発行した文書（1件）",
    ):
        assert section in text
    assert "和光太郎様" in text and "210000101" in text  # the ledger
    assert "分納の相談" in text and "預貯金" in text  # a negotiation record's content, an inquiry's purpose
    assert "下4桁9018" in text and "123456789018" not in text
    assert f"作成日時令和{timezone.localdate().year - 2018}年" in text
    logged = TaxpayerAccess.objects.get(page="開示請求（保有個人情報の一覧）")
    assert logged.atena_numbers == ["000000101"] and "2026-015" in logged.detail


def test_a_disclosure_for_an_unknown_taxpayer_is_refused_in_japanese(client, supervisor):
    sign_in(client, supervisor)
    html = client.post(
        reverse("audit:disclosure"), {"atena_number": "999", "reason": "本人請求"}
    ).content.decode()
    assert "この宛名番号の宛名はありません。" in html
    assert not TaxpayerAccess.objects.filter(page__startswith="開示請求").exists()
