"""Cancelling (解除・取消) an approved disposition is four-eyes: drafted by one officer with its 区分,
理由 and 取消日, approved by a second person holding 滞納処分の決裁, and only then in effect —
status, the rows' 処分取消 items, the 時効 events, the printed 差押解除通知書. The 取消日 lies between the
disposition's 処分日 and today. The same for 執行停止の取消 and 猶予の取消 (issue 14, item 4)."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from dispositions import services
from dispositions.models import Disposition, DispositionCancellation
from taxpayers.chains import chain_for
from taxpayers.models import Assessment, PrescriptionEvent, Taxpayer
from tests.conftest import make_staff, sign_in
from tests.dispositions.test_dispositions import postpone, seize
from wako_collections.actors import Actor
from wako_collections.eras import format_date

pytestmark = pytest.mark.django_db

SEIZED_ON = date(2021, 7, 5)


def installment():
    return Assessment.objects.get(notice_number="210000101")


def approved_seizure(officer, supervisor):
    draft = seize(Actor.for_staff(officer, "T0001"))
    return services.approve_disposition(
        actor=Actor.for_staff(supervisor, "T0001"), disposition=draft, disposed_on=SEIZED_ON
    )


def draft_release(staff, disposition, on=date(2022, 3, 1)):
    return services.draft_cancellation(
        actor=Actor.for_staff(staff, "T0001"),
        disposition=disposition,
        category="4",
        reason="完納見込みのため差押解除",
        cancelled_on=on,
    )


def seizure_ended():
    return PrescriptionEvent.objects.filter(kind=PrescriptionEvent.Kind.SEIZURE_ENDED)


def test_the_drafter_alone_cannot_cancel_an_approved_seizure(officer, supervisor, ledger):
    seizure = approved_seizure(officer, supervisor)
    with pytest.raises(services.DispositionError, match="起案して他の監督者の決裁"):
        services.cancel_disposition(
            actor=Actor.for_staff(officer, "T0001"),
            disposition=seizure,
            category="4",
            reason="完納のため",
            cancelled_on=date(2022, 3, 1),
        )
    seizure.refresh_from_db()
    assert seizure.status == Disposition.Status.APPROVED and not seizure_ended().exists()


def test_the_cancel_page_only_drafts_for_an_approved_seizure(client, officer, supervisor, ledger):
    seizure = approved_seizure(officer, supervisor)
    sign_in(client, officer)
    asked = client.get(reverse("dispositions:cancel", args=[seizure.number])).content.decode()
    assert "差押の解除・取消を起案します" in asked and "取消を起案する" in asked
    assert "処分日（令和3年7月5日）から本日" in asked
    response = client.post(
        reverse("dispositions:cancel", args=[seizure.number]),
        {"category": "4", "reason": "完納のため差押解除", "cancelled_on": "R4.3.1"},
    )
    assert response.status_code == 302
    again = client.get(reverse("dispositions:cancel", args=[seizure.number])).content.decode()
    assert "決裁待ちの取消の起案があります" in again and "取消を起案する" not in again
    seizure.refresh_from_db()
    assert seizure.status == Disposition.Status.APPROVED
    assert seizure.rows.get().cancelled_on is None and not seizure_ended().exists()
    pending = seizure.cancellations.get()
    assert (pending.status, pending.drafted_by, pending.cancelled_on) == ("draft", "S1001", date(2022, 3, 1))
    assert chain_for(installment()).suspended_by == "差押"  # still under seizure
    page = client.get(reverse("dispositions:detail", args=[seizure.number])).content.decode()
    assert "決裁待ちの取消の起案があります" in page and "取消の起案を取り下げる" in page
    assert "取消を決裁・却下する" not in page  # an officer has no 滞納処分の決裁
    # the officer cannot reach the decision page, whatever they post
    decide = reverse("dispositions:cancellation_decide", args=[seizure.number])
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    seizure.refresh_from_db()
    assert seizure.status == Disposition.Status.APPROVED


def test_a_cancellation_takes_effect_only_when_a_second_person_approves_it(
    client, officer, supervisor, ledger
):
    seizure = approved_seizure(officer, supervisor)
    own = draft_release(supervisor, seizure)
    with pytest.raises(services.DispositionError, match="自分の起案を決裁できません"):
        services.approve_cancellation(actor=Actor.for_staff(supervisor, "T0001"), cancellation=own)
    with pytest.raises(services.DispositionError, match="自分の起案を却下できません"):
        services.reject_cancellation(
            actor=Actor.for_staff(supervisor, "T0001"), cancellation=own, note="不要"
        )
    services.withdraw_cancellation(actor=Actor.for_staff(supervisor, "T0001"), cancellation=own)

    pending = draft_release(officer, seizure)
    with pytest.raises(services.DispositionError, match="滞納処分の決裁の権限"):
        services.approve_cancellation(actor=Actor.for_staff(officer, "T0001"), cancellation=pending)
    assert not seizure_ended().exists()

    sign_in(client, supervisor)
    decide = reverse("dispositions:cancellation_decide", args=[seizure.number])
    page = client.get(decide).content.decode()
    assert "完納見込みのため差押解除" in page and "令和4年3月1日" in page
    assert client.post(decide, {"decision": "approve"}).status_code == 302
    seizure.refresh_from_db()
    pending.refresh_from_db()
    assert seizure.status == Disposition.Status.CANCELLED
    assert (pending.status, pending.drafted_by, pending.decided_by, pending.decided_terminal) == (
        "approved",
        "S1001",
        "S2001",
        "T0001",
    )
    row = seizure.rows.get()
    assert (row.cancelled_on, row.cancellation_category, row.updated_staff_atena_number) == (
        date(2022, 3, 1),
        "4",
        supervisor.atena_number,
    )
    assert list(seizure_ended().values_list("occurred_on", "source")) == [
        (date(2022, 3, 1), f"滞納処分 {seizure.number} の取消")
    ]
    reason = seizure.history.latest().history_change_reason
    assert "起案 S1001" in reason and "決裁 S2001" in reason
    assert client.get(decide).status_code == 404  # nothing waits any more


def test_the_database_refuses_a_cancellation_approved_or_rejected_by_its_drafter(officer, supervisor, ledger):
    pending = draft_release(officer, approved_seizure(officer, supervisor))
    for status in ("approved", "rejected"):
        with (
            pytest.raises(IntegrityError, match="dispositions_dispositioncancellation_four_eyes"),
            transaction.atomic(),
        ):
            DispositionCancellation.objects.filter(pk=pending.pk).update(
                status=status, decided_by="S1001", decided_at=timezone.now()
            )


def test_only_one_cancellation_waits_at_a_time_and_the_database_holds_it(officer, supervisor, ledger):
    seizure = approved_seizure(officer, supervisor)
    pending = draft_release(officer, seizure)
    with pytest.raises(services.DispositionError, match="決裁待ちの取消の起案があります"):
        draft_release(supervisor, seizure)
    with (
        pytest.raises(IntegrityError, match="dispositions_dispositioncancellation_one_pending"),
        transaction.atomic(),
    ):
        DispositionCancellation.objects.create(
            **{
                f.attname: getattr(pending, f.attname)
                for f in DispositionCancellation._meta.concrete_fields
                if f.name != "id"
            }
        )


def test_a_pending_cancellation_is_withdrawn_by_its_drafter_or_rejected_by_a_supervisor(
    client, officer, supervisor, ledger
):
    seizure = approved_seizure(officer, supervisor)
    pending = draft_release(officer, seizure)
    with pytest.raises(services.DispositionError, match="起案した職員だけ"):
        services.withdraw_cancellation(actor=Actor.for_staff(supervisor, "T0001"), cancellation=pending)
    sign_in(client, officer)
    client.post(reverse("dispositions:cancellation_withdraw", args=[seizure.number]))
    pending.refresh_from_db()
    assert pending.status == "withdrawn" and pending.decided_at is not None

    again = draft_release(officer, seizure)
    sign_in(client, supervisor)
    decide = reverse("dispositions:cancellation_decide", args=[seizure.number])
    refused = client.post(decide, {"decision": "reject", "note": ""})
    assert refused.status_code == 200 and "却下の理由を入力してください" in refused.content.decode()
    client.post(decide, {"decision": "reject", "note": "完納の確認が取れていない"})
    again.refresh_from_db()
    seizure.refresh_from_db()
    assert (again.status, again.decided_by, again.decision_note) == (
        "rejected",
        "S2001",
        "完納の確認が取れていない",
    )
    assert seizure.status == Disposition.Status.APPROVED and not seizure_ended().exists()
    with pytest.raises(services.DispositionError, match="却下です"):
        services.approve_cancellation(actor=Actor.for_staff(supervisor, "T0001"), cancellation=again)


@pytest.mark.parametrize(
    ("cancelled_on", "allowed"),
    [
        (date(1989, 1, 8), False),  # 平成元年1月8日: 32 years before the seizure
        (SEIZED_ON - timedelta(days=1), False),
        (SEIZED_ON, True),
        (date(2022, 3, 10), True),  # today
        (date(2022, 3, 11), False),  # tomorrow
        (date(2099, 1, 1), False),
    ],
)
def test_the_cancellation_date_lies_between_the_seizure_and_today(
    officer, supervisor, ledger, cancelled_on, allowed
):
    with time_machine.travel(date(2022, 3, 10), tick=False):
        seizure = approved_seizure(officer, supervisor)
        if allowed:
            pending = draft_release(officer, seizure, on=cancelled_on)
            services.approve_cancellation(actor=Actor.for_staff(supervisor, "T0001"), cancellation=pending)
            assert seizure.rows.get().cancelled_on == cancelled_on
            # even on the 処分日 itself the seizure's end follows its start: no longer under seizure
            result = chain_for(installment())
            assert result.suspended_by == "" and result.expires_on is not None
            renewed = format_date(cancelled_on + timedelta(days=1))
            assert f"差押の終了 {format_date(cancelled_on)}" in result.explained()
            assert f"（{renewed}から新たに進行）" in result.explained()
        else:
            with pytest.raises(
                services.DispositionError, match="令和3年7月5日）から本日（令和4年3月10日）まで"
            ):
                draft_release(officer, seizure, on=cancelled_on)
            assert not seizure.cancellations.exists()


def test_a_date_typed_as_heisei_1_is_refused_on_the_page_in_japanese(client, officer, supervisor, ledger):
    seizure = approved_seizure(officer, supervisor)
    sign_in(client, officer)
    response = client.post(
        reverse("dispositions:cancel", args=[seizure.number]),
        {"category": "4", "reason": "完納のため差押解除", "cancelled_on": "平成元年1月8日"},
    )
    assert response.status_code == 200
    assert "処分取消日（平成元年1月8日）が処分日より前です" in response.content.decode()
    assert not seizure.cancellations.exists()


def test_a_draft_is_cancelled_alone_but_not_before_it_was_drafted_nor_in_the_future(officer, ledger):
    with time_machine.travel(date(2021, 7, 1), tick=False):
        draft = seize(Actor.for_staff(officer, "T0001"))
    for wrong in (date(1989, 1, 8), date(2021, 6, 30), timezone.localdate() + timedelta(days=1)):
        with pytest.raises(services.DispositionError, match="起案日（令和3年7月1日）から本日"):
            services.cancel_disposition(
                actor=Actor.for_staff(officer, "T0001"),
                disposition=draft,
                category="2",
                reason="対象の誤り",
                cancelled_on=wrong,
            )
    services.cancel_disposition(
        actor=Actor.for_staff(officer, "T0001"), disposition=draft, category="2", reason="対象の誤り"
    )
    draft.refresh_from_db()
    assert draft.status == Disposition.Status.CANCELLED and not seizure_ended().exists()


def test_the_prescription_pages_follow_the_approved_cancellation(client, officer, supervisor, ledger):
    from taxpayers.reconciliation import reconcile

    seizure = approved_seizure(officer, supervisor)
    pending = draft_release(officer, seizure)
    reconcile(as_of=timezone.localdate())
    sign_in(client, officer)
    pages = [
        reverse("dispositions:prescriptions", args=["000000101"]),
        reverse("taxpayers:detail", args=["000000101"]),
    ]
    # drafted, not approved: both pages still show the installment under seizure
    assert "差押中（完成猶予）" in client.get(pages[0]).content.decode()
    assert "完成猶予中（差押）" in client.get(pages[1]).content.decode()
    services.approve_cancellation(actor=Actor.for_staff(supervisor, "T0001"), cancellation=pending)
    result = chain_for(installment())
    assert (result.suspended_by, result.expires_on) == ("", date(2027, 3, 1))
    assert "差押の終了 令和4年3月1日" in result.explained()
    prescriptions = client.get(pages[0]).content.decode()
    assert "差押中（完成猶予）" not in prescriptions and "令和9年3月1日" in prescriptions
    ledger_page = client.get(pages[1]).content.decode()
    assert "完成猶予中（差押）" not in ledger_page and "令和9年3月1日" in ledger_page


def test_a_stop_is_lifted_only_when_its_cancellation_is_approved(officer, supervisor, ledger):
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    stop = services.draft_disposition(
        actor=Actor.for_staff(officer, "T0001"),
        taxpayer=taxpayer,
        assessment_ids=[installment().pk],
        code="07",
        category="72",
        reason="生活保護を受給",
        planned_on=date(2023, 4, 1),
    )
    services.approve_disposition(
        actor=Actor.for_staff(supervisor, "T0001"), disposition=stop, disposed_on=date(2023, 4, 1)
    )
    with pytest.raises(services.DispositionError, match="処分日より前"):
        services.draft_cancellation(
            actor=Actor.for_staff(officer, "T0001"),
            disposition=stop,
            category="9",
            reason="資力回復（地方税法第15条の8）",
            cancelled_on=date(2023, 3, 31),
        )
    pending = services.draft_cancellation(
        actor=Actor.for_staff(officer, "T0001"),
        disposition=stop,
        category="9",
        reason="資力回復（地方税法第15条の8）",
        cancelled_on=date(2024, 1, 10),
    )
    assert installment().pk in services.suspended_assessment_ids(taxpayer)
    assert services.suspension_watch(today=date(2026, 1, 1))
    services.approve_cancellation(actor=Actor.for_staff(supervisor, "T0001"), cancellation=pending)
    assert installment().pk not in services.suspended_assessment_ids(taxpayer)
    assert services.suspension_watch(today=date(2026, 1, 1)) == []
    assert stop.rows.get().cancelled_on == date(2024, 1, 10)


def test_a_postponement_ends_early_only_when_its_cancellation_is_approved(officer, supervisor, ledger):
    draft = postpone(Actor.for_staff(officer, "T0001"), until=date(2023, 3, 31))
    services.approve_disposition(
        actor=Actor.for_staff(supervisor, "T0001"), disposition=draft, disposed_on=date(2022, 4, 1)
    )
    pending = services.draft_cancellation(
        actor=Actor.for_staff(officer, "T0001"),
        disposition=draft,
        category="9",
        reason="猶予の取消（地方税法第15条の3）",
        cancelled_on=date(2022, 9, 30),
    )
    assert chain_for(installment()).expires_on == date(2027, 9, 30)  # the whole 猶予 still counts
    services.approve_cancellation(actor=Actor.for_staff(supervisor, "T0001"), cancellation=pending)
    assert chain_for(installment()).expires_on == date(2027, 4, 1)


def test_a_second_supervisor_may_approve_a_cancellation_drafted_by_a_supervisor(officer, supervisor, ledger):
    other = make_staff("S2002", Role.SUPERVISOR, full_name="佐藤 次郎")
    seizure = approved_seizure(officer, supervisor)
    pending = draft_release(supervisor, seizure)
    services.approve_cancellation(actor=Actor.for_staff(other, "T0001"), cancellation=pending)
    seizure.refresh_from_db()
    assert seizure.status == Disposition.Status.CANCELLED


def test_a_supervisor_reads_who_drafted_and_who_approved_a_cancellation_in_its_history(
    client, officer, supervisor, ledger
):
    pending = draft_release(officer, approved_seizure(officer, supervisor))
    services.approve_cancellation(actor=Actor.for_staff(supervisor, "T0001"), cancellation=pending)
    sign_in(client, supervisor)
    response = client.get(reverse("audit:record_history", args=["disposition_cancellation", pending.pk]))
    approved, drafted = response.context["changes"]
    assert (drafted.staff_number, drafted.reason) == (
        "S1001",
        "差押の解除・取消の起案: 完納見込みのため差押解除",
    )
    assert (approved.staff_number, approved.terminal_number, approved.reason) == ("S2001", "T0001", "決裁")


def test_the_list_finds_the_cancellations_waiting_for_a_decision(client, officer, supervisor, ledger):
    seizure = approved_seizure(officer, supervisor)
    other = seize(Actor.for_staff(officer, "T0001"), on=date(2021, 7, 2), category="13")
    draft_release(officer, seizure)
    sign_in(client, supervisor)
    page = client.get(reverse("dispositions:list"), {"status": "cancellation_pending"})
    assert [d.number for d in page.context["page"]] == [seizure.number]
    assert other.number not in page.content.decode() and "取消の決裁待ち" in page.content.decode()


@time_machine.travel(date(2022, 3, 2))
def test_a_seizure_cancelled_as_an_error_renews_no_prescription(officer, supervisor, ledger):
    before = chain_for(installment(), today=date(2022, 3, 2)).expires_on  # as if never seized
    seizure = approved_seizure(officer, supervisor)
    cancellation = services.draft_cancellation(
        actor=Actor.for_staff(officer, "T0001"),
        disposition=seizure,
        category="2",  # 誤り: the seizure did not follow the law
        reason="差押の対象を誤ったため取消",
        cancelled_on=date(2022, 3, 1),
    )
    services.approve_cancellation(actor=Actor.for_staff(supervisor, "T0001"), cancellation=cancellation)
    assert not seizure_ended().exists()
    assert PrescriptionEvent.objects.filter(kind=PrescriptionEvent.Kind.SEIZURE_VOIDED).count() == 1
    chained = chain_for(installment(), today=date(2022, 3, 2))
    # 民法第148条第2項ただし書: no new period from the cancellation, the date stays where it was
    # (its six months' postponement ends long before).
    assert chained.expires_on == before and "更新なし" in " ".join(chained.steps)
