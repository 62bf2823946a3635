"""Pledges: made from outstanding installments, broken after grace, completed when paid, revised."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from negotiations import services
from negotiations.models import InstallmentPledge
from negotiations.schedules import build_schedule
from taxpayers.models import Assessment, Taxpayer
from tests.conftest import sign_in
from tests.negotiations.test_promises import pay

pytestmark = pytest.mark.django_db


def make(actor, *, count=2, first=date(2022, 2, 28), pledged=date(2022, 2, 1), revises=None):
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    assessment = Assessment.objects.get(notice_number="210000101")
    schedule = build_schedule(total=35_000, first_date=first, count=count)
    return services.make_pledge(
        actor=actor,
        taxpayer=taxpayer,
        assessments=[assessment],
        schedule=schedule,
        pledged_on=pledged,
        interval="monthly",
        revises=revises,
    )


def test_the_pledge_page_simulates_then_saves(client, officer, ledger):
    # on 2026-06-01, before this installment's 時効 (renewed by its 督促状) completes on 2026-06-28
    with time_machine.travel(date(2026, 6, 1), tick=False):
        sign_in(client, officer)
        url = reverse("negotiations:pledge_new", args=["000000101"])
        assessment = Assessment.objects.get(notice_number="210000101")
        data = {
            "assessments": [assessment.pk],
            "pledged_on": "R8.6.1",
            "first_date": "R8.6.25",
            "count": "3",
            "interval": "monthly",
        }
        simulated = client.post(url, {**data, "action": "simulate"})
        html = simulated.content.decode()
        assert "試算結果" in html and "完了時の延滞金見込" in html
        assert InstallmentPledge.objects.count() == 0
        saved = client.post(url, {**data, "action": "save"})
        pledge = InstallmentPledge.objects.get()
        assert saved["Location"] == reverse("negotiations:pledge_detail", args=[pledge.pledge_number])
        assert [line.amount for line in pledge.schedule.all()] == [11_666, 11_666, 11_668]
        # 延滞金 on the 35,000 yen from 2021-06-01 falls due with the payment that completes the 本税
        lates = [line.projected_late_charge for line in pledge.schedule.all()]
        assert lates[:2] == [0, 0] and lates[2] > 10_000
        assert (
            pledge.updated_staff_number == "S1001"
            and pledge.history.first().history_terminal_number == "T0001"
        )


def test_a_missed_installment_past_grace_breaks_the_pledge(officer_actor, ledger, settings):
    settings.PLEDGE_GRACE_DAYS = 7
    pledge = make(officer_actor)
    with time_machine.travel(date(2022, 3, 5), tick=False):  # first due 2/28, still within grace
        services.evaluate_pledges()
    pledge.refresh_from_db()
    assert pledge.status == InstallmentPledge.Status.ACTIVE
    with time_machine.travel(date(2022, 3, 8), tick=False):
        services.evaluate_pledges()
    pledge.refresh_from_db()
    assert pledge.status == InstallmentPledge.Status.BROKEN and pledge.broken_on == date(2022, 3, 8)


def test_paying_the_schedule_keeps_it_and_paying_off_completes_it(
    officer_actor, ledger, write_csv, batch_actor, settings
):
    settings.PLEDGE_GRACE_DAYS = 0
    pledge = make(officer_actor)
    with time_machine.travel(date(2022, 3, 10), tick=False):
        pay(write_csv, batch_actor, "Q1", "2022-02-27", 17_500)
    pledge.refresh_from_db()
    assert pledge.status == InstallmentPledge.Status.ACTIVE
    with time_machine.travel(date(2022, 3, 31), tick=False):
        pay(write_csv, batch_actor, "Q2", "2022-03-30", 17_500)
    pledge.refresh_from_db()
    assert pledge.status == InstallmentPledge.Status.COMPLETED


def test_a_revision_ends_the_old_pledge_and_keeps_it(officer_actor, ledger):
    old = make(officer_actor)
    with pytest.raises(services.NegotiationError, match="履行中の分納誓約"):
        make(officer_actor)
    new = make(officer_actor, count=5, revises=old)
    old.refresh_from_db()
    assert old.status == InstallmentPledge.Status.REVISED and new.revises == old
    assert old.schedule.count() == 2 and new.schedule.count() == 5


def test_a_pledge_is_recorded_as_an_acknowledgement_for_each_covered_installment(officer_actor, ledger):
    from taxpayers.models import PrescriptionEvent

    pledge = make(officer_actor)
    event = PrescriptionEvent.objects.get()
    assert (event.kind, event.occurred_on, event.source) == (
        "acknowledgement",
        date(2022, 2, 1),
        f"分納誓約 {pledge.pledge_number}",
    )
    assert event.assessment.notice_number == "210000101"
    assert event.history.first().history_staff_number == "S1001"


def test_the_timeline_shows_the_pledge_and_its_scheduled_payments(officer_actor, ledger):
    from cases.timeline import case_timeline

    make(officer_actor)
    timeline = case_timeline(Taxpayer.objects.get(atena_number="000000101"), today=timezone.localdate())
    kinds = [entry.kind for entry in [*timeline.upcoming, *timeline.past]]
    assert kinds.count("分納誓約") == 1 and kinds.count("分納予定") == 2 and "収納" in kinds


def test_a_time_barred_installment_cannot_be_pledged(client, officer, ledger):
    # the 2021 固定資産税 completed its 時効 on 2026-09-30: a pledge cannot revive it
    assessment = Assessment.objects.get(notice_number="210000101")
    with time_machine.travel(date(2026, 10, 2), tick=False):
        sign_in(client, officer)
        url = reverse("negotiations:pledge_new", args=["000000101"])
        page = client.get(url)
        posted = client.post(
            url,
            {
                "assessments": [assessment.pk],
                "pledged_on": "R8.10.2",
                "first_date": "R8.10.25",
                "count": "3",
                "interval": "monthly",
                "action": "save",
            },
        )
    assert assessment.pk not in [pk for pk, _ in page.context["form"].fields["assessments"].choices]
    assert "誓約に含められない期別（時効完成）" in page.content.decode()
    assert posted.status_code == 200 and InstallmentPledge.objects.count() == 0


def test_the_pledge_page_gives_the_renewed_prescription_day(client, officer, ledger):
    # 法定納期限 2021-05-31 alone would give 2026-05-31; the 督促状 of 2021-06-18 and the 一部納付 of
    # 2021-09-30 renew it to 2026-09-30
    with time_machine.travel(date(2026, 6, 1), tick=False):
        sign_in(client, officer)
        page = client.get(reverse("negotiations:pledge_new", args=["000000101"])).content.decode()
    assert "時効予定日 令和8年9月30日" in page and "令和8年5月31日" not in page
