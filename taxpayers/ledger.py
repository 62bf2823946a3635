"""収納状況照会 for one taxpayer on a chosen day: every installment with what was billed, paid
and is still owed, 督促手数料 and 延滞金 to that day, 時効予定日, and the payment history with
how each payment was applied, and each installment's 時効 chain. Three queries whatever the
length of the history, and one more for the installments written off (欠損). Each line is the
installment's standing (`taxpayers.standing`); nothing is computed here but the totals.

An installment written off (不納欠損, `WrittenOff`) by the ledger's day owes nothing: its amounts
left the ledger and are shown as 欠損額 on the line, its status is 欠損, and a payment received after
its claim was extinguished is 過誤納, shown on its payment line with the flag `after_write_off`
and applied to nothing (the standing settles it; see `taxpayers.standing`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import cast

from taxpayers.late_charges import rates_for
from taxpayers.models import Assessment, Payment, Taxpayer, WrittenOff
from taxpayers.prescription import Chain
from taxpayers.settlement import PaymentStatus, Settlement
from taxpayers.standing import Standing, standings_for


@dataclass
class InstallmentLine:
    assessment: Assessment
    settlement: Settlement
    prescription_date: date  # 法定納期限 (保険料: 納期限) + 5 (2) years, before any renewal
    chain: Chain | None = None  # with the 督促 and recorded events: the 時効予定日 that counts
    standing: Standing | None = None  # all of the above, from taxpayers.standing

    @property
    def status_label(self) -> str:
        """未到来, 納期内, 滞納, 完納 or 欠損 (settlement.PaymentStatus)."""
        return PaymentStatus(self.settlement.status).label

    @property
    def is_delinquent(self) -> bool:
        return self.settlement.status == PaymentStatus.DELINQUENT

    @property
    def written_off(self) -> WrittenOff | None:
        """The 不納欠損 in force on the ledger's day: 未納 nil, the amounts there."""
        return self.standing.write_off if self.standing else None

    @property
    def paid_total(self) -> int:
        return self.settlement.paid_principal + self.settlement.paid_fee + self.settlement.paid_late_charge


@dataclass
class PaymentLine:
    payment: Payment
    assessment: Assessment
    fee: int
    principal: int
    late_charge: int
    overpaid: int
    after_write_off: bool = False  # received after the claim was extinguished: 過誤納 in full


@dataclass
class Totals:
    principal: int = 0
    paid: int = 0
    outstanding_principal: int = 0
    outstanding_fee: int = 0
    late_charge: int = 0
    written_off: int = 0  # 欠損額 (本税・督促手数料・延滞金) of the lines written off
    overpaid_after_write_off: int = 0  # 過誤納: received after a written-off claim was extinguished
    late_charge_exempted: int = 0  # 免除額・減免額 (already left out of `late_charge`)

    @property
    def outstanding(self) -> int:
        return self.outstanding_principal + self.outstanding_fee + self.late_charge


@dataclass
class Ledger:
    as_of: date
    lines: list[InstallmentLine] = field(default_factory=list)
    payments: list[PaymentLine] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)
    rates_assumed_from: int | None = None  # the first year settled at an assumed (latest) rate


def ledger_for(
    taxpayer: Taxpayer,
    *,
    as_of: date,
    subject: str = "",
    tax_year: int | None = None,
    outstanding_only: bool = False,
) -> Ledger:
    assessments = Assessment.objects.filter(taxpayer=taxpayer).order_by(
        "-tax_year", "subject_code", "notice_number", "logical_period"
    )
    if subject:
        assessments = assessments.filter(subject_code=subject)
    if tax_year:
        assessments = assessments.filter(tax_year=tax_year)
    # A future 基準日, or a year whose rate is not yet in the table, is settled at the latest
    # published rates; the page says so.
    rates, assumed_from = rates_for(as_of)
    ledger = Ledger(as_of=as_of, rates_assumed_from=assumed_from)
    for standing in standings_for(assessments, as_of=as_of, rates=rates):
        assessment = standing.installment
        settlement = standing.settlement
        if outstanding_only and settlement.outstanding_total == 0:
            continue
        line = InstallmentLine(
            assessment, settlement, standing.base_prescription_date, standing.chain, standing
        )
        ledger.lines.append(line)
        totals = ledger.totals
        totals.principal += assessment.principal
        totals.paid += line.paid_total
        totals.outstanding_principal += settlement.outstanding_principal
        totals.outstanding_fee += settlement.outstanding_fee
        totals.late_charge += settlement.late_charge
        totals.late_charge_exempted += settlement.late_charge_exempted
        if standing.write_off is not None:
            totals.written_off += standing.write_off.total
            totals.overpaid_after_write_off += sum(p.amount for p in standing.late_payments)
            ledger.payments += [
                PaymentLine(p, assessment, 0, 0, 0, p.amount, after_write_off=True)
                for p in standing.late_payments
            ]
        for allocation in settlement.allocations:
            ledger.payments.append(
                PaymentLine(
                    cast(Payment, allocation.payment.key),  # standings_for keys each payment by itself
                    assessment,
                    allocation.fee,
                    allocation.principal,
                    allocation.late_charge,
                    allocation.overpaid,
                )
            )
    ledger.payments.sort(key=lambda line: (line.payment.received_on, line.payment.pk), reverse=True)
    return ledger
