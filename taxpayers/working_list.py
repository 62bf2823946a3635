"""滞納者一覧 — the officer's working list: who owes, filtered and sorted, read from what
`reconcile` stored (`TaxpayerBalance`, `InstallmentBalance`), never recomputed here.

Cost at 100,000 persons (benchmarks/README.md, EXPLAIN in tests/taxpayers/test_working_list.py):
the page is one query over `taxpayers_taxpayerbalance` (partial indexes on 未納本税, the renewed
時効予定日 and the oldest 納期限, all `WHERE delinquent_installments > 0`) joined to its 宛名 and 担当;
the last contact of each listed row is a correlated subquery on `negotiations_record_payer`
(宛名番号, 入力日 desc); the counts and totals one aggregate of the same filter. No query per row.

科目・年度分 is read from what reconcile stored per taxpayer (`delinquent_subjects`,
`delinquent_tax_years`, `delinquent_subject_years`: the 科目 and 年度分 of the installments whose
stored status is 滞納), not from every installment of each taxpayer (0.5–0.9 s at 100,000 persons).

Filters on what other apps own are EXISTS subqueries on their tables, looked up through the app
registry (as `exemptions.py` does), since this app does not import them:

* 分納中・差押中・停止中・猶予中: `standing.hold_exists`, the definition the installment's status
  reads (`standings_for`), asked for any of the taxpayer's installments;
* 最終接触: the newest uncancelled 交渉記録 (入力日).

What can be collected leaves out the installments 時効完成 on the day reconciled to (the standing's
TIME_BARRED read from the stored balances: 滞納 whose renewed 時効予定日 has passed): reconcile stores
their count and amounts per taxpayer beside the totals (`TaxpayerBalance.time_barred_*`), and the
totals (`totals_of`, the same one aggregate), each shown row and the export (`collectible`) show
them apart — no query more (one over the installments cost 60 ms at 100,000 persons). A taxpayer
whose every 滞納 期別 is 時効完成 has nothing to collect: it is not listed
(`TaxpayerBalance.objects.collectible()`), and the totals count such taxpayers apart
(`Totals.time_barred_only_taxpayers`, in the same aggregate); the stored 最古納期限 is that of the
collectible 期別 alone (reconcile).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.apps import apps
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from taxpayers.forms import WorkingListForm
from taxpayers.models import Taxpayer, TaxpayerBalance
from taxpayers.standing import hold_exists

SORTS = {
    WorkingListForm.Sort.AMOUNT_DESC: (F("collectible_principal").desc(), "taxpayer_id"),
    WorkingListForm.Sort.AMOUNT_ASC: (F("collectible_principal").asc(), "taxpayer_id"),
    WorkingListForm.Sort.PRESCRIPTION: (F("earliest_prescription_date").asc(nulls_last=True), "taxpayer_id"),
    WorkingListForm.Sort.OLDEST_DUE: (F("oldest_due_date").asc(nulls_last=True), "taxpayer_id"),
    WorkingListForm.Sort.LAST_CONTACT: (F("last_contact").asc(nulls_first=True), "taxpayer_id"),
    WorkingListForm.Sort.ATENA: ("taxpayer__atena_number",),
}


@dataclass(frozen=True)
class TimeBarred:
    """What the installments 時効完成 of a taxpayer (or of the filtered set) still show as owed,
    integer yen: extinguished (地方税法第18条), waiting for 不納欠損, not collectible."""

    installments: int = 0
    outstanding_principal: int = 0
    outstanding_fee: int = 0
    late_charge: int = 0

    @property
    def total(self) -> int:
        return self.outstanding_principal + self.outstanding_fee + self.late_charge


@dataclass(frozen=True)
class Totals:
    """Counts and totals (integer yen) of the filtered set, whatever page is shown: what can still
    be collected — the installments 時効完成 are left out of `installments` and the amounts and
    summed in `time_barred` (as the 収納状況照会 does). `taxpayers` counts every listed one: those
    whose only 滞納 期別 are 時効完成 are not listed and are counted in `time_barred_only_taxpayers`."""

    taxpayers: int
    installments: int
    outstanding_principal: int
    outstanding_fee: int
    late_charge: int
    time_barred: TimeBarred = TimeBarred()
    # taxpayers the filter selects whose every 滞納 期別 is 時効完成: not listed (nothing of theirs
    # can be collected), counted here so the page can say so; their amounts are in `time_barred`
    time_barred_only_taxpayers: int = 0

    @property
    def total(self) -> int:
        return self.outstanding_principal + self.outstanding_fee + self.late_charge


def time_barred_of(balance: TaxpayerBalance) -> TimeBarred:
    """What the taxpayer's installments 時効完成 on the day reconciled to still show as owed, as
    `reconcile` stored it beside the totals (no query)."""
    return TimeBarred(
        balance.time_barred_installments,
        balance.time_barred_principal,
        balance.time_barred_fee,
        balance.time_barred_late_charge,
    )


def collectible(balance: TaxpayerBalance) -> Totals:
    """One listed taxpayer's stored totals less what is 時効完成 (`time_barred_of`). Its 未納本税 is
    the stored column `collectible_principal` computes the same way in PostgreSQL (for the sort, the
    amount bounds and their index); the other figures have no column of their own."""
    barred = time_barred_of(balance)
    return Totals(
        taxpayers=1,
        installments=balance.delinquent_installments - barred.installments,
        outstanding_principal=balance.outstanding_principal - barred.outstanding_principal,
        outstanding_fee=balance.outstanding_fee - barred.outstanding_fee,
        late_charge=balance.late_charge - barred.late_charge,
        time_barred=barred,
    )


def last_contact_subquery():
    """The day of the taxpayer's newest uncancelled 交渉記録 (one index probe per row)."""
    record = apps.get_model("negotiations", "NegotiationRecord")
    return Subquery(
        record.objects.filter(taxpayer_id=OuterRef("taxpayer__atena_number"), cancelled_at__isnull=True)
        .order_by("-input_date")
        .values("input_date")[:1]
    )


