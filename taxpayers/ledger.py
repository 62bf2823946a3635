"""収納状況照会 for one taxpayer on a chosen day: every installment with what was billed, paid
and is still owed, 督促手数料 and 延滞金 to that day, 時効予定日, and the payment history with
how each payment was applied, and each installment's 時効 chain. Three queries whatever the
length of the history."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

from taxpayers.chains import chain_for
from taxpayers.late_charges import rates_for
from taxpayers.models import Assessment, Payment, PrescriptionEvent, Taxpayer
from taxpayers.prescription import Chain
from taxpayers.settlement import ReceivedPayment, Settlement, prescription_date, settle
from taxpayers.subjects import rule_for


@dataclass
class InstallmentLine:
    assessment: Assessment
    settlement: Settlement
    prescription_date: date  # 法定納期限 (保険料: 納期限) + 5 (2) years, before any renewal
    chain: Chain | None = None  # with the 督促 and recorded events: the 時効予定日 that counts

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


@dataclass
class Totals:
    principal: int = 0
    paid: int = 0
    outstanding_principal: int = 0
    outstanding_fee: int = 0
    late_charge: int = 0

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
    assessments = list(assessments)
    by_assessment: dict[int, list[Payment]] = defaultdict(list)
    # As of a day means as known on that day: a payment received or booked (日計日) after it, or a
    # 時効 event that happened after it, was not known then and is left out (issue 18).
    known = Payment.objects.filter(
        assessment__in=assessments, received_on__lte=as_of, accounted_on__lte=as_of
    )
    for payment in known.order_by("received_on", "id"):
        by_assessment[payment.assessment_id].append(payment)
    events: dict[int, list[PrescriptionEvent]] = defaultdict(list)
    for event in PrescriptionEvent.objects.filter(assessment__in=assessments, occurred_on__lte=as_of):
        events[event.assessment_id].append(event)

    # A future 基準日, or a year whose rate is not yet in the table, is settled at the latest
    # published rates; the page says so.
    rates, assumed_from = rates_for(as_of)
    ledger = Ledger(as_of=as_of, rates_assumed_from=assumed_from)
    for assessment in assessments:
        rule = rule_for(assessment.subject_code)
        settlement = settle(
            principal=assessment.principal,
            fee=assessment.demand_fee,
            due_date=assessment.due_date,
            payments=[ReceivedPayment(p.received_on, p.amount, p) for p in by_assessment[assessment.pk]],
            as_of=as_of,
            first_band_months=settings.NHI_PREMIUM_FIRST_BAND_MONTHS if rule.is_premium else 1,
            order=settings.PAYMENT_ALLOCATION_ORDER,
            rates=rates,
            extended_from=assessment.late_charge_extended_from,
        )
        if outstanding_only and settlement.outstanding_total == 0:
            continue
        line = InstallmentLine(
            assessment,
            settlement,
            prescription_date(
                statutory_due_date=assessment.statutory_due_date,
                due_date=assessment.due_date,
                is_premium=rule.is_premium,
                years=rule.prescription_years,
            ),
        )
        line.chain = chain_for(
            assessment, events=events[assessment.pk], payments=by_assessment[assessment.pk], today=as_of
        )
        ledger.lines.append(line)
        totals = ledger.totals
        totals.principal += assessment.principal
        totals.paid += line.paid_total
        totals.outstanding_principal += settlement.outstanding_principal
        totals.outstanding_fee += settlement.outstanding_fee
        totals.late_charge += settlement.late_charge
        for allocation in settlement.allocations:
            ledger.payments.append(
                PaymentLine(
                    allocation.payment.key,
                    assessment,
                    allocation.fee,
                    allocation.principal,
                    allocation.late_charge,
                    allocation.overpaid,
                )
            )
    ledger.payments.sort(key=lambda line: (line.payment.received_on, line.payment.pk), reverse=True)
    return ledger
