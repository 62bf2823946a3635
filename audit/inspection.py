"""自己点検 (Part III: 自己点検): one report of the accounts, terminals, imports, documents and the
access-log findings of a period, on screen and as a PDF for sign-off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import AuthenticatorApp, Menu, SecurityEvent, Staff, Terminal
from audit import findings
from documents.models import Document
from taxpayers.models import ImportLog, TaxpayerAccess

UNUSED_DAYS = 90
PRINT_PAGES = Q(page__startswith="帳票PDF") | Q(page="一括発行PDF")


@dataclass
class StaffLine:
    staff: Staff
    roles: list[str]
    permissions: list[str]
    last_login: datetime | None
    has_second_factor: bool
    locked: bool
    unused: bool


@dataclass
class OfficerOutput:
    staff_number: str
    name: str
    documents: int
    prints: int


@dataclass
class Report:
    first: date
    last: date
    made_at: datetime
    staff: list[StaffLine]
    terminals: list[Terminal]
    imports: list[ImportLog]
    output: list[OfficerOutput]
    findings: list[tuple[str, list[findings.Finding]]]

    @property
    def unused(self):
        return [line for line in self.staff if line.unused]

    @property
    def locked(self):
        return [line for line in self.staff if line.locked]

    @property
    def without_second_factor(self):
        return [line for line in self.staff if line.staff.is_active and not line.has_second_factor]


def locked_staff_numbers(now: datetime) -> set[str]:
    cooloff = settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    if cooloff:
        recent = recent.filter(attempt_time__gte=now - cooloff)
    return set(recent.values_list("username", flat=True))


def staff_lines(now: datetime) -> list[StaffLine]:
    labels = dict(Menu._meta.permissions)
    last_logins = dict(
        SecurityEvent.objects.logins()
        .values("staff_number")
        .annotate(last=Max("occurred_at"))
        .values_list("staff_number", "last")
    )
    verified = set(AuthenticatorApp.objects.filter(confirmed=True).values_list("user_id", flat=True)) | set(
        WebAuthnCredential.objects.filter(confirmed=True).values_list("user_id", flat=True)
    )
    locked = locked_staff_numbers(now)
    lines = []
    for staff in Staff.objects.prefetch_related("groups__permissions").order_by("staff_number"):
        codenames = sorted({p.codename for g in staff.groups.all() for p in g.permissions.all()})
        last = last_logins.get(staff.staff_number)
        since = last or staff.created_at
        lines.append(
            StaffLine(
                staff=staff,
                roles=[group.name for group in staff.groups.all()],
                permissions=[labels.get(code, code) for code in codenames],
                last_login=last,
                has_second_factor=staff.pk in verified,
                locked=staff.staff_number in locked,
                unused=staff.is_active and since < now - timedelta(days=UNUSED_DAYS),
            )
        )
    return lines


def officer_output(window: findings.Window) -> list[OfficerOutput]:
    documents = dict(
        Document.objects.filter(created_on__gte=window.start.date(), created_on__lt=window.end.date())
        .values("updated_staff_number")
        .annotate(n=Count("id"))
        .values_list("updated_staff_number", "n")
    )
    prints = dict(
        TaxpayerAccess.objects.filter(PRINT_PAGES, occurred_at__gte=window.start, occurred_at__lt=window.end)
        .values("staff_number")
        .annotate(n=Count("id"))
        .values_list("staff_number", "n")
    )
    names = dict(Staff.objects.values_list("staff_number", "full_name"))
    numbers = sorted(set(documents) | set(prints))
    return [OfficerOutput(n, names.get(n, ""), documents.get(n, 0), prints.get(n, 0)) for n in numbers]


def build(first: date, last: date) -> Report:
    now = timezone.now()
    window = findings.Window.of_days(first, last)
    return Report(
        first=first,
        last=last,
        made_at=now,
        staff=staff_lines(now),
        terminals=list(Terminal.objects.order_by("terminal_number")),
        imports=list(
            ImportLog.objects.filter(started_at__gte=window.start, started_at__lt=window.end).order_by(
                "started_at"
            )
        ),
        output=officer_output(window),
        findings=[(findings.RULES[rule], rows) for rule, rows in findings.analyse(window).items()],
    )
