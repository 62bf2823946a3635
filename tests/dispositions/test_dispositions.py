"""滞納処分ファイル: schema, eligibility, four eyes, cancellation, 時効 events, 執行停止 watch."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from dispositions import services
from dispositions.models import Disposition
from taxpayers.chains import chain_for, prescriptions_due
from taxpayers.models import Assessment, PrescriptionEvent, Taxpayer
from tests.conftest import sign_in
from wako_collections.actors import Actor

pytestmark = pytest.mark.django_db

APPENDIX_1_DISPOSITION_FILE = [
    "科目コード",
    "科目詳細コード",
    "算定団体コード",
    "期割団体コード",
    "団体内外区分",
    "調定年度",
    "年度分",
    "通知書番号",
    "論理期別",
    "処分日",
    "処分コード",
    "処分区分",
    "処分理由",
    "処分取消日",
    "処分取消区分",
    "処分取消理由",
    "滞納区分",
    "滞納管理1",
    "滞納管理2",
    "処分調定",
    "処分督促",
    "処分延滞",
    "作成日",
    "更新日",
    "更新時間",
    "更新職員宛名番号",
    "更新端末番号",
]


def test_every_appendix_1_item_is_a_column_whose_comment_is_its_name():
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT col_description(a.attrelid, a.attnum) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                WHERE c.relname = 'dispositions_dispositionrow' AND a.attnum > 0 AND NOT a.attisdropped"""
        )
        comments = {row[0] for row in cursor.fetchall()}
    assert len(APPENDIX_1_DISPOSITION_FILE) == 27
    assert [item for item in APPENDIX_1_DISPOSITION_FILE if item not in comments] == []


def seize(actor, on=date(2021, 7, 1), category="11"):
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    assessment = Assessment.objects.get(notice_number="210000101")
    return services.draft_disposition(
        actor=actor,
        taxpayer=taxpayer,
        assessment_ids=[assessment.pk],
        code="01",
        category=category,
        reason="預貯金調査で残高を確認",
        planned_on=on,
        property_description="和光銀行 本店 普通 1234567",
        third_party_name="株式会社和光銀行",
    )


def test_seizure_waits_ten_days_after_the_demand(officer, ledger):
    actor = Actor.for_staff(officer, "T0001")
    # 督促状 2021-06-18: counted from that day, 10 days pass on 6/28; seizure from 6/29.
    with pytest.raises(services.DispositionError, match="10日を経過していません"):
        seize(actor, on=date(2021, 6, 28))
    disposition = seize(actor, on=date(2021, 6, 29))
    row = disposition.rows.get()
    assert (row.notice_number, row.principal, row.demand_fee) == ("210000101", 65_000, 100)
    assert row.delinquency_category == "1"  # 2021 installment seized in 2021: 現年課税分


def test_the_page_says_why_an_installment_is_not_eligible(client, officer, ledger):
    with time_machine.travel(date(2021, 6, 25), tick=False):  # 督促状 2021-06-18: 10 days not yet passed
        sign_in(client, officer)
        early = client.get(reverse("dispositions:draft", args=["000000101"]), {"code": "01"}).content.decode()
    assert "督促状を発した日から10日を経過していません（令和3年6月29日以降に差押できます）" in early
    with time_machine.travel(date(2021, 7, 1), tick=False):
        sign_in(client, officer)
        later = client.get(reverse("dispositions:draft", args=["000000101"]), {"code": "01"}).content.decode()
    assert "処分できます" in later and "10日を経過していません" not in later


def test_an_officer_cannot_approve_and_a_supervisor_cannot_approve_their_own_draft(
    client, officer, supervisor, ledger
):
    draft = seize(Actor.for_staff(officer, "T0001"))
    sign_in(client, officer)
    assert client.post(reverse("dispositions:approve", args=[draft.number])).status_code == 403
    own = seize(Actor.for_staff(supervisor, "T0001"), on=date(2021, 7, 2), category="13")
    with pytest.raises(services.DispositionError, match="自分の起案を決裁できません"):
        services.approve_disposition(actor=Actor.for_staff(supervisor, "T0001"), disposition=own)
    own.refresh_from_db()
    assert own.status == Disposition.Status.DRAFT