def filtered(
    cleaned: dict, *, user, today: date, with_time_barred_only: bool = False
) -> QuerySet[TaxpayerBalance]:
    """The taxpayers with something collectible that `cleaned` (WorkingListForm.cleaned_data)
    selects, unordered and without the per-row annotations (for counting and totals).
    `with_time_barred_only`: also those whose only 滞納 期別 are 時効完成 (for `totals_of` to count
    them apart; never listed)."""
    balances = (
        TaxpayerBalance.objects.filter(delinquent_installments__gt=0)
        if with_time_barred_only
        else TaxpayerBalance.objects.collectible()
    )
    officer = cleaned.get("officer") or WorkingListForm.Officer.MINE
    if officer == WorkingListForm.Officer.MINE:
        balances = balances.filter(taxpayer__assigned_officer=user)
    elif officer == WorkingListForm.Officer.UNASSIGNED:
        balances = balances.filter(taxpayer__assigned_officer__isnull=True)
    elif officer != WorkingListForm.Officer.ALL:
        balances = balances.filter(taxpayer__assigned_officer_id=int(officer))
    if cleaned.get("district"):
        balances = balances.filter(taxpayer__district=cleaned["district"])
    subject, tax_year = cleaned.get("subject"), cleaned.get("tax_year")
    if subject and tax_year:
        balances = balances.filter(delinquent_subject_years__contains=[f"{subject}:{tax_year}"])
    elif subject:
        balances = balances.filter(delinquent_subjects__contains=[subject])
    elif tax_year:
        balances = balances.filter(delinquent_tax_years__contains=[tax_year])
    if cleaned.get("amount_min") is not None:
        balances = balances.filter(collectible_principal__gte=cleaned["amount_min"])
    if cleaned.get("amount_max") is not None:
        balances = balances.filter(collectible_principal__lte=cleaned["amount_max"])
    if cleaned.get("prescription_from"):
        balances = balances.filter(earliest_prescription_date__gte=cleaned["prescription_from"])
    if cleaned.get("prescription_by"):
        balances = balances.filter(earliest_prescription_date__lte=cleaned["prescription_by"])
    if cleaned.get("no_contact_days") is not None:
        record = apps.get_model("negotiations", "NegotiationRecord")
        since = today - timedelta(days=cleaned["no_contact_days"])
        recent = record.objects.filter(
            taxpayer_id=OuterRef("taxpayer__atena_number"), cancelled_at__isnull=True, input_date__gt=since
        )
        balances = balances.filter(~Exists(recent))
    if cleaned.get("state"):
        # the standing's own definition (`standing.hold_exists`): the list and the status agree
        balances = balances.filter(
            hold_exists(cleaned["state"], as_of=today, taxpayer=OuterRef("taxpayer_id"))
        )
    return balances


