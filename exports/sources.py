"""What can be exported, each from the function its own app uses to show it (no second query of
the same rule): the 滞納者一覧 as filtered, わたしの仕事 and 担当別の仕事, a 催告書 extraction's
frozen result (一括発行), and the dashboard's tables.

A source names the menu its page needs (checked on top of `export_data`), reads its own
parameters from the query string through that page's form (a bad value is refused in Japanese),
and builds a `formats.Table`. None has a 個人番号 column; `Table` refuses one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404, QueryDict
from django.utils import timezone

from exports.formats import Table


class SourceError(Exception):
    """The parameters of an export cannot be read; the message is shown to staff."""


@dataclass(frozen=True)
class Preview:
    """What the confirmation page shows before anything is built: the title, the columns and the
    number of rows the file will have."""

    title: str
    headers: list[str]
    row_count: int


@dataclass(frozen=True)
class Source:
    key: str
    label: str
    menu: str  # the menu permission the page itself needs
    build: Callable[..., Table]
    back_url: Callable[[QueryDict], str]
    # counts the rows without building them (the 滞納者一覧: one aggregate instead of every row);
    # None where the rows are at hand anyway (the queues, a frozen extraction, the dashboard)
    count: Callable[..., Preview] | None = None

    def preview(self, request, params: QueryDict) -> Preview:
        """The confirmation page's figures. Raises SourceError as `build` does."""
        if self.count is not None:
            return self.count(request, params)
        table = self.build(request, params)
        return Preview(table.title, table.headers, len(table.rows))


def _errors(form) -> str:
    return " ".join(str(message) for messages in form.errors.values() for message in messages)


DELINQUENT_HEADERS = [
    "宛名番号",
    "氏名",
    "氏名カナ",
    "地区",
    "担当",
    "滞納期別数",
    "未納本税",
    "督促手数料",
    "延滞金",
    "合計",
    "最古納期限",
    "時効予定日（更新後・最短）",
    "最終接触日",
    "最終接触からの日数",
    "時効完成の期別数",
    "時効完成の額",
]


def _delinquent_form(params: QueryDict):
    from taxpayers.working_list import bind_form

    form = bind_form(params)
    if not form.is_valid():
        raise SourceError(_errors(form))
    return form


def delinquent_count(request, params: QueryDict) -> Preview:
    """The rows of `delinquent` counted by the list's own aggregate (`working_list.totals_of`)."""
    from taxpayers.working_list import filtered, totals_of

    form = _delinquent_form(params)
    balances = filtered(form.cleaned_data, user=request.user, today=timezone.localdate())
    return Preview("滞納者一覧", DELINQUENT_HEADERS, totals_of(balances).taxpayers)


def delinquent(request, params: QueryDict) -> Table:
    """The list's rows as the page shows them: what can be collected, and the installments
    時効完成 apart (`working_list.collectible`, as reconcile stored them)."""
    from taxpayers.working_list import collectible, days_since, working_list

    form = _delinquent_form(params)
    today = timezone.localdate()
    rows, numbers = [], []
    for balance in working_list(form.cleaned_data, user=request.user, today=today).iterator(chunk_size=2000):
        taxpayer = balance.taxpayer
        owed = collectible(balance)
        numbers.append(taxpayer.atena_number)
        rows.append(
            [
                taxpayer.atena_number,
                taxpayer.name,
                taxpayer.name_kana,
                taxpayer.district,
                taxpayer.assigned_officer.full_name if taxpayer.assigned_officer else "未割当",
                owed.installments,
                owed.outstanding_principal,
                owed.outstanding_fee,
                owed.late_charge,
                owed.total,
                balance.oldest_due_date,
                balance.earliest_prescription_date,
                balance.last_contact,
                days_since(balance.last_contact, today),
                owed.time_barred.installments,
                owed.time_barred.total,
            ]
        )
    return Table("滞納者一覧", DELINQUENT_HEADERS, rows, numbers)


def _queue_table(title: str, queue) -> Table:
    rows, numbers = [], []

    def add(kind, taxpayer, day, detail):
        numbers.append(taxpayer.atena_number)
        officer = taxpayer.assigned_officer.full_name if taxpayer.assigned_officer else "未割当"
        rows.append([kind, taxpayer.atena_number, taxpayer.name, officer, day, detail])

    for record in queue.promises_due:
        add("本日の約束", record.taxpayer, record.scheduled_date, record.promised_amount)
    for record in queue.planned:
        add("予定", record.taxpayer, record.scheduled_date, record.get_contact_kind_display())
    for record in queue.broken_promises:
        add("不履行の約束", record.taxpayer, record.scheduled_date, record.promised_amount)
    for pledge in queue.broken_pledges:
        add("不履行の分納誓約", pledge.taxpayer, pledge.broken_on, pledge.pledge_number)
    for taxpayer in queue.no_contact:
        add("長期未接触", taxpayer, taxpayer.last_contact, taxpayer.balance.collectible_principal)
    for soon in queue.prescription_soon:
        add("時効が近い", soon.taxpayer, soon.expires_on, soon.balance.collectible_principal)
    return Table(
        title, ["区分", "宛名番号", "氏名", "担当", "日付", "内容・金額"], rows, sorted(set(numbers))
    )


