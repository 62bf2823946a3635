"""What an officer should do next. (One taxpayer's story in date order is the case page's:
`cases/timeline.py`, which calls each app's `case_panels` explicitly.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, Max, Min, OuterRef, Q, Subquery

from negotiations.models import InstallmentPledge, NegotiationRecord
from taxpayers.models import InstallmentBalance, Taxpayer, TaxpayerBalance
from taxpayers.settlement import PaymentStatus


@dataclass
class WorkQueue:
    promises_due: list = field(default_factory=list)
    planned: list = field(default_factory=list)
    broken_promises: list = field(default_factory=list)
    broken_pledges: list = field(default_factory=list)
    no_contact: list = field(default_factory=list)
    prescription_soon: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(
            len(v)
            for v in (
                self.promises_due,
                self.planned,
                self.broken_promises,
                self.broken_pledges,
                self.no_contact,
                self.prescription_soon,
            )
        )


# What a queue's row shows (the pages and their CSV export): of the taxpayer its 宛名番号, 氏名 and 担当,
# of the balance its totals and the 時効完成 amounts held apart (`collectible_totals`). A taxpayer row
# also holds the search grams and the enciphered 個人番号, a balance its 科目・年度 arrays: reading and
# building ~600 whole rows cost a page more than its queries did. Another field read from a row is
# still loaded, with a query of its own.
TAXPAYER_SHOWN = ("atena_number", "name", "assigned_officer__full_name")
BALANCE_SHOWN = (
    "outstanding_principal",
    "outstanding_fee",
    "late_charge",
    "delinquent_installments",
    "time_barred_installments",
    "time_barred_principal",
    "time_barred_fee",
    "time_barred_late_charge",
    "collectible_principal",
)
RECORD_SHOWN = (
    "record_number",
    "contact_kind",
    "content",
    "scheduled_date",
    "scheduled_time",
    "result",
    "promised_amount",
    "promise_paid",
    "broken",
)


def _with_taxpayer(rows, *fields: str):
    """`rows` (records or pledges) with their taxpayer and its officer, reading only the shown fields."""
    return rows.select_related("taxpayer", "taxpayer__assigned_officer").only(
        *fields, "taxpayer", "taxpayer__assigned_officer", *(f"taxpayer__{f}" for f in TAXPAYER_SHOWN)
    )


def work_queue(*, officer, today: date, limit: int = 200) -> WorkQueue:
    """The officer's queue; `officer=None` gives every officer's (for supervisors). Nine queries."""
    mine = Q(taxpayer__assigned_officer=officer) if officer is not None else Q()
    queue = WorkQueue()
    queue.promises_due = list(
        _with_taxpayer(promises_due(officer=officer, today=today), *RECORD_SHOWN).order_by(
            "scheduled_time", "record_number"
        )[:limit]
    )
    queue.planned = list(
        _with_taxpayer(NegotiationRecord.objects.active(), *RECORD_SHOWN)
        .filter(mine, result=NegotiationRecord.Result.PLANNED, scheduled_date__lte=today)
        .order_by("scheduled_date", "scheduled_time")[:limit]
    )
    queue.broken_promises = list(
        _with_taxpayer(broken_promises(officer=officer), *RECORD_SHOWN).order_by("-scheduled_date")[:limit]
    )
    queue.broken_pledges = list(
        _with_taxpayer(broken_pledges(officer=officer), "pledge_number", "broken_on").order_by("-broken_on")[
            :limit
        ]
    )
    queue.no_contact = no_contact(officer=officer, today=today, limit=limit)
    queue.prescription_soon = prescription_soon(officer=officer, today=today, limit=limit)
    return queue


def no_contact(*, officer, today: date, limit: int) -> list[Taxpayer]:
    """Delinquent taxpayers (the officer's; everyone's with None) with no uncancelled 交渉記録 in the
    last NO_CONTACT_DAYS, the most urgent first as the work pages' heading says (急ぐものから): first
    those never contacted, the largest 未納本税 first, then those contacted before, the longest quiet
    first — the order of the 滞納者一覧 sorted 最終接触の古い順 (never contacted first), where the
    section's 「続き」 link leads. Each a Taxpayer with `last_contact` (None for never) and its
    balance. Two bounded queries instead of grouping every delinquent taxpayer's records: the never
    contacted ones read down the partial index of delinquent balances by amount
    (taxpayers_payerbal_collect) until `limit` are found, then the contacted ones from the records
    (grouped by taxpayer) to fill the rest; then one for the taxpayers shown."""
    quiet_since = today - timedelta(days=settings.NO_CONTACT_DAYS)
    mine = {"taxpayer__assigned_officer": officer} if officer is not None else {}
    # The records are grouped alone first (who has been quiet since when), and only those taxpayers are
    # looked up: grouping the records joined to each one's taxpayer and balance probed both for every
    # record (2-3 times slower at 100,000 persons; docs/performance-changes.md, branch hW).
    contacted = NegotiationRecord.objects.active().filter(taxpayer_id=OuterRef("taxpayer__atena_number"))
    never = list(
        TaxpayerBalance.objects.collectible()
        .filter(**mine)
        .filter(~Exists(contacted))
        .order_by("-collectible_principal", "taxpayer_id")
        .values_list("taxpayer__atena_number", flat=True)[:limit]
    )
    quiet: list[tuple[str, date]] = []
    if len(never) < limit:
        records = NegotiationRecord.objects.active()
        quiet_ones = (
            records.values("taxpayer_id")
            .annotate(last_contact=Max("input_date"))
            .filter(last_contact__lt=quiet_since)
            .values("taxpayer_id")
        )
        latest = records.filter(taxpayer_id=OuterRef("taxpayer__atena_number")).order_by("-input_date")
        quiet = list(
            TaxpayerBalance.objects.collectible()
            .filter(taxpayer__atena_number__in=quiet_ones, **mine)
            .annotate(last_contact=Subquery(latest.values("input_date")[:1]))
            .order_by("last_contact", "-collectible_principal", "taxpayer__atena_number")
            .values_list("taxpayer__atena_number", "last_contact")[: limit - len(never)]
        )
    last = dict(quiet)
    order = never + [atena for atena, _ in quiet]
    found = (
        Taxpayer.objects.filter(atena_number__in=order)
        .select_related("balance", "assigned_officer")
        .only(*TAXPAYER_SHOWN, "assigned_officer", *(f"balance__{f}" for f in BALANCE_SHOWN))
    )
    by_atena = {taxpayer.atena_number: taxpayer for taxpayer in found}
    for atena, taxpayer in by_atena.items():
        taxpayer.last_contact = last.get(atena)
    return [by_atena[atena] for atena in order if atena in by_atena]


def promises_due(*, officer, today: date):
    """Promises to pay (約束, with 入金予定額) whose 予実日 is today, not yet judged; `officer=None`:
    everyone's. Indexed by negotiations_record_schedule (予実日, 予実結果)."""
    found = NegotiationRecord.objects.active().filter(
        result=NegotiationRecord.Result.PROMISED, scheduled_date=today, promised_amount__isnull=False
    )
    if officer is not None:
        found = found.filter(taxpayer__assigned_officer=officer)
    return found.select_related("taxpayer", "taxpayer__assigned_officer")