def working_list(cleaned: dict, *, user, today: date) -> QuerySet[TaxpayerBalance]:
    """`filtered`, with each row's 宛名, 担当 and last contact (`last_contact`), in the order asked."""
    sort = cleaned.get("sort") or WorkingListForm.Sort.AMOUNT_DESC
    return (
        filtered(cleaned, user=user, today=today)
        .select_related("taxpayer", "taxpayer__assigned_officer")
        .annotate(last_contact=last_contact_subquery())
        .order_by(*SORTS[WorkingListForm.Sort(sort)])
    )


def totals_of(balances: QuerySet[TaxpayerBalance]) -> Totals:
    """One aggregate over the filtered set: what can still be collected, the installments 時効完成
    (stored by reconcile beside the totals) left out and summed apart."""
    listed = Q(delinquent_installments__gt=F("time_barred_installments"))
    row = balances.order_by().aggregate(
        taxpayers=Count("pk", filter=listed),
        time_barred_only=Count("pk", filter=~listed),
        installments=Coalesce(Sum("delinquent_installments"), 0),
        outstanding_principal=Coalesce(Sum("outstanding_principal"), 0),
        outstanding_fee=Coalesce(Sum("outstanding_fee"), 0),
        late_charge=Coalesce(Sum("late_charge"), 0),
        barred_installments=Coalesce(Sum("time_barred_installments"), 0),
        barred_principal=Coalesce(Sum("time_barred_principal"), 0),
        barred_fee=Coalesce(Sum("time_barred_fee"), 0),
        barred_late_charge=Coalesce(Sum("time_barred_late_charge"), 0),
    )
    barred = TimeBarred(
        row["barred_installments"], row["barred_principal"], row["barred_fee"], row["barred_late_charge"]
    )
    return Totals(
        taxpayers=row["taxpayers"],
        installments=row["installments"] - barred.installments,
        outstanding_principal=row["outstanding_principal"] - barred.outstanding_principal,
        outstanding_fee=row["outstanding_fee"] - barred.outstanding_fee,
        late_charge=row["late_charge"] - barred.late_charge,
        time_barred=barred,
        time_barred_only_taxpayers=row["time_barred_only"],
    )


def days_since(day: date | None, today: date) -> int | None:
    return (today - day).days if day is not None else None


def bind_form(data, *, user=None) -> WorkingListForm:
    """The list's form bound to a query string (a QueryDict or a dict), with the officers and the
    地区 it may name: two small queries (the 地区 through `taxpayers_district`)."""
    from accounts.models import Staff
    from accounts.roles import Role

    officers = (
        (
            Staff.objects.active().with_role(Role.COLLECTIONS_OFFICER)
            | Staff.objects.active().with_role(Role.SUPERVISOR)
        )
        .distinct()
        .order_by("staff_number")
    )
    return WorkingListForm(data, officers=officers, districts=districts())


def districts() -> list[str]:
    """Every 地区 a 宛名 is registered in, in order, blank left out: a loose index scan of
    `taxpayers_district` (one probe per 地区, a dozen in Wako: 4 ms at 100,000 persons), where
    `SELECT DISTINCT district` read every 宛名 (a sequential scan, 100–175 ms at 100,000 persons:
    most of 滞納者一覧's and its データの出力's time, issue 21)."""
    table = Taxpayer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE found(district) AS (
                SELECT min(district) FROM {table} WHERE district > ''
                UNION ALL
                SELECT (SELECT min(district) FROM {table} WHERE district > found.district)
                FROM found WHERE found.district IS NOT NULL
            )
            SELECT district FROM found WHERE district IS NOT NULL
            """  # noqa: S608 (the table's name from the model, no input)
        )
        return [district for (district,) in cursor.fetchall()]


def prescription_soon_payers(*, officer, today: date, until: date) -> QuerySet:
    """Delinquent taxpayers' balances (the officer's, or everyone's with None) whose earliest renewed
    時効予定日 lies from `today` to `until` — what the list shows with the same 時効予定日 bounds.
    Counted: one range scan of `taxpayers_payerbal_renewed`."""
    found = TaxpayerBalance.objects.collectible().filter(earliest_prescription_date__range=(today, until))
    if officer is not None:
        found = found.filter(taxpayer__assigned_officer=officer)
    return found
