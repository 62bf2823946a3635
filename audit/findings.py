"""Access-log analysis (Part III: 権限のない者による不正使用の検知).

Five patterns in the log of who viewed which taxpayer (taxpayers.TaxpayerAccess), each finding
pointing at the rows that are its evidence:

- outside office hours: a view on a weekend, a national holiday (jpholiday), the year-end
  closure or outside the hours in settings.OFFICE_HOURS;
- volume: an officer's taxpayers viewed in a day far above their usual (settings.ACCESS_VOLUME_*);
- outside one's cases: a 徴収担当 opening a single taxpayer's page who is not assigned to them and
  for whom they have never written a negotiation record;
- relatives: viewing a taxpayer who shares the officer's surname and address (the officer's own
  宛名 record gives the address), or the officer's own record;
- a deactivated account: any view, and any sign-in attempt, after the account was deactivated;
- a large export: one file (exports/, 持ち出し) holding settings.EXPORT_LARGE_ROWS taxpayers or more.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from accounts.models import SecurityEvent, Staff
from accounts.roles import Role
from negotiations.models import NegotiationRecord
from taxpayers.access import EXPORT_PAGE_PREFIX
from taxpayers.deadlines import is_closed
from taxpayers.models import Taxpayer, TaxpayerAccess

RULES = {
    "after_hours": "時間外・閉庁日の照会",
    "volume": "通常を大きく超える照会件数",
    "outside_cases": "担当外で交渉記録のない宛名の照会",
    "relatives": "同姓・同住所の宛名の照会",
    "deactivated": "無効化されたアカウントの使用",
    "large_export": "大量のデータ出力",
}


@dataclass
class Finding:
    rule: str
    at: datetime
    staff_number: str
    detail: str
    terminal_number: str = ""
    atena_numbers: list[str] = field(default_factory=list)
    access_ids: list[int] = field(default_factory=list)  # evidence in the access log
    event_ids: list[int] = field(default_factory=list)  # evidence in the security event log
    day: date | None = None  # evidence: the officer's access log of that day


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime  # exclusive

    @classmethod
    def of_days(cls, first: date, last: date) -> Window:
        return cls(local_midnight(first), local_midnight(last + timedelta(days=1)))


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def office_open(moment: datetime) -> bool:
    local = timezone.localtime(moment)
    day = local.date()
    if is_closed(day):  # 土日・祝日・年末年始: the one definition, taxpayers/deadlines.py
        return False
    opens, closes = settings.OFFICE_HOURS
    return opens <= local.time() < closes


def accesses_in(window: Window):
    return TaxpayerAccess.objects.filter(occurred_at__gte=window.start, occurred_at__lt=window.end)


def closed_days(window: Window) -> list[date]:
    """The local days of the window on which the office is closed (土日・祝日・年末年始)."""
    day = timezone.localtime(window.start).date()
    last = timezone.localtime(window.end - timedelta(microseconds=1)).date()
    days = []
    while day <= last:
        if is_closed(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def after_hours(window: Window) -> list[Finding]:
    """Views `office_open` says the office was not: on a closed day, or outside OFFICE_HOURS —
    filtered in the database (local day and time), so only the findings are read."""
    opens, closes = settings.OFFICE_HOURS
    outside = Q(occurred_at__date__in=closed_days(window)) | Q(occurred_at__time__lt=opens)
    outside |= Q(occurred_at__time__gte=closes)
    return [
        Finding(
            "after_hours",
            row.occurred_at,
            row.staff_number,
            f"{timezone.localtime(row.occurred_at):%H:%M} {row.page}",
            row.terminal_number,
            list(row.atena_numbers),
            access_ids=[row.pk],
        )
        for row in accesses_in(window).filter(outside).order_by("occurred_at", "pk")
    ]


def _count_days(start: datetime, end: datetime) -> dict[tuple[str, date], int]:
    """Distinct taxpayers each member of staff viewed per local day, read from the log."""
    table = TaxpayerAccess._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT staff_number, (occurred_at AT TIME ZONE %s)::date, count(DISTINCT atena) "  # noqa: S608
            f"FROM {table}, unnest(atena_numbers) AS atena "
            "WHERE occurred_at >= %s AND occurred_at < %s GROUP BY 1, 2",
            [settings.TIME_ZONE, start, end],
        )
        return {(staff, day): count for staff, day, count in cursor.fetchall()}


def daily_taxpayer_counts(start: datetime, end: datetime) -> dict[tuple[str, date], int]:
    """Distinct taxpayers each officer viewed per local day. Finished days come from
    `audit.AccessDailyCount` (counted from the log the first time they are asked for, then kept);
    today's, and a window reaching past today, are counted live. Cost: the days not yet counted
    (the first time: all of them), then today's log only."""
    from audit.models import AccessDailyCount

    first = timezone.localtime(start).date()
    last = timezone.localtime(end - timedelta(microseconds=1)).date()
    today = timezone.localdate()
    finished_last = min(last, today - timedelta(days=1))
    counts: dict[tuple[str, date], int] = {}
    if first <= finished_last:
        stored = AccessDailyCount.objects.filter(day__range=(first, finished_last))
        counted = set(stored.filter(staff_number="").values_list("day", flat=True))
        days = [first + timedelta(days=n) for n in range((finished_last - first).days + 1)]
        missing = [day for day in days if day not in counted]
        if missing:
            fresh = _count_days(local_midnight(missing[0]), local_midnight(missing[-1] + timedelta(days=1)))
            wanted = set(missing)
            AccessDailyCount.objects.bulk_create(
                [
                    AccessDailyCount(day=day, staff_number=staff, taxpayers=n)
                    for (staff, day), n in fresh.items()
                    if day in wanted
                ]
                + [AccessDailyCount(day=day, staff_number="", taxpayers=0) for day in missing],
                ignore_conflicts=True,  # another request counting the same day
            )
        counts.update(((row.staff_number, row.day), row.taxpayers) for row in stored.exclude(staff_number=""))
    live_from = max(first, today)
    if live_from <= last:
        counts.update(_count_days(max(start, local_midnight(live_from)), end))
    return counts


