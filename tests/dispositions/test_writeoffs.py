"""不納欠損: candidates (時効完成, 執行停止3年, 即時消滅), the 決議 drafted and approved by four eyes,
the installment leaving the outstanding ledger, letters, queues and the 滞納者一覧, 過誤納 after it."""

from datetime import date

import pytest
import time_machine
from django.db import IntegrityError, transaction

from accounts.roles import Role
from dispositions import services, writeoffs
from dispositions.models import WriteOffRun
from taxpayers.ledger import ledger_for
from taxpayers.models import Assessment, InstallmentBalance, Payment, Taxpayer, TaxpayerBalance, WrittenOff
from tests.assessments import add_assessment, approve_relief
from tests.conftest import SETUP, make_staff
from wako_collections.actors import Actor, acting_as
from wako_collections.records import stamp

pytestmark = pytest.mark.django_db

# 出納閉鎖 of 令和8年度 is 2027-05-31: the yearly run is drafted and approved before it.
RUN_DAY = date(2027, 4, 20)


def add_installment(taxpayer, notice_number, *, tax_year=2022, due=date(2022, 6, 30), principal=20_000):
    """A 期別 督促'd on the 20th of the month after its 納期限 (July's 20th for June's), with its fee."""
    return add_assessment(
        taxpayer,
        notice_number,
        tax_year=tax_year,
        due=due,
        principal=principal,
        demand_issued_on=date(due.year, due.month, 20) if due.month != 6 else date(due.year, 7, 20),
        demand_fee=100,
    )


def stop(officer, supervisor, assessment, *, code, on):
    """An approved 執行停止 (07) or 即時消滅 (08), 第1号, on `on`."""
    reason = "財産調査の結果、滞納処分をすることができる財産がない"
    return approve_relief(
        officer, supervisor, assessment.notice_number, code=code, category="71", on=on, reason=reason
    )


@pytest.fixture
def cases(ledger, officer, supervisor):
    """The ledger's two time-barred installments, plus, for 株式会社白子製作所, one under a 執行停止 of
    2023-04-01 (three years end 2026-04-01), one under a 執行停止 of 2025-01-10 (not yet three years)
    and one whose 即時消滅 was decided on 2026-11-02. All reconciled as of 2026-11-01."""
    from taxpayers.reconciliation import reconcile

    company = Taxpayer.objects.get(atena_number="000000103")
    stopped = add_installment(company, "220000301")
    recent = add_installment(company, "220000302", tax_year=2023, due=date(2023, 6, 30))
    immediate = add_installment(company, "220000303", tax_year=2024, due=date(2024, 6, 30), principal=15_000)
    with time_machine.travel(date(2026, 11, 1), tick=False):
        reconcile()
    stop(officer, supervisor, stopped, code="07", on=date(2023, 4, 1))
    stop(officer, supervisor, recent, code="07", on=date(2025, 1, 10))
    stop(officer, supervisor, immediate, code="08", on=date(2026, 11, 2))
    return {
        "prescribed": Assessment.objects.get(notice_number="210000101"),
        "premium": Assessment.objects.get(notice_number="210000102"),
        "stopped": stopped,
        "recent": recent,
        "immediate": immediate,
    }


def by_notice(candidates):
    return {c.assessment.notice_number: c for c in candidates}


def test_candidates_are_the_time_barred_the_three_year_suspended_and_the_immediately_extinguished(cases):
    found = by_notice(writeoffs.writeoff_candidates(on=RUN_DAY))
    assert set(found) == {"210000101", "210000102", "220000301", "220000303"}
    prescribed = found["210000101"]
    # 督促 2021-06-18, 一部納付 2021-09-30 (承認): 5 years from 2021-10-01 end on 2026-09-30.
    assert (prescribed.reason, prescribed.article, prescribed.extinguished_on) == (
        "prescription",
        "地方税法第18条第1項",
        date(2026, 9, 30),
    )
    # 65,000 with 督促手数料 100; 30,100 paid on 2021-09-30 went to the fee first, then 本税.
    assert (prescribed.principal, prescribed.demand_fee) == (35_000, 0)
    assert prescribed.late_charge > 0
    premium = found["210000102"]
    assert (premium.principal, premium.demand_fee, premium.reason) == (48_000, 100, "prescription")
    stopped = found["220000301"]
    assert (stopped.reason, stopped.article, stopped.extinguished_on) == (
        "suspension_3y",
        "地方税法第15条の7第4項",
        date(2026, 4, 1),  # three years counted from 2023-04-02 (民法第140条)
    )
    assert (stopped.principal, stopped.demand_fee) == (20_000, 100)
    immediate = found["220000303"]
    assert (immediate.reason, immediate.article, immediate.extinguished_on) == (
        "immediate",
        "地方税法第15条の7第5項",
        date(2026, 11, 2),
    )
    assert immediate.principal == 15_000


