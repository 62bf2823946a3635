"""督促状 and 催告書: the PDF's text, the record of issue, the legal 催告, re-issue, and the fetcher."""

import re
import shutil
import subprocess
from datetime import date

import pytest
from django.urls import reverse

from documents import services
from documents.models import Document
from taxpayers.models import Assessment, PrescriptionEvent, Taxpayer
from tests.conftest import sign_in
from wako_collections.actors import Actor
from wako_collections.pdf import RefusedResourceError, StaticOnlyFetcher, render_html

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with all spacing removed (titles are letter-spaced on the form)."""
    extracted = subprocess.run(
        [shutil.which("pdftotext"), "-raw", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return re.sub(r"\s+", "", extracted)


def notice(officer, form="03"):
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    assessment = Assessment.objects.get(notice_number="210000101")
    return services.issue_document(
        actor=Actor.for_staff(officer, "T0001"),
        form_code=form,
        taxpayer=taxpayer,
        assessment_ids=[assessment.pk],
        issued_on=date(2022, 1, 10),
        deadline=date(2022, 1, 31),
    )


def test_a_notice_prints_name_amounts_wareki_dates_and_keeps_the_time_bar_mechanics_internal(officer, ledger):
    document = notice(officer)
    text = pdf_text(services.render_document(document))
    assert "催告書" in text and "和光太郎様" in text and document.number in text
    assert "令和4年1月10日" in text and "令和4年1月31日" in text  # issue date and deadline in 和暦
    assert "35,000" in text  # unpaid 本税 after the 30,100 yen payment (100 to the fee)
    # 催告's effect on 時効 (民法第150条) is the office's business, not the taxpayer's; it is recorded
    assert "民法第150条" not in text and "時効" not in text
    assert document.total_amount == 35_000 + 2_600  # 延滞金 to the deadline
    # the last column lies on the page (pdftotext drops text clipped off the sheet's edge)
    assert "計（円）" in text and f"{document.total_amount:,}" in text


def test_issuing_records_who_where_and_what_and_a_legal_notice_suspends_prescription(officer, ledger):
    document = notice(officer, form="05")
    assert (document.updated_staff_number, document.updated_terminal_number) == ("S1001", "T0001")
    assert document.content["rows"][0]["notice_number"] == "210000101"
    event = PrescriptionEvent.objects.get(kind="notice")
    assert event.occurred_on == date(2022, 1, 10) and event.source == f"差押予告書 {document.number}"


def test_a_demand_letter_cites_the_demand_provisions(officer, ledger):
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    assessment = Assessment.objects.get(notice_number="210000101")
    document = services.issue_document(
        actor=Actor.for_staff(officer, "T0001"),
        form_code="02",
        taxpayer=taxpayer,
        assessment_ids=[assessment.pk],
        issued_on=date(2021, 6, 18),
    )
    text = pdf_text(services.render_document(document))
    assert "督促状" in text and "10日を経過した日までに完納" in text and "地方税法第329条" in text
    assert not PrescriptionEvent.objects.filter(kind="notice").exists()  # a 督促 is on the 調定 already


def test_a_reissue_gets_a_new_number_linked_to_the_old_and_prints_the_same_content(client, officer, ledger):
    original = notice(officer)
    sign_in(client, officer)
    client.post(reverse("documents:reissue", args=[original.number]))
    again = Document.objects.exclude(pk=original.pk).get()
    assert again.reissue_of == original and again.number != original.number
    assert again.content["rows"] == original.content["rows"] and not again.is_legal_notice
    response = client.get(reverse("documents:pdf", args=[again.number]))
    assert response["Content-Type"] == "application/pdf"
    assert again.number in pdf_text(response.content)


def test_the_pdf_fetcher_refuses_a_local_file_and_other_hosts(tmp_path):
    fetcher = StaticOnlyFetcher()
    for url in (
        "file:///etc/passwd",
        "http://example.com/style.css",
        "https://forms.wako-collections.invalid/static/../manage.py",
    ):
        with pytest.raises((RefusedResourceError, ValueError)):
            fetcher.fetch(url)
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-CONTENT")
    html = (
        f'<html><body><p>表示テスト</p><img src="file://{secret}"><object data="file://{secret}"></object>'
        f'<link rel="stylesheet" href="file://{secret}"><iframe src="file://{secret}"></iframe></body></html>'
    )
    text = pdf_text(render_html(html))
    assert "表示テスト" in text and "SECRET-CONTENT" not in text


def test_documents_appear_in_the_timeline(officer, ledger):
    from cases.timeline import case_timeline

    document = notice(officer)
    timeline = case_timeline(Taxpayer.objects.get(atena_number="000000101"), today=document.issued_on)
    entries = [e for e in timeline.past if e.kind == "文書"]
    assert [e.record for e in entries] == [document]
    assert (
        entries[0].links == (("表示", f"/documents/{document.number}/"),) and entries[0].menu == "documents"
    )


def test_a_notice_without_deadline_is_refused(officer, ledger):
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    assessment = Assessment.objects.get(notice_number="210000101")
    with pytest.raises(services.DocumentError, match="指定期限"):
        services.issue_document(
            actor=Actor.for_staff(officer, "T0001"),
            form_code="03",
            taxpayer=taxpayer,
            assessment_ids=[assessment.pk],
            issued_on=date(2022, 1, 10),
        )
