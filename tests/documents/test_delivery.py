"""送達: a returned 督促状 blocks the 差押 gate and renews no 時効 until 公示送達 is deemed served;
返戻 one by one and as a list (all or nothing); re-sending to a new 送付先."""

from datetime import date

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from dispositions.models import DispositionCode
from dispositions.services import eligibility
from documents import delivery, services
from documents.models import Document, PublicNotice, ReturnedMail
from negotiations.models import NegotiationRecord
from taxpayers.models import Assessment, PrescriptionEvent, Taxpayer
from taxpayers.prescription import Event, chain, deemed_served_on, demand_service, served
from taxpayers.standing import standings_for
from tests.taxpayers.conftest import ASSESSMENT_HEADER
from wako_collections.actors import Actor

pytestmark = pytest.mark.django_db

# 2024 市民税 1期, not paid, no 督促 from the 税務システム: this office sends the 督促状.
UNDEMANDED = "000000101,01,0000,112291,112291,1,2024,2024,240000101,1,2024-06-30,2024-06-30,40000,,"


@pytest.fixture
def undemanded(ledger, write_csv, batch_actor):
    from taxpayers.importing import run_import, start_log

    path = write_csv("more.csv", ASSESSMENT_HEADER, [UNDEMANDED])
    run_import(
        log=start_log(kind="assessments", path=path, file_name=path.name, actor=batch_actor),
        path=path,
        actor=batch_actor,
    )
    return Assessment.objects.get(notice_number="240000101")


def demand_letter(officer, assessment, on=date(2024, 7, 15)) -> Document:
    with time_machine.travel(on, tick=False):
        return services.issue_document(
            actor=Actor.for_staff(officer, "T0001"),
            form_code="02",
            taxpayer=assessment.taxpayer,
            assessment_ids=[assessment.pk],
            issued_on=on,
        )


def gate(assessment, on):
    (item,) = [
        e
        for e in eligibility(assessment.taxpayer, code=DispositionCode.SEIZURE, on=on)
        if e.assessment == assessment
    ]
    return item


def standing(assessment, on):
    return standings_for([assessment], as_of=on)[0]


# --- the law, pure ---


def test_public_notice_serves_on_the_eighth_day_counting_the_posting_day():
    # 地方税法第20条の2第3項: 掲示を始めた日から起算して7日を経過したとき
    assert deemed_served_on(date(2024, 4, 1)) == date(2024, 4, 8)
    assert deemed_served_on(date(2024, 12, 28)) == date(2025, 1, 4)


def test_a_returned_demand_renews_nothing_until_it_is_served_by_public_notice():
    sent = Event("demand", date(2024, 7, 15), "督促状 D2024000001")
    returned = Event("not_delivered", date(2024, 7, 25), "督促状 D2024000001")
    base = dict(base_date=date(2024, 6, 30), years=5)
    assert chain(events=[sent], **base).expires_on == date(2029, 7, 25)  # 7/26 から5年
    assert chain(events=[sent, returned], **base).expires_on == date(2029, 6, 30)  # as if never sent
    words = chain(events=[sent, returned], **base).explained()
    assert "返戻され送達されていないため効力なし" in words
    deemed = Event("deemed_served", date(2024, 9, 9), "督促状 D2024000001")
    # renewed when served (9/9) and runs anew from the day after: 2024-09-10 から5年
    assert chain(events=[sent, returned, deemed], **base).expires_on == date(2029, 9, 9)
    assert demand_service([sent, returned]).effective_on is None
    assert demand_service([sent, returned]).unserved == ("督促状 D2024000001",)
    assert demand_service([sent, returned, deemed]).effective_on == date(2024, 9, 9)


def test_another_documents_return_does_not_touch_this_demand():
    sent = Event("demand", date(2024, 7, 15), "督促状 D2024000001")
    other = Event("not_delivered", date(2024, 7, 25), "催告書 D2024000002")
    effective, notes = served([sent, other])
    assert effective == [sent] and notes == []


def test_a_returned_notice_postpones_nothing_until_served():
    notice = Event("notice", date(2029, 3, 1), "催告書 D2029000001")
    returned = Event("not_delivered", date(2029, 3, 10), "催告書 D2029000001")
    base = dict(base_date=date(2024, 6, 30), years=5)
    assert chain(events=[notice], **base).expires_on == date(2029, 9, 1)
    assert chain(events=[notice, returned], **base).expires_on == date(2029, 6, 30)
    deemed = Event("deemed_served", date(2029, 4, 8), "催告書 D2029000001")
    assert chain(events=[notice, returned, deemed], **base).expires_on == date(2029, 10, 8)


# --- the whole story, with the database ---


