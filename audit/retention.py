"""Retention: access logs, and the 個人番号 of closed cases, kept RETENTION_YEARS (default 7) and then
deleted, leaving a RetentionRun that says what went.

A case is closed when nothing is owed (no balance with 本税, 督促手数料 or 延滞金 outstanding) and
nothing has happened since the cutoff: no 納期限, 収納, 交渉記録, 滞納処分 or document on or after it.
The 個人番号 is removed with the record saved one by one (history names the operator; the number
itself was never in history).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from accounts.models import SecurityEvent
from audit.models import RetentionRun
from dispositions.models import Disposition
from documents.models import Document
from negotiations.models import NegotiationRecord
from taxpayers.models import Assessment, Payment, Taxpayer, TaxpayerAccess, TaxpayerBalance
from wako_collections.actors import Actor, acting_as
from wako_collections.records import save_tracked, stamp


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def closed_cases(cutoff: date):
    """Taxpayers holding a 個人番号 whose case is closed as of `cutoff`."""
    owed = TaxpayerBalance.objects.filter(taxpayer=OuterRef("pk")).filter(
        Q(outstanding_principal__gt=0) | Q(outstanding_fee__gt=0) | Q(late_charge__gt=0)
    )
    recent = [
        Assessment.objects.filter(taxpayer=OuterRef("pk"), due_date__gte=cutoff),
        Payment.objects.filter(assessment__taxpayer=OuterRef("pk"), received_on__gte=cutoff),
        NegotiationRecord.objects.filter(taxpayer=OuterRef("atena_number"), input_date__gte=cutoff),
        Disposition.objects.filter(taxpayer=OuterRef("pk"), updated_on__gte=cutoff),
        Document.objects.filter(taxpayer=OuterRef("pk"), issued_on__gte=cutoff),
    ]
    cases = Taxpayer.objects.exclude(individual_number_ciphertext="").exclude(Exists(owed))
    for activity in recent:
        cases = cases.exclude(Exists(activity))
    return cases.order_by("atena_number")


def purge(*, actor: Actor, today: date, years: int, dry_run: bool = False) -> RetentionRun:
    cutoff = years_before(today, years)
    with transaction.atomic(), acting_as(actor):
        logs = TaxpayerAccess.objects.filter(occurred_at__date__lt=cutoff)
        events = SecurityEvent.objects.filter(occurred_at__date__lt=cutoff)
        cases = list(closed_cases(cutoff))
        run = RetentionRun(
            operator=actor.staff_number,
            cutoff=cutoff,
            retention_years=years,
            dry_run=dry_run,
            access_logs_deleted=logs.count(),
            security_events_deleted=events.count(),
            numbers_cleared=[taxpayer.atena_number for taxpayer in cases],
        )
        if not dry_run:
            logs.delete()
            events.delete()
            for taxpayer in cases:
                taxpayer.individual_number_ciphertext = ""
                taxpayer.individual_number_digest = ""
                fields = stamp(taxpayer, actor)
                save_tracked(
                    taxpayer,
                    reason=f"保存期間（{years}年）経過による個人番号の削除",
                    update_fields=["individual_number_ciphertext", "individual_number_digest", *fields],
                )
        run.save()
    return run
