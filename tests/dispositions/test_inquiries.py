"""照会文書: directory, one-to-many and batch inquiries, sending, answers, overdue, 差押 from an answer."""

from datetime import date

import pytest
from django.urls import reverse

from dispositions import inquiries
from dispositions.models import Inquiry, InquiryTarget
from taxpayers.models import Taxpayer
from tests.conftest import sign_in
from wako_collections.actors import Actor, acting_as
from wako_collections.records import stamp

pytestmark = pytest.mark.django_db


def target(actor, name, kind="bank", branch="本店"):
    with acting_as(actor):
        record = InquiryTarget(kind=kind, name=name, branch=branch, address="埼玉県和光市本町1-1")
        stamp(record, actor)
        record.save()
    return record


def test_staff_keep_the_directory_of_targets(client, officer, ledger):
    sign_in(client, officer)
    client.post(
        reverse("dispositions:target_create"),
        {
            "kind": "employer",
            "name": "株式会社白子製作所",
            "branch": "総務課",
            "postal_code": "3510104",
            "address": "埼玉県和光市白子2-1-1",
            "phone": "048-461-0000",
            "is_active": "on",
        },
    )
    saved = InquiryTarget.objects.get(name="株式会社白子製作所")
    assert saved.history.first().history_staff_number == "S1001"


def test_one_taxpayer_to_many_targets_then_sent_answered_and_a_seizure_drafted_from_it(
    client, officer, ledger
):
    actor = Actor.for_staff(officer, "T0001")
    banks = [target(actor, "和光銀行"), target(actor, "埼玉信用金庫", branch="和光支店")]
    sign_in(client, officer)
    response = client.post(
        reverse("dispositions:inquiry_new", args=["000000101"]),
        {"purpose": "deposits", "targets": [b.pk for b in banks], "answer_due": "R9.1.15"},
    )
    assert response.status_code == 302
    first, second = Inquiry.objects.order_by("number")
    assert (first.number, second.number) == ("Q2026000001", "Q2026000002")
    url = reverse("dispositions:inquiry_detail", args=[first.number])
    client.post(url, {"action": "sent", "sent_on": "R8.12.1"})
    first.refresh_from_db()
    assert first.sent_on == date(2026, 12, 1)
    client.post(
        url,
        {
            "action": "answer",
            "expected_version": first.version,
            "answered_on": "R8.12.10",
            "answer": "account",
            "account": "和光銀行 本店 普通 1234567",
            "balance": "380000",
        },
    )
    first.refresh_from_db()
    assert (first.answer, first.balance) == ("account", 380_000)
    page = client.get(url)
    link = page.context["draft_link"]
    assert link.startswith(reverse("dispositions:draft", args=["000000101"])) and "category=11" in link
    draft = client.get(link)
    form = draft.context["form"]
    assert form.initial["property_description"] == "和光銀行 本店 普通 1234567"
    assert form.initial["third_party_name"] == "和光銀行" and form.initial["third_party_branch"] == "本店"


def test_an_answer_to_a_stale_page_or_an_unsent_inquiry_is_refused(officer, ledger):
    actor = Actor.for_staff(officer, "T0001")
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    inquiry = inquiries.create_inquiries(
        actor=actor,
        taxpayer=taxpayer,
        targets=[target(actor, "和光銀行")],
        purpose="deposits",
        answer_due=date(2027, 1, 15),
        today=date(2026, 11, 27),
    )[0]
    with pytest.raises(inquiries.InquiryError, match="発送していない"):
        inquiries.record_answer(
            actor=actor,
            inquiry=inquiry,
            answered_on=date(2026, 12, 1),
            values={"answer": "nothing"},
            expected_version=1,
        )
    inquiries.mark_sent(actor=actor, inquiries=[inquiry], sent_on=date(2026, 11, 28))
    with pytest.raises(inquiries.InquiryError, match="他の職員が更新"):
        inquiries.record_answer(
            actor=actor,
            inquiry=inquiry,
            answered_on=date(2026, 12, 1),
            values={"answer": "nothing"},
            expected_version=1,
        )


def test_a_batch_to_one_target_and_the_overdue_list(client, officer, ledger):
    actor = Actor.for_staff(officer, "T0001")
    city = target(actor, "東京都千代田区役所", kind="municipality", branch="税務課")
    sign_in(client, officer)
    response = client.post(
        reverse("dispositions:batch_new"),
        {
            "purpose": "residence",
            "target": city.pk,
            "answer_due": "R9.1.15",
            "atena_numbers": "000000101\n000000102",
        },
    )
    assert response.status_code == 302
    batch = list(Inquiry.objects.order_by("number"))
    assert {i.batch_number for i in batch} == {"QB2026000001"} and len(batch) == 2
    inquiries.mark_sent(actor=actor, inquiries=batch, sent_on=date(2026, 12, 1))
    assert list(inquiries.overdue(today=date(2027, 1, 15))) == []
    assert len(inquiries.overdue(today=date(2027, 1, 16))) == 2
    bad = client.post(
        reverse("dispositions:batch_new"),
        {
            "purpose": "residence",
            "target": city.pk,
            "answer_due": "R9.1.15",
            "atena_numbers": "000000101, 999",
        },
    )
    assert "999 は登録されていません" in bad.content.decode() and Inquiry.objects.count() == 2
