"""Finding 過誤納金 in the ledger: the queue's sources that payments and assessments reveal.

* 二重納付 — an installment paid twice (the same amount through two channels or on two days).
* 完納後の納付 — anything else paid after the installment was cleared.
* 時効完成後の納付 — a payment after 時効 completed: the claim was extinguished (地方税法第18条),
  so the whole payment is 誤納.
* 欠損後の納付 — the same after 不納欠損 (第15条の7第4項・第5項): a payment received after the
  消滅日 of an installment written off and not cancelled (`taxpayers.WrittenOff` in force on the
  day asked, as `WrittenOff.in_force_on` and the standing count it; a 欠損 cancelled by 不納欠損の取消
  revived the claim, so what is paid on it is owed).
* 減額更正 — an installment whose 調定額 the 調定 import lowered below what was paid (a past
  version of the assessment in its history had a higher 本税).

Set-based: one aggregate finds the candidate installments (paid more than 本税 + 督促手数料, or paid
after the base 時効予定日, which a chain only moves later); their payments, events and past 本税
come in three more queries; each candidate is settled in Python. Payments already in the queue
are skipped (and the database refuses a second row for the same payment and cause)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import cast

from django.conf import settings
from django.db import connection
from django.db.models import Max

from refunds.models import Overpayment
from refunds.services import record_overpayment
from taxpayers.chains import chain_for
from taxpayers.late_charges import rates_for
from taxpayers.models import Assessment, Payment, PrescriptionEvent, WrittenOff
from taxpayers.ordinance import first_band_months
from taxpayers.settlement import ReceivedPayment, settle
from taxpayers.subjects import rule_for
from wako_collections.actors import Actor

_CANDIDATES = """
SELECT a.id
FROM taxpayers_assessment a
JOIN taxpayers_payment p ON p.assessment_id = a.id
LEFT JOIN taxpayers_installmentbalance b ON b.assessment_id = a.id
LEFT JOIN taxpayers_writtenoff w ON w.assessment_id = a.id
    AND w.written_off_on <= %(as_of)s AND (w.cancelled_on IS NULL OR w.cancelled_on > %(as_of)s)
WHERE p.received_on <= %(as_of)s
GROUP BY a.id, a.principal, a.demand_fee, b.prescription_date, w.extinguished_on
HAVING sum(p.amount) > a.principal + a.demand_fee
    OR max(p.received_on) > b.prescription_date
    OR max(p.received_on) > w.extinguished_on
"""


def written_off_on(assessment_ids: Iterable[int], *, as_of: date) -> dict[int, date]:
    """For each installment written off (不納欠損, `taxpayers.WrittenOff`) and in force on `as_of`
    (written off by then, not cancelled by then: `WrittenOff.in_force_on`), the day its claim was
    extinguished (消滅日: 時効完成, the last day of three years of 執行停止, or the 即時消滅):
    a payment received after it paid nothing owed (地方税法第15条の7第4項・第5項, 第18条) and is
    誤納 in full. One query."""
    return dict(
        WrittenOff.objects.filter(assessment_id__in=list(assessment_ids), written_off_on__lte=as_of)
        .exclude(cancelled_on__lte=as_of)
        .values_list("assessment_id", "extinguished_on")
    )


def detect_overpayments(*, actor: Actor, as_of: date) -> list[Overpayment]:
    """Adds to the queue every 過誤納金 the payments up to `as_of` reveal and returns the new rows."""
    with connection.cursor() as cursor:
        cursor.execute(_CANDIDATES, {"as_of": as_of})
        ids = [row[0] for row in cursor.fetchall()]
    if not ids:
        return []
    assessments = Assessment.objects.filter(pk__in=ids).select_related("taxpayer").order_by("pk")
    payments: dict[int, list[Payment]] = defaultdict(list)
    for payment in Payment.objects.filter(assessment_id__in=ids, received_on__lte=as_of).order_by(
        "received_on", "pk"
    ):
        payments[payment.assessment_id].append(payment)
    events: dict[int, list[PrescriptionEvent]] = defaultdict(list)
    for event in PrescriptionEvent.objects.filter(assessment_id__in=ids):
        events[event.assessment_id].append(event)
    highest_principal = dict(
        Assessment.history.filter(id__in=ids)
        .values("id")
        .annotate(top=Max("principal"))
        .values_list("id", "top")
    )
    queued = set(
        Overpayment.objects.filter(source_payment__assessment_id__in=ids).values_list(
            "source_payment_id", flat=True
        )
    )
    written_off = written_off_on(ids, as_of=as_of)
    rates, _ = rates_for(as_of)
    found: list[tuple[Assessment, Payment, int, str]] = []
    for assessment in assessments:
        received = payments[assessment.pk]
        completed_on = chain_for(
            assessment, events=events[assessment.pk], payments=received, today=as_of
        ).completed_on
        extinguished = [
            (day, cause)
            for day, cause in (
                (completed_on, Overpayment.Cause.AFTER_PRESCRIPTION),
                (written_off.get(assessment.pk), Overpayment.Cause.AFTER_WRITE_OFF),
            )
            if day is not None
        ]
        live = []
        for payment in received:
            after = [cause for day, cause in extinguished if payment.received_on > day]
            if after:
                found.append((assessment, payment, payment.amount, after[0]))
            else:
                live.append(payment)
        rule = rule_for(assessment.subject_code)
        result = settle(
            principal=assessment.principal,
            fee=assessment.demand_fee,
            due_date=assessment.due_date,
            payments=[ReceivedPayment(p.received_on, p.amount, p) for p in live],
            as_of=as_of,
            first_band_months=first_band_months(is_premium=rule.is_premium, due_date=assessment.due_date),
            order=settings.PAYMENT_ALLOCATION_ORDER,
            rates=rates,
            extended_from=assessment.late_charge_extended_from,
        )
        reduced = highest_principal.get(assessment.pk, assessment.principal) > assessment.principal
        for allocation in result.allocations:
            if not allocation.overpaid:
                continue
            payment = cast(Payment, allocation.payment.key)  # the Payment given as the key above
            if reduced:
                cause = Overpayment.Cause.REDUCTION
            elif any(other.pk != payment.pk and other.amount == payment.amount for other in live):
                cause = Overpayment.Cause.DOUBLE_PAYMENT
            else:
                cause = Overpayment.Cause.AFTER_FULL_PAYMENT
            found.append((assessment, payment, allocation.overpaid, cause))
    return [
        record_overpayment(
            actor=actor,
            taxpayer=assessment.taxpayer,
            amount=amount,
            cause=cause,
            arose_on=payment.received_on,
            source_reference=f"収納番号 {payment.receipt_number}",
            source_assessment=assessment,
            source_payment=payment,
        )
        for assessment, payment, amount, cause in found
        if payment.pk not in queued
    ]
