"""What each form prints, frozen into the document's record so that a reprint is identical.

Ledger forms (納付書, 督促状, 催告書) list a taxpayer's installments with 本税, 督促手数料 and the
延滞金 computed to the 指定期限. Record forms are made from a pledge, an inquiry or a disposition.
Every builder returns plain JSON-able data; templates escape every value when they print it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.conf import settings

from documents import catalogue, payment_codes
from documents.amounts import installment_amounts, tax_words, totals
from documents.catalogue import FormCode
from taxpayers.ledger import Ledger
from taxpayers.models import Taxpayer
from wako_collections.eras import fiscal_year_label, format_date

SLIP_ROWS = 6  # what fits in each of the 納付書's three parts


class ContentError(Exception):
    """The document cannot be made from what was chosen; the message is shown to staff."""


def city() -> dict:
    return {
        "name": settings.CITY_NAME,
        "department": settings.CITY_DEPARTMENT,
        "address": settings.CITY_ADDRESS,
        "phone": settings.CITY_PHONE,
    }


def recipient(taxpayer: Taxpayer) -> dict:
    return {
        "name": taxpayer.name,
        "honorific": catalogue.Recipient.TAXPAYER.honorific,
        "postal_code": taxpayer.postal_code,
        "address": f"{taxpayer.address} {taxpayer.address_extra}".strip(),
        "atena_number": taxpayer.atena_number,
    }


def taxpayer_address(taxpayer: Taxpayer, form_code: str) -> str:
    """The taxpayer's 住所 and 方書 as a form prints them in its body — empty on a form that reaches
    a third party (照会書, 債権差押通知書, 交付要求書, the claimants' 配当計算書: the catalogue's
    `reaches_third_party`) when the person is under the 住民基本台帳 支援措置 (DV等支援措置): the
    address must not reach anyone but the person. Name, カナ and 生年月日 still identify them."""
    if taxpayer.support_measure and catalogue.spec(form_code).reaches_third_party:
        return ""
    return f"{taxpayer.address} {taxpayer.address_extra}".strip()


def header(form_code: str, issued_on: date, deadline: date | None = None) -> dict:
    """What every form prints around its body: title, legal basis, 教示 (for a 処分), the city's
    contact block, and the taxpayer's 宛名番号 that identifies each page (set by the builder)."""
    spec = catalogue.spec(form_code)
    appeal = spec.appeal_notice
    return {
        "form": spec.label,
        "form_code": spec.code.value,
        "legal_basis": spec.legal_basis,
        "appeal": appeal.render() if appeal else None,
        "issued_on": format_date(issued_on),
        "deadline": format_date(deadline) if deadline else "",
        "city": city(),
    }


def rows_with_words(rows: Sequence[dict]) -> dict:
    return {
        "rows": list(rows),
        "totals": totals(rows),
        "tax_words": tax_words(r["subject_code"] for r in rows),
    }


def ledger_content(
    form_code: str,
    taxpayer: Taxpayer,
    assessment_ids: Sequence[int],
    issued_on: date,
    deadline: date | None,
    *,
    ledger: Ledger | None = None,
) -> dict:
    """督促状, 催告書 and 納付書: the chosen installments, 延滞金 to the 指定期限 (or the issue date)."""
    wanted = set(assessment_ids)
    lines = installment_amounts(taxpayer, as_of=deadline or issued_on, assessment_ids=wanted, ledger=ledger)
    if not lines or len(lines) != len(wanted) or any(line.total <= 0 for line in lines):
        raise ContentError("記載する期別を選んでください（未納のない期別や他の宛名の期別は選べません）。")
    if form_code == FormCode.PAYMENT_SLIP and len(lines) > SLIP_ROWS:
        raise ContentError(f"1枚の納付書に記載できる期別は{SLIP_ROWS}件までです。分けて発行してください。")
    return {
        **header(form_code, issued_on, deadline),
        "recipient": recipient(taxpayer),
        **rows_with_words([line.row() for line in lines]),
    }


