"""The ledger (収納状況照会) and the printed forms take the approved 執行停止・猶予 (地方税法第15条の9)
through `taxpayers.exemptions.exemption_periods_for`. The fixture's 210000101 is the field case:
65,000円 due 2021-05-31, 30,100円 paid 2021-09-30 (100 to the fee), 35,000円 left."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from dispositions import services
from taxpayers.exemptions import exemption_periods_for
from taxpayers.late_charges import EXEMPT, POSTPONED
from taxpayers.ledger import ledger_for
from taxpayers.models import Assessment, Taxpayer
from tests.assessments import approve_relief
from tests.conftest import sign_in
from wako_collections.actors import Actor

pytestmark = pytest.mark.django_db

AS_OF = date(2024, 6, 28)


def field_line(as_of=AS_OF):
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    return next(
        line
        for line in ledger_for(taxpayer, as_of=as_of).lines
        if line.assessment.notice_number == "210000101"
    )


def approved(officer, supervisor, *, code, category, on, until=None, cancelled_on=None):
    """On the fixture's 210000101; a 取消 is 区分 9 (資力の回復)."""
    cancelled = (cancelled_on, "9") if cancelled_on else None
    return approve_relief(
        officer,
        supervisor,
        "210000101",
        code=code,
        category=category,
        on=on,
        until=until,
        cancelled=cancelled,
    )


def test_without_a_stop_the_ledger_charges_the_whole_delay(ledger):
    assert field_line().settlement.late_charge == 9_900


def test_the_field_case_stop_cancelled_2024_04_01_makes_3800_yen(officer, supervisor, ledger):
    stop = approved(
        officer, supervisor, code="07", category="72", on=date(2022, 4, 1), cancelled_on=date(2024, 4, 1)
    )
    settlement = field_line().settlement
    assert settlement.late_charge == 3_800
    (relief,) = settlement.late_charge_reliefs
    assert (relief.start, relief.end) == (date(2022, 4, 1), date(2024, 3, 31))  # 取消の日は停止していない
    assert relief.title == f"滞納処分の執行停止（{stop.number}）"
    assert relief.amount == 2_294 + 3_045 + 759


def test_a_stop_still_running_exempts_up_to_the_day_asked(officer, supervisor, ledger):
    approved(officer, supervisor, code="07", category="72", on=date(2022, 4, 1))
    # 133+1,441+776+750 = 3,100円; nothing after 2022-04-01.
    assert field_line().settlement.late_charge == 3_100
    assert field_line(date(2022, 3, 31)).settlement.late_charge_reliefs == ()


def test_a_postponement_charges_the_reduced_rate_for_its_days(officer, supervisor, ledger):
    approved(officer, supervisor, code="11", category="00", on=date(2022, 4, 1), until=date(2023, 3, 31))
    # 2022-04-01〜12-31 35,000×0.9%×275/365=237, 2023-01-01〜03-31 ×90/365=77 (本来 750);
    # 2023-04-01〜12-31 35,000×8.7%×275/365=2,294, 2024 767+734 → 1,501 (2024-01-01〜06-28 180日):
    # 133+1,441+776+750+237+77+2,294+1,501 = 7,209 → 7,200円.
    line = field_line()
    assert line.settlement.late_charge == 7_200
    assert [r.relief.kind for r in line.settlement.late_charge_reliefs] == [POSTPONED]


def test_a_draft_or_a_cancelled_draft_exempts_nothing(officer, ledger):
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    assessment = Assessment.objects.get(notice_number="210000101")
    with time_machine.travel(date(2022, 4, 1), tick=False):
        services.draft_disposition(
            actor=Actor.for_staff(officer, "T0001"),
            taxpayer=taxpayer,
            assessment_ids=[assessment.pk],
            code="07",
            category="72",
            reason="生活困窮のため",
            planned_on=date(2022, 4, 1),
        )
    assert exemption_periods_for([assessment], as_of=AS_OF) == {}
    assert field_line().settlement.late_charge == 9_900


