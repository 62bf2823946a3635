"""ホーム shows today's work: counts, each linking to its list, per role (wako_collections/today.py)."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from jobs.models import JobRun
from taxpayers.models import Taxpayer, TaxpayerBalance
from taxpayers.reconciliation import reconcile
from wako_collections.actors import Actor

DAY = date(2022, 1, 31)


def work(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return {item.label: item for item in response.context["work"]}, response.content.decode()


@pytest.fixture
def office(ledger, officer, supervisor):
    from negotiations.models import InstallmentPledge
    from negotiations.services import record_negotiation

    reconcile(as_of=DAY)
    Taxpayer.objects.filter(atena_number__in=["000000101", "000000102"]).update(assigned_officer=officer)
    actor = Actor.for_staff(officer, "T0001")
    with time_machine.travel(DAY, tick=False):
        record_negotiation(
            actor=actor,
            taxpayer=Taxpayer.objects.get(atena_number="000000101"),
            values={
                "subject_group_code": "00",
                "content": "本日中に入金すると約束。",
                "result": "4",
                "collection_category": "2",
                "importance": "2",
                "contact_kind": "12",
                "scheduled_date": DAY,
                "promised_amount": 10_000,
            },
        )
    from negotiations.schedules import PlannedPayment
    from negotiations.services import make_pledge

    hanako = Taxpayer.objects.get(atena_number="000000102")
    pledge = make_pledge(
        actor=actor,
        taxpayer=hanako,
        assessments=list(hanako.assessments.all()),
        schedule=[PlannedPayment(1, DAY + timedelta(days=10), 48_100)],
        pledged_on=DAY,
        interval="monthly",
    )
    InstallmentPledge.objects.filter(pk=pledge.pk).update(
        status=InstallmentPledge.Status.BROKEN, broken_on=DAY
    )
    JobRun.objects.create(
        job="evaluate_promises", result=JobRun.Result.FAILED, finished_at="2022-01-31T05:30Z", error="x"
    )


def test_an_officer_sees_their_own_work_for_today(persona_client, office):
    with time_machine.travel(DAY, tick=False):
        items, html = work(persona_client("officer"))
    promises = items["本日が予実日の約束"]
    assert promises.count == 1 and promises.url == reverse("negotiations:my_work") + "#promises-due"
    assert items["不履行の分納誓約"].count == 1
    assert items["不履行の約束（未対応）"].count == 0
    assert items["照会の回答（直近7日）"].count == 0
    assert "異常終了した定期処理" not in items  # the banner says it; the count is for supervisors
    assert 'class="cards"' not in html
    # the officer's own promise list shows it
    with time_machine.travel(DAY, tick=False):
        queue = persona_client("officer").get(reverse("negotiations:my_work")).context["queue"]
    assert [r.promised_amount for r in queue.promises_due] == [10_000]


def test_prescription_within_the_warning_window_links_to_the_list_with_the_same_bounds(
    persona_client, office, settings
):
    earliest = TaxpayerBalance.objects.get(taxpayer__atena_number="000000101").earliest_prescription_date
    other = TaxpayerBalance.objects.get(taxpayer__atena_number="000000102").earliest_prescription_date
    today = earliest - timedelta(days=30)
    settings.PRESCRIPTION_WARNING_DAYS = 60
    # the nearest 時効予定日 still ahead on the reconcile's day (None: every one has passed)
    expected = sum(1 for d in (earliest, other) if d is not None and today <= d <= today + timedelta(days=60))
    client = persona_client("officer")
    with time_machine.travel(today, tick=False):
        items, _ = work(client)
        item = items["時効予定日が60日以内の滞納者"]
        assert item.count == expected >= 1
        listed = client.get(item.url).context["page"]
    assert len(listed) == item.count  # the list the count links to shows the same taxpayers


def test_a_supervisor_sees_the_office_and_the_failed_jobs(persona_client, office):
    with time_machine.travel(DAY, tick=False):
        items, _ = work(persona_client("supervisor"))
    assert items["本日が予実日の約束（全職員）"].url == reverse("negotiations:queues") + "#promises-due"
    assert items["本日が予実日の約束（全職員）"].count == 1
    failed = items["異常終了した定期処理"]
    assert (failed.count, failed.url) == (1, reverse("jobs:runs"))


def test_read_only_sees_only_the_ledger_count(persona_client, office):
    with time_machine.travel(DAY, tick=False):
        items, _ = work(persona_client("read_only"))
    assert list(items) == [f"時効予定日が{180}日以内の滞納者（全体）"]
    assert "officer=all" in items[f"時効予定日が{180}日以内の滞納者（全体）"].url


def test_the_administrator_sees_jobs_and_privilege_requests_and_no_taxpayer_data(persona_client, office):
    with time_machine.travel(DAY, tick=False):
        items, html = work(persona_client("administrator"))
    assert set(items) == {"異常終了した定期処理", "確認待ちの権限変更・端末登録"}
    assert items["異常終了した定期処理"].url is None and "監督者が確認します" in html
    assert items["確認待ちの権限変更・端末登録"].url == reverse("accounts:privilege_change_list")


def test_answers_received_to_inquiries_are_counted(persona_client, office, officer):
    from dispositions import inquiries
    from dispositions.models import InquiryTarget
    from wako_collections.actors import acting_as
    from wako_collections.records import stamp

    actor = Actor.for_staff(officer, "T0001")
    with acting_as(actor):
        target = InquiryTarget(kind="bank", name="和光銀行", branch="本店", address="埼玉県和光市本町1-1")
        stamp(target, actor)
        target.save()
    answered = []
    # 000000101 is the officer's; the answer about another officer's taxpayer is not counted for
    # them, nor listed behind the count (a new user's trial: 1件 on ホーム opened a list of 4)
    for atena_number in ("000000101", "000000102"):
        [inquiry] = inquiries.create_inquiries(
            actor=actor,
            taxpayer=Taxpayer.objects.get(atena_number=atena_number),
            targets=[target],
            purpose="deposits",
            answer_due=DAY + timedelta(days=30),
            today=DAY - timedelta(days=20),
        )
        inquiries.mark_sent(actor=actor, inquiries=[inquiry], sent_on=DAY - timedelta(days=20))
        inquiry.refresh_from_db()
        inquiries.record_answer(
            actor=actor,
            inquiry=inquiry,
            answered_on=DAY - timedelta(days=2),
            values={"answer": "nothing"},
            expected_version=inquiry.version,
        )
        answered.append(inquiry)
    inquiry = answered[0]
    Taxpayer.objects.filter(atena_number="000000102").update(assigned_officer=None)
    client = persona_client("officer")
    with time_machine.travel(DAY, tick=False):
        item = work(client)[0]["照会の回答（直近7日）"]
        assert item.count == 1
        assert [i.number for i in client.get(item.url).context["page"]] == [inquiry.number]
    with time_machine.travel(DAY + timedelta(days=5), tick=False):  # answered 7 days before: no longer new
        assert work(persona_client("officer"))[0]["照会の回答（直近7日）"].count == 0


def test_the_writeoff_candidates_are_counted_for_those_who_draft_and_approve(persona_client, office):
    """The nightly job's 不納欠損の候補 on ホーム, counted as the page it opens lists them (a new user's
    trial: 443 waiting, reachable only through 滞納処分 → 不納欠損). 0 before the job has run."""
    from dispositions.writeoffs import store_writeoff_candidates, stored_candidates

    later = date(2027, 4, 20)  # both 2021 期別 are 時効完成 by then
    with time_machine.travel(later, tick=False):
        assert work(persona_client("supervisor"))[0]["不納欠損の候補（決議の起案待ち）"].count == 0
        reconcile(as_of=later)
        store_writeoff_candidates(on=later)
        _extraction, listed = stored_candidates()
        for persona in ("officer", "supervisor"):
            item = work(persona_client(persona))[0]["不納欠損の候補（決議の起案待ち）"]
            assert item.count == listed.count() >= 1
            assert item.url == reverse("dispositions:writeoff_candidates")
        assert "不納欠損の候補（決議の起案待ち）" not in work(persona_client("read_only"))[0]
