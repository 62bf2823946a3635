"""The 差押 gate at its boundary days: 地方税法第331条第1項第1号 — 滞納者が督促を受け、その督促状を発した日
から起算して十日を経過した日までに完納しないときは差し押えなければならない. The day the 督促状 was sent
is day 1 (起算して); ten days have passed (経過した日) on the 11th day, which is still a day to pay in;
seizure from the 12th. The same day ends the 督促's effect on 時効 (第18条の2第1項第2号), so the first
day of seizure is the day 時効 runs anew. The fixture's 210000101 had its 督促状 sent 2021-06-18."""

from datetime import date, timedelta

import pytest

from dispositions import services
from taxpayers.models import Assessment, Taxpayer
from taxpayers.prescription import DEMAND, Event, chain, demand_matured_on
from wako_collections.eras import format_date


def seizable_on(day):
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    (row,) = [
        e
        for e in services.eligibility(taxpayer, code="01", on=day)
        if e.assessment.notice_number == "210000101"
    ]
    return row


@pytest.mark.django_db
def test_the_tenth_day_counted_from_the_demand_is_no_day_to_seize(ledger):
    row = seizable_on(date(2021, 6, 27))  # 6/18 is day 1, 6/27 day 10
    assert not row.eligible and "10日を経過していません（令和3年6月29日以降に差押できます）" in row.why_not


@pytest.mark.django_db
def test_the_day_ten_days_have_passed_is_still_a_day_to_pay_in(ledger):
    row = seizable_on(date(2021, 6, 28))  # 「十日を経過した日」: the 11th day
    assert not row.eligible and "令和3年6月29日以降" in row.why_not


@pytest.mark.django_db
def test_seizure_may_begin_the_day_after(ledger):
    assert seizable_on(date(2021, 6, 29)).eligible


@pytest.mark.django_db
def test_a_holiday_on_the_day_ten_days_have_passed_moves_nothing(ledger):
    # 督促状 2021-07-12: 10日を経過した日 2021-07-22 (海の日), 7/23 スポーツの日, 7/24-25 weekend. Not a
    # 期限 for paying but the day a fact is judged by: seizure from 7/23 all the same.
    Assessment.objects.filter(notice_number="210000101").update(demand_issued_on=date(2021, 7, 12))
    assert not seizable_on(date(2021, 7, 22)).eligible
    assert seizable_on(date(2021, 7, 23)).eligible


@pytest.mark.parametrize(
    "sent", [date(2024, 7, 19), date(2021, 6, 18), date(2024, 2, 20), date(2023, 12, 25)]
)
def test_seizure_opens_the_day_the_demand_starts_prescription_anew(sent):
    matured = demand_matured_on(sent)
    assert (matured - sent).days == 10  # the 11th day, the day of sending being the 1st
    renewed = chain(base_date=date(2020, 1, 1), years=5, events=[Event(DEMAND, sent, "")])
    # the same period as one counted from the day after `matured`, the first day of seizure
    assert renewed.expires_on == chain(base_date=matured, years=5, events=[]).expires_on
    assert f"{format_date(matured + timedelta(days=1))}から新たに進行" in renewed.explained()


def test_the_issue_example_demand_of_july_19_renews_from_july_30():
    assert demand_matured_on(date(2024, 7, 19)) == date(2024, 7, 29)