def test_returned_demand_blocks_the_seizure_gate_and_renews_no_time_bar_until_public_notice(
    officer, supervisor, undemanded
):
    letter = demand_letter(officer, undemanded)
    # a 督促状 issued here counts for the gate once ten days have passed (7/15 → from 7/26)
    assert gate(undemanded, date(2024, 7, 25)).eligible is False
    assert gate(undemanded, date(2024, 7, 26)).eligible is True
    assert standing(undemanded, date(2024, 7, 26)).prescription_date == date(2029, 7, 25)

    with time_machine.travel(date(2024, 7, 29), tick=False):
        returned = delivery.record_return(
            actor=Actor.for_staff(officer, "T0001"),
            document=letter,
            returned_on=date(2024, 7, 25),
            reason="03",
        )
    assert (returned.updated_staff_number, returned.updated_terminal_number) == ("S1001", "T0001")
    assert returned.history.count() == 2  # recorded, then linked to its 所在調査
    blocked = gate(undemanded, date(2024, 8, 1))
    assert blocked.eligible is False
    assert f"督促状（督促状 {letter.number}）が返戻され送達されていないため差押できません" in blocked.why_not
    # 時効 as if no 督促 had been made: five years from the day after 法定納期限
    assert standing(undemanded, date(2024, 8, 1)).prescription_date == date(2029, 6, 30)
    # the 所在調査 is on the officer's work list
    investigation = NegotiationRecord.objects.get(record_number=returned.investigation_record_number)
    assert investigation.contact_kind == NegotiationRecord.ContactKind.RESIDENCE_INVESTIGATION
    assert investigation.result == NegotiationRecord.Result.PLANNED and letter.number in investigation.content
    from negotiations.queues import work_queue

    assert investigation in work_queue(officer=None, today=date(2024, 7, 29)).planned

    with time_machine.travel(date(2024, 9, 2), tick=False):
        notice = delivery.draft_public_notice(
            actor=Actor.for_staff(officer, "T0001"),
            returned=returned,
            posting_started_on=date(2024, 9, 2),
            investigation="住民票・戸籍の附票を照会、転出先不明。近隣聞き取りでも所在不明。",
        )
        with pytest.raises(delivery.DeliveryError, match="起案した職員は決裁できません"):
            delivery.approve_public_notice(actor=Actor.for_staff(officer, "T0001"), notice=notice)
        delivery.approve_public_notice(actor=Actor.for_staff(supervisor, "T0001"), notice=notice)
    notice.refresh_from_db()
    assert notice.status == PublicNotice.Status.APPROVED and notice.deemed_served_on == date(2024, 9, 9)
    assert (notice.drafted_by, notice.approved_by) == ("S1001", "S2001")
    # before the deemed-service day the 督促 still has no effect
    assert "返戻され送達されていない" in gate(undemanded, date(2024, 9, 8)).why_not
    # from it, the ten days of 地方税法第331条第1項 count: seizure from 9/20
    assert "令和6年9月20日以降に差押できます" in gate(undemanded, date(2024, 9, 19)).why_not
    assert gate(undemanded, date(2024, 9, 20)).eligible is True
    # 時効 renewed on the deemed-service day, a new period from 9/10 (第18条の2第1項)
    later = standing(undemanded, date(2024, 10, 1))
    assert later.prescription_date == date(2029, 9, 9)
    assert "公示送達により令和6年9月9日に送達とみなす" in later.chain.explained()


def test_a_letter_resent_to_the_new_address_makes_the_demand_on_its_own_day(officer, undemanded):
    letter = demand_letter(officer, undemanded)
    actor = Actor.for_staff(officer, "T0001")
    with time_machine.travel(date(2024, 8, 5), tick=False):
        returned = delivery.record_return(
            actor=actor, document=letter, returned_on=date(2024, 7, 25), reason="03"
        )
        again = delivery.resend_document(
            actor=actor,
            returned=returned,
            to=delivery.NewAddress("和光 太郎", "1500001", "東京都渋谷区神宮前1-1-1", "101号"),
        )
    assert (
        again.reissue_of == letter
        and again.content["recipient"]["address"] == "東京都渋谷区神宮前1-1-1 101号"
    )
    assert again.issued_on == date(2024, 8, 5)
    assert PrescriptionEvent.objects.filter(
        kind="demand", source=f"督促状 {again.number}", occurred_on=date(2024, 8, 5)
    ).exists()
    assert gate(undemanded, date(2024, 8, 15)).eligible is False  # 8/5 + 10 days
    assert gate(undemanded, date(2024, 8, 16)).eligible is True
    assert standing(undemanded, date(2024, 8, 16)).prescription_date == date(2029, 8, 15)
    text = services.render_document(again)
    assert text[:4] == b"%PDF"
    with pytest.raises(delivery.DeliveryError, match="再送付済み"):
        delivery.resend_document(
            actor=actor, returned=returned, to=delivery.NewAddress("和光 太郎", "", "どこか")
        )