def volume(window: Window) -> list[Finding]:
    """A day is flagged when its count reaches ACCESS_VOLUME_MINIMUM and exceeds ACCESS_VOLUME_FACTOR
    times the officer's usual: the median of their active days in the ACCESS_BASELINE_DAYS before it
    (with fewer than 3 such days there is no usual yet, and the minimum alone decides)."""
    baseline_days = settings.ACCESS_BASELINE_DAYS
    counts = daily_taxpayer_counts(window.start - timedelta(days=baseline_days), window.end)
    by_staff: dict[str, dict[date, int]] = defaultdict(dict)
    for (staff, day), count in counts.items():
        by_staff[staff][day] = count
    first_day = timezone.localtime(window.start).date()
    last_day = timezone.localtime(window.end - timedelta(microseconds=1)).date()
    findings = []
    for staff, days in sorted(by_staff.items()):
        for day, count in sorted(days.items()):
            if not first_day <= day <= last_day or count < settings.ACCESS_VOLUME_MINIMUM:
                continue
            before = [n for d, n in days.items() if day - timedelta(days=baseline_days) <= d < day]
            usual = statistics.median(before) if len(before) >= 3 else None
            if usual is not None and count <= settings.ACCESS_VOLUME_FACTOR * usual:
                continue
            usual_text = f"通常 {usual:g}人/日" if usual is not None else "通常の件数がまだありません"
            findings.append(
                Finding("volume", local_midnight(day), staff, f"{count}人を照会（{usual_text}）", day=day)
            )
    return findings


