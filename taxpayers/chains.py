"""The 時効 chain of real installments: their 督促 (from the 調定) and recorded events."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from taxpayers.models import Assessment
from taxpayers.prescription import DEMAND, Chain, Event, chain
from taxpayers.subjects import rule_for


def chain_for(assessment: Assessment, *, events=None, today: date | None = None) -> Chain:
    """`events` may be given (prefetched); otherwise read from the assessment. `today` (default:
    today) decides whether 時効 has completed."""
    rule = rule_for(assessment.subject_code)
    recorded = events if events is not None else assessment.prescription_events.all()
    items = [Event(event.kind, event.occurred_on, event.source) for event in recorded]
    if assessment.demand_issued_on:
        items.append(Event(DEMAND, assessment.demand_issued_on, "督促状"))
    base = assessment.due_date if rule.is_premium else assessment.statutory_due_date
    return chain(
        base_date=base,
        years=rule.prescription_years,
        events=items,
        is_premium=rule.is_premium,
        today=today or timezone.localdate(),
    )


def time_barred_on(assessment: Assessment, *, on: date) -> date | None:
    """The day 時効 completed, when it had by `on` (地方税法第18条: the claim is extinguished, with
    no need to invoke it); None while it runs or is suspended. Reads the prefetched
    `prescription_events` when there are any."""
    completed_on = chain_for(assessment, today=on).completed_on
    return completed_on if completed_on is not None and completed_on < on else None


def without_time_barred(lines, *, on: date) -> tuple[list, list]:
    """Splits ledger lines into those that may still be claimed and those whose 時効 completed by
    `on`, each of the latter with its completion day. A letter, a pledge or a seizure may name only
    the first: the second are extinguished (地方税法第18条) and wait for 不納欠損."""
    from django.db.models import prefetch_related_objects

    lines = list(lines)
    prefetch_related_objects([line.assessment for line in lines], "prescription_events")
    live, barred = [], []
    for line in lines:
        completed_on = time_barred_on(line.assessment, on=on)
        if completed_on:
            barred.append((line, completed_on))
        else:
            live.append(line)
    return live, barred
