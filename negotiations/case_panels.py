"""The negotiation file's panels of the case page (`cases/`): the pledge in force and its next
payment, the last contact, the planned contacts and promises, and the contacts and pledges of the timeline.
Each function reads this app's records only; the case page calls them one by one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q
from django.urls import reverse

from negotiations.models import InstallmentPledge, NegotiationRecord, ScheduledPayment
from taxpayers.models import Taxpayer
from wako_collections.eras import format_date
from wako_collections.timeline import TimelineEntry


@dataclass(frozen=True)
class PledgeStanding:
    pledge: InstallmentPledge  # the latest pledge that is not 再誓約により終了 or 取消
    next_payment: ScheduledPayment | None  # its first scheduled payment on or after the day asked


def current_pledge(taxpayer: Taxpayer, *, today: date) -> PledgeStanding | None:
    """The pledge that speaks for the case today: the latest one still 履行中, else the latest
    不履行 or 完了 one (so a broken pledge is seen), with its next scheduled payment. Two queries."""
    candidates = taxpayer.pledges.exclude(
        status__in=[InstallmentPledge.Status.REVISED, InstallmentPledge.Status.CANCELLED]
    ).order_by("-pledged_on", "-id")
    pledge = candidates.filter(status=InstallmentPledge.Status.ACTIVE).first() or candidates.first()
    if pledge is None:
        return None
    following = pledge.schedule.filter(due_date__gte=today).order_by("due_date", "sequence").first()
    return PledgeStanding(pledge, following if pledge.status == InstallmentPledge.Status.ACTIVE else None)


def last_contact(taxpayer: Taxpayer, *, today: date) -> NegotiationRecord | None:
    """The latest contact that took place (not cancelled, not merely planned), by 入力日時."""
    return (
        NegotiationRecord.objects.active()
        .filter(taxpayer=taxpayer, input_date__lte=today)
        .exclude(result=NegotiationRecord.Result.PLANNED)
        .order_by("-input_date", "-input_time", "-record_number")
        .first()
    )


def planned_entries(taxpayer: Taxpayer, *, today: date) -> list[TimelineEntry]:
    """What the officer has planned, for the case page's one list of next dates (`cases.timeline`):
    contacts planned (予定) — one whose day has passed too, dated its own day (it is overdue work) —
    and promises to pay from today on not yet judged. One query. (The pledge's payments are
    `pledge_entries`' rows.)"""
    records = NegotiationRecord.objects.active().filter(taxpayer=taxpayer, scheduled_date__isnull=False)
    entries = []
    for record in records.filter(
        Q(result=NegotiationRecord.Result.PLANNED)
        | Q(
            result=NegotiationRecord.Result.PROMISED, scheduled_date__gte=today, promised_amount__isnull=False
        )
    ):
        if record.result == NegotiationRecord.Result.PLANNED:
            title = f"{record.get_contact_kind_display()}の予定"
        else:
            title = f"納付の約束 {record.promised_amount:,}円"
        entries.append(
            TimelineEntry(
                record.scheduled_date,
                "予定",
                title,
                record.content,
                links=(("修正", reverse("negotiations:record_edit", args=[record.record_number])),),
                menu="negotiations",
                record=record,
            )
        )
    return entries


def contact_entries(taxpayer: Taxpayer, *, limit: int) -> list[TimelineEntry]:
    """交渉 rows (cancelled ones too, marked), newest first, each with 修正・取消 while it stands."""
    entries = []
    for record in taxpayer.negotiation_records.order_by("-input_date", "-input_time", "-record_number")[
        :limit
    ]:
        links: tuple[tuple[str, str], ...] = ()
        if not record.is_cancelled:
            links = (
                ("修正", reverse("negotiations:record_edit", args=[record.record_number])),
                ("取消", reverse("negotiations:record_cancel", args=[record.record_number])),
            )
        detail = record.content
        if record.is_promise:
            detail += f"\n約束 {record.promised_amount:,}円（予実日 {format_date(record.scheduled_date)}）"
            if record.broken:
                detail += " 不履行"
        if record.cancel_reason:
            detail += f"\n取消理由: {record.cancel_reason}"
        entries.append(
            TimelineEntry(
                datetime.combine(record.input_date, record.input_time),
                "交渉（取消）" if record.is_cancelled else "交渉",
                f"{record.get_contact_kind_display()}・{record.get_result_display()}",
                detail,
                links=links,
                menu="negotiations",
                record=record,
            )
        )
    return entries


def pledge_entries(taxpayer: Taxpayer, *, limit: int, today: date) -> list[TimelineEntry]:
    """分納誓約 rows and each scheduled payment (分納予定), newest first. A payment dated after `today`
    is a plan only while its pledge is 履行中: those of a pledge broken, completed, revised or
    cancelled are left out (they will not be made), so the case page's next dates do not list them."""
    entries = []
    for pledge in taxpayer.pledges.prefetch_related("schedule").order_by("-pledged_on")[:limit]:
        link = (("表示", reverse("negotiations:pledge_detail", args=[pledge.pledge_number])),)
        entries.append(
            TimelineEntry(
                pledge.pledged_on,
                "分納誓約",
                f"{pledge.pledge_number} {pledge.get_status_display()}",
                f"{pledge.total_amount:,}円を{pledge.payment_count}回",
                links=link,
                menu="pledges",
                record=pledge,
            )
        )
        entries += [
            TimelineEntry(
                line.due_date,
                "分納予定",
                f"{pledge.pledge_number} 第{line.sequence}回 {line.amount:,}円",
                links=link,
                menu="pledges",
                record=line,
            )
            for line in pledge.schedule.all()
            if line.due_date <= today or pledge.status == InstallmentPledge.Status.ACTIVE
        ]
    return entries