def test_a_suspension_counts_only_once_its_three_years_have_ended(cases):
    assert "220000301" not in by_notice(writeoffs.writeoff_candidates(on=date(2026, 4, 1)))
    assert "220000301" in by_notice(writeoffs.writeoff_candidates(on=date(2026, 4, 2)))
    assert "220000302" not in by_notice(writeoffs.writeoff_candidates(on=date(2027, 4, 20)))


def test_a_cancelled_suspension_is_no_candidate(cases, officer, supervisor):
    disposition = cases["stopped"].disposition_rows.get().disposition
    with time_machine.travel(date(2024, 5, 1), tick=False):
        cancellation = services.draft_cancellation(
            actor=Actor.for_staff(officer, "T0001"),
            disposition=disposition,
            category="9",
            reason="資力回復",
            cancelled_on=date(2024, 5, 1),
        )
        services.approve_cancellation(actor=Actor.for_staff(supervisor, "T0002"), cancellation=cancellation)
    assert "220000301" not in by_notice(writeoffs.writeoff_candidates(on=RUN_DAY))


def draft(officer, **kwargs):
    with time_machine.travel(RUN_DAY, tick=False):
        return writeoffs.draft_writeoff_run(
            actor=Actor.for_staff(officer, "T0001"), as_of=RUN_DAY, fiscal_year=2026, **kwargs
        )


def test_the_drafter_and_an_officer_cannot_approve_and_the_database_refuses_it_too(
    cases, officer, supervisor
):
    run = draft(officer)
    assert run.lines.count() == 4 and run.is_draft
    other_officer = make_staff("S1002", Role.COLLECTIONS_OFFICER)
    with time_machine.travel(RUN_DAY, tick=False):
        with pytest.raises(writeoffs.WriteOffError, match="決裁の権限"):
            writeoffs.approve_writeoff_run(actor=Actor.for_staff(other_officer, "T0001"), run=run)
        with pytest.raises(writeoffs.WriteOffError, match="自分の起案"):
            writeoffs.approve_writeoff_run(
                actor=Actor(
                    staff_number=officer.staff_number, staff_atena_number="", terminal_number="T0001"
                ),
                run=run,
            )
    assert not WrittenOff.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        WriteOffRun.objects.filter(pk=run.pk).update(
            status="approved",
            approved_by=officer.staff_number,
            approved_at=run.drafted_at,
            written_off_on=RUN_DAY,
        )


def test_an_installment_on_a_pending_run_is_not_drafted_twice(cases, officer):
    draft(officer, assessment_ids=[cases["premium"].pk])
    with pytest.raises(writeoffs.WriteOffError, match="対象でない期別"):
        draft(officer, assessment_ids=[cases["premium"].pk])
    assert "210000102" not in by_notice(writeoffs.writeoff_candidates(on=RUN_DAY))


def test_a_run_is_not_drafted_or_approved_for_a_year_past_its_closing(cases, officer, supervisor):
    with (
        pytest.raises(writeoffs.WriteOffError, match="出納閉鎖"),
        time_machine.travel(date(2027, 6, 1), tick=False),
    ):
        writeoffs.draft_writeoff_run(
            actor=Actor.for_staff(officer, "T0001"), as_of=date(2027, 6, 1), fiscal_year=2026
        )
    run = draft(officer)
    with (
        time_machine.travel(date(2027, 6, 1), tick=False),
        pytest.raises(writeoffs.WriteOffError, match="出納閉鎖"),
    ):
        writeoffs.approve_writeoff_run(actor=Actor.for_staff(supervisor, "T0002"), run=run)


def test_approval_is_refused_when_a_line_no_longer_stands_as_drafted(cases, officer, supervisor):
    run = draft(officer, assessment_ids=[cases["immediate"].pk])
    disposition = cases["immediate"].disposition_rows.get().disposition
    with time_machine.travel(RUN_DAY, tick=False):
        cancellation = services.draft_cancellation(
            actor=Actor.for_staff(officer, "T0001"),
            disposition=disposition,
            category="2",
            reason="財産の見落とし",
            cancelled_on=RUN_DAY,
        )
        services.approve_cancellation(actor=Actor.for_staff(supervisor, "T0002"), cancellation=cancellation)
        with pytest.raises(writeoffs.WriteOffError, match="状況が変わった"):
            writeoffs.approve_writeoff_run(actor=Actor.for_staff(supervisor, "T0002"), run=run)
    assert not WrittenOff.objects.exists()