def test_exemption_periods_for_gives_each_assessment_its_periods(officer, supervisor, ledger):
    approved(
        officer, supervisor, code="07", category="72", on=date(2022, 4, 1), cancelled_on=date(2024, 4, 1)
    )
    stopped = Assessment.objects.get(notice_number="210000101")
    found = exemption_periods_for(Assessment.objects.all(), as_of=AS_OF)
    assert list(found) == [stopped.pk]
    (period,) = found[stopped.pk].periods
    assert (period.start, period.end, period.kind) == (date(2022, 4, 1), date(2024, 3, 31), EXEMPT)


def test_the_page_shows_the_exemption_as_its_own_line(client, officer, supervisor, ledger):
    approved(
        officer, supervisor, code="07", category="72", on=date(2022, 4, 1), cancelled_on=date(2024, 4, 1)
    )
    sign_in(client, officer)
    html = client.get(
        reverse("taxpayers:detail", args=["000000101"]), {"as_of": "2024-06-28"}
    ).content.decode()
    assert "延滞金の免除（滞納処分の執行停止" in html
    assert "免除額 6,098" in html


def test_a_projection_follows_a_postponement_to_its_end_but_not_a_running_stop(officer, supervisor, ledger):
    approved(officer, supervisor, code="11", category="00", on=date(2024, 4, 1), until=date(2025, 3, 31))
    assessment = Assessment.objects.get(notice_number="210000101")
    (period,) = exemption_periods_for([assessment], as_of=date(2024, 6, 28), projecting=True)[
        assessment.pk
    ].periods
    assert period.end == date(2025, 3, 31)
    (period,) = exemption_periods_for([assessment], as_of=date(2024, 6, 28))[assessment.pk].periods
    assert period.end == date(2024, 6, 28)


@pytest.mark.parametrize(
    "category, expected", [("81", 3_100), ("82", 3_100), ("85", 3_100), ("83", 3_400), ("00", 3_400)]
)
def test_a_collection_postponement_for_disaster_or_illness_is_exempted_in_full(
    officer, supervisor, ledger, category, expected
):
    # 徴収の猶予 2022-04-01〜2023-03-31, 基準日 2023-03-31. 全額 (第1号・第2号・第5号の類する事実):
    # 133+1,441+776+750 = 3,100円. 一部 (第3号, or no 号): the 猶予 days at the 猶予特例基準割合 0.9%:
    # 35,000×0.9%×275/365=237 (2022) + ×90/365=77 (2023): 3,100+237+77 = 3,414 → 3,400円.
    approved(officer, supervisor, code="10", category=category, on=date(2022, 4, 1), until=date(2023, 3, 31))
    assert field_line(date(2023, 3, 31)).settlement.late_charge == expected


def test_a_postponement_ground_is_refused_for_another_disposition(officer, ledger):
    with pytest.raises(services.DispositionError, match="徴収の猶予にだけ"):
        services.draft_disposition(
            actor=Actor.for_staff(officer, "T0001"),
            taxpayer=Taxpayer.objects.get(atena_number="000000101"),
            assessment_ids=[Assessment.objects.get(notice_number="210000101").pk],
            code="11",
            category="81",
            reason="災害",
            planned_on=date(2022, 4, 1),
            postponed_until=date(2023, 3, 31),
        )


def test_a_stop_cancelled_as_recorded_in_error_exempts_nothing(officer, supervisor, ledger):
    stop = approved(officer, supervisor, code="07", category="72", on=date(2022, 4, 1))
    with time_machine.travel(date(2024, 4, 1), tick=False):
        cancellation = services.draft_cancellation(
            actor=Actor.for_staff(officer, "T0001"),
            disposition=stop,
            category="2",
            reason="別の滞納者の処分として誤って登録した",
            cancelled_on=date(2024, 4, 1),
        )
        services.approve_cancellation(actor=Actor.for_staff(supervisor, "T0002"), cancellation=cancellation)
    assert field_line().settlement.late_charge == 9_900


def test_a_disposition_draft_shows_the_same_late_charge_as_the_ledger(officer, supervisor, ledger):
    approved(
        officer, supervisor, code="07", category="72", on=date(2022, 4, 1), cancelled_on=date(2024, 4, 1)
    )
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    (row,) = [
        e
        for e in services.eligibility(taxpayer, code="01", on=AS_OF)
        if e.assessment.notice_number == "210000101"
    ]
    assert row.late_charge == field_line().settlement.late_charge == 3_800