def test_approval_records_both_people_and_the_seizure_suspends_prescription(
    client, officer, supervisor, ledger
):
    draft = seize(Actor.for_staff(officer, "T0001"))
    sign_in(client, supervisor)
    response = client.post(reverse("dispositions:approve", args=[draft.number]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.drafted_by, draft.approved_by, draft.approved_terminal) == (
        "approved",
        "S1001",
        "S2001",
        "T0001",
    )
    assert draft.rows.get().disposed_on is not None
    event = PrescriptionEvent.objects.get(kind="seizure")
    assert event.source == f"滞納処分 {draft.number}"
    # Approved today (2026-11-27): the five years renewed by the 2021 demand ended 2026-06-28, so
    # this seizure comes after completion and does not suspend anything — the chain says so.
    assert "効力なし" in chain_for(Assessment.objects.get(notice_number="210000101")).explained()


def test_cancelling_needs_category_and_reason_and_ends_the_seizure(officer, supervisor, ledger):
    draft = seize(Actor.for_staff(officer, "T0001"))
    services.approve_disposition(
        actor=Actor.for_staff(supervisor, "T0001"), disposition=draft, disposed_on=date(2021, 7, 5)
    )
    with pytest.raises(services.DispositionError, match="処分取消区分と処分取消理由"):
        services.draft_cancellation(
            actor=Actor.for_staff(officer, "T0001"),
            disposition=draft,
            category="4",
            reason=" ",
            cancelled_on=date(2022, 3, 1),
        )
    cancellation = services.draft_cancellation(
        actor=Actor.for_staff(officer, "T0001"),
        disposition=draft,
        category="4",
        reason="完納見込みのため解除",
        cancelled_on=date(2022, 3, 1),
    )
    services.approve_cancellation(actor=Actor.for_staff(supervisor, "T0001"), cancellation=cancellation)
    row = draft.rows.get()
    assert (row.cancelled_on, row.cancellation_category, row.cancellation_reason) == (
        date(2022, 3, 1),
        "4",
        "完納見込みのため解除",
    )
    result = chain_for(Assessment.objects.get(notice_number="210000101"))
    assert result.expires_on == date(2027, 3, 1)  # renewed from the day after the end of the seizure
    assert Disposition.objects.filter(pk=draft.pk).exists()


def test_a_stopped_installment_is_not_offered_for_seizure_and_three_years_are_watched(
    officer, supervisor, ledger
):
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    assessment = Assessment.objects.get(notice_number="210000101")
    stop = services.draft_disposition(
        actor=Actor.for_staff(officer, "T0001"),
        taxpayer=taxpayer,
        assessment_ids=[assessment.pk],
        code="07",
        category="72",
        reason="生活保護を受給",
        planned_on=date(2023, 4, 1),
    )
    services.approve_disposition(
        actor=Actor.for_staff(supervisor, "T0001"), disposition=stop, disposed_on=date(2023, 4, 1)
    )
    items = services.eligibility(taxpayer, code="01", on=date(2023, 5, 1))
    stopped = next(item for item in items if item.assessment == assessment)
    assert not stopped.eligible and "執行停止中" in stopped.why_not
    with time_machine.travel(date(2025, 9, 1), tick=False):
        assert (
            services.suspension_watch(today=date(2025, 9, 1)) == []
        )  # ends 2026-04-01, more than 180 days away
    watch = services.suspension_watch(today=date(2025, 11, 1))
    assert [(row.notice_number, ends, passed) for row, ends, passed in watch] == [
        ("210000101", date(2026, 4, 1), False)
    ]
    assert services.suspension_watch(today=date(2026, 4, 2))[0][2] is True


def test_immediate_extinction_only_on_ground_one(officer, ledger):
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    assessment = Assessment.objects.get(notice_number="210000101")
    with pytest.raises(services.DispositionError, match="第1号"):
        services.draft_disposition(
            actor=Actor.for_staff(officer, "T0001"),
            taxpayer=taxpayer,
            assessment_ids=[assessment.pk],
            code="08",
            category="72",
            reason="生活困窮",
            planned_on=date(2023, 4, 1),
        )
    draft = services.draft_disposition(
        actor=Actor.for_staff(officer, "T0001"),
        taxpayer=taxpayer,
        assessment_ids=[assessment.pk],
        code="08",
        category="71",
        reason="法人の解散・清算結了により徴収できないことが明らか",
        planned_on=date(2023, 4, 1),
    )
    assert draft.rows.get().disposition_code == "08"


def test_the_list_of_near_prescriptions_follows_the_chain(officer, ledger):
    from taxpayers.reconciliation import reconcile

    reconcile(as_of=date(2026, 6, 1))
    due = prescriptions_due(today=date(2026, 6, 1))
    # 2021 fixed-asset installment: 督促 2021-06-18, then the 一部納付 of 2021-09-30 (承認) → 2026-09-30,
    # within 180 days of 2026-06-01 although its ledger date (2026-05-31) has passed.
    assert [(a.notice_number, c.expires_on) for a, c in due] == [("210000101", date(2026, 9, 30))]
    assert prescriptions_due(today=date(2025, 6, 1)) == []


def postpone(actor, *, until, code="10", on=date(2022, 4, 1)):
    return services.draft_disposition(
        actor=actor,
        taxpayer=Taxpayer.objects.get(atena_number="000000101"),
        assessment_ids=[Assessment.objects.get(notice_number="210000101").pk],
        code=code,
        category="00",
        reason="災害により財産に損失（地方税法第15条第1項第1号）",
        planned_on=on,
        postponed_until=until,
    )


def test_a_postponement_needs_its_end_within_a_year(officer, ledger):
    actor = Actor.for_staff(officer, "T0001")
    with pytest.raises(services.DispositionError, match="猶予期間の終期"):
        postpone(actor, until=None)
    with pytest.raises(services.DispositionError, match="1年以内"):
        postpone(actor, until=date(2023, 4, 1))  # 2022-04-01 + 1年 ends 2023-03-31
    assert postpone(actor, until=date(2023, 3, 31)).postponed_until == date(2023, 3, 31)


def test_an_approved_postponement_stops_prescription_and_its_cancellation_ends_it(
    officer, supervisor, ledger
):
    from taxpayers.chains import chain_for

    draft = postpone(Actor.for_staff(officer, "T0001"), until=date(2023, 3, 31), code="11")
    services.approve_disposition(
        actor=Actor.for_staff(supervisor, "T0001"), disposition=draft, disposed_on=date(2022, 4, 1)
    )
    assessment = Assessment.objects.get(notice_number="210000101")
    kinds = sorted(assessment.prescription_events.values_list("kind", "occurred_on"))
    assert ("postponement", date(2022, 4, 1)) in kinds and ("postponement_ended", date(2023, 3, 31)) in kinds
    # the 一部納付 of 2021-09-30 renewed the period to 2026-09-30; 365 days of 猶予 push it to 2027-09-30
    assert chain_for(assessment).expires_on == date(2027, 9, 30)
    cancellation = services.draft_cancellation(
        actor=Actor.for_staff(officer, "T0001"),
        disposition=draft,
        category="9",
        reason="猶予の取消（地方税法第15条の3）",
        cancelled_on=date(2022, 9, 30),
    )
    assert chain_for(Assessment.objects.get(pk=assessment.pk)).expires_on == date(2027, 9, 30)  # not yet
    services.approve_cancellation(actor=Actor.for_staff(supervisor, "T0001"), cancellation=cancellation)
    # cancelled: the 猶予 ran 2022-04-01〜2022-09-30 (183 days): 2026-09-30 + 183 days = 2027-04-01
    assert chain_for(Assessment.objects.get(pk=assessment.pk)).expires_on == date(2027, 4, 1)


def test_a_time_barred_installment_is_offered_only_for_write_off(officer, ledger):
    # 固定資産税 2021 第1期: 法定納期限 2021-05-31, 督促 2021-06-18, 一部納付 2021-09-30 (承認)
    # → 時効 completes 2026-09-30
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    assessment = Assessment.objects.get(notice_number="210000101")

    def item(code, on):
        return next(i for i in services.eligibility(taxpayer, code=code, on=on) if i.assessment == assessment)

    assert item("01", date(2026, 9, 30)).eligible  # its last day
    barred = item("01", date(2026, 10, 1))
    assert not barred.eligible and "時効が完成しています（令和8年9月30日）" in barred.why_not
    assert not item("03", date(2026, 10, 2)).eligible  # 交付要求 neither
    assert item("09", date(2026, 10, 2)).eligible  # 不納欠損 is what is left to do
    with pytest.raises(services.DispositionError, match="時効が完成"):
        services.draft_disposition(
            actor=Actor.for_staff(officer, "T0001"),
            taxpayer=taxpayer,
            assessment_ids=[assessment.pk],
            code="01",
            category="11",
            reason="預金を差し押さえる",
            planned_on=date(2026, 10, 2),
        )


def test_a_payment_after_the_due_date_renews_prescription_and_one_before_it_does_not(ledger):
    # 一部納付は債務の承認 (民法第152条, 地方税法第18条第2項): 時効 runs anew from the next day
    part_paid = chain_for(Assessment.objects.get(notice_number="210000101"), today=date(2026, 6, 1))
    assert "承認 令和3年9月30日（一部納付）（令和3年10月1日から新たに進行）" in part_paid.explained()
    assert part_paid.expires_on == date(2026, 9, 30)
    # paid 2025-06-20, before its 納期限 of 2025-06-30: nothing to acknowledge, the base date stands
    on_time = chain_for(Assessment.objects.get(notice_number="250000101"), today=date(2026, 6, 1))
    assert "承認" not in on_time.explained() and on_time.expires_on == date(2030, 6, 30)


def test_the_near_prescription_page_is_paged_and_logs_the_taxpayers_it_shows(client, officer, ledger):
    from taxpayers.models import TaxpayerAccess
    from taxpayers.reconciliation import reconcile

    reconcile(as_of=date(2026, 6, 1))
    with time_machine.travel(date(2026, 6, 1), tick=False):
        sign_in(client, officer)
        response = client.get(reverse("dispositions:prescriptions_due"), {"page": 7})
    assert response.status_code == 200
    page = response.context["page"]
    assert (page.number, page.paginator.count, page.paginator.per_page) == (1, 1, 50)
    assert [a.notice_number for a, _ in response.context["due"]] == ["210000101"]
    assert "全1件" in response.content.decode()
    logged = TaxpayerAccess.objects.filter(page="時効が近い期別").latest("pk")
    assert logged.atena_numbers == ["000000101"]


def test_the_watch_reads_only_suspensions_whose_three_years_can_end_in_time():
    """`suspension_started_by` is the exact inverse of `suspension_ends_on` on every day of twelve
    years (leap days and month ends included): the last start that ends in time ends in time, the
    next day's does not — so bounding the watch's query by it leaves no row out."""
    from datetime import timedelta

    day = date(2015, 1, 1)
    for _ in range(12 * 366):
        start = services.suspension_started_by(day)
        assert (
            services.suspension_ends_on(start) <= day < services.suspension_ends_on(start + timedelta(days=1))
        )
        day += timedelta(days=1)
