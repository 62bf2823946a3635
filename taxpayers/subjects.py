"""科目 (subjects) and the rules that differ between them, each with its legal source."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Subject(models.TextChoices):
    RESIDENT_TAX = "01", "個人市県民税（普通徴収）"
    FIXED_ASSET_TAX = "02", "固定資産税・都市計画税"
    LIGHT_VEHICLE_TAX = "03", "軽自動車税（種別割）"
    CORPORATE_TAX = "04", "法人市民税"
    NHI_TAX = "05", "国民健康保険税"
    NHI_PREMIUM = "06", "国民健康保険料"


class YearCategory(models.TextChoices):
    """現年課税分 / 滞納繰越分: an installment of this 年度's assessment, or of an earlier year's carried
    over (the 決算's split of 収入未済額). The one code set; dispositions and negotiations use it."""

    CURRENT = "1", "現年課税分"
    ARREARS = "2", "滞納繰越分"

    @classmethod
    def of(cls, tax_year: int, *, this_fiscal_year: int) -> YearCategory:
        return cls.CURRENT if tax_year >= this_fiscal_year else cls.ARREARS


@dataclass(frozen=True)
class SubjectRule:
    is_premium: bool
    prescription_years: int
    prescription_source: str
    late_charge_source: str


TAX_PRESCRIPTION = "地方税法第18条第1項（法定納期限の翌日から起算して5年）"

RULES = {
    Subject.RESIDENT_TAX: SubjectRule(False, 5, TAX_PRESCRIPTION, "地方税法第326条"),
    Subject.FIXED_ASSET_TAX: SubjectRule(
        False, 5, TAX_PRESCRIPTION, "地方税法第369条（都市計画税は第702条の8）"
    ),
    Subject.LIGHT_VEHICLE_TAX: SubjectRule(
        False, 5, TAX_PRESCRIPTION, "地方税法（軽自動車税種別割の延滞金の規定）"
    ),
    Subject.CORPORATE_TAX: SubjectRule(False, 5, TAX_PRESCRIPTION, "地方税法第321条の12"),
    Subject.NHI_TAX: SubjectRule(
        False, 5, TAX_PRESCRIPTION, "地方税法（国民健康保険税を含む目的税の延滞金の規定）"
    ),
    Subject.NHI_PREMIUM: SubjectRule(
        True,
        2,
        "国民健康保険法第110条第1項（2年。納期限の翌日から起算）",
        "地方自治法第231条の3第2項及び市の国民健康保険条例",
    ),
}


# By the code as stored (a str, or the Subject itself): the nightly reconcile asks for every
# installment's rule several times, and Subject(code) costs an enum lookup each time.
_RULES_BY_CODE: dict[str, SubjectRule] = {str(subject.value): rule for subject, rule in RULES.items()}


def rule_for(subject_code: str) -> SubjectRule:
    """The rule of a 科目コード. Raises ValueError for a code that is not a Subject."""
    try:
        return _RULES_BY_CODE[subject_code]
    except KeyError:
        return RULES[Subject(subject_code)]
