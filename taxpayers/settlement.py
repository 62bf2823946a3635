"""What an installment's payments paid, and what is still owed on a given day. Pure: no database.

Allocation order (settings.PAYMENT_ALLOCATION_ORDER, default 督促手数料 → 本税 → 延滞金):
* 本税 before 延滞金: while 本税 is unpaid, money goes to 本税 first, so 延滞金 stops growing
  as early as possible (国税通則法第62条第2項と同旨; local taxes are handled the same way).
  The order is checked: a setting that puts 延滞金 before 本税 is refused.
* 督促手数料 is a 地方団体の徴収金 due once the 督促状 is sent (地方税法第1条第1項第14号,
  市税条例の督促手数料の規定); the city decides whether it is taken before or after 本税.
* 延滞金 becomes fixed when 本税 is paid in full (it is computed to that day); until then the
  amount shown is the 延滞金 projected to the day asked for.
Anything paid beyond what is owed is an overpayment (過誤納金), shown separately.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from django.db import models

from taxpayers.late_charges import PartialPayment, ReliefLine, ReliefPeriod, compute_late_charge

FEE, PRINCIPAL, LATE_CHARGE = "fee", "principal", "late_charge"
DEFAULT_ORDER = (FEE, PRINCIPAL, LATE_CHARGE)


class PaymentStatus(models.TextChoices):
    """What the payments say of an installment on a day: the one code set. Reconcile stores it
    (InstallmentBalance.status); taxpayers/standing.py refines 滞納 with what else holds."""

    NOT_YET_DUE = "not_yet_due", "未到来"
    WITHIN_TERM = "within_term", "納期内"
    DELINQUENT = "delinquent", "滞納"
    PAID = "paid", "完納"
    WRITTEN_OFF = "written_off", "欠損"


NOT_YET_DUE, WITHIN_TERM, DELINQUENT, PAID = (
    PaymentStatus.NOT_YET_DUE,
    PaymentStatus.WITHIN_TERM,
    PaymentStatus.DELINQUENT,
    PaymentStatus.PAID,
)


def check_order(order: Sequence[str]) -> tuple[str, ...]:
    return _checked_order(tuple(order))


@lru_cache(maxsize=16)
def _checked_order(order: tuple[str, ...]) -> tuple[str, ...]:
    if sorted(order) != sorted(DEFAULT_ORDER):
        raise ValueError(f"充当順序は {', '.join(DEFAULT_ORDER)} を一度ずつ並べてください: {order}")
    if order.index(PRINCIPAL) > order.index(LATE_CHARGE):
        raise ValueError("延滞金を本税より先に充当する順序は設定できません（本税に先に充当する）。")
    return order


@dataclass(frozen=True)
class ReceivedPayment:
    received_on: date
    amount: int
    key: object = None  # the caller's id for the payment, handed back in the allocation


@dataclass(frozen=True)
class Allocation:
    payment: ReceivedPayment
    fee: int
    principal: int
    late_charge: int
    overpaid: int


@dataclass
class Settlement:
    allocations: list[Allocation] = field(default_factory=list)
    outstanding_principal: int = 0
    outstanding_fee: int = 0
    late_charge: int = 0  # unpaid 延滞金: fixed, or projected to `as_of` while 本税 is unpaid
    late_charge_fixed: bool = False
    status: str = NOT_YET_DUE
    # 延滞金の免除 (地方税法第15条の9) and 条例減免 in the 延滞金 above: each with its period and 免除額
    late_charge_reliefs: tuple[ReliefLine, ...] = ()
    late_charge_remitted: int = 0  # 条例減免 decided as an amount
    # 滞納 only: the last day to which `as_of` may move, with no new payment, and this settlement
    # stay the same — date.max once 延滞金 is fixed; None where no day is promised (a relief)
    steady_through: date | None = None

    @property
    def late_charge_exempted(self) -> int:
        return sum(line.amount for line in self.late_charge_reliefs) + self.late_charge_remitted

    @property
    def paid_principal(self) -> int:
        return sum(a.principal for a in self.allocations)

    @property
    def paid_fee(self) -> int:
        return sum(a.fee for a in self.allocations)

    @property
    def paid_late_charge(self) -> int:
        return sum(a.late_charge for a in self.allocations)

    @property
    def outstanding_total(self) -> int:
        return self.outstanding_principal + self.outstanding_fee + self.late_charge

    @property
    def last_received_on(self) -> date | None:
        return self.allocations[-1].payment.received_on if self.allocations else None


def settle(
    *,
    principal: int,
    fee: int,
    due_date: date,
    payments: Iterable[ReceivedPayment],
    as_of: date,
    first_band_months: int = 1,
    order: Sequence[str] = DEFAULT_ORDER,
    rates=None,
    extended_from: date | None = None,
    reliefs: Sequence[ReliefPeriod] = (),
    remitted_amount: int = 0,
) -> Settlement:
    """Applies the payments received up to `as_of` in date order. Cost: one 延滞金 computation
    when 本税 is paid late, plus one projection if it is still unpaid after 納期限.

    `extended_from`: the 法定納期限 when `due_date` is an extended filing deadline
    (`Assessment.late_charge_extended_from`); 本税 paid after it, even by `due_date`, bears the
    extension-period 延滞金 (地方税法第327条).

    `reliefs`, `remitted_amount`: 延滞金の免除 (地方税法第15条の9) and 条例減免, passed to
    `compute_late_charge`; the settlement keeps each relief line for the ledger."""
    order = check_order(order)
    result = Settlement()
    unpaid_principal, unpaid_fee = principal, fee
    principal_payments: list[PartialPayment] = []
    fixed_late_charge: int | None = None
    late_paid = 0
    reliefs = tuple(reliefs)

    for payment in sorted((p for p in payments if p.received_on <= as_of), key=lambda p: p.received_on):
        left = payment.amount
        taken = {FEE: 0, PRINCIPAL: 0, LATE_CHARGE: 0}
        for bucket in order:
            if bucket == FEE:
                taken[FEE] = min(left, unpaid_fee)
                unpaid_fee -= taken[FEE]
            elif bucket == PRINCIPAL and unpaid_principal:
                taken[PRINCIPAL] = min(left, unpaid_principal)
                unpaid_principal -= taken[PRINCIPAL]
                if unpaid_principal == 0:
                    fixed = compute_late_charge(
                        principal=principal,
                        due_date=due_date,
                        until=payment.received_on,
                        payments=principal_payments,
                        first_band_months=first_band_months,
                        rates=rates,
                        extended_from=extended_from,
                        reliefs=reliefs,
                        remitted_amount=remitted_amount,
                    )
                    fixed_late_charge = fixed.amount
                    result.late_charge_reliefs = fixed.relief_lines()
                    result.late_charge_remitted = fixed.remitted_amount
                else:
                    principal_payments.append(PartialPayment(payment.received_on, taken[PRINCIPAL]))
            elif bucket == LATE_CHARGE and fixed_late_charge is not None:
                taken[LATE_CHARGE] = min(left, fixed_late_charge - late_paid)
                late_paid += taken[LATE_CHARGE]
            left -= taken[bucket]
        result.allocations.append(Allocation(payment, taken[FEE], taken[PRINCIPAL], taken[LATE_CHARGE], left))

    result.outstanding_principal, result.outstanding_fee = unpaid_principal, unpaid_fee
    result.steady_through = date.max  # on these payments nothing moves with the day, but a projection
    if fixed_late_charge is not None:
        result.late_charge, result.late_charge_fixed = fixed_late_charge - late_paid, True
    elif unpaid_principal and as_of > due_date:
        projected = compute_late_charge(
            principal=principal,
            due_date=due_date,
            until=as_of,
            payments=principal_payments,
            first_band_months=first_band_months,
            rates=rates,
            extended_from=extended_from,
            reliefs=reliefs,
            remitted_amount=remitted_amount,
        )
        result.late_charge = projected.amount
        result.late_charge_reliefs = projected.relief_lines()
        result.late_charge_remitted = projected.remitted_amount
        result.steady_through = projected.steady_through
    result.status = status_on(as_of, due_date, result.outstanding_total)
    if result.status != DELINQUENT:
        result.steady_through = None  # 未到来・納期内 move on days of their own; 完納 owes nothing
    return result


def status_on(as_of: date, due_date: date, outstanding: int) -> str:
    """完納 when nothing is owed; 未到来 before the month of 納期限; 納期内 up to 納期限; else 滞納."""
    if outstanding == 0:
        return PAID
    if as_of < due_date.replace(day=1):
        return NOT_YET_DUE
    if as_of <= due_date:
        return WITHIN_TERM
    return DELINQUENT


def prescription_date(*, statutory_due_date: date, due_date: date, is_premium: bool, years: int) -> date:
    """時効予定日 before any renewal: the last day of the period counted from the day after 法定納期限
    (taxes, 地方税法第18条第1項) or after 納期限 (保険料, 国民健康保険法第110条第1項), by the one
    `prescription.period_end` (民法第143条). The renewed date is the installment's standing
    (`taxpayers.standing`)."""
    from taxpayers.prescription import period_end

    return period_end((due_date if is_premium else statutory_due_date) + timedelta(days=1), years)