def broken_promises(*, officer):
    """Promises judged 不履行 with no record after them yet (the queue's 不履行の約束)."""
    followed_up = NegotiationRecord.objects.active().filter(
        taxpayer=OuterRef("taxpayer"), record_number__gt=OuterRef("record_number")
    )
    found = NegotiationRecord.objects.active().filter(broken=True).filter(~Exists(followed_up))
    if officer is not None:
        found = found.filter(taxpayer__assigned_officer=officer)
    return found


def broken_pledges(*, officer):
    found = InstallmentPledge.objects.filter(status=InstallmentPledge.Status.BROKEN)
    if officer is not None:
        found = found.filter(taxpayer__assigned_officer=officer)
    return found


@dataclass(frozen=True)
class PrescriptionSoon:
    balance: TaxpayerBalance
    expires_on: date  # the earliest 時効予定日 of the taxpayer's installments, with its chain

    @property
    def taxpayer(self):
        return self.balance.taxpayer


def prescription_soon(*, officer, today: date, limit: int) -> list[PrescriptionSoon]:
    """Taxpayers with an installment whose 時効 completes within PRESCRIPTION_WARNING_DAYS, counted
    as the installment's standing counts it (taxpayers.standing: from 法定納期限, renewed by the
    督促状 and by recorded events — 差押, 承認 …). Those already completed are not here: they are
    不納欠損's. One query reading the range of the (status, renewed date → taxpayer) index reconcile
    keeps (no installment joined to its 調定), whatever the number of cases, and one for the
    taxpayers found."""
    horizon = today + timedelta(days=settings.PRESCRIPTION_WARNING_DAYS)
    soonest = InstallmentBalance.objects.filter(
        status=PaymentStatus.DELINQUENT, prescription_date__range=(today, horizon)
    )
    if officer is not None:
        soonest = soonest.filter(
            taxpayer_id__in=Taxpayer.objects.filter(assigned_officer=officer).values("pk")
        )
    earliest = {
        row["taxpayer_id"]: row["expires_on"]
        for row in soonest.values("taxpayer_id")
        .annotate(expires_on=Min("prescription_date"))
        .order_by("expires_on", "taxpayer_id")[:limit]
    }
    balances = (
        TaxpayerBalance.objects.filter(taxpayer_id__in=earliest)
        .select_related("taxpayer", "taxpayer__assigned_officer")
        .only(
            *BALANCE_SHOWN,
            "taxpayer",
            "taxpayer__assigned_officer",
            *(f"taxpayer__{f}" for f in TAXPAYER_SHOWN),
        )
    )
    soon = [PrescriptionSoon(balance, earliest[balance.taxpayer_id]) for balance in balances]
    return sorted(soon, key=lambda item: (item.expires_on, item.taxpayer.atena_number))[:limit]
