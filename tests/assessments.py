"""One 期別 written straight into the ledger for a test: the city's 市民税 (01, 0000), 1期, stamped by
the test set-up actor. For tests that need an installment the CSV fixtures do not hold (a year
long past, a 時効 completed, a 欠損)."""

from datetime import date

from taxpayers.models import Assessment
from tests.conftest import SETUP
from wako_collections.actors import acting_as
from wako_collections.records import stamp

CITY_CODE = "112291"  # the 団体コード of the test city (和光市)


def add_assessment(
    taxpayer, notice_number: str, *, tax_year: int, due: date, principal: int, **more
) -> Assessment:
    """Saves and returns the 期別: 年度分 and 課税年度 `tax_year`, 納期限 and 法定納期限 `due`, 本税
    `principal` yen; `more` sets any other column (督促日, 督促手数料 …)."""
    with acting_as(SETUP):
        assessment = Assessment(
            taxpayer=taxpayer,
            subject_code="01",
            subject_detail_code="0000",
            calculating_body_code=CITY_CODE,
            installment_body_code=CITY_CODE,
            inside_outside_code="1",
            assessment_year=tax_year,
            tax_year=tax_year,
            notice_number=notice_number,
            logical_period=1,
            due_date=due,
            statutory_due_date=due,
            principal=principal,
            **more,
        )
        stamp(assessment, SETUP)
        assessment.save()
    return assessment