def test_a_return_list_is_all_or_nothing_with_each_bad_line_named(officer, undemanded):
    first = demand_letter(officer, undemanded)
    second = demand_letter(officer, Assessment.objects.get(notice_number="210000101"), on=date(2024, 7, 16))
    actor = Actor.for_staff(officer, "T0001")
    text = f"{first.number}\n\nD2024999999\n{second.number},07\n{first.number}\n"
    with (
        time_machine.travel(date(2024, 8, 1), tick=False),
        pytest.raises(delivery.ReturnListError) as refused,
    ):
        delivery.record_returns(actor=actor, text=text, returned_on=date(2024, 7, 30), default_reason="01")
    assert refused.value.lines == [
        (4, "返戻理由コード「07」はありません（01〜05、99）。"),
        (5, f"{first.number} は1行目と重複しています。"),
    ]
    with (
        time_machine.travel(date(2024, 8, 1), tick=False),
        pytest.raises(delivery.ReturnListError) as refused,
    ):
        delivery.record_returns(
            actor=actor,
            text=f"{first.number}\nD2024999999\n",
            returned_on=date(2024, 7, 30),
            default_reason="01",
        )
    assert refused.value.lines == [(2, "文書番号 D2024999999 の文書はありません。")]
    assert (
        not ReturnedMail.objects.exists()
        and not PrescriptionEvent.objects.filter(kind="not_delivered").exists()
    )
    # digits only (as a reader types them) and full-width are read too
    digits = second.number[1:].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    with time_machine.travel(date(2024, 8, 1), tick=False):
        recorded = delivery.record_returns(
            actor=actor,
            text=f"{first.number}\n{digits},04\n",
            returned_on=date(2024, 7, 30),
            default_reason="01",
        )
    assert [(r.document, r.reason) for r in recorded] == [(first, "01"), (second, "04")]
    # the second letter made no 督促 of its own (its installment had the 税務システム's): only the
    # first's is undone
    returned_events = PrescriptionEvent.objects.filter(kind="not_delivered")
    assert [e.source for e in returned_events] == [f"督促状 {first.number}"]


def test_a_return_is_refused_before_the_issue_day_and_for_a_letter_to_a_third_party(officer, undemanded):
    letter = demand_letter(officer, undemanded)
    actor = Actor.for_staff(officer, "T0001")
    with time_machine.travel(date(2024, 8, 1), tick=False):
        with pytest.raises(delivery.DeliveryError, match=r"発行日.*より前です"):
            delivery.record_return(actor=actor, document=letter, returned_on=date(2024, 7, 1), reason="01")
        with pytest.raises(delivery.DeliveryError, match="未来の日付"):
            delivery.record_return(actor=actor, document=letter, returned_on=date(2024, 8, 2), reason="01")
    assert not ReturnedMail.objects.exists()
    assert Taxpayer.objects.get(atena_number="000000101").documents.count() == 1


# --- the pages ---


def test_the_time_bar_is_renewed_on_the_deemed_service_day_not_the_day_before(
    officer, supervisor, undemanded
):
    """地方税法第20条の2第3項: 「掲示を始めた日から起算して7日を経過したときは、書類の送達があつたものと
    みなす」 — posted on 9月2日 (day one), the seven days are 9/2–9/8 and service is deemed made on 9/9.
    The 督促 renews 時効 「その処分の効力が生じた時」 (第18条の2第1項): on 9/8 it has had no effect (the
    時効予定日 is still five years from the day after 法定納期限), on 9/9 it has, and the new period
    runs from 9/10 (the tenth day from sending, 7/24, being earlier)."""
    letter = demand_letter(officer, undemanded)  # sent 2024-07-15
    with time_machine.travel(date(2024, 7, 29), tick=False):
        returned = delivery.record_return(
            actor=Actor.for_staff(officer, "T0001"),
            document=letter,
            returned_on=date(2024, 7, 25),
            reason="01",
        )
    with time_machine.travel(date(2024, 9, 2), tick=False):
        notice = delivery.draft_public_notice(
            actor=Actor.for_staff(officer, "T0001"),
            returned=returned,
            posting_started_on=date(2024, 9, 2),
            investigation="住民票・戸籍の附票を照会、転出先不明。勤務先・近隣の調査でも所在不明。",
        )
        delivery.approve_public_notice(actor=Actor.for_staff(supervisor, "T0001"), notice=notice)
    notice.refresh_from_db()
    assert notice.deemed_served_on == date(2024, 9, 9)

    day_before = standing(undemanded, date(2024, 9, 8))
    assert day_before.prescription_date == date(2029, 6, 30)  # as if the 督促 had not been made
    assert day_before.base_prescription_date == date(2029, 6, 30)
    assert "返戻され送達されていないため効力なし" in day_before.chain.explained()

    day_of = standing(undemanded, date(2024, 9, 9))
    assert day_of.prescription_date == date(2029, 9, 9)  # renewed: 2024-09-10 から5年
    assert "公示送達により令和6年9月9日に送達とみなす" in day_of.chain.explained()


