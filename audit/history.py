"""The history supervisors review: every tracked record kind, each change with its diff.

django-simple-history keeps one row per saved version; a change is the difference between a
version and the one before it. Every history row names the staff member and the terminal
(wako_collections.records.HistoryActor) and, where the service gave one, the change reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from heapq import merge

from django.db import models
from django.db.models import F
from django.utils import timezone

from accounts.models import Staff
from cases.models import CaseFlag, CaseMemo
from dispositions.models import Disposition, DispositionCancellation, DispositionRow, Inquiry
from documents.models import Document
from negotiations.models import InstallmentPledge, NegotiationRecord, ScheduledPayment
from taxpayers.models import Assessment, MailingAddress, Payment, PrescriptionEvent, Taxpayer
from wako_collections.eras import format_date
from wako_collections.templatetags.wareki import wareki_datetime

HISTORY_TYPES = {"+": "作成", "~": "変更", "-": "削除"}
# Bookkeeping every save rewrites; shown as part of the change's who/when, not as a changed item.
STAMP_NAMES = {
    "created_on",
    "updated_on",
    "updated_time",
    "updated_staff_number",
    "updated_staff_atena_number",
    "updated_terminal_number",
    "version",
    "staff_number",
    "terminal_number",
}
SEARCH_LIMIT = 1_000


@dataclass(frozen=True)
class RecordKind:
    key: str
    label: str
    model: type[models.Model]
    atena_lookup: str  # from a history row to the taxpayer's 宛名番号
    name_field: str = ""  # the number staff know the record by, when it has one

    def history(self):
        return self.model.history.all()  # type: ignore[attr-defined]


KINDS = [
    RecordKind("negotiation", "交渉記録", NegotiationRecord, "taxpayer_id", "record_number"),
    RecordKind("pledge", "分納誓約", InstallmentPledge, "taxpayer__atena_number", "pledge_number"),
    RecordKind("scheduled_payment", "分納誓約の回", ScheduledPayment, "pledge__taxpayer__atena_number"),
    RecordKind("disposition", "滞納処分", Disposition, "taxpayer__atena_number", "number"),
    RecordKind(
        "disposition_row",
        "滞納処分の明細",
        DispositionRow,
        "disposition__taxpayer__atena_number",
        "notice_number",
    ),
    RecordKind(
        "disposition_cancellation",
        "滞納処分の取消（起案・決裁）",
        DispositionCancellation,
        "disposition__taxpayer__atena_number",
    ),
    RecordKind("inquiry", "照会", Inquiry, "taxpayer__atena_number", "number"),
    RecordKind("taxpayer", "宛名", Taxpayer, "atena_number", "atena_number"),
    RecordKind("mailing_address", "送付先", MailingAddress, "taxpayer__atena_number"),
    RecordKind("assessment", "調定", Assessment, "taxpayer__atena_number", "notice_number"),
    RecordKind("payment", "収納", Payment, "assessment__taxpayer__atena_number", "receipt_number"),
    RecordKind("prescription_event", "時効の事由", PrescriptionEvent, "assessment__taxpayer__atena_number"),
    RecordKind("document", "発行文書", Document, "taxpayer__atena_number", "number"),
    RecordKind("case_memo", "案件メモ", CaseMemo, "taxpayer__atena_number"),
    RecordKind("case_flag", "付箋", CaseFlag, "taxpayer__atena_number"),
]
KIND_BY_KEY = {kind.key: kind for kind in KINDS}

# Integer items that are yen, shown with thousands separators (numbers such as 番号 are not).
MONEY_FIELDS = {
    "principal",  # 調定額・処分調定
    "demand_fee",  # 督促手数料
    "late_charge",  # 延滞金
    "amount",  # 収納の金額、分納の納付予定額
    "promised_amount",  # 入金予定額
    "promise_paid",
    "total_amount",  # 誓約額、文書の合計額
    "projected_late_charge",  # 延滞金見込
    "balance",  # 照会で判明した残高
    "salary",  # 給与額
}


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class Change:
    kind: RecordKind
    record_id: int
    history_id: int
    at: datetime
    type_label: str
    staff_number: str
    staff_name: str
    terminal_number: str
    reason: str
    atena_number: str
    changes: list[FieldChange]
    record_name: str = ""


def shown(field: models.Field, value) -> str:
    if value is None or value == "":
        return "（なし）"
    if isinstance(field, models.JSONField):
        return "（記載内容）"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, datetime):
        return wareki_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, int) and field.name in MONEY_FIELDS:
        return f"{value:,}"
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "…"


def diff(kind: RecordKind, newer, older) -> list[FieldChange]:
    """The items that differ between two versions, in the model's field order, by their Japanese names.
    The first version lists every filled item."""
    fields = [
        field
        for field in kind.model._meta.concrete_fields
        if field.attname not in STAMP_NAMES
        and not field.primary_key
        # the taxpayer is the row's own 宛名番号 column
        and not (field.is_relation and field.related_model is Taxpayer)
    ]
    history_names = {field.attname for field in newer._meta.concrete_fields}
    result = []
    for field in fields:
        if field.attname not in history_names:
            continue  # excluded from history (e.g. the 個人番号 ciphertext)
        new = getattr(newer, field.attname)
        old = getattr(older, field.attname) if older is not None else None
        if older is None and new in (None, ""):
            continue
        if older is None or new != old:
            result.append(FieldChange(str(field.verbose_name), shown(field, old), shown(field, new)))
    return result


def staff_names(numbers) -> dict[str, str]:
    return dict(Staff.objects.filter(staff_number__in=set(numbers)).values_list("staff_number", "full_name"))


def record_history(kind: RecordKind, record_id: int) -> list[Change]:
    """Every version of one record, oldest first, each with what changed from the one before."""
    versions = list(kind.history().filter(id=record_id).order_by("history_date", "history_id"))
    atena = dict(
        kind.history()
        .filter(history_id__in=[v.history_id for v in versions])
        .values_list("history_id", kind.atena_lookup)
    )
    names = staff_names(v.history_staff_number for v in versions)
    changes, previous = [], None
    for version in versions:
        changes.append(
            change_of(kind, version, previous, names, atena.get(version.history_id) or "", with_diff=True)
        )
        previous = version
    return changes


def change_of(kind, version, previous, names, atena_number, with_diff=False) -> Change:
    return Change(
        kind=kind,
        record_id=version.id,
        history_id=version.history_id,
        at=version.history_date,
        type_label=HISTORY_TYPES.get(version.history_type, version.history_type),
        staff_number=version.history_staff_number,
        staff_name=names.get(version.history_staff_number, ""),
        terminal_number=version.history_terminal_number,
        reason=version.history_change_reason or "",
        atena_number=str(atena_number or ""),
        changes=diff(kind, version, previous) if with_diff else [],
        record_name=str(getattr(version, kind.name_field, "") or "") if kind.name_field else "",
    )


@dataclass(frozen=True)
class HistoryFilter:
    kinds: list[RecordKind]
    staff_number: str = ""
    terminal_number: str = ""
    atena_number: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def search(criteria: HistoryFilter, limit: int = SEARCH_LIMIT) -> tuple[list[Change], bool]:
    """Changes across record kinds, newest first: at most `limit`, and whether more matched.
    Rows carry who, where, when and why; the diff of each is on the record's own history page."""
    per_kind = []
    for kind in criteria.kinds:
        rows = kind.history().annotate(atena=F(kind.atena_lookup))
        if criteria.staff_number:
            rows = rows.filter(history_staff_number=criteria.staff_number)
        if criteria.terminal_number:
            rows = rows.filter(history_terminal_number=criteria.terminal_number)
        if criteria.atena_number:
            rows = rows.filter(atena=criteria.atena_number)
        if criteria.date_from:
            rows = rows.filter(history_date__gte=_day_start(criteria.date_from))
        if criteria.date_to:
            rows = rows.filter(history_date__lt=_day_start(criteria.date_to + timedelta(days=1)))
        found = list(rows.order_by("-history_date", "-history_id")[: limit + 1])
        per_kind.append([(row, kind) for row in found])
    newest = list(merge(*per_kind, key=lambda pair: pair[0].history_date, reverse=True))
    more = len(newest) > limit
    newest = newest[:limit]
    names = staff_names(row.history_staff_number for row, _ in newest)
    return [change_of(kind, row, None, names, row.atena) for row, kind in newest], more
