"""時効 chains, each scenario with its legal reasoning and the expected 時効予定日."""

from datetime import date

from taxpayers.prescription import (
    ACKNOWLEDGEMENT,
    DEMAND,
    NOTICE,
    POSTPONEMENT,
    POSTPONEMENT_ENDED,
    SEIZURE,
    SEIZURE_ENDED,
    Event,
    chain,
)

BASE = date(2021, 5, 31)  # 法定納期限 令和3年5月31日


def test_without_events_five_years_from_the_day_after_the_statutory_due_date():
    # 地方税法第18条第1項: 起算日 6/1; five years end the day before 2026-06-01 (民法第143条).
    result = chain(base_date=BASE, years=5, events=[])
    assert result.expires_on == date(2026, 5, 31)


def test_a_demand_renews_from_the_day_after_ten_days_have_passed():
    # 第18条の2第1項第2号: 督促状 6/18 → 10日を経過した日 6/28 → 6/29から新たに5年 → 2026-06-28.
    result = chain(base_date=BASE, years=5, events=[Event(DEMAND, date(2021, 6, 18))])
    assert result.expires_on == date(2026, 6, 28)


def test_a_pledge_after_the_demand_renews_again_as_an_acknowledgement():
    # 民法第152条: 承認の翌日（2022-02-02）から新たに5年 → 2027-02-01.
    result = chain(
        base_date=BASE,
        years=5,
        events=[
            Event(DEMAND, date(2021, 6, 18)),
            Event(ACKNOWLEDGEMENT, date(2022, 2, 1), "分納誓約 B2022000001"),
        ],
    )
    assert result.expires_on == date(2027, 2, 1)
    assert result.explained() == (
        "法定納期限 令和3年5月31日（令和3年6月1日から5年） → 督促 令和3年6月18日（令和3年6月29日から新たに進行）"
        " → 承認 令和4年2月1日（分納誓約 B2022000001）（令和4年2月2日から新たに進行） → 時効予定日 令和9年2月1日"
    )


def test_a_partial_payment_is_an_acknowledgement_too():
    # 一部納付は債務の承認（民法第152条）: 2023-03-15 → 2028-03-15.
    result = chain(
        base_date=BASE,
        years=5,
        events=[Event(DEMAND, date(2021, 6, 18)), Event(ACKNOWLEDGEMENT, date(2023, 3, 15))],
    )
    assert result.expires_on == date(2028, 3, 15)


def test_a_seizure_suspends_completion_while_it_lasts():
    # 民法第148条第1項: 差押の間は時効は完成しない.
    result = chain(
        base_date=BASE, years=5, events=[Event(DEMAND, date(2021, 6, 18)), Event(SEIZURE, date(2022, 4, 1))]
    )
    assert result.expires_on is None and result.suspended_by == "差押"


def test_the_end_of_a_seizure_renews_from_the_next_day():
    # 民法第148条第2項: 差押の終了（解除）2023-01-10 → 翌日から5年 → 2028-01-10.
    result = chain(
        base_date=BASE,
        years=5,
        events=[
            Event(DEMAND, date(2021, 6, 18)),
            Event(SEIZURE, date(2022, 4, 1)),
            Event(SEIZURE_ENDED, date(2023, 1, 10)),
        ],
    )
    assert result.expires_on == date(2028, 1, 10)


def test_a_notice_postpones_completion_six_months_once():
    # 民法第150条: 催告 2026-03-01 → 2026-09-01 まで完成しない; 再度の催告（8/1）は効力なし.
    once = chain(base_date=BASE, years=5, events=[Event(NOTICE, date(2026, 3, 1))])
    assert once.expires_on == date(2026, 9, 1)
    twice = chain(
        base_date=BASE, years=5, events=[Event(NOTICE, date(2026, 3, 1)), Event(NOTICE, date(2026, 8, 1))]
    )
    assert twice.expires_on == date(2026, 9, 1)
    assert "再度の催告のため効力なし" in twice.explained()


def test_an_early_notice_changes_nothing():
    # The six months end long before the period does: the period's own end stands.
    result = chain(base_date=BASE, years=5, events=[Event(NOTICE, date(2022, 3, 1))])
    assert result.expires_on == date(2026, 5, 31)


def test_an_acknowledgement_after_completion_does_not_revive_it():
    # 時効完成（2026-05-31）後の承認は時効を更新しない（the chain stops; 援用 aside, the right has lapsed).
    result = chain(base_date=BASE, years=5, events=[Event(ACKNOWLEDGEMENT, date(2026, 7, 1))])
    assert result.completed_on == date(2026, 5, 31)
    assert "効力なし" in result.explained()


def test_a_premium_runs_two_years_from_the_day_after_its_due_date():
    # 国民健康保険法第110条第1項: 納期限 2021-07-31 → 2023-07-31; 督促 8/20 → 8/31から2年 → 2023-08-30.
    assert chain(base_date=date(2021, 7, 31), years=2, events=[], is_premium=True).expires_on == date(
        2023, 7, 31
    )
    demanded = chain(
        base_date=date(2021, 7, 31), years=2, events=[Event(DEMAND, date(2021, 8, 20))], is_premium=True
    )
    assert demanded.expires_on == date(2023, 8, 30)


def test_a_period_starting_on_29_february_ends_on_28_february():
    # 起算日 2024-02-29: 2029 has no 29 February, so the period ends on its last day of February (民法第143条第2項).
    assert chain(base_date=date(2024, 2, 28), years=5, events=[]).expires_on == date(2029, 2, 28)


def test_a_postponement_stops_the_period_while_it_lasts():
    # 地方税法第18条の2第4項: 徴収の猶予 2022-04-01〜2023-03-31 (365 days) does not count, so the
    # period renewed by the demand (to 2026-06-28) ends 365 days later: 2027-06-28.
    result = chain(
        base_date=BASE,
        years=5,
        events=[
            Event(DEMAND, date(2021, 6, 18)),
            Event(POSTPONEMENT, date(2022, 4, 1)),
            Event(POSTPONEMENT_ENDED, date(2023, 3, 31)),
        ],
    )
    assert result.expires_on == date(2027, 6, 28)
    assert "猶予の終了" in result.explained()


def test_a_postponement_without_its_end_keeps_the_period_from_running():
    result = chain(
        base_date=BASE,
        years=5,
        events=[Event(DEMAND, date(2021, 6, 18)), Event(POSTPONEMENT, date(2022, 4, 1))],
    )
    assert result.expires_on is None and result.suspended_by == "徴収・換価の猶予"


def test_a_renewal_during_a_postponement_starts_a_period_that_runs_only_after_it():
    # 承認 2022-06-01 during the 猶予 (2022-04-01〜2022-09-30): the new period from 2022-06-02
    # does not run until 2022-09-30 has passed: 2027-06-01 + 121 days (6/2〜9/30) = 2027-09-30.
    result = chain(
        base_date=BASE,
        years=5,
        events=[
            Event(DEMAND, date(2021, 6, 18)),
            Event(POSTPONEMENT, date(2022, 4, 1)),
            Event(ACKNOWLEDGEMENT, date(2022, 6, 1)),
            Event(POSTPONEMENT_ENDED, date(2022, 9, 30)),
        ],
    )
    assert result.expires_on == date(2027, 9, 30)