def test_approval_writes_off_each_installment_which_leaves_the_outstanding_ledger(cases, officer, supervisor):
    from documents import batches
    from documents.models import Extraction
    from negotiations.queues import work_queue

    run = draft(officer)
    lines = {line.assessment.notice_number: line for line in run.lines.select_related("assessment")}
    with time_machine.travel(RUN_DAY, tick=False):
        before = TaxpayerBalance.objects.get(taxpayer__atena_number="000000101")
        assert before.delinquent_installments == 1
        writeoffs.approve_writeoff_run(actor=Actor.for_staff(supervisor, "T0002"), run=run)
    run.refresh_from_db()
    assert (run.status, run.approved_by, run.written_off_on) == ("approved", "S2001", RUN_DAY)
    fact = WrittenOff.objects.get(assessment=cases["prescribed"])
    assert (fact.reason, fact.article, fact.extinguished_on, fact.fiscal_year, fact.source) == (
        "prescription",
        "地方税法第18条第1項",
        date(2026, 9, 30),
        2026,
        run.number,
    )
    assert fact.total == lines["210000101"].total
    assert fact.history.get().history_change_reason.startswith(f"不納欠損 {run.number}")
    # Nothing deleted: the assessment is there, its balance says 欠損.
    balance = InstallmentBalance.objects.get(assessment=cases["prescribed"])
    assert (balance.status, balance.outstanding_principal, balance.outstanding_fee, balance.late_charge) == (
        "written_off",
        0,
        0,
        0,
    )
    # Left delinquent: only the installment whose 執行停止 has not lasted three years.
    assert [
        (b.taxpayer.atena_number, b.delinquent_installments, b.outstanding_principal)
        for b in TaxpayerBalance.objects.filter(delinquent_installments__gt=0)
    ] == [("000000103", 1, 20_000)]
    with time_machine.travel(RUN_DAY, tick=False):
        ledger = ledger_for(cases["prescribed"].taxpayer, as_of=RUN_DAY)
        line = next(x for x in ledger.lines if x.assessment == cases["prescribed"])
        assert line.settlement.outstanding_total == 0 and line.written_off == fact
        assert ledger.totals.outstanding == 0 and ledger.totals.written_off == fact.total
        assert ledger_for(cases["prescribed"].taxpayer, as_of=RUN_DAY, outstanding_only=True).lines == []
        # letters and queues
        letters = batches.extraction_candidates(Extraction(name="全件", exclude_stopped=False), RUN_DAY)
        assert [(c.atena_number, c.assessment_ids) for c in letters] == [("000000103", [cases["recent"].pk])]
        queue = work_queue(officer=None, today=RUN_DAY)
        assert [t.atena_number for t in queue.no_contact] == ["000000103"]


def test_a_payment_after_the_write_off_is_shown_as_overpaid(cases, officer, supervisor):
    from taxpayers.reconciliation import reconcile

    run = draft(officer, assessment_ids=[cases["stopped"].pk])
    with time_machine.travel(RUN_DAY, tick=False):
        writeoffs.approve_writeoff_run(actor=Actor.for_staff(supervisor, "T0002"), run=run)
    with acting_as(SETUP):
        payment = Payment(
            receipt_number="R9001",
            assessment=cases["stopped"],
            received_on=date(2027, 4, 25),
            accounted_on=date(2027, 4, 26),
            amount=5_000,
            channel="1",
        )
        stamp(payment, SETUP)
        payment.save()
    with time_machine.travel(date(2027, 4, 30), tick=False):
        reconcile(assessment_ids=[cases["stopped"].pk])
        ledger = ledger_for(cases["stopped"].taxpayer, as_of=date(2027, 4, 30))
    assert InstallmentBalance.objects.get(assessment=cases["stopped"]).status == "written_off"
    overpaid = [p for p in ledger.payments if p.after_write_off]
    assert [(p.payment.receipt_number, p.overpaid, p.principal) for p in overpaid] == [("R9001", 5_000, 0)]
    assert ledger.totals.overpaid_after_write_off == 5_000
    line = next(x for x in ledger.lines if x.assessment == cases["stopped"])
    assert line.settlement.outstanding_total == 0 and line.paid_total == 0

    # and the 過誤納金 queue takes it as 欠損後の納付 (誤納, 地方税法第17条の4第1項第4号: interest from
    # the day after the day one month counted from the day after payment ends: 4/26 → 5/25 → 5/26)
    from refunds.detection import detect_overpayments
    from refunds.models import Overpayment

    [found] = detect_overpayments(actor=SETUP, as_of=date(2027, 4, 30))
    assert (found.cause, found.amount, found.source_payment, found.interest_from) == (
        Overpayment.Cause.AFTER_WRITE_OFF,
        5_000,
        payment,
        date(2027, 5, 26),
    )
    assert detect_overpayments(actor=SETUP, as_of=date(2027, 4, 30)) == []