def my_work(request, params: QueryDict) -> Table:
    from negotiations.queues import work_queue

    return _queue_table("わたしの仕事", work_queue(officer=request.user, today=timezone.localdate()))


def queues(request, params: QueryDict) -> Table:
    from negotiations.forms import QueueFilterForm
    from negotiations.queues import work_queue
    from negotiations.views import _officers

    form = QueueFilterForm(params or None, officers=_officers().distinct())
    if params and not form.is_valid():
        raise SourceError(_errors(form))
    officer = form.cleaned_data["officer"] if params else None
    title = f"{officer.full_name}の仕事" if officer else "全職員の仕事"
    return _queue_table(title, work_queue(officer=officer, today=timezone.localdate()))


def extraction(request, params: QueryDict) -> Table:
    from documents.models import Batch

    batch = Batch.objects.filter(number=params.get("batch", "")).first()
    if batch is None:
        raise Http404
    skipped = {item.get("atena_number"): item.get("reason", "") for item in batch.skipped or []}
    rows = [
        [
            item["atena_number"],
            item["name"],
            len(item.get("assessments", [])),
            item.get("amount", 0),
            skipped.get(item["atena_number"], ""),
        ]
        for item in batch.items
    ]
    numbers = [item["atena_number"] for item in batch.items]
    return Table(
        f"抽出結果 {batch.number}", ["宛名番号", "氏名", "対象期別数", "金額", "除外の理由"], rows, numbers
    )


DASHBOARD_TABLES = {
    "rates": "収納率",
    "write_offs": "不納欠損額",
    "breakdown": "整理未済額の内訳",
    "activity": "職員別の活動",
}


def dashboard(request, params: QueryDict) -> Table:
    from audit import dashboard as figures

    which = params.get("table", "rates")
    if which not in DASHBOARD_TABLES:
        raise SourceError("出力する表は一覧から選んでください。")
    today = timezone.localdate()
    this_year = today.year if today.month >= 4 else today.year - 1
    years = [this_year - 2, this_year - 1, this_year]
    title = f"ダッシュボード {DASHBOARD_TABLES[which]}"
    if which == "rates":
        rows: list = [
            [
                r.fiscal_year,
                r.subject,
                r.current_assessed,
                r.current_collected,
                r.current_rate,
                r.arrears_assessed,
                r.arrears_collected,
                r.arrears_rate,
            ]
            for r in figures.collection_rates(years)
        ]
        headers = [
            "年度",
            "科目",
            "現年調定額",
            "現年収入額",
            "現年収納率",
            "滞繰調定額",
            "滞繰収入額",
            "滞繰収納率",
        ]
    elif which == "write_offs":
        rows = [
            [w.fiscal_year, w.reason, w.count, w.principal, w.demand_fee, w.late_charge, w.total]
            for w in figures.write_offs(years)
        ]
        headers = ["年度", "事由", "件数", "本税", "督促手数料", "延滞金", "合計"]
    elif which == "breakdown":
        rows = [[label, amount] for label, amount in figures.unresolved_breakdown(today)]
        headers = ["区分", "未納本税"]
    else:
        first = today.replace(year=this_year, month=4, day=1)
        rows = [
            [a.staff_number, a.name, a.contacts, a.documents, a.dispositions]
            for a in figures.officer_activity(first, today)
        ]
        headers = ["職員番号", "氏名", "交渉記録", "発行文書", "滞納処分の起案"]
    return Table(title, headers, rows, [])


def _back(name: str, *keep: str):
    from django.urls import reverse

    def url(params: QueryDict) -> str:
        kept = QueryDict(mutable=True)
        for key in keep:
            if key == "*":
                kept = params.copy()
                break
            if key in params:
                kept[key] = params[key]
        kept.pop("page", None)
        query = kept.urlencode()
        return reverse(name) + (f"?{query}" if query else "")

    return url


def _batch_back(params: QueryDict) -> str:
    from django.urls import reverse

    return reverse("documents:batch_detail", args=[params.get("batch", "")]) if params.get("batch") else "/"


SOURCES = {
    source.key: source
    for source in (
        Source(
            "delinquent",
            "滞納者一覧",
            "payment_status",
            delinquent,
            _back("taxpayers:delinquent", "*"),
            count=delinquent_count,
        ),
        Source("my_work", "わたしの仕事", "negotiations", my_work, _back("negotiations:my_work")),
        Source("queues", "担当別の仕事", "assign_cases", queues, _back("negotiations:queues", "officer")),
        Source("extraction", "抽出結果（一括発行）", "documents", extraction, _batch_back),
        Source("dashboard", "ダッシュボードの表", "audit", dashboard, _back("audit:dashboard")),
    )
}