def add_payment_codes(
    content: dict, *, number: str, atena_number: str, due: date, reissue_count: int = 0
) -> dict:
    """The 納付書's barcode and QR code, once the document number is known."""
    amount = content["totals"]["total"]
    reference = f"{''.join(c for c in number if c.isdigit()):0>11}{''.join(c for c in atena_number if c.isdigit())[-10:]:0>10}"
    code = payment_codes.ConvenienceBarcode(
        company_code=settings.CONVENIENCE_COMPANY_CODE,
        reference=reference,
        reissue_count=reissue_count,
        due=due,
        amount=min(amount, payment_codes.FIELD_MAX),
    )
    digits = code.digits()
    usable = amount <= payment_codes.STORE_LIMIT
    content["slip"] = {
        "barcode": digits if usable else "",
        "barcode_text": payment_codes.human_readable(digits) if usable else "",
        "qr_text": f"{settings.CITY_NAME}|納付書|{number}|{atena_number}|{amount}|{due:%Y%m%d}|{digits}",
        "store_usable": usable,
        "reissue_count": reissue_count,
    }
    return content


def pledge_slip_content(payment, issued_on: date) -> dict:
    """納付書 for one scheduled payment of a pledge: the amount promised for that date."""
    pledge = payment.pledge
    covered = sorted(pledge.assessments.all(), key=lambda a: (a.tax_year, a.subject_code, a.logical_period))
    row = {
        "assessment_id": None,
        "subject_code": "",
        # 科目 and 年度 of what the pledge covers, so the taxpayer and the bank see what is paid.
        "subject": "・".join(dict.fromkeys(a.get_subject_code_display() for a in covered)),
        "year": "・".join(dict.fromkeys(fiscal_year_label(a.tax_year) for a in covered)),
        "notice_number": pledge.pledge_number,
        "period": payment.sequence,
        "label": f"分納誓約 {pledge.pledge_number} 第{payment.sequence}回（全{pledge.payment_count}回）",
        "due_date": format_date(payment.due_date),
        "principal": payment.amount,
        "fee": 0,
        "late_charge": 0,
        "total": payment.amount,
    }
    return {
        **header(FormCode.PAYMENT_SLIP, issued_on, payment.due_date),
        "recipient": recipient(pledge.taxpayer),
        "rows": [row],
        "totals": totals([row]),
        "tax_words": tax_words(a.subject_code for a in covered),
        "pledge_note": "分納誓約に基づく納付です。延滞金は完納後に確定額をお知らせします。",
    }


def pledge_content(pledge, issued_on: date) -> dict:
    """分納誓約書: the covered installments, the schedule and the promise to be signed."""
    covered = [a.pk for a in pledge.assessments.all()]
    rows = [
        line.row() for line in installment_amounts(pledge.taxpayer, as_of=issued_on, assessment_ids=covered)
    ]
    figures = rows_with_words(rows)
    scheduled = sum(i.amount for i in pledge.schedule.all())
    return {
        **header(FormCode.PLEDGE, issued_on),
        "recipient": recipient(pledge.taxpayer),
        **figures,
        "pledge": {
            "number": pledge.pledge_number,
            "pledged_on": format_date(pledge.pledged_on),
            # The schedule's sum; what it leaves of the table's total (延滞金 still running, as a
            # rule) is printed as such, never as a second 「合計」.
            "total": scheduled,
            "remainder": max(figures["totals"]["total"] - scheduled, 0),
            "count": pledge.payment_count,
            "schedule": [
                {"sequence": i.sequence, "due_date": format_date(i.due_date), "amount": i.amount}
                for i in pledge.schedule.all()
            ],
        },
    }


def inquiry_form_code(inquiry) -> str:
    from dispositions.models import Inquiry, InquiryTarget

    by_purpose = {
        Inquiry.Purpose.DEPOSITS: FormCode.INQUIRY_DEPOSITS,
        Inquiry.Purpose.SALARY: FormCode.INQUIRY_SALARY,
        Inquiry.Purpose.RESIDENCE_INCOME: FormCode.INQUIRY_MUNICIPALITY,
    }
    if inquiry.purpose in by_purpose:
        return by_purpose[inquiry.purpose]
    if inquiry.target.kind == InquiryTarget.Kind.MUNICIPALITY:
        return FormCode.INQUIRY_MUNICIPALITY
    return FormCode.INQUIRY_DEPOSITS


