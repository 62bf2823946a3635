"""The ledger's panels of the case page (`cases/`): what the taxpayer owes today and the nearest
時効, read from the installments' standing (`taxpayers.standing.standings_for`, never recomputed
here — only summed), and the ledger's rows of the timeline (payments, 時効 events)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse

from taxpayers.ledger import without_paid
from taxpayers.models import Assessment, Payment, PrescriptionEvent, Taxpayer
from taxpayers.standing import (
    NOT_YET_DUE,
    PAID,
    TIME_BARRED,
    WITHIN_TERM,
    WRITTEN_OFF,
    Standing,
    standings_for,
)
from wako_collections.timeline import TimelineEntry


@dataclass
class Owed:
    """What the taxpayer owes on `as_of`, in yen, summed over the installments' standings."""

    as_of: date
    principal: int = 0  # 本税
    late_charge: int = 0  # 延滞金 (after 免除・減免)
    fee: int = 0  # 督促手数料
    delinquent_count: int = 0  # installments past their 納期限 with something owed
    nearest_prescription: Standing | None = None  # the owed installment whose renewed 時効予定日 comes first
    held_count: int = 0  # owed installments whose 時効 is held (差押・交付要求・猶予: no date runs)
    time_barred_count: int = 0  # installments whose 時効 completed with something left (不納欠損's to record)
    time_barred_amount: int = 0  # what those still show as owed (not in the sums above, as in the ledger)
    not_due_count: int = 0  # installments 未到来 or 納期内 with something to pay (not 滞納 yet)
    not_due_amount: int = 0  # what those are to pay (not in the sums above, as in the 滞納者一覧)
    standings: list[Standing] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.principal + self.late_charge + self.fee


def owed_on(taxpayer: Taxpayer, *, as_of: date) -> Owed:
    """The sums of every installment's standing on `as_of` (`standings_for`: three queries and
    those of the exemptions, whatever the number of installments): what can still be collected —
    an installment 時効完成 is counted apart (`time_barred_*`), its claim extinguished (地方税法第18条),
    as the 収納状況照会's totals leave it out; an installment not yet past its 納期限 (未到来・納期内) is
    counted apart too (`not_due_*`), as the 滞納者一覧 sums only what is 滞納. The nearest 時効 is the
    smallest renewed 時効予定日 (`Standing.prescription_date`) among installments still owed and
    not already time-barred or written off.

    Installments stored as paid in full are left out when the stored balance can be trusted on
    `as_of` (`taxpayers.ledger.without_paid`, one more query): they owe nothing and count in none of
    the figures, and a long history is mostly such installments (issue 21: the case page computed
    the standing of every installment of ten years). `standings` holds those computed."""
    assessments = list(
        without_paid(Assessment.objects.filter(taxpayer=taxpayer).order_by("due_date", "id"), as_of=as_of)
    )
    owed = Owed(as_of=as_of)
    nearest: date | None = None
    for assessment, standing in zip(assessments, standings_for(assessments, as_of=as_of), strict=True):
        owed.standings.append(standing)
        if standing.status == TIME_BARRED:
            if standing.outstanding_total:
                owed.time_barred_count += 1
                owed.time_barred_amount += standing.outstanding_total
            continue
        if standing.status in (NOT_YET_DUE, WITHIN_TERM):
            # not 滞納 yet: apart, as the 滞納者一覧 (which sums what is past its 納期限) leaves it out
            if standing.outstanding_total:
                owed.not_due_count += 1
                owed.not_due_amount += standing.outstanding_total
        else:
            owed.principal += standing.outstanding_principal
            owed.late_charge += standing.late_charge
            owed.fee += standing.outstanding_fee
        if standing.status in (PAID, WRITTEN_OFF, TIME_BARRED) or standing.outstanding_total == 0:
            continue
        if assessment.due_date < as_of:
            owed.delinquent_count += 1
        expires = standing.prescription_date
        if expires is None:
            owed.held_count += 1
        elif nearest is None or expires < nearest:
            nearest, owed.nearest_prescription = expires, standing
    return owed


def nearest_prescription_entry(taxpayer: Taxpayer, owed: Owed) -> TimelineEntry | None:
    """The nearest renewed 時効予定日 (`Owed.nearest_prescription`, from the standing) as a row of
    the case page's next dates, with the chain that gives it; None when no owed 期別 has one."""
    standing = owed.nearest_prescription
    if standing is None or standing.prescription_date is None:
        return None
    return TimelineEntry(
        standing.prescription_date,
        "時効予定日",
        f"{standing.installment}の時効予定日（最も近いもの）",
        standing.chain.explained(),
        links=(("時効の経過", reverse("dispositions:prescriptions", args=[taxpayer.atena_number])),),
        menu="dispositions",
        record=standing,
    )


def payment_entries(taxpayer: Taxpayer, *, limit: int) -> list[TimelineEntry]:
    """収納 rows, newest first (one query)."""
    link = (("収納状況照会", reverse("taxpayers:detail", args=[taxpayer.atena_number])),)
    return [
        TimelineEntry(
            payment.received_on,
            "収納",
            f"{payment.amount:,}円（{payment.get_channel_display()}）",
            str(payment.assessment),
            links=link,
            menu="payment_status",
            record=payment,
        )
        for payment in Payment.objects.filter(assessment__taxpayer=taxpayer)
        .select_related("assessment")
        .order_by("-received_on", "-id")[:limit]
    ]


def prescription_entries(taxpayer: Taxpayer, *, limit: int) -> list[TimelineEntry]:
    """時効 rows: each 督促状 sent (the installment's 督促状発付日) and each recorded event that
    renews or holds 時効 (承認, 差押, 交付要求, 催告, 猶予 and their ends; a 督促 is recorded as an
    event only when the installment has no 督促状発付日, so none shows twice), newest first (two
    queries)."""
    entries = []
    demanded = Assessment.objects.filter(taxpayer=taxpayer, demand_issued_on__isnull=False)
    for assessment in demanded.order_by("-demand_issued_on")[:limit]:
        if assessment.demand_issued_on is not None:
            entries.append(
                TimelineEntry(
                    assessment.demand_issued_on,
                    "時効",
                    "督促状の発付（時効の更新）",
                    str(assessment),
                    record=assessment,
                )
            )
    entries += [
        TimelineEntry(
            event.occurred_on,
            "時効",
            event.get_kind_display(),
            f"{event.assessment}（{event.source}）",
            record=event,
        )
        for event in PrescriptionEvent.objects.filter(assessment__taxpayer=taxpayer)
        .select_related("assessment")
        .order_by("-occurred_on", "-id")[:limit]
    ]
    return entries
