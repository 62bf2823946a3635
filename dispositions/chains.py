"""The 時効 chain of real installments: their 督促 (from the 調定) and recorded events."""

from __future__ import annotations

from django.utils import timezone

from dispositions.prescription import DEMAND, Chain, Event, chain
from taxpayers.models import Assessment
from taxpayers.subjects import rule_for


def chain_for(assessment: Assessment, *, events=None) -> Chain:
    """`events` may be given (prefetched); otherwise read from the assessment."""
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
        today=timezone.localdate(),
    )