def test_the_document_page_records_a_return_and_the_supervisor_approves_the_public_notice(
    client, officer, supervisor, undemanded
):
    from django.urls import reverse

    from tests.conftest import sign_in

    letter = demand_letter(officer, undemanded)
    with time_machine.travel(date(2024, 8, 1), tick=False):
        sign_in(client, officer)
        page = client.get(reverse("documents:detail", args=[letter.number])).content.decode()
        assert "返戻を登録する" in page and "返戻</dt><dd>なし" in page
        done = client.post(
            reverse("documents:return_new", args=[letter.number]),
            {"returned_on": "2024-07-30", "reason": "03", "note": "転居先不明の付箋"},
            follow=True,
        ).content.decode()
        assert "返戻を登録しました" in done and "転居先不明" in done
        assert "この文書は送達されていません" in done and "公示送達を起案する" in done
        drafted = client.post(
            reverse("documents:public_notice_new", args=[letter.number]),
            {"posting_started_on": "2024-08-01", "investigation": "住民票・戸籍の附票を照会、転出先不明。"},
            follow=True,
        ).content.decode()
        assert "公示送達を起案しました" in drafted and "決裁待ち" in drafted
        assert "公示送達を決裁する" not in drafted  # an officer does not approve
        sign_in(client, supervisor)
        confirm = client.get(
            reverse("documents:public_notice_approve", args=[letter.number])
        ).content.decode()
        assert "令和6年8月8日" in confirm and "住民票・戸籍の附票を照会" in confirm
        approved = client.post(reverse("documents:public_notice_approve", args=[letter.number]), follow=True)
    assert "令和6年8月8日に送達とみなします" in approved.content.decode()
    assert PrescriptionEvent.objects.filter(kind="deemed_served", occurred_on=date(2024, 8, 8)).count() == 1


def test_the_return_list_page_names_each_bad_line_and_records_nothing(client, officer, undemanded):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.conftest import sign_in

    letter = demand_letter(officer, undemanded)
    url = reverse("documents:return_import")
    with time_machine.travel(date(2024, 8, 1), tick=False):
        sign_in(client, officer)
        page = client.post(
            url, {"returned_on": "2024-07-30", "reason": "01", "numbers": f"{letter.number}\nD2024123456\n"}
        ).content.decode()
        assert "1行に誤りがあるため、どの返戻も登録していません" in page
        assert "2行目" in page and "文書番号 D2024123456 の文書はありません。" in page
        assert not ReturnedMail.objects.exists()
        upload = SimpleUploadedFile("returns.txt", f"{letter.number},03\r\n".encode("cp932"))
        done = client.post(
            url, {"returned_on": "2024-07-30", "reason": "01", "numbers": "", "upload": upload}, follow=True
        ).content.decode()
    assert "返戻を1件登録しました" in done and letter.number in done  # now waiting for 再送付 or 公示送達
    assert ReturnedMail.objects.get().reason == "03"


def test_the_database_refuses_a_public_notice_decided_by_its_drafter_or_by_no_one(officer, undemanded):
    letter = demand_letter(officer, undemanded)
    with time_machine.travel(date(2024, 9, 2), tick=False):
        returned = delivery.record_return(
            actor=Actor.for_staff(officer, "T0001"),
            document=letter,
            returned_on=date(2024, 7, 25),
            reason="03",
        )
        notice = delivery.draft_public_notice(
            actor=Actor.for_staff(officer, "T0001"),
            returned=returned,
            posting_started_on=date(2024, 9, 2),
            investigation="住民票・戸籍の附票を照会、転出先不明。近隣聞き取りでも所在不明。",
        )
    drafts = PublicNotice.objects.filter(pk=notice.pk)
    for decided in (
        {"approved_by": "S1001", "approved_at": timezone.now()},  # its drafter
        {"approved_by": "", "approved_at": timezone.now()},  # no one
        {"approved_by": "S2001"},  # no date
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            drafts.update(status=PublicNotice.Status.APPROVED, **decided)
    assert drafts.get().status == PublicNotice.Status.DRAFT
