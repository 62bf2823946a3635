"""不納欠損の取消 (four eyes): allowed only for a 欠損 whose claim was in fact not extinguished — here a
差押 of 2026-06-01, recorded only after the 決議, held the 時効 of 210000101 (otherwise complete on
2026-09-30) — and refused for a claim the law extinguished (地方税法第18条第2項: never revived)."""

from datetime import date

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from dispositions import writeoffs
from dispositions.models import WriteOffCancellation
from taxpayers.models import Assessment, InstallmentBalance, WrittenOff
from taxpayers.services import record_prescription_event
from taxpayers.standing import standings_for
from tests.conftest import sign_in
from wako_collections.actors import Actor

pytestmark = pytest.mark.django_db

RUN_DAY = date(2027, 4, 20)
FOUND = date(2027, 6, 10)


@pytest.fixture
def written_off(ledger, officer, supervisor):
    from taxpayers.reconciliation import reconcile

    assessment = Assessment.objects.get(notice_number="210000101")
    with time_machine.travel(RUN_DAY, tick=False):
        reconcile()
        run = writeoffs.draft_writeoff_run(
            actor=Actor.for_staff(officer, "T0001"),
            as_of=RUN_DAY,
            fiscal_year=2026,
            assessment_ids=[assessment.pk],
        )
        writeoffs.approve_writeoff_run(actor=Actor.for_staff(supervisor, "T0002"), run=run)
    return WrittenOff.objects.get(assessment=assessment)


def late_seizure(officer, written_off):
    with time_machine.travel(FOUND, tick=False):
        record_prescription_event(
            actor=Actor.for_staff(officer, "T0001"),
            assessment=written_off.assessment,
            kind="seizure",
            on=date(2026, 6, 1),
            source="滞納処分 S2026000099（記録漏れ）",
        )


def test_a_claim_extinguished_by_prescription_cannot_be_cancelled(officer, written_off):
    with (
        time_machine.travel(FOUND, tick=False),
        pytest.raises(writeoffs.WriteOffError, match="地方税法第18条"),
    ):
        writeoffs.draft_writeoff_cancellation(
            actor=Actor.for_staff(officer, "T0001"), written_off=written_off, reason="念のため"
        )
    assert not WriteOffCancellation.objects.exists()


def test_a_write_off_of_a_claim_still_alive_is_cancelled_by_a_second_person(officer, supervisor, written_off):
    late_seizure(officer, written_off)
    clerk, boss = Actor.for_staff(officer, "T0001"), Actor.for_staff(supervisor, "T0002")
    with time_machine.travel(FOUND, tick=False):
        with pytest.raises(writeoffs.WriteOffError, match="理由"):
            writeoffs.draft_writeoff_cancellation(actor=clerk, written_off=written_off, reason=" ")
        cancellation = writeoffs.draft_writeoff_cancellation(
            actor=clerk, written_off=written_off, reason="令和8年6月1日の差押が記録漏れだった"
        )
        assert cancellation.number.startswith("FC2027") and "消滅していません" in cancellation.finding
        with pytest.raises(writeoffs.WriteOffError, match="決裁待ち"):
            writeoffs.draft_writeoff_cancellation(actor=clerk, written_off=written_off, reason="二重")
        with pytest.raises(writeoffs.WriteOffError):
            writeoffs.approve_writeoff_cancellation(actor=clerk, cancellation=cancellation)
        written_off.refresh_from_db()
        assert written_off.cancelled_on is None  # nothing changes before the 決裁
        writeoffs.approve_writeoff_cancellation(actor=boss, cancellation=cancellation)
    written_off.refresh_from_db()
    assert (written_off.cancelled_on, written_off.cancellation_source) == (FOUND, cancellation.number)
    assert written_off.history.first().history_change_reason.startswith(
        f"不納欠損の取消 {cancellation.number}"
    )
    # owed again: the stored balance, the standing, and eligibility for a disposition
    balance = InstallmentBalance.objects.get(assessment=written_off.assessment)
    (held,) = standings_for([written_off.assessment], as_of=FOUND)
    assert (
        balance.status == "delinquent"
        and balance.outstanding_principal == held.outstanding_principal == 35_000
    )
    assert held.write_off is None and held.prescription_date is None  # the 差押 holds the 時効
    # before the 取消, the ledger of a past day still shows the 欠損 (as known then)
    (then,) = standings_for([written_off.assessment], as_of=date(2027, 5, 1))
    assert then.write_off is not None and then.outstanding_principal == 0
    # a cancelled 欠損 leaves the dashboard's 不納欠損額
    from audit import dashboard

    assert not [w for w in dashboard.write_offs([2026]) if w.reason == "時効完成" and w.principal == 35_000]


def test_the_database_refuses_a_decision_by_the_drafter(officer, written_off):
    late_seizure(officer, written_off)
    with time_machine.travel(FOUND, tick=False):
        cancellation = writeoffs.draft_writeoff_cancellation(
            actor=Actor.for_staff(officer, "T0001"), written_off=written_off, reason="差押の記録漏れ"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        WriteOffCancellation.objects.filter(pk=cancellation.pk).update(
            status="approved", approved_by=cancellation.drafted_by, approved_at=cancellation.drafted_at
        )


def test_a_rejection_keeps_the_write_off(officer, supervisor, written_off):
    late_seizure(officer, written_off)
    with time_machine.travel(FOUND, tick=False):
        cancellation = writeoffs.draft_writeoff_cancellation(
            actor=Actor.for_staff(officer, "T0001"), written_off=written_off, reason="差押の記録漏れ"
        )
        writeoffs.reject_writeoff_cancellation(
            actor=Actor.for_staff(supervisor, "T0002"), cancellation=cancellation, note="差押は別の期別のもの"
        )
    written_off.refresh_from_db()
    cancellation.refresh_from_db()
    assert written_off.cancelled_on is None and cancellation.status == "rejected"


def test_the_pages_draft_and_approve(client, officer, supervisor, written_off):
    with time_machine.travel(FOUND, tick=False):
        sign_in(client, officer)
        refused = client.get(reverse("dispositions:writeoff_cancel", args=[written_off.pk])).content.decode()
        assert "取り消すことはできません" in refused and "取消を起案する" not in refused
    late_seizure(officer, written_off)
    with time_machine.travel(FOUND, tick=False):
        sign_in(client, officer)
        page = client.get(reverse("dispositions:writeoff_cancel", args=[written_off.pk])).content.decode()
        assert "消滅していません" in page and "取消を起案する" in page
        response = client.post(
            reverse("dispositions:writeoff_cancel", args=[written_off.pk]), {"reason": "差押の記録漏れ"}
        )
        cancellation = WriteOffCancellation.objects.get()
        assert response["Location"] == reverse(
            "dispositions:writeoff_cancellation", args=[cancellation.number]
        )
        detail = client.get(response["Location"]).content.decode()
        assert "差押の記録漏れ" in detail and "決裁を確定する" not in detail  # not for the drafter
        sign_in(client, supervisor)
        detail = client.get(response["Location"]).content.decode()
        assert "決裁を確定する" in detail
        client.post(reverse("dispositions:writeoff_cancellation_approve", args=[cancellation.number]))
        run_page = client.get(
            reverse("dispositions:writeoff_detail", args=[written_off.source])
        ).content.decode()
        assert f"に取消（{cancellation.number}）" in run_page
    written_off.refresh_from_db()
    assert written_off.cancelled_on == FOUND
