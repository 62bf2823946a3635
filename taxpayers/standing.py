"""The standing of an installment on a day — the ONE place that turns an installment, its
payments, its 時効 events and the day asked about into what it owes and where its 時効 stands.

Every page, queue, document and the nightly reconcile ask this module; none recomputes a part:

* 本税・督促手数料・延滞金, due and paid, by `settlement.settle` (which applies the payments in the
  allocation order and computes 延滞金 with `late_charges.compute_late_charge`, period by period);
* the 時効 chain and 時効予定日 by `prescription.chain` (督促, 承認 — including every part payment
  after 法定納期限 —, 差押, 交付要求, 催告, 猶予 and their ends), with the one `period_end`
  (民法第143条) also giving the base date before any renewal;
* the status, in the vocabulary below.

The pure law modules (`late_charges`, `prescription`, `settlement`) stay pure; this module composes
them with the data. Two entry points: `standing_of` for model instances (prefetched payments and
events, or given), `standing_from_values` for plain values (reconcile's bulk rows). `standings_for`
reads many installments in three queries whatever their number; `standings_known_at` gives them
as they were known at a past moment (from history), for the 逆連携.

Extension points (filled by the issue-16 work that follows; empty today):
* `exemptions`: 延滞金の免除・減免 periods (地方税法第15条の9 ほか) — handed through to the 延滞金
  computation once `late_charges` accepts them; recorded on the standing now.
* `write_off`: the installment's `WrittenOff` (不納欠損) once approved by the day asked about. It
  is settled to the day its claim was extinguished (消滅日) with the payments received by then;
  nothing is owed after it (the amounts left the ledger as 欠損額), its status is 欠損, and a payment
  received after the 消滅日 is 過誤納 (the claim no longer exists, 地方税法第18条・第15条の7): it
  is applied to nothing and listed in `late_payments`.
* `pledged`, `stopped`: 分納誓約 in force, 執行停止 in force — known to the apps that own them
  (negotiations, dispositions), which pass them in; the status says 分納中・停止中.
* 時効完成: an installment whose 時効 completed with 本税 or 督促手数料 unpaid is extinguished that
  day (地方税法第18条): settled to it (its 延滞金 stops growing), a later payment 過誤納, its status
  時効完成 whatever holds it — not collectible; what it shows as owed waits for 不納欠損.
* `held`: what holds the installment on the day — 差押中・猶予中・停止中・分納中 — as `hold_exists`
  defines it over the owning apps' records (`standings_for` reads it in one query). The 滞納者一覧's
  state filter (`working_list`) is the same expression, so the list and the status agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import BigIntegerField, Exists, OuterRef
from django.utils import timezone

from taxpayers.late_charges import rates_for
from taxpayers.ordinance import first_band_months
from taxpayers.prescription import (
    ACKNOWLEDGEMENT,
    DEMAND,
    LABELS,
    Chain,
    DemandService,
    Event,
    chain,
    demand_service,
    period_end,
)
from taxpayers.settlement import DELINQUENT, PaymentStatus, ReceivedPayment, Settlement, settle
from taxpayers.subjects import rule_for

if TYPE_CHECKING:
    from taxpayers.models import Assessment, WrittenOff

# Status vocabulary. The first four are what the payments say (settlement.status_on, also what
# reconcile stores in InstallmentBalance.status); the rest refine 滞納 with what else holds.
PAID = PaymentStatus.PAID  # 完納
NOT_YET_DUE = PaymentStatus.NOT_YET_DUE  # 未到来
WITHIN_TERM = PaymentStatus.WITHIN_TERM  # 納期内
DELINQUENT_STATUS = DELINQUENT  # 滞納
PLEDGED = "pledged"  # 分納中
SEIZED = "seized"  # 差押中（交付要求中を含む）
STOPPED = "stopped"  # 停止中（滞納処分の執行停止）
POSTPONED = "postponed"  # 猶予中（徴収・換価の猶予）
TIME_BARRED = "time_barred"  # 時効完成
WRITTEN_OFF = PaymentStatus.WRITTEN_OFF  # 欠損（不納欠損済み）

STATUS_LABELS = {
    PAID: "完納",
    NOT_YET_DUE: "未到来",
    WITHIN_TERM: "納期内",
    DELINQUENT_STATUS: "滞納",
    PLEDGED: "分納中",
    SEIZED: "差押中",
    STOPPED: "停止中",
    POSTPONED: "猶予中",
    TIME_BARRED: "時効完成",
    WRITTEN_OFF: "欠損",
}


@dataclass(frozen=True)
class Exemption:
    """A period whose 延滞金 is exempted or reduced (extension point; see the module docstring)."""

    start: date
    end: date
    reason: str = ""


def prescription_base(*, subject_code: str, statutory_due_date: date, due_date: date) -> date:
    """The day the 時効 period counts from the day after: 法定納期限 (taxes, 地方税法第18条第1項)
    or 納期限 (保険料, 国民健康保険法第110条第1項)."""
    return due_date if rule_for(subject_code).is_premium else statutory_due_date


def base_prescription_date(*, subject_code: str, statutory_due_date: date, due_date: date) -> date:
    """時効予定日 before any renewal: `prescription.period_end` from the day after the base."""
    base = prescription_base(
        subject_code=subject_code, statutory_due_date=statutory_due_date, due_date=due_date
    )
    return period_end(base + timedelta(days=1), rule_for(subject_code).prescription_years)


def chain_events(
    *,
    subject_code: str,
    statutory_due_date: date,
    due_date: date,
    demand_issued_on: date | None,
    recorded: Iterable[Event],
    payment_days: Iterable[date],
) -> list[Event]:
    """The events of the chain: the recorded ones, the 督促状 (from the 調定), and each payment
    received after the base day, an acknowledgement of what is still owed (一部納付は債務の承認,
    民法第152条 applied by 地方税法第18条第2項)."""
    base = prescription_base(
        subject_code=subject_code, statutory_due_date=statutory_due_date, due_date=due_date
    )
    items = list(recorded)
    if demand_issued_on:
        items.append(Event(DEMAND, demand_issued_on, "督促状"))
    items += [Event(ACKNOWLEDGEMENT, day, "一部納付") for day in payment_days if day > base]
    return items


def chain_from_values(
    *,
    subject_code: str,
    statutory_due_date: date,
    due_date: date,
    demand_issued_on: date | None,
    recorded: Iterable[Event],
    payment_days: Iterable[date],
    today: date,
) -> Chain:
    """The 時効 chain to `today` (whether 時効 has completed is judged on that day)."""
    rule = rule_for(subject_code)
    return chain(
        base_date=prescription_base(
            subject_code=subject_code, statutory_due_date=statutory_due_date, due_date=due_date
        ),
        years=rule.prescription_years,
        events=chain_events(
            subject_code=subject_code,
            statutory_due_date=statutory_due_date,
            due_date=due_date,
            demand_issued_on=demand_issued_on,
            recorded=recorded,
            payment_days=payment_days,
        ),
        is_premium=rule.is_premium,
        today=today,
    )


@dataclass
class Standing:
    as_of: date
    settlement: Settlement
    chain: Chain
    base_prescription_date: date  # before any renewal (民法第143条 from the base day)
    status: str
    exemptions: tuple[Exemption, ...] = ()
    written_off_on: date | None = None
    assessment: Assessment | None = None  # the Assessment, when the standing was made from one
    write_off: WrittenOff | None = None  # the WrittenOff in force on `as_of` (see the module docstring)
    late_payments: tuple = ()  # payments (their keys) received after the 消滅日: 過誤納 in full
    demand: DemandService = field(
        default_factory=lambda: DemandService(None)
    )  # the 督促 that took effect (送達), for the 差押 gate
    # what holds it on `as_of` (HOLDS: 差押中・猶予中・停止中・分納中, `hold_exists`), all of them,
    # whichever the status names; empty when not read (`standing_from_values` without `held`)
    held: frozenset[str] = frozenset()

    # --- money ---
    @property
    def installment(self) -> Assessment:
        """The Assessment (always there from `standing_of` / `standings_for`). Raises ValueError
        for a standing made from plain values (`standing_from_values`)."""
        if self.assessment is None:
            raise ValueError("この状態は期別から作られていません。")
        return self.assessment

    @property
    def payment_status(self) -> str:
        """未到来・納期内・滞納・完納, from the payments alone (what reconcile stores)."""
        return self.settlement.status

    @property
    def steady_through(self) -> date | None:
        """The last day to which `as_of` may move, on the same inputs (no new payment, 時効 event,
        欠損 or relief), with what reconcile stores of this standing (its money, payment status and
        時効予定日) the same — the daily run leaves the installment until the day after
        (`taxpayers.reconciliation`). 滞納 only: its 延滞金 projected to `as_of` moves on the day
        `late_charges` gives (date.max once fixed), and no later than the 時効予定日 — the day
        after it, 時効 completes (地方税法第18条: the 延滞金 stops, the lists count it apart). Once
        時効 has completed (before `as_of`), date.max: settled to that day, nothing of it moves with
        the day. None where no day is promised (computed every day): not 滞納 (未到来・納期内 change
        on days of their own), 欠損, or a 延滞金 with a relief (its periods depend on the day)."""
        if self.settlement.status != DELINQUENT or self.write_off is not None:
            return None
        if self.chain.completed_on is not None and self.chain.completed_on < self.as_of:
            return date.max  # settled to the day 時効 completed (`standing_from_values`)
        # (a completion still ahead — an event dated after the 時効予定日 that is itself still to
        # come, as a 公示送達 deemed served next week — is the 時効予定日 below: 滞納 to it)
        steady = self.settlement.steady_through
        if steady is None or self.chain.expires_on is None:
            return steady
        return min(steady, self.chain.expires_on)

    @property
    def outstanding_principal(self) -> int:
        return self.settlement.outstanding_principal

    @property
    def outstanding_fee(self) -> int:
        return self.settlement.outstanding_fee

    @property
    def late_charge(self) -> int:
        return self.settlement.late_charge

    @property
    def outstanding_total(self) -> int:
        return self.settlement.outstanding_total

    @property
    def paid_total(self) -> int:
        s = self.settlement
        return s.paid_principal + s.paid_fee + s.paid_late_charge

    # --- 時効 ---
    @property
    def prescription_date(self) -> date | None:
        """The 時効予定日 that counts (renewed by the chain); None while 差押・交付要求・猶予 hold it."""
        return self.chain.expires_on

    @property
    def watches_prescription(self) -> bool:
        """Whether the 期別 has a 時効 to watch: something is still owed on it (滞納, held, 時効完成,
        or not yet due). One paid in full (完納) or written off (欠損) has none, and no page shows a
        時効予定日 for it."""
        return self.status not in (PAID, WRITTEN_OFF) and self.outstanding_total > 0

    @property
    def time_barred_on(self) -> date | None:
        """The day 時効 completed when it had by `as_of` (地方税法第18条); None otherwise."""
        completed = self.chain.completed_on
        return completed if completed is not None and completed < self.as_of else None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def state_label(self) -> str:
        """The status as a page shows it for one 期別: its label, and when a hold names it, every
        hold in force (差押中・分納中), in the order of HOLDS; 時効完成 whatever holds it."""
        if self.status not in HOLDS:
            return self.status_label
        return "・".join(
            STATUS_LABELS[state] for state in HOLDS if state in self.held or state == self.status
        )

    @property
    def is_time_barred(self) -> bool:
        """時効完成 on `as_of` with something still shown as owed: not collectible (地方税法第18条)."""
        return self.status == TIME_BARRED


def _status(
    settled: Settlement,
    chained: Chain,
    as_of: date,
    *,
    written_off_on: date | None,
    pledged: bool,
    stopped: bool,
    held: frozenset[str] | None = None,
) -> str:
    if written_off_on is not None and written_off_on <= as_of:
        return WRITTEN_OFF
    if settled.status != DELINQUENT:
        return settled.status
    if chained.completed_on is not None and chained.completed_on < as_of:
        return TIME_BARRED
    holds = set(held or ())
    if held is None:  # the owning apps' records not read: the 時効 chain's own suspensions
        if chained.suspended_by in (LABELS["seizure"], LABELS["delivery_request"]):
            holds.add(SEIZED)
        if chained.suspended_by == LABELS["postponement"]:
            holds.add(POSTPONED)
    holds |= {STOPPED} if stopped else set()
    holds |= {PLEDGED} if pledged else set()
    return next((state for state in HOLDS if state in holds), DELINQUENT)


# What holds a delinquent installment, in the order its status names them (差押中 before 猶予中 …).
HOLDS = (SEIZED, POSTPONED, STOPPED, PLEDGED)
# 処分コード (dispositions.DispositionCode), named here because this app does not import dispositions
_HOLD_CODES = {SEIZED: ("01", "02", "03"), STOPPED: ("07",), POSTPONED: ("10", "11")}


def hold_exists(state: str, *, as_of: date, assessment=None, taxpayer=None) -> Exists:
    """The one definition of 差押中・猶予中・停止中・分納中 on `as_of`, as an EXISTS over the owning
    apps' tables (looked up through the app registry): for one installment (`assessment`: its id
    or an OuterRef) or for any of a taxpayer's (`taxpayer`: the same). 差押中 (交付要求を含む),
    停止中 and 猶予中: an approved 滞納処分 of those codes with the installment's row not cancelled
    (取消の日から、その処分はない); a 猶予 only to its 終期 — on the day after, it no longer holds.
    分納中: a 分納誓約 履行中 covering the installment. For a taxpayer, only a held installment still
    滞納 (its stored balance) makes the taxpayer so — as an installment's status says 差押中 only while
    it is owed: a seizure whose installments were all collected no longer makes the taxpayer 差押中.
    One index probe per row asked about. Raises ValueError without an installment or a taxpayer."""
    if assessment is None and taxpayer is None:
        raise ValueError("hold_exists needs an assessment or a taxpayer")
    if state == PLEDGED:
        pledge = apps.get_model("negotiations", "InstallmentPledge")
        scope = {"assessments": assessment} if assessment is not None else {"taxpayer": taxpayer}
        return Exists(pledge.objects.filter(status=pledge.Status.ACTIVE, **scope))
    disposition = apps.get_model("dispositions", "Disposition")
    row = apps.get_model("dispositions", "DispositionRow")
    found = row.objects.filter(
        disposition__code__in=_HOLD_CODES[state],
        disposition__status=disposition.Status.APPROVED,
        cancelled_on__isnull=True,
    )
    if state == POSTPONED:
        found = found.filter(disposition__postponed_until__gte=as_of)
    scope = (
        {"assessment": assessment}
        if assessment is not None
        else {"disposition__taxpayer": taxpayer, "assessment__balance__status": DELINQUENT}
    )
    return Exists(found.filter(**scope))


def holds_for_ids(ids: Iterable[int], *, as_of: date) -> dict[int, frozenset[str]]:
    """{assessment id: the states of HOLDS that hold it on `as_of`} (`hold_exists`), every id
    present: one query whatever their number (the ids as one array parameter), its SQL compiled
    once per process (`_holds_statement`)."""
    ids = list(ids)
    if not ids or not (apps.is_installed("dispositions") and apps.is_installed("negotiations")):
        return {pk: frozenset() for pk in ids}
    sql, params = _holds_statement()
    array = _IDS_FIELD.get_db_prep_value(ids, connection)  # bigint[], as Django sends the mark
    values = [array if param == _IDS_MARK else as_of if param == _DAY_MARK else param for param in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        rows = cursor.fetchall()
    return {pk: frozenset(state for state, on in zip(HOLDS, flags, strict=True) if on) for pk, *flags in rows}


# holds_for_ids' statement: the queryset of `hold_exists` for every state, compiled with marks in
# place of the ids and the day, which each call replaces with its own. Building its four EXISTS
# through the ORM cost ~3 ms of CPU on every ledger, case and document page (issue 21, "Load"); the
# statement depends on nothing else (codes and statuses are constants of the code). The same SQL
# text each time also lets psycopg prepare it on the server.
_IDS_MARK = [-202_100_021]  # no installment has a negative id
_IDS_FIELD = ArrayField(BigIntegerField())
_DAY_MARK = date(1, 1, 2)  # nor is any day of the system's 0001-01-02
_holds_sql: tuple[str, list] | None = None


def _holds_statement() -> tuple[str, list]:
    global _holds_sql
    if _holds_sql is None:
        from django.db.models import F, Value

        from taxpayers.exemptions import AnyOf
        from taxpayers.models import Assessment

        rows = (
            Assessment.objects.filter(AnyOf(F("pk"), Value(_IDS_MARK, output_field=_IDS_FIELD)))
            .annotate(
                **{state: hold_exists(state, as_of=_DAY_MARK, assessment=OuterRef("pk")) for state in HOLDS}
            )
            .values_list("pk", *HOLDS)
            .order_by()
        )
        sql, params = rows.query.sql_with_params()
        marks = [param for param in params if param in (_IDS_MARK, _DAY_MARK)]
        if marks.count(_IDS_MARK) != 1 or _DAY_MARK not in marks:
            raise RuntimeError(f"holds_for_ids: the compiled statement lost its marks ({params!r})")
        _holds_sql = (sql, list(params))
    return _holds_sql


def standing_from_values(
    *,
    subject_code: str,
    principal: int,
    fee: int,
    due_date: date,
    statutory_due_date: date,
    extended_from: date | None,
    demand_issued_on: date | None,
    payments: Sequence[ReceivedPayment],
    events: Iterable[Event],
    as_of: date,
    rates=None,
    chain_payments: Sequence[ReceivedPayment] | None = None,
    exemptions: Sequence[Exemption] = (),
    written_off_on: date | None = None,
    pledged: bool = False,
    stopped: bool = False,
    assessment: Assessment | None = None,
    write_off: WrittenOff | None = None,
    reliefs=None,
    held: frozenset[str] | None = None,
) -> Standing:
    """The standing from plain values. `payments` are settled up to `as_of`; the chain reads
    `chain_payments` (default: the same payments) as acknowledgements; `events` are the recorded
    時効 events. `rates`: from `late_charges.rates_for(as_of)` when not given. `write_off` (a
    `WrittenOff`, or anything with `written_off_on` and `extinguished_on`) counts once its
    written_off_on is on or before `as_of`, until its `cancelled_on` (不納欠損の取消) if it has one. `reliefs` (a `taxpayers.exemptions.Reliefs`): the
    延滞金の免除 periods (地方税法第15条の9) and 条例減免 decided for the installment.

    An installment whose 時効 completed before `as_of` (the chain's `completed_on`) with 本税 or
    督促手数料 unpaid that day is settled to that day, as a written-off one to its 消滅日: its 延滞金
    stops there, a later payment is 過誤納 (`late_payments`), and its status is 時効完成."""
    rule = rule_for(subject_code)
    if rates is None:
        rates = rates_for(as_of)[0]
    if write_off is not None and (
        write_off.written_off_on > as_of
        or (write_off.cancelled_on is not None and write_off.cancelled_on <= as_of)
    ):
        write_off = None  # not yet written off, or the 欠損 was cancelled (不納欠損の取消) by then
    settled_to, late = as_of, []
    if write_off is not None:
        written_off_on, settled_to = write_off.written_off_on, write_off.extinguished_on
        if chain_payments is None:
            chain_payments = payments
        late = [p for p in payments if p.received_on > settled_to]
        payments = [p for p in payments if p.received_on <= settled_to]
    events = list(events)
    chained = chain_from_values(
        subject_code=subject_code,
        statutory_due_date=statutory_due_date,
        due_date=due_date,
        demand_issued_on=demand_issued_on,
        recorded=events,
        payment_days=[p.received_on for p in (payments if chain_payments is None else chain_payments)],
        today=as_of,
    )
    barred_on = chained.completed_on
    if (
        write_off is None
        and barred_on is not None
        and barred_on < as_of
        and sum(p.amount for p in payments if p.received_on <= barred_on) < principal + fee
    ):
        # 時効完成 with 本税 or 督促手数料 still owed: the claim was extinguished at the end of that day
        # without being invoked (地方税法第18条第1項・第2項; 保険料は地方自治法第236条第2項). Its 延滞金
        # runs to that day and no further; a payment received after it is 過誤納 in full (the
        # claim no longer exists: 地方税法第17条), applied to nothing and listed in `late_payments`,
        # as after a 不納欠損's 消滅日. What is shown as owed is what 不納欠損 will record.
        settled_to = barred_on
        late = [p for p in payments if p.received_on > barred_on]
        payments = [p for p in payments if p.received_on <= barred_on]
    settled = settle(
        principal=principal,
        fee=fee,
        due_date=due_date,
        payments=payments,
        as_of=settled_to,
        first_band_months=first_band_months(is_premium=rule.is_premium, due_date=due_date),
        order=settings.PAYMENT_ALLOCATION_ORDER,
        rates=rates,
        extended_from=extended_from,
        reliefs=reliefs.periods if reliefs else (),
        remitted_amount=reliefs.remitted_amount if reliefs else 0,
    )
    if write_off is not None:
        settled.outstanding_principal = settled.outstanding_fee = settled.late_charge = 0
        settled.status = WRITTEN_OFF
    return Standing(
        as_of=as_of,
        settlement=settled,
        chain=chained,
        base_prescription_date=base_prescription_date(
            subject_code=subject_code, statutory_due_date=statutory_due_date, due_date=due_date
        ),
        status=_status(
            settled,
            chained,
            as_of,
            written_off_on=written_off_on,
            pledged=pledged,
            stopped=stopped,
            held=held,
        ),
        exemptions=tuple(exemptions),
        written_off_on=written_off_on,
        assessment=assessment,
        write_off=write_off,
        late_payments=tuple(p.key for p in late),
        demand=demand_service(
            [*events, *([Event(DEMAND, demand_issued_on, "督促状")] if demand_issued_on else [])]
        ),
        held=frozenset(held or ()),
    )


def _event(recorded) -> Event:
    return Event(recorded.kind, recorded.occurred_on, recorded.source)


def standing_of(
    assessment,
    *,
    as_of: date,
    payments=None,
    events=None,
    rates=None,
    exemptions: Sequence[Exemption] = (),
    written_off_on: date | None = None,
    pledged: bool = False,
    stopped: bool = False,
    write_off=None,
    reliefs=None,
    held: frozenset[str] | None = None,
) -> Standing:
    """The standing of one Assessment on `as_of`. `payments` and `events` (Payment and
    PrescriptionEvent rows) may be given; otherwise they are read from the assessment (prefetched
    `payments` / `prescription_events` when there are any)."""
    paid = list(payments if payments is not None else assessment.payments.all())
    recorded = events if events is not None else assessment.prescription_events.all()
    return standing_from_values(
        subject_code=assessment.subject_code,
        principal=assessment.principal,
        fee=assessment.demand_fee,
        due_date=assessment.due_date,
        statutory_due_date=assessment.statutory_due_date,
        extended_from=assessment.late_charge_extended_from,
        demand_issued_on=assessment.demand_issued_on,
        payments=[ReceivedPayment(p.received_on, p.amount, p) for p in paid],
        events=[_event(e) for e in recorded],
        as_of=as_of,
        rates=rates,
        exemptions=exemptions,
        written_off_on=written_off_on,
        pledged=pledged,
        stopped=stopped,
        assessment=assessment,
        write_off=write_off,
        reliefs=reliefs,
        held=held,
    )


def standings_for(assessments: Iterable, *, as_of: date, rates=None) -> list[Standing]:
    """The standing of each assessment, in the order given: four queries (payments, events,
    write-offs, what holds them: `holds_for_ids`), and those of `exemptions.exemption_periods_for`,
    whatever their number."""
    from taxpayers.exemptions import exemption_periods_for
    from taxpayers.models import Payment, PrescriptionEvent, WrittenOff

    assessments = list(assessments)
    paid: dict[int, list] = defaultdict(list)
    # As of a day means as known on that day: a payment received or booked (日計日) after it, or a
    # 時効 event that happened after it, was not known then and is left out.
    known = Payment.objects.filter(
        assessment__in=assessments, received_on__lte=as_of, accounted_on__lte=as_of
    )
    for payment in known.order_by("received_on", "id"):
        paid[payment.assessment_id].append(payment)
    recorded: dict[int, list] = defaultdict(list)
    for event in PrescriptionEvent.objects.filter(assessment__in=assessments, occurred_on__lte=as_of):
        recorded[event.assessment_id].append(event)
    written_off = {
        item.assessment_id: item
        for item in WrittenOff.objects.filter(assessment__in=assessments, written_off_on__lte=as_of).exclude(
            cancelled_on__lte=as_of  # 不納欠損の取消: from its day the installment is owed again
        )
    }
    # 延滞金の免除 (執行停止・猶予、地方税法第15条の9) and 条例減免 recorded for these installments
    reliefs = exemption_periods_for(assessments, as_of=as_of)
    held = holds_for_ids([a.pk for a in assessments], as_of=as_of)
    if rates is None:
        rates = rates_for(as_of)[0]
    return [
        standing_of(
            a,
            as_of=as_of,
            payments=paid[a.pk],
            events=recorded[a.pk],
            rates=rates,
            write_off=written_off.get(a.pk),
            reliefs=reliefs.get(a.pk),
            held=held.get(a.pk),
        )
        for a in assessments
    ]


def standings_known_at(assessment_ids: Iterable[int], *, moment: datetime) -> dict[int, Standing]:
    """Each installment's standing on the day of `moment` (local time) as it was known at `moment`:
    the installment, its payments, 時効 events, write-off and 延滞金の免除・減免 read from their
    history tables as they stood then (`wako_collections.records.states_at`), never from the live
    rows. A later correction, payment or decision does not change the answer: what the 逆連携
    (exchange) sends as of a run's `until`, byte for byte the same on a rerun. {assessment id:
    Standing}; an installment not yet imported at `moment` (or deleted by then) is absent. Six
    queries whatever the number of ids (`exemptions` included)."""
    from taxpayers.exemptions import exemption_periods_for_ids
    from taxpayers.models import Assessment, Payment, PrescriptionEvent, WrittenOff
    from wako_collections.records import states_at

    ids = sorted(set(assessment_ids))
    if not ids:
        return {}
    as_of = timezone.localtime(moment).date()

    def alive(model, **filters) -> list:
        return [s for s in states_at(model, moment, **filters).values() if s.history_type != "-"]

    installments = alive(Assessment, ids=ids)
    paid: dict[int, list[ReceivedPayment]] = defaultdict(list)
    for p in sorted(alive(Payment, assessment_id__in=ids), key=lambda p: (p.received_on, p.id)):
        if p.received_on <= as_of and p.accounted_on <= as_of:  # as standings_for: known on as_of
            paid[p.assessment_id].append(ReceivedPayment(p.received_on, p.amount, p.id))
    recorded: dict[int, list[Event]] = defaultdict(list)
    for e in sorted(alive(PrescriptionEvent, assessment_id__in=ids), key=lambda e: e.id):
        if e.occurred_on <= as_of:
            recorded[e.assessment_id].append(Event(e.kind, e.occurred_on, e.source))
    written_off = {w.assessment_id: w for w in alive(WrittenOff, assessment_id__in=ids)}
    reliefs = exemption_periods_for_ids(ids, as_of=as_of, known_at=moment)
    rates = rates_for(as_of)[0]
    return {
        a.id: standing_from_values(
            subject_code=a.subject_code,
            principal=a.principal,
            fee=a.demand_fee,
            due_date=a.due_date,
            statutory_due_date=a.statutory_due_date,
            extended_from=a.statutory_due_date if a.filing_deadline_extended else None,
            demand_issued_on=a.demand_issued_on,
            payments=paid[a.id],
            events=recorded[a.id],
            as_of=as_of,
            rates=rates,
            write_off=written_off.get(a.id),
            reliefs=reliefs.get(a.id),
        )
        for a in installments
    }
