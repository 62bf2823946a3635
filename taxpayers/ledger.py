"""収納状況照会 for one taxpayer on a chosen day: every installment with what was billed, paid
and is still owed, 督促手数料 and 延滞金 to that day, 時効予定日, and the payment history with
how each payment was applied, and each installment's 時効 chain. Three queries whatever the
length of the history, and one more for the installments written off (欠損). Each line is the
installment's standing (`taxpayers.standing`); nothing is computed here but the totals.

An installment written off (不納欠損, `WrittenOff`) by the ledger's day owes nothing: its amounts
left the ledger and are shown as 欠損額 on the line, its status is 欠損, and a payment received after
its claim was extinguished is 過誤納, shown on its payment line with the flag `after_write_off`
and applied to nothing (the standing settles it; see `taxpayers.standing`).

An installment whose 時効 completed (時効完成) with something unpaid reads so, its 延滞金 stopped on
that day, a later payment 過誤納 (`after_time_barred`); what it still shows as owed is not in the
totals of what can be collected (`Totals.time_barred` instead). A 滞納 期別 held by a 差押・猶予・
執行停止・分納誓約 reads each hold (差押中・分納中): the standing's status, not the payment status
reconcile stores.

A long history (the longest at 100,000 persons holds 187 installments, nearly all paid long ago) is
not recomputed where what reconcile stored is enough (`settled_by_reconcile`): the 収納状況照会 folds
the years whose every installment is paid in full (`fold_paid_years`, one summary line per year,
opened on demand), and the pages that list what is owed skip the installments paid in full
(`outstanding_only`). Either way the query count does not grow with the history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar, cast

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from taxpayers.late_charges import rates_for
from taxpayers.models import Assessment, InstallmentBalance, Payment, ReconcileRun, Taxpayer, WrittenOff
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
    def status(self) -> str:
        """The standing's status (`taxpayers.standing`): the payment status refined by 時効完成 and
        by what holds a 滞納 期別 (差押中・猶予中・停止中・分納中)."""
        return self.standing.status if self.standing else self.settlement.status

    @property
    def status_label(self) -> str:
        """未到来, 納期内, 滞納, 完納, 欠損, 時効完成, or the holds in force (差押中・分納中): the standing's."""
        if self.standing is None:
            return PaymentStatus(self.settlement.status).label
        return self.standing.state_label

    @property
    def is_delinquent(self) -> bool:
        """Owed after 納期限 and still collectible: 滞納, held or not; not 時効完成."""
        return self.settlement.status == PaymentStatus.DELINQUENT and not self.is_time_barred

    @property
    def is_time_barred(self) -> bool:
        """時効完成 with something still shown as owed: extinguished, waiting for 不納欠損."""
        return self.standing is not None and self.standing.is_time_barred

    @property
    def watches_prescription(self) -> bool:
        """A 時効予定日 to show: the standing's (`Standing.watches_prescription`) — none once 完納・欠損."""
        return self.standing is not None and self.standing.watches_prescription

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
    after_write_off: bool = False  # received after a written-off claim was extinguished: 過誤納 in full
    after_time_barred: bool = False  # received after the 時効 of the claim completed: 過誤納 in full


@dataclass
class Totals:
    """Integer yen. `outstanding_*` and `late_charge` are what can still be collected: the lines
    時効完成 are left out of them and summed in `time_barred` (本税・督促手数料・延滞金 to the day
    時効 completed, what 不納欠損 will record), as the lines written off are in `written_off`."""

    principal: int = 0
    paid: int = 0
    outstanding_principal: int = 0
    outstanding_fee: int = 0
    late_charge: int = 0
    written_off: int = 0  # 欠損額 (本税・督促手数料・延滞金) of the lines written off
    overpaid_after_write_off: int = 0  # 過誤納: received after a written-off claim was extinguished
    late_charge_exempted: int = 0  # 免除額・減免額 (already left out of `late_charge`)
    time_barred: int = 0  # what the lines 時効完成 still show as owed (not collectible)
    time_barred_installments: int = 0
    overpaid_after_time_barred: int = 0  # 過誤納: received after 時効 completed

    @property
    def outstanding(self) -> int:
        return self.outstanding_principal + self.outstanding_fee + self.late_charge


@dataclass(frozen=True)
class FoldedYear:
    """A 年度分 whose every installment is paid in full (完納), shown as one line: how many
    installments, their 調定額 and what was applied to them (integer yen), from the stored balances."""

    tax_year: int
    installments: int
    principal: int
    paid: int
    payments: int  # 収納 rows not listed in the payment history


