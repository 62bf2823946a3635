"""過誤納金 from the ledger to 充当 or 還付, end to end: detection, proposal, four-eyes approval,
the 充当 posted as a 収納 and 還付加算金 to the yen."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from refunds.detection import detect_overpayments
from refunds.models import Disposal, Overpayment
from refunds.services import (
    BankAccount,
    RefundError,
    approve_disposal,
    propose_appropriations,
    propose_refund,
    record_overpayment,
)
from taxpayers.ledger import ledger_for
from taxpayers.models import Assessment, Payment, Taxpayer
from wako_collections.actors import Actor, acting_as
from wako_collections.records import save_tracked, stamp

ACCOUNT = BankAccount(
    bank_name="埼玉りそな銀行",
    bank_code="0017",
    branch_name="和光支店",
    branch_code="123",
    account_type="1",
    account_number="1234567",
    account_holder_kana="カ）シラコセイサクショ",
)


def pay(assessment, receipt, day, amount, channel=Payment.Channel.BANK, *, actor):
    with acting_as(actor):
        payment = Payment(
            receipt_number=receipt,
            assessment=assessment,
            received_on=day,
            accounted_on=day,
            amount=amount,
            channel=channel,
        )
        stamp(payment, actor)
        save_tracked(payment, reason="テスト収納")
    return payment


def installment(taxpayer, *, actor, **values):
    template = Assessment.objects.order_by("pk").first()
    fields = {f.name: getattr(template, f.name) for f in Assessment._meta.concrete_fields if f.name != "id"}
    fields.update(taxpayer=taxpayer, demand_issued_on=None, demand_fee=0, **values)
    fields.pop("id", None)
    with acting_as(actor):
        assessment = Assessment(**fields)
        stamp(assessment, actor)
        save_tracked(assessment, reason="テスト調定")
    return assessment


@pytest.fixture
def officer_actor(officer):
    return Actor.for_staff(officer, "T0001")


@pytest.fixture
def supervisor_actor(supervisor):
    return Actor.for_staff(supervisor, "T0001")


def resident_tax_2025():
    return Assessment.objects.get(notice_number="250000101")


def fixed_asset_2021():
    return Assessment.objects.get(notice_number="210000101")


def test_a_double_payment_is_appropriated_to_another_years_arrears(
    ledger, batch_actor, officer_actor, supervisor_actor
):
    # 2025 resident tax paid at a convenience store on 20 June, then again at the bank on 25 June.
    second = pay(resident_tax_2025(), "R0003", date(2025, 6, 25), 30_000, actor=batch_actor)
    found = detect_overpayments(actor=batch_actor, as_of=date(2025, 7, 10))
    assert [(o.source_payment, o.amount, o.cause) for o in found] == [
        (second, 30_000, Overpayment.Cause.DOUBLE_PAYMENT)
    ]
    overpayment = found[0]
    assert overpayment.interest_from == date(2025, 7, 26)  # 6/26から1月を経過する日（7/25）の翌日
    assert detect_overpayments(actor=batch_actor, as_of=date(2025, 7, 10)) == []  # already queued

    taxpayer = overpayment.taxpayer
    before = ledger_for(taxpayer, as_of=date(2025, 7, 10))
    owed_2021 = next(line for line in before.lines if line.assessment == fixed_asset_2021())
    assert owed_2021.settlement.outstanding_total > 30_000

    [draft] = propose_appropriations(actor=officer_actor, overpayment=overpayment, as_of=date(2025, 7, 10))
    assert (draft.kind, draft.amount, draft.target_assessment) == (
        Disposal.Kind.APPROPRIATION,
        30_000,
        fixed_asset_2021(),
    )
    assert draft.fit_on == date(2025, 6, 25)  # 充当適状日: the day the 過誤納 arose, the arrear long due
    with pytest.raises(RefundError, match="権限"):
        approve_disposal(actor=officer_actor, disposal=draft, decided_on=date(2025, 7, 10))

    approved = approve_disposal(actor=supervisor_actor, disposal=draft, decided_on=date(2025, 7, 10))
    assert (approved.status, approved.approved_by, approved.interest) == (
        Disposal.Status.APPROVED,
        "S2001",
        0,
    )
    posted = approved.payment
    assert (posted.channel, posted.assessment, posted.received_on, posted.amount) == (
        Payment.Channel.APPROPRIATION,
        fixed_asset_2021(),
        date(2025, 6, 25),
        30_000,
    )
    after = ledger_for(taxpayer, as_of=date(2025, 7, 10))
    [line] = [p for p in after.payments if p.payment == posted]
    assert line.fee + line.principal + line.late_charge == 30_000 and line.overpaid == 0
    overpayment.refresh_from_db()
    assert overpayment.status == Overpayment.Status.SETTLED
    assert [h.history_change_reason for h in approved.history.order_by("history_id")] == [
        "充当の起案",
        "決裁",
    ]
    assert fixed_asset_2021().balance.paid_principal > 30_100  # reconciled with the 充当


def test_another_double_payment_is_refunded_with_interest_to_the_yen(
    ledger, batch_actor, officer_actor, supervisor_actor
):
    # 株式会社白子製作所 has no arrears: its 1,234,567円 paid twice on 31 May 2024 is refunded.
    company = Taxpayer.objects.get(atena_number="000000103")
    tax = installment(
        company,
        actor=batch_actor,
        tax_year=2024,
        assessment_year=2024,
        notice_number="240000103",
        due_date=date(2024, 5, 31),
        statutory_due_date=date(2024, 5, 31),
        principal=1_234_567,
    )
    pay(tax, "R0101", date(2024, 5, 31), 1_234_567, Payment.Channel.BANK, actor=batch_actor)
    pay(tax, "R0102", date(2024, 5, 31), 1_234_567, Payment.Channel.COUNTER, actor=batch_actor)
    [overpayment] = detect_overpayments(actor=batch_actor, as_of=date(2025, 2, 1))
    assert (overpayment.amount, overpayment.cause) == (1_234_567, Overpayment.Cause.DOUBLE_PAYMENT)

    with pytest.raises(RefundError, match="充当できる未納"):
        propose_appropriations(actor=officer_actor, overpayment=overpayment, as_of=date(2025, 2, 1))
    refund = propose_refund(
        actor=officer_actor, overpayment=overpayment, account=ACCOUNT, as_of=date(2025, 2, 1)
    )
    approved = approve_disposal(actor=supervisor_actor, disposal=refund, decided_on=date(2025, 2, 14))
    # 2024-07-01〜2025-02-14: 5,598円 + 1,369円 = 6,967円 → 6,900円 (test_interest's worked example).
    assert (approved.amount, approved.interest, approved.payment) == (1_234_567, 6_900, None)
    assert not Payment.objects.filter(channel=Payment.Channel.APPROPRIATION).exists()


def test_a_refund_is_refused_while_the_person_has_arrears(ledger, batch_actor, officer_actor):
    pay(resident_tax_2025(), "R0003", date(2025, 6, 25), 30_000, actor=batch_actor)
    [overpayment] = detect_overpayments(actor=batch_actor, as_of=date(2025, 7, 10))
    with pytest.raises(RefundError, match="第17条の2"):
        propose_refund(actor=officer_actor, overpayment=overpayment, account=ACCOUNT, as_of=date(2025, 7, 10))


def test_what_the_arrears_cannot_take_is_refunded(ledger, batch_actor, officer_actor, supervisor_actor):
    pay(resident_tax_2025(), "R0003", date(2025, 6, 25), 2_000_000, actor=batch_actor)
    [overpayment] = detect_overpayments(actor=batch_actor, as_of=date(2025, 7, 10))
    assert overpayment.amount == 2_000_000
    [draft] = propose_appropriations(actor=officer_actor, overpayment=overpayment, as_of=date(2025, 7, 10))
    assert draft.amount < 2_000_000
    approve_disposal(actor=supervisor_actor, disposal=draft, decided_on=date(2025, 7, 10))
    refund = propose_refund(
        actor=officer_actor, overpayment=overpayment, account=ACCOUNT, as_of=date(2025, 7, 10)
    )
    assert refund.amount == 2_000_000 - draft.amount
    approve_disposal(actor=supervisor_actor, disposal=refund, decided_on=date(2025, 9, 1))
    overpayment.refresh_from_db()
    assert overpayment.status == Overpayment.Status.SETTLED
    with pytest.raises(RefundError, match="処理済み"):
        propose_refund(actor=officer_actor, overpayment=overpayment, account=ACCOUNT, as_of=date(2025, 9, 1))


def test_a_payment_after_prescription_is_mistaken_in_full(ledger, batch_actor):
    # The 2021 premium (2 years; 督促 2021-08-20) was extinguished by 時効 in 2023.
    premium = Assessment.objects.get(notice_number="210000102")
    late = pay(premium, "R0201", date(2025, 7, 1), 48_100, actor=batch_actor)
    [overpayment] = detect_overpayments(actor=batch_actor, as_of=date(2025, 8, 1))
    assert (overpayment.source_payment, overpayment.amount, overpayment.cause) == (
        late,
        48_100,
        Overpayment.Cause.AFTER_PRESCRIPTION,
    )


def write_off(assessment, *, on, cancelled_on=None, actor):
    """A 即時消滅 (地方税法第15条の7第5項) of `assessment` on `on`, as an approved 決議 leaves it."""
    from taxpayers.models import WriteOffReason, WrittenOff

    with acting_as(actor):
        fact = WrittenOff(
            assessment=assessment,
            written_off_on=on,
            fiscal_year=on.year,
            reason=WriteOffReason.IMMEDIATE_EXTINCTION,
            article="地方税法第15条の7第5項",
            extinguished_on=on,
            principal=assessment.principal,
            demand_fee=assessment.demand_fee,
            late_charge=0,
            source="F2025000001",
            cancelled_on=cancelled_on,
            cancellation_source="FC2025000001" if cancelled_on else "",
        )
        stamp(fact, actor)
        save_tracked(fact, reason="テスト不納欠損")
    return fact


def test_a_payment_after_a_write_off_is_mistaken_in_full(ledger, batch_actor):
    # the 2021 固定資産税 is owed and its 時効 is years away: only the 欠損 makes this payment 誤納
    tax = fixed_asset_2021()
    write_off(tax, on=date(2025, 3, 31), actor=batch_actor)
    late = pay(tax, "R0301", date(2025, 7, 1), 5_000, actor=batch_actor)
    [overpayment] = detect_overpayments(actor=batch_actor, as_of=date(2025, 8, 1))
    assert (overpayment.source_payment, overpayment.amount, overpayment.cause) == (
        late,
        5_000,
        Overpayment.Cause.AFTER_WRITE_OFF,
    )


def test_a_payment_after_a_cancelled_write_off_pays_the_revived_claim(ledger, batch_actor):
    # 不納欠損の取消 (2025-06-01): the claim was not extinguished, so the payment is owed, not 誤納
    tax = fixed_asset_2021()
    write_off(tax, on=date(2025, 3, 31), cancelled_on=date(2025, 6, 1), actor=batch_actor)
    pay(tax, "R0302", date(2025, 7, 1), 5_000, actor=batch_actor)
    assert detect_overpayments(actor=batch_actor, as_of=date(2025, 8, 1)) == []


def test_a_reduction_in_the_assessment_import_is_an_overpayment_from_the_payment_day(ledger, batch_actor):
    tax = resident_tax_2025()  # 30,000円 paid 2025-06-20, before 納期限 2025-06-30
    with acting_as(batch_actor):
        tax.principal = 21_000
        save_tracked(tax, reason="減額更正", update_fields=["principal", *stamp(tax, batch_actor)])
    [overpayment] = detect_overpayments(actor=batch_actor, as_of=date(2025, 8, 1))
    assert (overpayment.amount, overpayment.cause) == (9_000, Overpayment.Cause.REDUCTION)
    assert overpayment.interest_from == date(2025, 7, 1)  # 納期限前の納付: 納期限の翌日から


def test_a_payment_after_full_payment_is_mistaken(ledger, batch_actor):
    pay(resident_tax_2025(), "R0003", date(2025, 7, 3), 1_500, actor=batch_actor)
    [overpayment] = detect_overpayments(actor=batch_actor, as_of=date(2025, 8, 1))
    assert (overpayment.amount, overpayment.cause) == (1_500, Overpayment.Cause.AFTER_FULL_PAYMENT)


def test_a_collection_surplus_enters_the_same_queue(ledger, batch_actor):
    company = Taxpayer.objects.get(atena_number="000000103")
    surplus = record_overpayment(
        actor=batch_actor,
        taxpayer=company,
        amount=12_345,
        cause=Overpayment.Cause.COLLECTION_SURPLUS,
        arose_on=date(2025, 9, 1),
        source_reference="取立 C2025000001",
    )
    assert (surplus.interest_from, surplus.is_open) == (None, True)


def test_a_supervisor_cannot_approve_their_own_draft(ledger, batch_actor, supervisor_actor):
    pay(resident_tax_2025(), "R0003", date(2025, 6, 25), 30_000, actor=batch_actor)
    [overpayment] = detect_overpayments(actor=batch_actor, as_of=date(2025, 7, 10))
    [draft] = propose_appropriations(actor=supervisor_actor, overpayment=overpayment, as_of=date(2025, 7, 10))
    with pytest.raises(RefundError, match="自分の起案"):
        approve_disposal(actor=supervisor_actor, disposal=draft, decided_on=date(2025, 7, 10))
    draft.refresh_from_db()
    assert draft.is_proposed and not Payment.objects.filter(channel=Payment.Channel.APPROPRIATION).exists()


def test_the_database_refuses_an_approval_by_the_drafter(ledger, batch_actor, officer_actor):
    pay(resident_tax_2025(), "R0003", date(2025, 6, 25), 30_000, actor=batch_actor)
    [overpayment] = detect_overpayments(actor=batch_actor, as_of=date(2025, 7, 10))
    [draft] = propose_appropriations(actor=officer_actor, overpayment=overpayment, as_of=date(2025, 7, 10))
    with pytest.raises(IntegrityError, match="refunds_disposal_four_eyes"), transaction.atomic():
        Disposal.objects.filter(pk=draft.pk).update(
            status=Disposal.Status.APPROVED, approved_by=draft.drafted_by, decided_on=date(2025, 7, 10)
        )


def test_the_readme_documents_every_column_of_the_refund_csv():
    from pathlib import Path

    from refunds.exports import COLUMNS

    readme = (Path(__file__).resolve().parents[2] / "refunds" / "README.md").read_text(encoding="utf-8")
    for column in COLUMNS:
        assert f"| {column.header} | {column.description} | {column.example} |" in readme, column.header


def test_the_refund_csv_has_one_row_per_approved_refund(ledger, batch_actor, officer_actor, supervisor_actor):
    import csv
    import io

    from refunds.exports import COLUMNS, approved_refunds, refund_csv

    company = Taxpayer.objects.get(atena_number="000000103")
    tax = installment(
        company,
        actor=batch_actor,
        tax_year=2024,
        assessment_year=2024,
        notice_number="240000103",
        due_date=date(2024, 5, 31),
        statutory_due_date=date(2024, 5, 31),
        principal=1_234_567,
    )
    pay(tax, "R0101", date(2024, 5, 31), 1_234_567, actor=batch_actor)
    pay(tax, "R0102", date(2024, 5, 31), 1_234_567, Payment.Channel.COUNTER, actor=batch_actor)
    [overpayment] = detect_overpayments(actor=batch_actor, as_of=date(2025, 2, 1))
    refund = propose_refund(
        actor=officer_actor, overpayment=overpayment, account=ACCOUNT, as_of=date(2025, 2, 1)
    )
    window = {"decided_from": date(2025, 2, 1), "decided_to": date(2025, 2, 28)}
    assert list(approved_refunds(**window)) == []  # proposed only: not yet for 財務会計
    approve_disposal(actor=supervisor_actor, disposal=refund, decided_on=date(2025, 2, 14))
    rows = list(csv.DictReader(io.StringIO(refund_csv(approved_refunds(**window)))))
    assert len(rows) == 1
    row = rows[0]
    assert list(row) == [column.header for column in COLUMNS]
    assert (row["支出決定日"], row["支出区分"], row["宛名番号"], row["通知書番号"]) == (
        "2025-02-14",
        "歳入戻出",  # received in 令和6年度 (2024-05-31), decided in 令和6年度 (2025-02-14)
        "000000103",
        "240000103",
    )
    assert (row["還付金額"], row["還付加算金"], row["支払額"]) == ("1234567", "6900", "1241467")
    assert (row["金融機関コード"], row["口座番号"], row["決裁者"]) == ("0017", "1234567", "S2001")
    assert list(approved_refunds(decided_from=date(2025, 3, 1), decided_to=date(2025, 3, 31))) == []


def test_the_appropriation_and_refund_notices_are_printed_and_recorded(
    ledger, batch_actor, officer_actor, supervisor_actor
):
    import re
    import shutil
    import subprocess

    from documents.models import Document, FormCode
    from documents.services import DocumentError, issue_for_record, render_document

    def pdf_text(pdf: bytes) -> str:
        extracted = subprocess.run(
            [shutil.which("pdftotext"), "-raw", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        return re.sub(r"\s+", "", extracted)

    pay(resident_tax_2025(), "R0003", date(2025, 6, 25), 2_000_000, actor=batch_actor)
    [overpayment] = detect_overpayments(actor=batch_actor, as_of=date(2025, 7, 10))
    [draft] = propose_appropriations(actor=officer_actor, overpayment=overpayment, as_of=date(2025, 7, 10))
    with pytest.raises(DocumentError, match="決裁済み"):
        issue_for_record(
            actor=officer_actor,
            form_code=FormCode.APPROPRIATION_NOTICE,
            record=draft,
            issued_on=date(2025, 7, 10),
        )
    approve_disposal(actor=supervisor_actor, disposal=draft, decided_on=date(2025, 7, 10))
    refund = propose_refund(
        actor=officer_actor, overpayment=overpayment, account=ACCOUNT, as_of=date(2025, 7, 10)
    )
    refund = approve_disposal(actor=supervisor_actor, disposal=refund, decided_on=date(2025, 9, 1))
    draft.refresh_from_db()

    notice = issue_for_record(
        actor=officer_actor,
        form_code=FormCode.APPROPRIATION_NOTICE,
        record=draft,
        issued_on=date(2025, 7, 11),
    )
    text = pdf_text(render_document(notice))
    assert "充当通知書" in text and "地方税法第17条の2" in text
    assert f"{draft.amount:,}円" in text and "210000101" in text and "充当適状日" in text
    with pytest.raises(DocumentError):
        issue_for_record(
            actor=officer_actor, form_code=FormCode.REFUND_NOTICE, record=draft, issued_on=date(2025, 7, 11)
        )

    notice = issue_for_record(
        actor=officer_actor, form_code=FormCode.REFUND_NOTICE, record=refund, issued_on=date(2025, 9, 2)
    )
    text = pdf_text(render_document(notice))
    assert "還付通知書" in text and "地方税法第17条" in text
    assert f"{refund.amount:,}円" in text and f"{refund.interest:,}円" in text and "和光支店" in text
    recorded = Document.objects.get(number=notice.number)
    assert (recorded.taxpayer.atena_number, recorded.total_amount) == (
        "000000101",
        refund.amount + refund.interest,
    )
    assert recorded.source == f"還付 {refund.number}"


def test_an_appropriation_to_a_later_arrear_bears_interest_which_is_refunded_in_turn(
    ledger, batch_actor, officer_actor, supervisor_actor
):
    company = Taxpayer.objects.get(atena_number="000000103")
    paid_twice = installment(
        company,
        actor=batch_actor,
        tax_year=2024,
        assessment_year=2024,
        notice_number="240000103",
        due_date=date(2024, 5, 31),
        statutory_due_date=date(2024, 5, 31),
        principal=1_234_567,
    )
    later = installment(
        company,
        actor=batch_actor,
        tax_year=2024,
        assessment_year=2024,
        notice_number="240000104",
        due_date=date(2025, 2, 28),
        statutory_due_date=date(2025, 2, 28),
        principal=600_000,
    )
    pay(paid_twice, "R0101", date(2024, 5, 31), 1_234_567, actor=batch_actor)
    pay(paid_twice, "R0102", date(2024, 5, 31), 1_234_567, Payment.Channel.COUNTER, actor=batch_actor)
    [overpayment] = detect_overpayments(actor=batch_actor, as_of=date(2025, 3, 10))
    [draft] = propose_appropriations(actor=officer_actor, overpayment=overpayment, as_of=date(2025, 3, 10))
    # 600,000円 and 10 days of 延滞金 under 1,000円 (none): 充当適状日 is the later arrear's 納期限.
    assert (draft.target_assessment, draft.amount, draft.fit_on) == (later, 600_000, date(2025, 2, 28))
    approved = approve_disposal(actor=supervisor_actor, disposal=draft, decided_on=date(2025, 3, 10))
    # 2024-07-01〜12-31 184日: 600,000×0.9%×184/365 = 2,722円; 2025-01-01〜02-28 59日: 872円 (end: the
    # 充当適状日, not the 充当日); 3,594円 → 3,500円.
    assert approved.interest == 3_500
    interest = Overpayment.objects.get(cause=Overpayment.Cause.INTEREST_ON_APPROPRIATION)
    assert (interest.taxpayer, interest.amount, interest.interest_from) == (company, 3_500, None)
    later.balance.refresh_from_db()
    assert later.balance.outstanding_principal == 0

    rest = propose_refund(
        actor=officer_actor, overpayment=overpayment, account=ACCOUNT, as_of=date(2025, 3, 10)
    )
    assert rest.amount == 634_567
    interest_refund = propose_refund(
        actor=officer_actor, overpayment=interest, account=ACCOUNT, as_of=date(2025, 3, 10)
    )
    assert (
        approve_disposal(
            actor=supervisor_actor, disposal=interest_refund, decided_on=date(2025, 4, 30)
        ).interest
        == 0
    )


def test_an_appropriation_is_refused_when_the_arrear_was_paid_meanwhile_and_may_be_withdrawn(
    ledger, batch_actor, officer_actor, supervisor_actor
):
    from refunds.services import remaining_amount, withdraw_disposal

    pay(resident_tax_2025(), "R0003", date(2025, 6, 25), 30_000, actor=batch_actor)
    [overpayment] = detect_overpayments(actor=batch_actor, as_of=date(2025, 7, 10))
    [draft] = propose_appropriations(actor=officer_actor, overpayment=overpayment, as_of=date(2025, 7, 10))
    # The receipts file brings a payment of 20 June, before the 充当適状日, after the proposal.
    pay(fixed_asset_2021(), "R0004", date(2025, 6, 20), 100_000, actor=batch_actor)
    with pytest.raises(RefundError, match="起案し直して"):
        approve_disposal(actor=supervisor_actor, disposal=draft, decided_on=date(2025, 7, 10))
    assert not Payment.objects.filter(channel=Payment.Channel.APPROPRIATION).exists()
    withdrawn = withdraw_disposal(actor=officer_actor, disposal=draft)
    assert withdrawn.status == Disposal.Status.WITHDRAWN
    assert remaining_amount(overpayment) == 30_000
    with pytest.raises(RefundError, match="取り下げられません"):
        withdraw_disposal(actor=officer_actor, disposal=draft)


def test_two_overpayments_of_one_person_do_not_take_the_same_arrear_twice(ledger, batch_actor, officer_actor):
    from refunds.services import appropriable

    owed = appropriable(
        fixed_asset_2021(), fit_on=date(2025, 6, 25), amount=10_000_000, as_of=date(2025, 7, 10)
    )
    pay(resident_tax_2025(), "R0003", date(2025, 6, 25), owed - 1_000, actor=batch_actor)
    pay(resident_tax_2025(), "R0004", date(2025, 6, 25), 5_000, Payment.Channel.COUNTER, actor=batch_actor)
    first, second = detect_overpayments(actor=batch_actor, as_of=date(2025, 7, 10))
    [a] = propose_appropriations(actor=officer_actor, overpayment=first, as_of=date(2025, 7, 10))
    [b] = propose_appropriations(actor=officer_actor, overpayment=second, as_of=date(2025, 7, 10))
    assert a.amount + b.amount == owed  # the second takes only what the first left


def test_a_reduction_arriving_in_the_assessment_import_is_found(ledger, write_csv, batch_actor):
    from taxpayers.importing import run_import, start_log
    from tests.taxpayers.conftest import ASSESSMENT_HEADER, ASSESSMENTS

    # 2025 resident tax 30,000円 (paid 20 June) corrected to 24,500円 by the 調定 file (減額更正).
    rows = [
        row.replace(",250000101,1,2025-06-30,2025-06-30,30000,", ",250000101,1,2025-06-30,2025-06-30,24500,")
        for row in ASSESSMENTS
    ]
    assert rows != ASSESSMENTS
    path = write_csv("assessments-corrected.csv", ASSESSMENT_HEADER, rows)
    run_import(
        log=start_log(kind="assessments", path=path, file_name=path.name, actor=batch_actor),
        path=path,
        actor=batch_actor,
    )
    assert resident_tax_2025().principal == 24_500
    [overpayment] = detect_overpayments(actor=batch_actor, as_of=date(2025, 8, 1))
    assert (overpayment.amount, overpayment.cause, overpayment.arose_on) == (
        5_500,
        Overpayment.Cause.REDUCTION,
        date(2025, 6, 20),
    )
    assert overpayment.interest_from == date(2025, 7, 1)  # paid before 納期限: from the day after 納期限
