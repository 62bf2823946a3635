"""Every page that shows a 延滞金 or a 時効予定日 agrees with the standing module when the installment has
a 延滞金の免除 (issue 16): the field case 210000101 (65,000円 due 2021-05-31, 35,000円 left) under a
執行停止 approved 2022-04-01 and cancelled 2024-04-01 owes 3,800円 of 延滞金 on 2024-06-28, not the
9,900円 a page that forgot the exemption would show. tests/taxpayers/test_standing.py checks the same
pages, and the near-時効 lists and work queues, without a relief; here each figure must carry it.

Pages: 収納状況照会, 滞納者一覧 (the reconciled balance), 分納誓約 (new), 滞納処分の起案, 納付書 and 催告書
(their contents), 不納欠損 candidates, the 決議 and the dashboard's 不納欠損額."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from audit import dashboard
from dispositions.writeoffs import store_writeoff_candidates
from documents.catalogue import FormCode
from documents.content import ledger_content
from taxpayers.models import Assessment, Taxpayer, WrittenOff
from taxpayers.reconciliation import reconcile
from taxpayers.standing import standings_for
from tests.conftest import sign_in
from tests.taxpayers.test_ledger_exemptions import approved
from wako_collections.eras import format_date

pytestmark = pytest.mark.django_db

DAY = date(2024, 6, 28)
ATENA = "000000101"


@pytest.fixture
def stopped(officer, supervisor, ledger):
    approved(
        officer, supervisor, code="07", category="72", on=date(2022, 4, 1), cancelled_on=date(2024, 4, 1)
    )
    return Assessment.objects.get(notice_number="210000101")


def held(assessment, day=DAY):
    (standing,) = standings_for([assessment], as_of=day)
    return standing


def test_the_standing_itself_carries_the_exemption(stopped):
    assert held(stopped).late_charge == 3_800


def test_ledger_list_pledge_and_disposition_pages_agree(client, officer, supervisor, stopped):
    with time_machine.travel(DAY, tick=False):
        reconcile()
        standing = held(stopped)
        sign_in(client, officer)
        page = client.get(reverse("taxpayers:detail", args=[ATENA]))
        line = next(x for x in page.context["ledger"].lines if x.assessment.pk == stopped.pk)
        assert line.settlement.late_charge == standing.late_charge == 3_800
        assert line.chain.expires_on == standing.prescription_date

        pledge = client.get(reverse("negotiations:pledge_new", args=[ATENA])).content.decode()
        assert (
            f"延滞金見込 {standing.late_charge:,}円、時効予定日 {format_date(standing.prescription_date)}"
            in pledge
        )

        draft = client.get(reverse("dispositions:draft", args=[ATENA]), {"code": "01"})
        (item,) = [i for i in draft.context["items"] if i.assessment.pk == stopped.pk]
        assert item.late_charge == standing.late_charge

        sign_in(client, supervisor)
        listed = client.get(reverse("taxpayers:delinquent"), {"officer": "all"})
        balance = next(b for b in listed.context["page"] if b.taxpayer.atena_number == ATENA)
        assert balance.late_charge == standing.late_charge
        assert balance.earliest_prescription_date == standing.prescription_date


@pytest.mark.parametrize("form_code", [FormCode.PAYMENT_SLIP, FormCode.NOTICE_GENERAL])
def test_payment_slip_and_notice_print_the_standings_amounts(stopped, form_code):
    deadline = date(2024, 7, 10)
    taxpayer = Taxpayer.objects.get(atena_number=ATENA)
    content = ledger_content(form_code, taxpayer, [stopped.pk], DAY, deadline)
    standing = held(stopped, deadline)
    [row] = content["rows"]
    assert (row["principal"], row["fee"], row["late_charge"]) == (
        standing.outstanding_principal,
        standing.outstanding_fee,
        standing.late_charge,
    )
    assert standing.late_charge > 0 and standing.settlement.late_charge_exempted > 0


def test_write_off_candidates_the_resolution_and_the_dashboard_agree(client, officer, supervisor, stopped):
    run_day = date(2027, 4, 20)  # 時効 completed 2026-09-30 (renewed by the 2021-09-30 payment)
    with time_machine.travel(run_day, tick=False):
        reconcile()
        store_writeoff_candidates(on=run_day)  # the nightly job: the page reads what it stored
        sign_in(client, officer)
        page = client.get(reverse("dispositions:writeoff_candidates"))
        (candidate,) = [c for c in page.context["candidates"] if c.assessment.pk == stopped.pk]
        standing = held(stopped, candidate.extinguished_on)
        # the 停止 days (2022-04-01〜2024-03-31) stay exempted up to the day the claim was extinguished
        assert candidate.late_charge == standing.late_charge
        assert standing.settlement.late_charge_exempted > 0
        client.post(
            reverse("dispositions:writeoff_candidates"),
            {
                "fiscal_year": "R8",
                "note": "令和8年度",
                "assessments": [c.assessment.pk for c in page.context["candidates"]],
            },
        )
        from dispositions.models import WriteOffRun

        run = WriteOffRun.objects.get()
        sign_in(client, supervisor)
        client.post(reverse("dispositions:writeoff_approve", args=[run.number]))
    written = WrittenOff.objects.get(assessment=stopped)
    assert written.late_charge == standing.late_charge
    shown = sum(w.late_charge for w in dashboard.write_offs([2026]))
    assert shown == sum(w.late_charge for w in WrittenOff.objects.filter(fiscal_year=2026))