@dataclass
class Ledger:
    as_of: date
    lines: list[InstallmentLine] = field(default_factory=list)
    payments: list[PaymentLine] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)
    rates_assumed_from: int | None = None  # the first year settled at an assumed (latest) rate
    folded_years: list[FoldedYear] = field(default_factory=list)  # newest first

    @property
    def folded_payments(self) -> int:
        return sum(year.payments for year in self.folded_years)


def settled_by_reconcile(as_of: date) -> bool:
    """Whether an installment that the stored balance (`InstallmentBalance`, written by reconcile)
    says is paid in full (完納) is paid in full on `as_of` too, so its standing need not be
    recomputed: `as_of` is on or after both today and the day of the latest reconcile run. A stored
    row was computed on a day no later than that run's, payments are never taken back, and every
    change of an installment or a payment is reconciled at once (import, 充当, 滞納処分, 欠損,
    減免): once paid in full, an installment owes nothing on any later day. Before that day (an
    as-of in the past) nothing is skipped. One query (`taxpayers_reconcilerun`, a few rows a day)."""
    if as_of < timezone.localdate():
        return False
    last = ReconcileRun.objects.aggregate(day=Max("as_of"))["day"]
    return last is not None and as_of >= last


Assessments = TypeVar("Assessments", bound=QuerySet[Assessment])


def without_paid(assessments: Assessments, *, as_of: date) -> Assessments:
    """`assessments` less those stored as paid in full, when the stored balance can be trusted on
    `as_of` (`settled_by_reconcile`); unchanged otherwise. An installment without a stored balance
    (imported since the last run) is kept."""
    if not settled_by_reconcile(as_of):
        return assessments
    return assessments.exclude(balance__status=InstallmentBalance.Status.PAID)


def _paid_years(assessments: QuerySet[Assessment]) -> list[FoldedYear]:
    """The years of `assessments` whose every installment is stored as paid in full: one aggregate
    (installments, 調定額, amounts applied) and one count of their payments."""
    paid = Q(balance__status=InstallmentBalance.Status.PAID)
    rows = (
        assessments.order_by()
        .values("tax_year")
        .annotate(
            n=Count("pk"),
            n_paid=Count("pk", filter=paid),
            principal=Coalesce(Sum("principal"), 0),
            applied=Coalesce(
                Sum("balance__paid_principal") + Sum("balance__paid_fee") + Sum("balance__paid_late_charge"),
                0,
            ),
        )
        .filter(n=F("n_paid"))
        .order_by("-tax_year")
    )
    years = {row["tax_year"]: row for row in rows}
    if not years:
        return []
    counted = dict(
        Payment.objects.filter(assessment__in=assessments.filter(tax_year__in=years))
        .order_by()
        .values("assessment__tax_year")
        .annotate(n=Count("pk"))
        .values_list("assessment__tax_year", "n")
    )
    return [
        FoldedYear(year, row["n"], row["principal"], row["applied"], counted.get(year, 0))
        for year, row in years.items()
    ]


def ledger_for(
    taxpayer: Taxpayer,
    *,
    as_of: date,
    subject: str = "",
    tax_year: int | None = None,
    outstanding_only: bool = False,
    fold_paid_years: bool = False,
) -> Ledger:
    """Every installment of `taxpayer` (of `subject`, of `tax_year`) on `as_of`, newest year first,
    with the payments applied to them, newest first. `outstanding_only`: the lines that owe
    something (those stored as paid in full are not computed, `without_paid`). `fold_paid_years`:
    a year whose every installment is stored as paid in full becomes one `FoldedYear` (in the
    totals, not in `lines` nor `payments`) when the stored balance can be trusted on `as_of`
    (`settled_by_reconcile`); otherwise nothing is folded. Queries: those of `standings_for` and at
    most four more, whatever the length of the history."""
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
    if outstanding_only:
        assessments = without_paid(assessments, as_of=as_of)
    elif fold_paid_years and settled_by_reconcile(as_of):
        ledger.folded_years = _paid_years(assessments)
        if ledger.folded_years:
            assessments = assessments.exclude(tax_year__in=[year.tax_year for year in ledger.folded_years])
        for year in ledger.folded_years:
            ledger.totals.principal += year.principal
            ledger.totals.paid += year.paid
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
        if standing.is_time_barred:
            totals.time_barred += settlement.outstanding_total
            totals.time_barred_installments += 1
            totals.overpaid_after_time_barred += sum(p.amount for p in standing.late_payments)
            ledger.payments += [
                PaymentLine(p, assessment, 0, 0, 0, p.amount, after_time_barred=True)
                for p in standing.late_payments
            ]
        else:
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
