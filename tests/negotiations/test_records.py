"""Recording, editing with the optimistic lock, cancelling, and the case page."""

import pytest
from django.test import Client
from django.urls import reverse

from negotiations import services
from negotiations.models import NegotiationRecord, RefusedEdit
from taxpayers.models import Taxpayer, TaxpayerAccess
from tests.conftest import sign_in
from tests.negotiations.conftest import CONTACT

pytestmark = pytest.mark.django_db


def test_recording_a_contact_fills_who_when_and_where(client, officer, ledger):
    sign_in(client, officer)
    response = client.post(
        reverse("negotiations:record_create", args=["000000101"]),
        {**CONTACT, "result": "4", "promised_amount": "20000", "scheduled_date": "R8.12.25"},
    )
    assert response.status_code == 302
    record = NegotiationRecord.objects.get()
    assert record.taxpayer.atena_number == "000000101"
    assert (record.staff_number, record.terminal_number, record.officer_name) == (
        "S1001",
        "T0001",
        "山田 太郎",
    )
    assert record.officer_atena_number == officer.atena_number and record.revision == 1
    assert record.is_promise and record.scheduled_date.isoformat() == "2026-12-25"
    history = record.history.first()
    assert (history.history_staff_number, history.history_terminal_number) == ("S1001", "T0001")


def test_the_contact_page_offers_defaults_and_the_case_page_shows_the_timeline(client, officer, ledger):
    sign_in(client, officer)
    response = client.get(reverse("negotiations:case", args=["000000101"]))
    form = response.context["form"]
    assert form.initial["subject_group_code"] == "02"  # the only subject with something outstanding
    assert form.initial["collection_category"] == "2"  # 2021: 滞納繰越分
    assert TaxpayerAccess.objects.filter(page="交渉記録の入力", atena_numbers=["000000101"]).exists()
    case = client.get(reverse("cases:case", args=["000000101"]))
    kinds = [entry.kind for entry, _ in case.context["past"]]
    assert "収納" in kinds


def test_a_promise_without_a_date_is_refused_in_japanese(client, officer, ledger):
    sign_in(client, officer)
    response = client.post(
        reverse("negotiations:record_create", args=["000000101"]), {**CONTACT, "promised_amount": "20000"}
    )
    assert response.status_code == 400
    assert "予実日（入金の予定日）も入力してください" in response.content.decode()
    assert NegotiationRecord.objects.count() == 0


def test_two_officers_editing_the_same_record_the_second_is_refused_and_nothing_is_lost(
    officer, supervisor, ledger
):
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    from wako_collections.actors import Actor

    record = services.record_negotiation(
        actor=Actor.for_staff(officer, "T0001"), taxpayer=taxpayer, values=CONTACT
    )
    first, second = sign_in(Client(), officer), sign_in(Client(), supervisor)
    url = reverse("negotiations:record_edit", args=[record.record_number])
    first.get(url)
    second.get(url)  # both opened 履歴 1
    ok = first.post(
        url, {**CONTACT, "content": "来庁。12月25日に2万円を納めると約束。", "expected_revision": 1}
    )
    assert ok.status_code == 302
    refused = second.post(
        url, {**CONTACT, "content": "別の内容で上書きしようとした。", "expected_revision": 1}
    )
    html = refused.content.decode()
    assert refused.status_code == 200 and "あなたの変更は保存していません" in html
    assert "山田 太郎（職員番号 S1001）" in html  # who saved first
    assert "12月25日に2万円を納めると約束" in html  # the other change is shown
    record.refresh_from_db()
    assert record.content == "来庁。12月25日に2万円を納めると約束。" and record.revision == 2
    reasons = [row.history_change_reason for row in record.history.order_by("history_date")]
    assert reasons == ["交渉記録の入力", "交渉記録の修正"]
    refusal = RefusedEdit.objects.get(record=record)
    assert (refusal.staff_number, refusal.expected_revision, refusal.found_revision) == ("S2001", 1, 2)
    assert refusal.attempted_values["content"] == "別の内容で上書きしようとした。"


def test_cancelling_keeps_the_record_with_its_reason(client, officer, ledger):
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    from wako_collections.actors import Actor

    record = services.record_negotiation(
        actor=Actor.for_staff(officer, "T0001"), taxpayer=taxpayer, values=CONTACT
    )
    sign_in(client, officer)
    url = reverse("negotiations:record_cancel", args=[record.record_number])
    assert "取消を確定する" in client.get(url).content.decode()
    client.post(url, {"reason": "別の宛名に入力したため", "expected_revision": 1})
    record.refresh_from_db()
    assert record.is_cancelled and record.cancel_reason == "別の宛名に入力したため"
    assert NegotiationRecord.objects.filter(pk=record.pk).exists()
    with pytest.raises(services.NegotiationError, match="取り消された"):
        services.update_negotiation(
            actor=Actor.for_staff(officer, "T0001"),
            record_number=record.record_number,
            expected_revision=2,
            values=CONTACT,
        )
    html = client.get(reverse("cases:case", args=["000000101"])).content.decode()
    assert "交渉（取消）" in html and "別の宛名に入力したため" in html


def test_a_contact_about_premiums_and_the_tax_files_under_the_nhi_group_not_all_subjects():
    from negotiations.models import NegotiationRecord, SubjectGroup
    from taxpayers.subjects import YearCategory

    assert SubjectGroup.covering(["06"]) == SubjectGroup.NHI
    assert SubjectGroup.covering(["05", "06"]) == SubjectGroup.NHI
    assert SubjectGroup.covering(["01", "06"]) == SubjectGroup.ALL
    assert SubjectGroup.covering(["04"]) == SubjectGroup.CORPORATE_TAX
    # one 現年/滞繰 code set: the 交渉記録's 徴収区分 and the 滞納処分's 滞納区分 read it
    assert YearCategory.of(2026, this_fiscal_year=2026) == NegotiationRecord.CollectionCategory.CURRENT
    assert YearCategory.of(2025, this_fiscal_year=2026) == NegotiationRecord.CollectionCategory.ARREARS