def inquiry_content(inquiry, issued_on: date) -> dict:
    """財産調査照会書: addressed to the bank, employer or town; names the taxpayer it asks about."""
    taxpayer, target = inquiry.taxpayer, inquiry.target
    form_code = inquiry_form_code(inquiry)
    citation = catalogue.INQUIRY_CITATIONS[target.kind]
    return {
        **header(form_code, issued_on, inquiry.answer_due),
        # The provision that lets this kind of 照会先 answer: 第27条 for a business, 第69条 for a body.
        "legal_basis": citation.power,
        "citation": {"power": citation.power, "may_answer": citation.may_answer},
        "recipient": {
            "name": f"{target.name} {target.branch}".strip(),
            "honorific": catalogue.spec(form_code).recipient.honorific,
            "postal_code": target.postal_code,
            "address": target.address,
            "atena_number": "",
        },
        "inquiry": {
            "number": inquiry.number,
            "purpose": inquiry.get_purpose_display(),
            "answer_due": format_date(inquiry.answer_due),
        },
        "subject_person": {
            "name": taxpayer.name,
            "kana": taxpayer.name_kana,
            "birth_date": format_date(taxpayer.birth_date) if taxpayer.birth_date else "",
            "address": taxpayer_address(taxpayer, form_code),
        },
    }


def disposition_rows(disposition) -> list[dict]:
    return [
        {
            "assessment_id": row.assessment_id,
            "subject_code": row.assessment.subject_code,
            "subject": row.assessment.get_subject_code_display(),
            "year": fiscal_year_label(row.tax_year),
            "notice_number": row.notice_number,
            "period": row.logical_period,
            "due_date": format_date(row.assessment.due_date),
            "principal": row.principal,
            "fee": row.demand_fee,
            "late_charge": row.late_charge,
            "total": row.principal + row.demand_fee + row.late_charge,
        }
        for row in disposition.rows.select_related("assessment")
    ]


def disposition_content(form_code: str, disposition, issued_on: date) -> dict:
    """差押調書, 債権差押通知書, 差押解除通知書, 執行停止通知書, 交付要求書 from a disposition."""
    from accounts.models import Staff
    from dispositions.wage_limits import describe

    taxpayer = disposition.taxpayer
    spec = catalogue.spec(form_code)
    rows = disposition_rows(disposition)
    third_party = {
        "name": disposition.third_party_name,
        "branch": disposition.third_party_branch,
        "postal_code": disposition.third_party_postal_code,
        "address": disposition.third_party_address,
    }
    # 処分日 as the system records it (each row's 処分日, set at 決裁), not the planned day.
    disposed = sorted({row.disposed_on for row in disposition.rows.all() if row.disposed_on})
    # 徴収職員: the officer who drafted and carries out the 処分, printed by name (国税徴収法施行令第21条).
    officer = (
        Staff.objects.filter(staff_number=disposition.drafted_by).values_list("full_name", flat=True).first()
    )
    limit = disposition.wage_limit() if form_code == FormCode.CLAIM_SEIZURE_NOTICE else None
    return {
        **header(form_code, issued_on),
        "recipient": (
            recipient(taxpayer)
            if spec.recipient == catalogue.Recipient.TAXPAYER
            else {
                "name": f"{third_party['name']} {third_party['branch']}".strip(),
                "honorific": spec.recipient.honorific,
                "postal_code": third_party["postal_code"],
                "address": third_party["address"],
                "atena_number": "",
            }
        ),
        **rows_with_words(rows),
        "delinquent": {
            "name": taxpayer.name,
            "address": taxpayer_address(taxpayer, form_code),
            "atena_number": taxpayer.atena_number,
        },
        "disposition": {
            "number": disposition.number,
            "kind": disposition.get_code_display(),
            "category": disposition.get_category_display(),
            "reason": disposition.reason,
            "property": disposition.property_description,
            "planned_on": format_date(disposition.planned_on),
            "disposed_on": format_date(disposed[0]) if disposed else "",
            "officer_name": officer or "",
            "approved_by": disposition.approved_by,
            "third_party": third_party,
        },
        # 給与の差押: the 差押禁止額 and what is seized each month (国税徴収法第76条)
        "wage_limit": (
            {
                "lines": describe(limit),
                "prohibited": limit.prohibited,
                "seizable": limit.seizable,
                "monthly": disposition.seized_monthly_amount,
            }
            if limit
            else None
        ),
    }


