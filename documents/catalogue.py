"""Every printed form, declared once: its code, template, legal basis, 教示, whom it goes to, what
it is made from, what issuing it records and its 時効 effect. Models, content builders, services,
views, batches and templates read this declaration; nothing else lists forms.

Adding a form (参加差押書, 還付通知書, 減免決定通知書 …) is one `FormCode` member, one `FormSpec`
below and one template under `templates/forms/` (see documents/README.md「帳票の追加のしかた」).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.db import models

from dispositions.models import (
    SEIZURE_CATEGORIES,
    Disposition,
    DispositionCategory,
    DispositionCode,
    InquiryTarget,
)
from documents.appeals import APPEALS, AppealNotice


class FormCode(models.TextChoices):
    PAYMENT_SLIP = "01", "納付書"
    DEMAND = "02", "督促状"
    NOTICE_GENERAL = "03", "催告書"
    NOTICE_FINAL = "04", "最終催告書"
    NOTICE_SEIZURE = "05", "差押予告書"
    INQUIRY_DEPOSITS = "11", "財産調査照会書（預貯金）"
    INQUIRY_SALARY = "12", "財産調査照会書（給与）"
    INQUIRY_MUNICIPALITY = "13", "財産調査照会書（他市区町村）"
    PLEDGE = "21", "分納誓約書"
    SEIZURE_RECORD = "31", "差押調書"
    CLAIM_SEIZURE_NOTICE = "32", "債権差押通知書"
    RELEASE_NOTICE = "33", "差押解除通知書"
    SUSPENSION_NOTICE = "34", "執行停止通知書"
    DELIVERY_REQUEST = "35", "交付要求書"
    DISTRIBUTION_STATEMENT = "36", "配当計算書"
    REDUCTION_DECISION = "37", "延滞金減免決定通知書"
    REDUCTION_CANCELLATION = "38", "延滞金減免取消通知書"
    APPROPRIATION_NOTICE = "41", "充当通知書"
    REFUND_NOTICE = "42", "還付通知書"


class Recipient(StrEnum):
    """Whom the paper is addressed to, and so how: a person is 様, a business or office 御中."""

    TAXPAYER = "taxpayer"  # the 滞納者 (its 宛名), 様
    THIRD_PARTY = "third_party"  # 第三債務者 of a seized claim, 御中
    INQUIRY_TARGET = "inquiry_target"  # the bank, employer, town … asked, 御中
    EXECUTING_BODY = "executing_body"  # the court or office running the 強制換価, 御中
    CITY = "city"  # signed by the taxpayer and handed to the 市長 (分納誓約書)

    @property
    def honorific(self) -> str:
        return "様" if self is Recipient.TAXPAYER else "御中"


class Source(StrEnum):
    """What a form is made from (which issue path builds its content)."""

    LEDGER = "ledger"  # chosen installments of one taxpayer
    PLEDGE = "pledge"
    SCHEDULED_PAYMENT = "payment"  # one 回 of a 分納誓約 (negotiations.ScheduledPayment)
    INQUIRY = "inquiry"
    DISPOSITION = "disposition"
    DISTRIBUTION = "distribution"  # an approved 配当計算書 (dispositions.DistributionStatement)
    REDUCTION = "reduction"  # a decided, rejected or cancelled 条例減免 (reductions.LateChargeReduction)
    DISPOSAL = "disposal"  # an approved 充当 or 還付 of a 過誤納金 (refunds.Disposal)


class Prescription(StrEnum):
    """The 時効 event issuing the form records for each installment it names."""

    NONE = ""
    NOTICE = "notice"  # 催告: 民法第150条, completion suspended six months
    DEMAND = "demand"  # 督促: 地方税法第18条の2第1項第2号, renewed (once per installment)


@dataclass(frozen=True)
class DispositionRule:
    """The disposition a form is printed from: its 処分コード, status and (optionally) categories."""

    code: str
    status: str
    categories: frozenset[str] | None = None

    def matches(self, disposition) -> bool:
        return (
            disposition.code == self.code
            and disposition.status == self.status
            and (self.categories is None or disposition.category in self.categories)
        )


@dataclass(frozen=True)
class FormSpec:
    code: FormCode
    template: str
    legal_basis: str  # printed on the form, in words a reader can check
    recipient: Recipient
    source: Source
    records: str  # what issuing it records, in words (the README's reviewer sheet reads this)
    appeal: str | None = None  # key in documents.appeals.APPEALS: the 教示 printed (a 処分)
    prescription: Prescription = Prescription.NONE
    prescription_basis: str = ""  # internal: never printed to the taxpayer
    batch_extraction: bool = False  # offered as a 催告書 batch's form
    disposition: tuple[DispositionRule, ...] = field(default_factory=tuple)
    copies_to_third_parties: bool = False  # a 謄本 goes to others as well (配当計算書: each claimant)

    @property
    def label(self) -> str:
        return self.code.label

    @property
    def reaches_third_party(self) -> bool:
        """Whether someone other than the taxpayer (a bank, an employer, a 第三債務者, an executing
        body, another claimant) reads the form: it then never prints the address of a person under
        the 住民基本台帳 支援措置 (`content.taxpayer_address`)."""
        return self.copies_to_third_parties or self.recipient in (
            Recipient.THIRD_PARTY,
            Recipient.INQUIRY_TARGET,
            Recipient.EXECUTING_BODY,
        )

    @property
    def appeal_notice(self) -> AppealNotice | None:
        return APPEALS[self.appeal] if self.appeal else None


_SEIZURE, _DELIVERY_REQUEST, _SUSPENSION = (
    DispositionCode.SEIZURE,
    DispositionCode.DELIVERY_REQUEST,
    DispositionCode.SUSPENSION,
)
_APPROVED, _CANCELLED = Disposition.Status.APPROVED, Disposition.Status.CANCELLED
_CLAIM_CATEGORIES = frozenset(
    {
        DispositionCategory.DEPOSIT,
        DispositionCategory.SALARY,
        DispositionCategory.RECEIVABLE,
        DispositionCategory.LIFE_INSURANCE,
        DispositionCategory.TAX_REFUND,
    }
)
_SEIZURE_CATEGORIES = frozenset(SEIZURE_CATEGORIES)

_NOTICE_RECORDS = "発行文書と、記載した各期別の催告（時効の完成猶予）"

FORMS: dict[str, FormSpec] = {
    spec.code.value: spec
    for spec in (
        FormSpec(
            code=FormCode.PAYMENT_SLIP,
            template="forms/payment_slip.html",
            legal_basis="延滞金は地方税法第326条（市町村民税）、第369条（固定資産税）ほか各税目の延滞金の規定により計算しています",
            recipient=Recipient.TAXPAYER,
            source=Source.LEDGER,
            records="発行文書（納付番号・バーコードを含む）",
        ),
        FormSpec(
            code=FormCode.DEMAND,
            template="forms/demand.html",
            legal_basis="地方税法第329条第1項（市町村民税）、第371条第1項（固定資産税）ほか各税目の督促の規定",
            recipient=Recipient.TAXPAYER,
            source=Source.LEDGER,
            records="発行文書と、督促のない各期別の督促（時効の更新）",
            appeal="demand",
            prescription=Prescription.DEMAND,
            prescription_basis="地方税法第18条の2第1項第2号（督促による時効の更新）",
        ),
        FormSpec(
            code=FormCode.NOTICE_GENERAL,
            template="forms/notice.html",
            legal_basis="",
            recipient=Recipient.TAXPAYER,
            source=Source.LEDGER,
            records=_NOTICE_RECORDS,
            prescription=Prescription.NOTICE,
            prescription_basis="民法第150条（催告による時効の完成猶予）",
            batch_extraction=True,
        ),
        FormSpec(
            code=FormCode.NOTICE_FINAL,
            template="forms/notice.html",
            legal_basis="地方税法第331条第1項ほか各税目の滞納処分の規定",
            recipient=Recipient.TAXPAYER,
            source=Source.LEDGER,
            records=_NOTICE_RECORDS,
            prescription=Prescription.NOTICE,
            prescription_basis="民法第150条（催告による時効の完成猶予）",
            batch_extraction=True,
        ),
        FormSpec(
            code=FormCode.NOTICE_SEIZURE,
            template="forms/notice.html",
            legal_basis="地方税法第331条第1項ほか各税目の滞納処分の規定、国税徴収法第47条（差押えの要件）",
            recipient=Recipient.TAXPAYER,
            source=Source.LEDGER,
            records=_NOTICE_RECORDS,
            prescription=Prescription.NOTICE,
            prescription_basis="民法第150条（催告による時効の完成猶予）",
            batch_extraction=True,
        ),
        *(
            FormSpec(
                code=code,
                template="forms/inquiry.html",
                # The cited provisions depend on the 照会先's kind: INQUIRY_CITATIONS.
                legal_basis="",
                recipient=Recipient.INQUIRY_TARGET,
                source=Source.INQUIRY,
                records="発行文書（照会の発送・回答は照会の記録に）",
            )
            for code in (FormCode.INQUIRY_DEPOSITS, FormCode.INQUIRY_SALARY, FormCode.INQUIRY_MUNICIPALITY)
        ),
        FormSpec(
            code=FormCode.PLEDGE,
            template="forms/pledge.html",
            legal_basis="民法第152条（承認による時効の更新）",
            recipient=Recipient.CITY,
            source=Source.PLEDGE,
            records="発行文書（誓約による承認は分納誓約の記録に）",
        ),
        FormSpec(
            code=FormCode.SEIZURE_RECORD,
            template="forms/seizure_record.html",
            legal_basis="国税徴収法第54条（差押調書）、国税徴収法施行令第21条（差押調書の記載事項）",
            recipient=Recipient.TAXPAYER,
            source=Source.DISPOSITION,
            records="発行文書（差押調書の謄本として滞納者に交付）",
            appeal="seizure",
            disposition=(DispositionRule(_SEIZURE, _APPROVED, _SEIZURE_CATEGORIES),),
        ),
        FormSpec(
            code=FormCode.CLAIM_SEIZURE_NOTICE,
            template="forms/claim_seizure_notice.html",
            legal_basis="国税徴収法第62条（差押えの手続及び効力発生時期）、第67条（差し押さえた債権の取立て）",
            recipient=Recipient.THIRD_PARTY,
            source=Source.DISPOSITION,
            records="発行文書",
            appeal="seizure",
            disposition=(DispositionRule(_SEIZURE, _APPROVED, _CLAIM_CATEGORIES),),
        ),
        FormSpec(
            code=FormCode.RELEASE_NOTICE,
            template="forms/disposition_notice.html",
            legal_basis="国税徴収法第79条（差押えの解除の要件）、第80条（差押えの解除の手続）",
            recipient=Recipient.TAXPAYER,
            source=Source.DISPOSITION,
            records="発行文書",
            # 差押えの解除 lifts a burden: no one is aggrieved, so no 教示.
            disposition=(DispositionRule(_SEIZURE, _CANCELLED, _SEIZURE_CATEGORIES),),
        ),
        FormSpec(
            code=FormCode.SUSPENSION_NOTICE,
            template="forms/disposition_notice.html",
            legal_basis="地方税法第15条の7第1項・第2項（滞納処分の停止の要件等）",
            recipient=Recipient.TAXPAYER,
            source=Source.DISPOSITION,
            records="発行文書",
            appeal="tax_procedure",
            disposition=(DispositionRule(_SUSPENSION, _APPROVED),),
        ),
        FormSpec(
            code=FormCode.DELIVERY_REQUEST,
            template="forms/delivery_request.html",
            legal_basis="地方税法第331条第6項により例によることとされる国税徴収法第82条（交付要求の手続）",
            recipient=Recipient.EXECUTING_BODY,
            source=Source.DISPOSITION,
            records="発行文書",
            disposition=(DispositionRule(_DELIVERY_REQUEST, _APPROVED),),
        ),
        FormSpec(
            code=FormCode.DISTRIBUTION_STATEMENT,
            template="forms/distribution_statement.html",
            legal_basis=(
                "地方税法第331条第6項ほか各税目の滞納処分の規定により例によることとされる国税徴収法第129条（配当の原則）、"
                "第131条（配当計算書）、第132条（換価代金等の交付期日）、第133条（換価代金等の交付）、"
                "国税徴収法施行令第49条（配当計算書の記載事項）"
            ),
            recipient=Recipient.TAXPAYER,  # and a copy to every other claimant, as the content lists
            copies_to_third_parties=True,
            source=Source.DISTRIBUTION,
            records="発行文書（滞納者と各債権者への謄本）",
            appeal="tax_procedure",  # 配当 is part of the 滞納処分, a 処分 under 地方税法第19条
        ),
        FormSpec(
            code=FormCode.REDUCTION_DECISION,
            template="forms/reduction_notice.html",
            legal_basis="地方税法第20条の9の5第2項及び市税条例の延滞金の減免の規定",
            recipient=Recipient.TAXPAYER,
            source=Source.REDUCTION,
            records="発行文書（決定または却下）",
            appeal="general",  # a 条例減免 decision: a 処分 outside 地方税法第19条
        ),
        FormSpec(
            code=FormCode.REDUCTION_CANCELLATION,
            template="forms/reduction_notice.html",
            legal_basis="地方税法第20条の9の5第2項及び市税条例の延滞金の減免の規定（減免の取消し）",
            recipient=Recipient.TAXPAYER,
            source=Source.REDUCTION,
            records="発行文書",
            appeal="general",
        ),
        FormSpec(
            code=FormCode.APPROPRIATION_NOTICE,
            template="forms/refund_notice.html",
            legal_basis="地方税法第17条の2（過誤納金の充当）、第17条の4（還付加算金）",
            recipient=Recipient.TAXPAYER,
            source=Source.DISPOSAL,
            records="発行文書",
            appeal="tax_procedure",  # 充当 is a 処分 under 地方税法第19条
        ),
        FormSpec(
            code=FormCode.REFUND_NOTICE,
            template="forms/refund_notice.html",
            legal_basis="地方税法第17条（過誤納金の還付）、第17条の4（還付加算金）",
            recipient=Recipient.TAXPAYER,
            source=Source.DISPOSAL,
            records="発行文書",
            appeal="tax_procedure",
        ),
    )
}


@dataclass(frozen=True)
class InquiryCitation:
    """What a 照会書 cites for one kind of 照会先: the power to ask and the rule that lets it answer."""

    power: str
    may_answer: str


_PRIVATE_BUSINESS = InquiryCitation(
    power="地方税法第331条第6項ほか各税目の滞納処分の規定により例によることとされる国税徴収法第141条（質問及び検査）",
    may_answer=(
        "個人情報の保護に関する法律第27条第1項第1号（法令に基づく場合）により、"
        "本人の同意を得ることなく回答いただけます"
    ),
)
_PUBLIC_BODY = InquiryCitation(
    power="地方税法第20条の11（官公署等への協力要請）",
    may_answer=(
        "個人情報の保護に関する法律第69条第1項（法令に基づく場合）により、"
        "本人の同意を得ることなく回答いただけます"
    ),
)

# A private business answers under 第27条 (個人情報取扱事業者); an administrative body (他市区町村,
# 日本年金機構) under 第69条. Every kind of 照会先 has its entry (a test checks).
INQUIRY_CITATIONS: dict[str, InquiryCitation] = {
    InquiryTarget.Kind.BANK: _PRIVATE_BUSINESS,
    InquiryTarget.Kind.EMPLOYER: _PRIVATE_BUSINESS,
    InquiryTarget.Kind.INSURER: _PRIVATE_BUSINESS,
    InquiryTarget.Kind.OTHER: _PRIVATE_BUSINESS,
    InquiryTarget.Kind.MUNICIPALITY: _PUBLIC_BODY,
    InquiryTarget.Kind.PENSION_OFFICE: _PUBLIC_BODY,
}


def spec(code: str) -> FormSpec:
    return FORMS[FormCode(code).value]


def codes(*, source: Source | None = None, batch_extraction: bool | None = None) -> list[str]:
    """Form codes, in code order, filtered by what they are made from or whether a batch offers them."""
    return [
        c
        for c, s in sorted(FORMS.items())
        if (source is None or s.source == source)
        and (batch_extraction is None or s.batch_extraction == batch_extraction)
    ]


def choices(code_list: list[str]) -> list[tuple[str, str]]:
    return [(c, FormCode(c).label) for c in code_list]


def forms_for_disposition(disposition) -> list[str]:
    """Which forms a disposition can print now, by its kind, category and state."""
    return [
        c
        for c in codes(source=Source.DISPOSITION)
        if any(r.matches(disposition) for r in FORMS[c].disposition)
    ]