def test_withdrawal_is_the_drafters_and_frees_the_installments(cases, officer, supervisor):
    run = draft(officer, assessment_ids=[cases["premium"].pk])
    with pytest.raises(writeoffs.WriteOffError, match="起案した職員だけ"):
        writeoffs.withdraw_writeoff_run(actor=Actor.for_staff(supervisor, "T0002"), run=run)
    writeoffs.withdraw_writeoff_run(actor=Actor.for_staff(officer, "T0001"), run=run, note="再調査")
    assert WriteOffRun.objects.get(pk=run.pk).status == "withdrawn"
    assert "210000102" in by_notice(writeoffs.writeoff_candidates(on=RUN_DAY))


def test_the_resolution_totals_by_reason_subject_and_year(cases, officer):
    run = draft(officer)
    figures = writeoffs.resolution(run)
    assert [s.label for s in figures.by_reason] == [
        "時効完成（地方税法第18条第1項）",
        "執行停止3年継続（地方税法第15条の7第4項）",
        "即時消滅（地方税法第15条の7第5項）",
    ]
    assert [(s.count, s.principal) for s in figures.by_reason] == [(2, 83_000), (1, 20_000), (1, 15_000)]
    assert [(s.label, s.principal) for s in figures.by_year] == [
        ("令和3年度分", 83_000),
        ("令和4年度分", 20_000),
        ("令和6年度分", 15_000),
    ]
    assert sum(s.total for s in figures.by_subject) == figures.total.total
    assert figures.total.principal == 118_000


def test_an_extinguished_installment_is_not_offered_for_seizure_and_a_written_off_one_not_at_all(
    cases, officer, supervisor
):
    company = cases["immediate"].taxpayer
    offered = {e.assessment.notice_number: e for e in services.eligibility(company, code="01", on=RUN_DAY)}
    assert not offered["220000303"].eligible
    assert "即時消滅" in offered["220000303"].why_not
    run = draft(officer, assessment_ids=[cases["immediate"].pk, cases["stopped"].pk])
    with time_machine.travel(RUN_DAY, tick=False):
        writeoffs.approve_writeoff_run(actor=Actor.for_staff(supervisor, "T0002"), run=run)
    offered = {e.assessment.notice_number for e in services.eligibility(company, code="01", on=RUN_DAY)}
    assert offered == {"220000302"}


def test_the_resolution_form_prints_the_totals_by_reason_subject_and_year_and_every_line(cases, officer):
    from django.template.loader import render_to_string

    run = draft(officer)
    html = render_to_string(
        "forms/writeoff_resolution.html",
        {"run": run, "figures": writeoffs.resolution(run), "made_on": RUN_DAY, "city": {"name": "和光市"}},
    )
    for text in (
        "不納欠損決議書",
        run.number,
        "令和8年度",
        "時効完成（地方税法第18条第1項）",
        "執行停止3年継続（地方税法第15条の7第4項）",
        "即時消滅（地方税法第15条の7第5項）",
        "国民健康保険料",
        "個人市県民税（普通徴収）",
        "令和3年度分",
        "令和6年度分",
        "118,000",  # 本税 in all
        "210000101",
        "220000303",
    ):
        assert text in html, text


def test_a_supervisor_rejects_with_a_reason_never_their_own_draft_and_the_installments_are_free_again(
    client, cases, officer, supervisor
):
    from django.urls import reverse

    from tests.conftest import sign_in

    run = draft(officer, assessment_ids=[cases["premium"].pk])
    with pytest.raises(writeoffs.WriteOffError, match="却下の理由"):
        writeoffs.reject_writeoff_run(actor=Actor.for_staff(supervisor, "T0002"), run=run, note=" ")
    own = Actor(staff_number=officer.staff_number, staff_atena_number="", terminal_number="T0001")
    with pytest.raises(writeoffs.WriteOffError, match="自分の起案"):
        writeoffs.reject_writeoff_run(actor=own, run=run, note="再調査")
    with pytest.raises(IntegrityError), transaction.atomic():
        WriteOffRun.objects.filter(pk=run.pk).update(status="rejected", approved_by=officer.staff_number)
    with time_machine.travel(RUN_DAY, tick=False):
        sign_in(client, supervisor)
        response = client.post(
            reverse("dispositions:writeoff_reject", args=[run.number]), {"note": "財産調査が未了"}
        )
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.approved_by, run.decision_note) == ("rejected", "S2001", "財産調査が未了")
    assert not WrittenOff.objects.exists()
    assert "210000102" in by_notice(writeoffs.writeoff_candidates(on=RUN_DAY))
