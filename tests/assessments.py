"""A 宛名, a 期別 and a 収納 written straight into the ledger for a test, stamped by the test set-up
actor (or the actor given): `add_taxpayer` (a resident person), `add_assessment` (the city's 市民税
(01, 0000), 1期) and `add_payment`; `approve_relief` (a 猶予 or 執行停止, approved, cancelled if asked) and
`pledge_and_seize` (two holds). For tests that need rows the CSV fixtures do not hold (a year
long past, a 時効 completed, a 欠損, one more taxpayer)."""

from datetime import date

from taxpayers.models import Assessment, Payment, Taxpayer
from tests.conftest import SETUP
from wako_collections.actors import acting_as
from wako_collections.records import stamp

CITY_CODE = "112291"  # the 団体コード of the test city (和光市)


def add_taxpayer(
    atena_number: str,
    *,
    name: str = "和光 太郎",
    name_kana: str = "ワコウ タロウ",
    address: str = "埼玉県和光市広沢1-5",
    **more,
) -> Taxpayer:
    """Saves and returns a resident person (住民区分 1) with the search keys of `name` and
    `name_kana` (spaces removed, as the import folds them); `more` sets any other column."""
    with acting_as(SETUP):
        taxpayer = Taxpayer(
            atena_number=atena_number,
            name=name,
            name_kana=name_kana,
            address=address,
            residence_status="1",
            search_name=name.replace(" ", ""),
            search_kana=name_kana.replace(" ", ""),
            **more,
        )
        stamp(taxpayer, SETUP)
        taxpayer.save()
    return taxpayer


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


def add_payment(assessment, actor=SETUP, *, on: date, amount: int, receipt: str) -> Payment:
    """Saves and returns a 収納 of `amount` yen on the 期別, received and booked (日計日) on `on`,
    by the first 収納経路, stamped by `actor`."""
    payment = Payment(
        receipt_number=receipt,
        assessment=assessment,
        received_on=on,
        accounted_on=on,
        amount=amount,
        channel=Payment.Channel.values[0],
    )
    with acting_as(actor):
        stamp(payment, actor)
        payment.save()
    return payment


def pledge_and_seize(assessment: Assessment, *, officer, supervisor, day: date, amount: int) -> None:
    """Holds `assessment` both ways on `day`: a 分納誓約 of one payment of `amount` yen ten days later,
    and a 差押 (不動産, approved the same day) — for the tests of what a page shows under two holds."""
    from datetime import timedelta

    from dispositions import services as disposition_services
    from negotiations.schedules import PlannedPayment
    from negotiations.services import make_pledge
    from wako_collections.actors import Actor

    actor, approver = Actor.for_staff(officer, "T0001"), Actor.for_staff(supervisor, "T0002")
    make_pledge(
        actor=actor,
        taxpayer=assessment.taxpayer,
        assessments=[assessment],
        schedule=[PlannedPayment(1, day + timedelta(days=10), amount)],
        pledged_on=day,
        interval="monthly",
    )
    drafted = disposition_services.draft_disposition(
        actor=actor,
        taxpayer=assessment.taxpayer,
        assessment_ids=[assessment.pk],
        code="01",
        category="21",
        reason="テスト",
        planned_on=day,
        property_description="和光市下新倉3丁目の土地",
    )
    disposition_services.approve_disposition(actor=approver, disposition=drafted, disposed_on=day)


def approve_relief(
    officer, supervisor, notice: str, *, code, category, on, until=None, cancelled=None, reason=None
):
    """A 猶予, 執行停止 or 即時消滅 (`code`, `category`) on the installment `notice`, drafted by `officer`
    and approved by `supervisor` on `on` (a 猶予 runs to `until`; `reason`, else one fitting `code`);
    `cancelled`: (day, 処分取消区分) — then its 取消 drafted and approved on that day. Returns the
    disposition."""
    import time_machine

    from dispositions import services as disposition_services
    from wako_collections.actors import Actor

    assessment = Assessment.objects.select_related("taxpayer").get(notice_number=notice)
    clerk, boss = Actor.for_staff(officer, "T0001"), Actor.for_staff(supervisor, "T0002")
    with time_machine.travel(on, tick=False):
        drafted = disposition_services.draft_disposition(
            actor=clerk,
            taxpayer=assessment.taxpayer,
            assessment_ids=[assessment.pk],
            code=code,
            category=category,
            reason=reason or ("生活困窮のため" if code == "07" else "事業の継続が困難なため"),
            planned_on=on,
            postponed_until=until,
        )
        disposition_services.approve_disposition(actor=boss, disposition=drafted, disposed_on=on)
    if cancelled:
        day, kind = cancelled
        with time_machine.travel(day, tick=False):
            cancellation = disposition_services.draft_cancellation(
                actor=clerk,
                disposition=drafted,
                category=kind,
                reason="資力が回復したため" if kind != "2" else "別の滞納者の処分として誤って登録した",
                cancelled_on=day,
            )
            disposition_services.approve_cancellation(actor=boss, cancellation=cancellation)
    return drafted
