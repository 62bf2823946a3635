"""The 時効 chain of real installments: their 督促 (from the 調定) and recorded events."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from taxpayers.models import Assessment, InstallmentBalance, Taxpayer
from taxpayers.prescription import Chain, Event
from taxpayers.settlement import PaymentStatus
from taxpayers.standing import chain_from_values


def chain_for(assessment: Assessment, *, events=None, payments=None, today: date | None = None) -> Chain:
    """The installment's 時効 chain to `today` (default: today), as its standing has it
    (`taxpayers.standing`): the recorded events, the 督促状, and each payment received after
    法定納期限 (保険料: 納期限) as an acknowledgement (民法第152条, 地方税法第18条第2項).
    `events` and `payments` may be given (prefetched); otherwise read from the assessment."""
    on = today or timezone.localdate()
    recorded = events if events is not None else assessment.prescription_events.all()
    received = payments if payments is not None else assessment.payments.all()
    return chain_from_values(
        subject_code=assessment.subject_code,
        statutory_due_date=assessment.statutory_due_date,
        due_date=assessment.due_date,
        demand_issued_on=assessment.demand_issued_on,
        recorded=[Event(e.kind, e.occurred_on, e.source) for e in recorded],
        payment_days=[p.received_on for p in received],
        today=on,
    )


def time_barred_on(assessment: Assessment, *, on: date, chained: Chain | None = None) -> date | None:
    """The day 時効 completed, when it had by `on` (地方税法第18条: the claim is extinguished, with
    no need to invoke it); None while it runs or is suspended. `chained`: the installment's chain
    to `on` when the caller has it (a ledger line does); otherwise it is worked out here, from the
    prefetched `prescription_events` and `payments` when there are any."""
    completed_on = (chained or chain_for(assessment, today=on)).completed_on
    return completed_on if completed_on is not None and completed_on < on else None


def without_time_barred(lines, *, on: date) -> tuple[list, list]:
    """Splits ledger lines (of a ledger to `on`, each with its chain) into those that may still be
    claimed and those whose 時効 completed by `on`, each of the latter with its completion day.
    A letter, a pledge or a seizure may name only the first: the second are extinguished
    (地方税法第18条) and wait for 不納欠損."""
    live, barred = [], []
    for line in lines:
        completed_on = time_barred_on(line.assessment, on=on, chained=line.chain)
        if completed_on:
            barred.append((line, completed_on))
        else:
            live.append(line)
    return live, barred


def installments_near_prescription(*, today: date, within_days: int = 180, officer=None):
    """The ids (Assessment pk) of the installments still owed whose renewed 時効予定日 falls in the
    next `within_days` (those already past are 時効完成 and belong to 不納欠損, not to this watch),
    soonest first (then by id): a queryset of ints, to count and page; `officer` keeps those of the
    taxpayers assigned to them. Read from the index alone (`taxpayers_balance_renewed`: status,
    renewed date, 調定 → taxpayer, all stored by reconcile from each installment's standing): a
    count or a page never joins an installment to its 調定."""
    horizon = today + timedelta(days=within_days)
    found = InstallmentBalance.objects.filter(
        status=PaymentStatus.DELINQUENT, prescription_date__range=(today, horizon)
    )
    if officer is not None:
        found = found.filter(taxpayer_id__in=Taxpayer.objects.filter(assigned_officer=officer).values("pk"))
    return found.order_by("prescription_date", "assessment_id").values_list("assessment_id", flat=True)


def with_chains(assessment_ids, *, today: date) -> list:
    """(assessment, chain) pairs for the given ids, in their order: the 時効 chain of each, for its
    explanation (Python, per row: give it a page, not the whole list). Three queries."""
    ids = list(assessment_ids)
    found = (
        Assessment.objects.filter(pk__in=ids)
        .select_related("taxpayer", "taxpayer__assigned_officer", "balance")
        .prefetch_related("prescription_events", "payments")
        .in_bulk()
    )
    return [(found[pk], chain_for(found[pk], today=today)) for pk in ids]


def prescriptions_due(*, today: date, within_days: int = 180, limit: int = 500, officer=None):
    """The first `limit` of `installments_near_prescription`, each with its chain: four queries
    whatever the number of cases. Returns (assessment, chain) pairs, soonest first."""
    found = installments_near_prescription(today=today, within_days=within_days, officer=officer)[:limit]
    return with_chains(found, today=today)
