"""The 条例減免 pages end to end: an officer takes the application, a supervisor decides it, the
決定通知書 and 取消通知書 are issued as documents, and the ledger page shows the 減免 line."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from documents.models import Document
from reductions.models import LateChargeReduction
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def client_for(staff):
    client = Client()
    sign_in(client, staff)
    return client


def test_apply_decide_notify_cancel(officer, supervisor, ledger):
    clerk, boss = client_for(officer), client_for(supervisor)
    assessment_pk = ledger_assessment_pk()
    response = clerk.post(
        reverse("reductions:apply", args=["000000101"]),
        {
            "assessment": assessment_pk,
            "applied_on": "R6.5.1",
            "reason": "火災により住宅に損害を受けたため",
            "requested_start": "R4.4.1",
            "requested_end": "R6.6.28",
        },
    )
    reduction = LateChargeReduction.objects.get()
    assert response.status_code == 302 and reduction.status == "applied"

    # the officer who took it cannot decide it even with the permission's page (403 by role)
    assert clerk.get(reverse("reductions:decide", args=[reduction.number])).status_code == 403
    decision = {
        "decision": "decide",
        "category": "share",
        "share_percent": "50",
        "start": "R4.4.1",
        "end": "R6.6.28",
        "note": "市税条例の減免事由（災害）に該当",
    }
    response = boss.post(reverse("reductions:decide", args=[reduction.number]), decision)
    assert response.status_code == 302
    reduction.refresh_from_db()
    assert (reduction.status, reduction.decided_share, reduction.decided_by) == (
        "decided",
        5_000,
        supervisor.staff_number,
    )

    html = clerk.get(
        reverse("taxpayers:detail", args=["000000101"]), {"as_of": date.today().isoformat()}
    ).content.decode()
    assert f"延滞金の免除（条例減免（{reduction.number}）" in html

    issued = boss.post(
        reverse("documents:issue_from", args=["reduction", reduction.number]) + "?form=37", {"form": "37"}
    )
    assert issued.status_code == 302
    notice = Document.objects.get(form_code="37")
    assert notice.content["reduction"]["decision"] == "50%を減免"
    assert (
        boss.get(
            reverse("documents:issue_from", args=["reduction", reduction.number]), {"form": "38"}
        ).status_code
        == 404
    )

    response = boss.post(
        reverse("reductions:cancel", args=[reduction.number]),
        {"reason": "申請内容に偽りがあったため", "cancelled_on": date.today().isoformat()},
    )
    assert response.status_code == 302
    reduction.refresh_from_db()
    assert reduction.status == "cancelled"
    boss.post(
        reverse("documents:issue_from", args=["reduction", reduction.number]) + "?form=38", {"form": "38"}
    )
    cancellation_notice = Document.objects.get(form_code="38")
    assert cancellation_notice.content["reduction"]["cancellation_reason"] == "申請内容に偽りがあったため"
    pdf = boss.get(reverse("documents:pdf", args=[cancellation_notice.number]))
    assert pdf.status_code == 200


def test_a_supervisor_who_took_the_application_cannot_decide_it(supervisor, ledger):
    boss = client_for(supervisor)
    boss.post(
        reverse("reductions:apply", args=["000000101"]),
        {
            "assessment": ledger_assessment_pk(),
            "applied_on": "R6.5.1",
            "reason": "病気のため",
            "requested_amount": "2000",
        },
    )
    reduction = LateChargeReduction.objects.get()
    response = boss.post(
        reverse("reductions:decide", args=[reduction.number]),
        {"decision": "decide", "category": "amount", "amount": "2000", "note": "該当"},
    )
    assert "他の監督者に決定を依頼してください" in response.content.decode()
    reduction.refresh_from_db()
    assert reduction.status == "applied"


def ledger_assessment_pk():
    from taxpayers.models import Assessment

    return Assessment.objects.get(notice_number="210000101").pk
