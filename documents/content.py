"""What each form prints, frozen into the document's record so that a reprint is identical.

Ledger forms (納付書, 督促状, 催告書) list a taxpayer's installments with 本税, 督促手数料 and the
延滞金 computed to the 指定期限. Record forms are made from a pledge, an inquiry or a disposition.
Every builder returns plain JSON-able data; templates escape every value when they print it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.conf import settings

from documents import payment_codes
from documents.models import FormCode
from taxpayers.ledger import Ledger, ledger_for
from taxpayers.models import Taxpayer
from wako_collections.eras import fiscal_year_label, format_date

LEGAL_BASIS = {
    FormCode.PAYMENT_SLIP: "延滞金は地方税法第326条（市町村民税）、第369条（固定資産税）ほか各税目の延滞金の規定により計算しています",
    FormCode.DEMAND: "地方税法第329条第1項（市町村民税）、第371条第1項（固定資産税）ほか各税目の督促の規定",
    FormCode.NOTICE_GENERAL: "民法第150条（催告による時効の完成猶予）",
    FormCode.NOTICE_FINAL: "民法第150条（催告による時効の完成猶予）",
    FormCode.NOTICE_SEIZURE: "地方税法第331条第1項ほか（滞納処分）、国税徴収法第47条（差押の要件）",
    FormCode.INQUIRY_DEPOSITS: "地方税法第331条第6項により準用する国税徴収法第141条（質問及び検査）",
    FormCode.INQUIRY_SALARY: "地方税法第331条第6項により準用する国税徴収法第141条（質問及び検査）",
    FormCode.INQUIRY_MUNICIPALITY: "地方税法第20条の11（官公署等への協力要請）",
    FormCode.PLEDGE: "民法第152条（承認による時効の更新）",
    FormCode.SEIZURE_RECORD: "国税徴収法第54条（差押調書）、国税徴収法施行令第21条（差押調書の記載事項）",
    FormCode.CLAIM_SEIZURE_NOTICE: "国税徴収法第62条（差押えの手続及び効力発生時期）、第67条（差し押さえた債権の取立て）",
    FormCode.RELEASE_NOTICE: "国税徴収法第79条（差押えの解除の要件）、第80条（差押えの解除の手続）",
    FormCode.SUSPENSION_NOTICE: "地方税法第15条の7第1項・第2項（滞納処分の停止の要件等）",
    FormCode.DELIVERY_REQUEST: "地方税法第331条第6項により準用する国税徴収法第82条（交付要求の手続）",
    FormCode.APPROPRIATION_NOTICE: "地方税法第17条の2（過誤納金の充当。充当したときはその旨を通知）、第17条の4（還付加算金）",
    FormCode.REFUND_NOTICE: "地方税法第17条（過誤納金の還付）、第17条の4（還付加算金）",
}

TEMPLATES = {
    FormCode.PAYMENT_SLIP: "forms/payment_slip.html",
    FormCode.DEMAND: "forms/demand.html",
    FormCode.NOTICE_GENERAL: "forms/notice.html",
    FormCode.NOTICE_FINAL: "forms/notice.html",
    FormCode.NOTICE_SEIZURE: "forms/notice.html",
    FormCode.INQUIRY_DEPOSITS: "forms/inquiry.html",
    FormCode.INQUIRY_SALARY: "forms/inquiry.html",
    FormCode.INQUIRY_MUNICIPALITY: "forms/inquiry.html",
    FormCode.PLEDGE: "forms/pledge.html",
    FormCode.SEIZURE_RECORD: "forms/seizure_record.html",
    FormCode.CLAIM_SEIZURE_NOTICE: "forms/claim_seizure_notice.html",
    FormCode.RELEASE_NOTICE: "forms/disposition_notice.html",
    FormCode.SUSPENSION_NOTICE: "forms/disposition_notice.html",
    FormCode.DELIVERY_REQUEST: "forms/delivery_request.html",
    FormCode.APPROPRIATION_NOTICE: "forms/refund_notice.html",
    FormCode.REFUND_NOTICE: "forms/refund_notice.html",
}


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
        "postal_code": taxpayer.postal_code,
        "address": f"{taxpayer.address} {taxpayer.address_extra}".strip(),
        "atena_number": taxpayer.atena_number,
    }


def header(form_code: str, issued_on: date, deadline: date | None = None) -> dict:
    return {
        "form": FormCode(form_code).label,
        "form_code": form_code,
        "legal_basis": LEGAL_BASIS[FormCode(form_code)],
        "issued_on": format_date(issued_on),
        "deadline": format_date(deadline) if deadline else "",
        "city": city(),
    }


def installment_rows(lines: Iterable) -> list[dict]:
    return [
        {
            "subject": line.assessment.get_subject_code_display(),
            "year": fiscal_year_label(line.assessment.tax_year),
            "notice_number": line.assessment.notice_number,
            "period": line.assessment.logical_period,
            "due_date": format_date(line.assessment.due_date),
            "principal": line.settlement.outstanding_principal,
            "fee": line.settlement.outstanding_fee,
            "late_charge": line.settlement.late_charge,
            "total": line.settlement.outstanding_total,
        }
        for line in lines
    ]


def totals(rows: Sequence[dict]) -> dict:
    return {key: sum(row[key] for row in rows) for key in ("principal", "fee", "late_charge", "total")}


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
    ledger = ledger or ledger_for(taxpayer, as_of=deadline or issued_on)
    wanted = set(assessment_ids)
    lines = [line for line in ledger.lines if line.assessment.pk in wanted]
    if (
        not lines
        or len(lines) != len(wanted)
        or any(line.settlement.outstanding_total <= 0 for line in lines)
    ):
        raise ContentError("記載する期別を選んでください（未納のない期別や他の宛名の期別は選べません）。")
    if form_code == FormCode.PAYMENT_SLIP and len(lines) > SLIP_ROWS:
        raise ContentError(f"1枚の納付書に記載できる期別は{SLIP_ROWS}件までです。分けて発行してください。")
    rows = installment_rows(lines)
    return {
        **header(form_code, issued_on, deadline),
        "recipient": recipient(taxpayer),
        "rows": rows,
        "totals": totals(rows),
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


def pledge_slip_content(installment, issued_on: date) -> dict:
    """納付書 for one scheduled payment of a pledge: the amount promised for that date."""
    pledge = installment.pledge
    row = {
        "subject": f"分納誓約 {pledge.pledge_number} 第{installment.sequence}回",
        "year": "",
        "notice_number": pledge.pledge_number,
        "period": installment.sequence,
        "due_date": format_date(installment.due_date),
        "principal": installment.amount,
        "fee": 0,
        "late_charge": 0,
        "total": installment.amount,
    }
    return {
        **header(FormCode.PAYMENT_SLIP, issued_on, installment.due_date),
        "recipient": recipient(pledge.taxpayer),
        "rows": [row],
        "totals": totals([row]),
        "pledge_note": "分納誓約に基づく納付です。延滞金は完納後に確定額をお知らせします。",
    }


def pledge_content(pledge, issued_on: date) -> dict:
    """分納誓約書: the covered installments, the schedule and the promise to be signed."""
    ledger = ledger_for(pledge.taxpayer, as_of=issued_on)
    covered = {a.pk for a in pledge.assessments.all()}
    rows = installment_rows(line for line in ledger.lines if line.assessment.pk in covered)
    return {
        **header(FormCode.PLEDGE, issued_on),
        "recipient": recipient(pledge.taxpayer),
        "rows": rows,
        "totals": totals(rows),
        "pledge": {
            "number": pledge.pledge_number,
            "pledged_on": format_date(pledge.pledged_on),
            "total": pledge.total_amount,
            "count": pledge.installment_count,
            "schedule": [
                {"sequence": i.sequence, "due_date": format_date(i.due_date), "amount": i.amount}
                for i in pledge.schedule.all()
            ],
        },
    }


INQUIRY_FORMS = {
    "deposits": FormCode.INQUIRY_DEPOSITS,
    "salary": FormCode.INQUIRY_SALARY,
    "residence": FormCode.INQUIRY_MUNICIPALITY,
}


def inquiry_form_code(inquiry) -> str:
    if inquiry.purpose in INQUIRY_FORMS:
        return INQUIRY_FORMS[inquiry.purpose]
    if inquiry.target.kind == "municipality":
        return FormCode.INQUIRY_MUNICIPALITY
    return FormCode.INQUIRY_DEPOSITS


def inquiry_content(inquiry, issued_on: date) -> dict:
    """財産調査照会書: addressed to the bank, employer or town; names the taxpayer it asks about."""
    taxpayer, target = inquiry.taxpayer, inquiry.target
    form_code = inquiry_form_code(inquiry)
    return {
        **header(form_code, issued_on, inquiry.answer_due),
        "recipient": {
            "name": f"{target.name} {target.branch}".strip(),
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
            "address": f"{taxpayer.address} {taxpayer.address_extra}".strip(),
        },
    }


def disposition_rows(disposition) -> list[dict]:
    return [
        {
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
    taxpayer = disposition.taxpayer
    rows = disposition_rows(disposition)
    third_party = {"name": disposition.third_party_name, "address": disposition.third_party_address}
    addressed_to_third_party = form_code in (FormCode.CLAIM_SEIZURE_NOTICE, FormCode.DELIVERY_REQUEST)
    return {
        **header(form_code, issued_on),
        "recipient": (
            {
                "name": third_party["name"],
                "postal_code": "",
                "address": third_party["address"],
                "atena_number": "",
            }
            if addressed_to_third_party
            else recipient(taxpayer)
        ),
        "rows": rows,
        "totals": totals(rows),
        "delinquent": {
            "name": taxpayer.name,
            "address": f"{taxpayer.address} {taxpayer.address_extra}".strip(),
            "atena_number": taxpayer.atena_number,
        },
        "disposition": {
            "number": disposition.number,
            "kind": disposition.get_code_display(),
            "category": disposition.get_category_display(),
            "reason": disposition.reason,
            "property": disposition.property_description,
            "planned_on": format_date(disposition.planned_on),
            "approved_by": disposition.approved_by,
            "third_party": third_party,
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
