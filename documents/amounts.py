"""The one place a printed form takes its amounts from.

Every amount a form prints about a taxpayer's installments — 本税, 督促手数料, 延滞金 and their
totals — comes from `installment_amounts`, which asks the ledger (`taxpayers.ledger`). When the
standing module (`taxpayers.standing`, what an installment owes on a day) lands, this function is
the one call to switch; no content builder or template computes a figure of its own. Tests check,
form by form, that the printed amounts equal this function's (tests/documents/test_form_text.py).

Cost: one ledger read for the taxpayer (its queries are the ledger's), or none when the caller
passes the ledger it already holds (a batch re-reads each taxpayer once).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from taxpayers.ledger import Ledger, ledger_for
from taxpayers.models import Taxpayer
from taxpayers.subjects import Subject
from wako_collections.eras import fiscal_year_label, format_date

AMOUNT_KEYS = ("principal", "fee", "late_charge", "total")


@dataclass(frozen=True)
class InstallmentAmounts:
    assessment_id: int
    subject_code: str
    subject: str
    year: str
    notice_number: str
    period: int
    due_date: str
    principal: int
    fee: int
    late_charge: int
    total: int
    reliefs: tuple[dict, ...] = ()  # 延滞金の免除・減免 left out of `late_charge`, each its own line

    def row(self) -> dict:
        return {
            "assessment_id": self.assessment_id,
            "subject_code": self.subject_code,
            "subject": self.subject,
            "year": self.year,
            "notice_number": self.notice_number,
            "period": self.period,
            "due_date": self.due_date,
            "principal": self.principal,
            "fee": self.fee,
            "late_charge": self.late_charge,
            "total": self.total,
            "reliefs": list(self.reliefs),
        }


def relief_rows(settlement) -> tuple[dict, ...]:
    """延滞金の免除 (地方税法第15条の9) and 条例減免 already left out of the installment's 延滞金:
    each as its own line with its period and 免除額, as the forms print them."""
    rows = [
        {
            "title": f"延滞金の免除（{relief.title}）",
            "period": f"{format_date(relief.start)}〜{format_date(relief.end)}",
            "amount": relief.amount,
        }
        for relief in settlement.late_charge_reliefs
    ]
    if settlement.late_charge_remitted:
        rows.append(
            {"title": "延滞金の減免（金額による）", "period": "", "amount": settlement.late_charge_remitted}
        )
    return tuple(rows)


def installment_amounts(
    taxpayer: Taxpayer,
    *,
    as_of: date,
    assessment_ids: Iterable[int] | None = None,
    ledger: Ledger | None = None,
) -> list[InstallmentAmounts]:
    """What each chosen installment owes on `as_of` (all of the taxpayer's when none are chosen),
    in the ledger's order. 延滞金 is the ledger's, to `as_of`."""
    ledger = ledger or ledger_for(taxpayer, as_of=as_of)
    wanted = None if assessment_ids is None else set(assessment_ids)
    return [
        InstallmentAmounts(
            assessment_id=line.assessment.pk,
            subject_code=line.assessment.subject_code,
            subject=line.assessment.get_subject_code_display(),
            year=fiscal_year_label(line.assessment.tax_year),
            notice_number=line.assessment.notice_number,
            period=line.assessment.logical_period,
            due_date=format_date(line.assessment.due_date),
            principal=line.settlement.outstanding_principal,
            fee=line.settlement.outstanding_fee,
            late_charge=line.settlement.late_charge,
            total=line.settlement.outstanding_total,
            reliefs=relief_rows(line.settlement),
        )
        for line in ledger.lines
        if wanted is None or line.assessment.pk in wanted
    ]


def totals(rows: Iterable[dict]) -> dict:
    rows = list(rows)
    return {key: sum(row[key] for row in rows) for key in AMOUNT_KEYS}


def tax_words(subject_codes: Iterable[str]) -> str:
    """How a notice names what it lists: 「市税」, 「国民健康保険税」, 「市税及び国民健康保険税」 …
    — an insurance tax is named only when the notice lists one."""
    present = set(subject_codes)
    words = []
    if present - {Subject.NHI_TAX, Subject.NHI_PREMIUM}:
        words.append("市税")
    if Subject.NHI_TAX in present:
        words.append("国民健康保険税")
    if Subject.NHI_PREMIUM in present:
        words.append("国民健康保険料")
    return "及び".join(words) or "市税"