def distribution_content(statement, issued_on: date) -> dict:
    """配当計算書 (国税徴収法第131条, 施行令第49条): 滞納者, 換価代金等の総額, each claim with its 順位,
    債権額 and 配当額 (0 included), 残余金, 交付期日 — and one copy for the 滞納者 and for every
    claimant, those receiving nothing included (第131条: 知れている者に謄本を発送)."""
    taxpayer = statement.disposition.taxpayer
    claims = [
        {
            "rank": claim.rank,
            "kind": claim.kind_label,
            "claimant": claim.claimant_name,
            "address": claim.claimant_address,
            "established_on": format_date(claim.established_on) if claim.established_on else "",
            "claimed": claim.claimed,
            "allotted": claim.allotted,
        }
        for claim in statement.claims.all()
    ]
    copies = [recipient(taxpayer)] + [
        {
            "name": c["claimant"],
            "honorific": "御中",
            "postal_code": "",
            "address": c["address"],
            "atena_number": "",
        }
        for claim, c in zip(statement.claims.all(), claims, strict=True)
        if not claim.is_city
    ]
    collection = statement.collection
    return {
        **header(FormCode.DISTRIBUTION_STATEMENT, issued_on),
        "recipient": recipient(taxpayer),
        "copies": copies,
        "totals": {"total": statement.total},
        "delinquent": {
            "name": taxpayer.name,
            "address": taxpayer_address(taxpayer, FormCode.DISTRIBUTION_STATEMENT),
            "atena_number": taxpayer.atena_number,
        },
        "statement": {
            "number": statement.number,
            "disposition": statement.disposition.number,
            "property": statement.disposition.property_description,
            "source": f"取立 {collection.number}（{format_date(collection.collected_on)}、{collection.payer_name}）"
            if collection
            else "換価代金",
            "total": statement.total,
            "sent_on": format_date(statement.sent_on),
            "delivery_on": format_date(statement.delivery_on),
            "residue": statement.residue,
            "approved_by": statement.approved_by,
        },
        "claims": claims,
    }


def reduction_content(form_code: str, reduction, issued_on: date) -> dict:
    """延滞金減免決定通知書 (決定 or 却下) and 延滞金減免取消通知書 from a 条例減免 record."""
    assessment = reduction.assessment
    period = (
        f"{format_date(reduction.decided_start)}〜{format_date(reduction.decided_end)}"
        if reduction.decided_start
        else ""
    )
    return {
        **header(form_code, issued_on),
        "recipient": recipient(reduction.taxpayer),
        "reduction": {
            "number": reduction.number,
            "status": reduction.status,
            "installment": (
                f"{assessment.get_subject_code_display()} {fiscal_year_label(assessment.tax_year)}"
                f" 通知書番号 {assessment.notice_number} 第{assessment.logical_period}期"
                f"（納期限 {format_date(assessment.due_date)}）"
            ),
            "applied_on": format_date(reduction.applied_on),
            "reason": reduction.reason,
            "category": reduction.get_category_display() if reduction.category else "",
            "decision": reduction.decision_label if reduction.category else "",
            "period": period,
            "note": reduction.decision_note,
            "decided_on": format_date(reduction.decided_on) if reduction.decided_on else "",
            "cancelled_on": format_date(reduction.cancelled_on) if reduction.cancelled_on else "",
            "cancellation_reason": reduction.cancellation_reason,
        },
    }


def disposal_content(disposal, issued_on: date) -> dict:
    """充当通知書 or 還付通知書 from an approved 充当・還付 (refunds.Disposal)."""
    from refunds.models import Disposal

    overpayment = disposal.overpayment
    is_appropriation = disposal.kind == Disposal.Kind.APPROPRIATION
    form_code = FormCode.APPROPRIATION_NOTICE if is_appropriation else FormCode.REFUND_NOTICE
    source = overpayment.source_assessment
    target = disposal.target_assessment

    def installment(assessment) -> dict | None:
        if assessment is None:
            return None
        return {
            "subject": assessment.get_subject_code_display(),
            "year": fiscal_year_label(assessment.tax_year),
            "notice_number": assessment.notice_number,
            "period": assessment.logical_period,
        }

    return {
        **header(form_code, issued_on),
        "recipient": recipient(overpayment.taxpayer),
        "disposal": {
            "is_appropriation": is_appropriation,
            "number": disposal.number,
            "cause": overpayment.get_cause_display(),
            "arose_on": format_date(overpayment.arose_on),
            "source": installment(source),
            "amount": disposal.amount,
            "interest": disposal.interest,
            "total": disposal.amount + disposal.interest,
            "decided_on": format_date(disposal.decided_on),
            "fit_on": format_date(disposal.fit_on) if disposal.fit_on else "",
            "target": installment(target),
            "account": (
                ""
                if is_appropriation
                else f"{disposal.bank_name} {disposal.branch_name} {disposal.get_account_type_display()} "
                f"{disposal.account_number} {disposal.account_holder_kana}"
            ),
        },
        "totals": {"total": disposal.amount + disposal.interest},
    }