def outside_cases(window: Window) -> list[Finding]:
    """First view per officer and taxpayer; pages listing many taxpayers (search results) are not
    counted. One grouped query: the officer's single-taxpayer views of a taxpayer not assigned to
    them and on which they have never written a negotiation record."""
    officers = list(Staff.objects.with_role(Role.COLLECTIONS_OFFICER).values_list("staff_number", flat=True))
    access = TaxpayerAccess._meta.db_table
    taxpayer = Taxpayer._meta.db_table
    staff = Staff._meta.db_table
    record = NegotiationRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT a.staff_number, a.atena_numbers[1], s.staff_number,
                       array_agg(a.id ORDER BY a.occurred_at, a.id),
                       min(a.occurred_at),
                       (array_agg(a.terminal_number ORDER BY a.occurred_at, a.id))[1]
                FROM {access} a
                LEFT JOIN {taxpayer} t ON t.atena_number = a.atena_numbers[1]
                LEFT JOIN {staff} s ON s.id = t.assigned_officer_id
                WHERE a.occurred_at >= %s AND a.occurred_at < %s
                  AND cardinality(a.atena_numbers) = 1 AND a.staff_number = ANY(%s)
                  AND s.staff_number IS DISTINCT FROM a.staff_number
                  AND NOT EXISTS (SELECT 1 FROM {record} r
                                  WHERE r.atena_number = a.atena_numbers[1] AND r.staff_number = a.staff_number)
                GROUP BY 1, 2, 3
                ORDER BY 5, 1, 2""",  # noqa: S608 (table names from the models)
            [window.start, window.end, officers],
        )
        grouped = cursor.fetchall()
    return [
        Finding(
            "outside_cases",
            first,
            staff_number,
            f"担当外（担当: {assigned or 'なし'}）・交渉記録なし、{len(ids)}回照会",
            terminal,
            [atena],
            access_ids=list(ids),
        )
        for staff_number, atena, assigned, ids, first, terminal in grouped
    ]


def surname(name: str) -> str:
    parts = name.split()
    return parts[0] if len(parts) > 1 else ""


def close_to(staff: Staff) -> dict[str, str]:
    """宛名番号 → why, for the taxpayers an officer should not handle: their own record and those
    sharing their surname and address."""
    own = Taxpayer.objects.filter(atena_number=staff.atena_number).first()
    if own is None:
        return {}
    near = {own.atena_number: "本人"}
    family_name = surname(staff.full_name)
    if family_name:
        for atena in (
            Taxpayer.objects.filter(address=own.address, name__startswith=family_name)
            .exclude(pk=own.pk)
            .values_list("atena_number", flat=True)
        ):
            near[atena] = f"同姓（{family_name}）・同住所"
    return near


def relatives(window: Window) -> list[Finding]:
    findings = []
    for staff in Staff.objects.exclude(atena_number=""):
        near = close_to(staff)
        if not near:
            continue
        rows = accesses_in(window).filter(staff_number=staff.staff_number, atena_numbers__overlap=list(near))
        for row in rows.order_by("occurred_at"):
            hit = [atena for atena in row.atena_numbers if atena in near]
            findings.append(
                Finding(
                    "relatives",
                    row.occurred_at,
                    staff.staff_number,
                    "、".join(f"{atena}（{near[atena]}）" for atena in hit) + f" {row.page}",
                    row.terminal_number,
                    hit,
                    access_ids=[row.pk],
                )
            )
    return findings


def deactivated(window: Window) -> list[Finding]:
    findings = []
    for staff in Staff.objects.filter(deactivated_at__isnull=False, is_active=False):
        views = accesses_in(window).filter(
            staff_number=staff.staff_number, occurred_at__gte=staff.deactivated_at
        )
        for row in views.order_by("occurred_at"):
            findings.append(
                Finding(
                    "deactivated",
                    row.occurred_at,
                    staff.staff_number,
                    f"無効化（{timezone.localtime(staff.deactivated_at):%Y-%m-%d %H:%M}）後の照会 {row.page}",
                    row.terminal_number,
                    list(row.atena_numbers),
                    access_ids=[row.pk],
                )
            )
        events = SecurityEvent.objects.filter(
            staff_number=staff.staff_number,
            occurred_at__gt=staff.deactivated_at,
            occurred_at__gte=window.start,
            occurred_at__lt=window.end,
        )
        for event in events.order_by("occurred_at"):
            findings.append(
                Finding(
                    "deactivated",
                    event.occurred_at,
                    staff.staff_number,
                    f"無効化後の{event.get_kind_display()}",
                    event.terminal_number,
                    event_ids=[event.pk],
                )
            )
    return findings


def large_export(window: Window) -> list[Finding]:
    """Each export (its access-log row, 画面 「データ出力（…）」) of EXPORT_LARGE_ROWS taxpayers or more.
    The row itself is the evidence: who, when, which terminal, the purpose stated, every 宛名番号."""
    from django.db.models import F, Func, IntegerField

    rows = (
        accesses_in(window)
        .filter(page__startswith=EXPORT_PAGE_PREFIX)
        .annotate(taxpayers=Func(F("atena_numbers"), function="cardinality", output_field=IntegerField()))
        .filter(taxpayers__gte=settings.EXPORT_LARGE_ROWS)
        .order_by("occurred_at")
    )
    return [
        Finding(
            "large_export",
            row.occurred_at,
            row.staff_number,
            f"{row.page} {row.taxpayers}人（{row.detail}）",
            row.terminal_number,
            access_ids=[row.pk],
        )
        for row in rows
    ]


ANALYSES = {
    "after_hours": after_hours,
    "volume": volume,
    "outside_cases": outside_cases,
    "relatives": relatives,
    "deactivated": deactivated,
    "large_export": large_export,
}


def analyse(window: Window) -> dict[str, list[Finding]]:
    return {rule: ANALYSES[rule](window) for rule in RULES}


@dataclass
class Affected:
    atena_number: str
    name: str
    views: int
    first: datetime
    last: datetime
    pages: list[str]


def affected_taxpayers(staff_number: str, window: Window) -> list[Affected]:
    """For an incident report: every taxpayer the officer's views in the window touched."""
    seen: dict[str, Affected] = {}
    for row in accesses_in(window).filter(staff_number=staff_number).order_by("occurred_at"):
        for atena in row.atena_numbers:
            entry = seen.get(atena)
            if entry is None:
                seen[atena] = Affected(atena, "", 1, row.occurred_at, row.occurred_at, [row.page])
            else:
                entry.views += 1
                entry.last = row.occurred_at
                if row.page not in entry.pages:
                    entry.pages.append(row.page)
    names = dict(Taxpayer.objects.filter(atena_number__in=seen).values_list("atena_number", "name"))
    for entry in seen.values():
        entry.name = names.get(entry.atena_number, "")
    return sorted(seen.values(), key=lambda entry: entry.atena_number)
