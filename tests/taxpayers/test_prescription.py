"""時効 chains, each scenario with its legal reasoning and the expected 時効予定日."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taxpayers.prescription import (
    ACKNOWLEDGEMENT,
    DELIVERY_REQUEST,
    DELIVERY_REQUEST_ENDED,
    DEMAND,
    NOTICE,
    POSTPONEMENT,
    POSTPONEMENT_ENDED,
    SEIZURE,
    SEIZURE_ENDED,
    Event,
    chain,
    period_end,
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


# Issue 15, item 1: a renewal takes effect on the day its new period starts, and the period that
# starts last governs — a later-effective renewal is never overwritten by an earlier one.

DUE_2024 = date(2024, 7, 1)  # 法定納期限 令和6年7月1日


def test_a_part_payment_soon_after_the_demand_does_not_move_prescription_earlier():
    # 地方税法第18条の2第1項第2号: 督促状 7/19 から起算して10日を経過した日は 7/29（発した日を含めて
    # 11日目）、その翌日 7/30 から新たに進行 → 2029-07-29. 一部納付 7/24 (承認, 民法第152条) would
    # start a period on 7/25; the later start governs: 2029-07-29, not 2029-07-24.
    result = chain(
        base_date=DUE_2024,
        years=5,
        events=[
            Event(DEMAND, date(2024, 7, 19), "督促状"),
            Event(ACKNOWLEDGEMENT, date(2024, 7, 24), "一部納付"),
        ],
    )
    assert result.expires_on == date(2029, 7, 29)
    assert "令和6年7月30日から新たに進行" in result.explained()
    assert "起算日令和6年7月25日は既にある起算日令和6年7月30日より前のため変わらない" in result.explained()


def test_a_part_payment_on_the_last_day_of_the_demands_ten_days_does_not_move_it_either():
    # 承認 7/28 → 7/29 start, still before the 督促's 7/30.
    result = chain(
        base_date=DUE_2024,
        years=5,
        events=[Event(DEMAND, date(2024, 7, 19)), Event(ACKNOWLEDGEMENT, date(2024, 7, 28))],
    )
    assert result.expires_on == date(2029, 7, 29)


def test_a_part_payment_after_the_demands_ten_days_renews_from_its_next_day():
    # 承認 7/30 → 7/31 start, later than 7/30: it governs → 2029-07-30.
    result = chain(
        base_date=DUE_2024,
        years=5,
        events=[Event(DEMAND, date(2024, 7, 19)), Event(ACKNOWLEDGEMENT, date(2024, 7, 30))],
    )
    assert result.expires_on == date(2029, 7, 30)


def test_a_part_payment_before_the_demand_is_overtaken_by_the_demand():
    # 承認 7/10 (7/11 start), then 督促 7/19 (7/30 start) → 2029-07-29.
    result = chain(
        base_date=DUE_2024,
        years=5,
        events=[Event(ACKNOWLEDGEMENT, date(2024, 7, 10)), Event(DEMAND, date(2024, 7, 19))],
    )
    assert result.expires_on == date(2029, 7, 29)


def test_a_seizure_ending_within_the_demands_ten_days_does_not_move_it_earlier():
    # 督促 7/19 (start 7/30); 差押 7/22, 解除 7/25 (start 7/26): the 督促's later start governs.
    # (国税通則法第73条第1項第4号 ends the ten days at a 繰上差押; the text of 地方税法第18条の2第1項
    # 第2号 we found has no such clause, so the ten days run whole. Revisit if the city reads it otherwise.)
    result = chain(
        base_date=DUE_2024,
        years=5,
        events=[
            Event(DEMAND, date(2024, 7, 19)),
            Event(SEIZURE, date(2024, 7, 22)),
            Event(SEIZURE_ENDED, date(2024, 7, 25)),
        ],
    )
    assert result.expires_on == date(2029, 7, 29)


def test_overlapping_seizures_hold_the_period_until_the_last_one_ends():
    # 差押A 2025-01-10〜2025-03-01, 差押B 2025-02-01〜2025-06-01: completion is held until B ends,
    # then a new period from 2025-06-02 → 2030-06-01 (民法第148条第2項, for each 差押).
    result = chain(
        base_date=DUE_2024,
        years=5,
        events=[
            Event(DEMAND, date(2024, 7, 19)),
            Event(SEIZURE, date(2025, 1, 10)),
            Event(SEIZURE, date(2025, 2, 1)),
            Event(SEIZURE_ENDED, date(2025, 3, 1)),
            Event(SEIZURE_ENDED, date(2025, 6, 1)),
        ],
    )
    assert result.expires_on == date(2030, 6, 1)
    assert "なお完成猶予中" in result.explained()


def test_a_seizure_still_in_force_when_another_ends_keeps_completion_suspended():
    result = chain(
        base_date=DUE_2024,
        years=5,
        events=[
            Event(SEIZURE, date(2025, 1, 10)),
            Event(DELIVERY_REQUEST, date(2025, 2, 1)),
            Event(SEIZURE_ENDED, date(2025, 3, 1)),
        ],
    )
    assert result.expires_on is None and result.suspended_by == "交付要求"


def test_overlapping_postponements_stop_the_period_for_their_union():
    # 猶予A 2025-01-01〜2025-06-30, 猶予B 2025-03-01〜2025-12-31: the period (from 2024-07-30)
    # does not run 2025-01-01〜2025-12-31, 365 days → 2029-07-29 + 365 days = 2030-07-29.
    result = chain(
        base_date=DUE_2024,
        years=5,
        events=[
            Event(DEMAND, date(2024, 7, 19)),
            Event(POSTPONEMENT, date(2025, 1, 1)),
            Event(POSTPONEMENT, date(2025, 3, 1)),
            Event(POSTPONEMENT_ENDED, date(2025, 6, 30)),
            Event(POSTPONEMENT_ENDED, date(2025, 12, 31)),
        ],
    )
    assert result.expires_on == date(2030, 7, 29)


def test_a_postponement_before_the_demands_new_period_starts_does_not_count():
    # 猶予 7/20〜7/25 ends before the 督促's period starts (7/30): no day of it is added.
    result = chain(
        base_date=DUE_2024,
        years=5,
        events=[
            Event(DEMAND, date(2024, 7, 19)),
            Event(POSTPONEMENT, date(2024, 7, 20)),
            Event(POSTPONEMENT_ENDED, date(2024, 7, 25)),
        ],
    )
    assert result.expires_on == date(2029, 7, 29)


def test_a_notice_after_a_renewal_postpones_again():
    # 催告 2029-03-01 (until 2029-09-01) … a renewal resets the 再度の催告 rule only by giving a new
    # period; without one, a second 催告 within six months has no effect (民法第150条第2項).
    first = chain(
        base_date=DUE_2024,
        years=5,
        events=[Event(DEMAND, date(2024, 7, 19)), Event(NOTICE, date(2029, 3, 1))],
    )
    assert first.expires_on == date(2029, 9, 1)
    second = chain(
        base_date=DUE_2024,
        years=5,
        events=[
            Event(DEMAND, date(2024, 7, 19)),
            Event(NOTICE, date(2029, 3, 1)),
            Event(NOTICE, date(2029, 8, 20)),
        ],
    )
    assert second.expires_on == date(2029, 9, 1)


# Properties (hypothesis). Events are single days (督促, 承認, 催告) or spans (差押, 交付要求, 猶予:
# start and end), dated from 法定納期限 to seven years after it.

SINGLE = (DEMAND, ACKNOWLEDGEMENT)
SPANS = (
    (SEIZURE, SEIZURE_ENDED),
    (DELIVERY_REQUEST, DELIVERY_REQUEST_ENDED),
    (POSTPONEMENT, POSTPONEMENT_ENDED),
)


def _items(draw, base: date, *, notices: bool) -> list[Event]:
    offset = st.integers(min_value=0, max_value=7 * 365)
    kinds = SINGLE + ((NOTICE,) if notices else ())
    choice = draw(st.sampled_from(["single", "span"]))
    if choice == "single":
        return [Event(draw(st.sampled_from(kinds)), base + timedelta(days=draw(offset)))]
    begin, end = draw(st.sampled_from(SPANS))
    first = draw(offset)
    length = draw(st.integers(min_value=0, max_value=3 * 365))
    return [Event(begin, base + timedelta(days=first)), Event(end, base + timedelta(days=first + length))]


@st.composite
def histories(draw, *, notices: bool = True):
    base = draw(st.dates(min_value=date(2015, 1, 1), max_value=date(2026, 12, 31)))
    groups = draw(st.lists(st.just(None), max_size=6))
    events = [event for _ in groups for event in _items(draw, base, notices=notices)]
    extra = _items(draw, base, notices=notices)
    return base, events, extra, draw(st.sampled_from([5, 2]))  # 税 5年, 保険料 2年


def _latest(result) -> date:
    return result.expires_on or date.max  # None: held (差押中・猶予中), later than any day


@given(histories(), st.randoms())
@settings(max_examples=300, deadline=None)
def test_the_result_does_not_depend_on_the_order_the_events_are_given_in(history, random):
    base, events, extra, years = history
    shuffled = [*events, *extra]
    random.shuffle(shuffled)
    given_order = chain(base_date=base, years=years, events=[*events, *extra])
    other_order = chain(base_date=base, years=years, events=shuffled)
    assert (
        given_order.expires_on,
        given_order.completed_on,
        given_order.suspended_by,
        given_order.steps,
    ) == (
        other_order.expires_on,
        other_order.completed_on,
        other_order.suspended_by,
        other_order.steps,
    )


@given(histories(notices=False))
@settings(max_examples=400, deadline=None)
def test_adding_a_renewal_a_seizure_or_a_postponement_never_moves_prescription_earlier(history):
    base, events, extra, years = history
    before = chain(base_date=base, years=years, events=events)
    after = chain(base_date=base, years=years, events=[*events, *extra])
    assert _latest(after) >= _latest(before)


@given(histories(notices=False), st.integers(min_value=0, max_value=8 * 365))
@settings(max_examples=300, deadline=None)
def test_adding_a_first_notice_never_moves_prescription_earlier(history, day):
    # 民法第150条: one 催告 only postpones. (A second one can make a later 催告 ineffective —
    # 同条第2項 — so this property is about the first.)
    base, events, _, years = history
    before = chain(base_date=base, years=years, events=events)
    after = chain(base_date=base, years=years, events=[*events, Event(NOTICE, base + timedelta(days=day))])
    assert _latest(after) >= _latest(before)


@given(histories())
@settings(max_examples=300, deadline=None)
def test_prescription_is_never_before_the_period_counted_from_the_statutory_due_date(history):
    base, events, extra, years = history
    result = chain(base_date=base, years=years, events=[*events, *extra])
    assert _latest(result) >= period_end(base + timedelta(days=1), years)


def _prescription_command(*args: str) -> list[str]:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("prescription", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_the_prescription_command_explains_the_chain_and_ends_with_the_date_alone():
    lines = _prescription_command(
        "--legal-due", "2024-07-01", "--event", "承認:2024-07-24", "--event", "督促:2024-07-19"
    )
    assert lines[-1] == "2029-07-29"
    assert "督促 令和6年7月19日（令和6年7月30日から新たに進行）" in lines
    assert lines[-2] == "時効予定日 令和11年7月29日"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), "2029-07-01"),
        (("--event", "差押:2025-01-10:2025-06-01"), "2030-06-01"),
        (
            ("--event", "交付要求:2025-01-10:2025-06-01", "--event", "差押:2025-02-01:2025-08-31"),
            "2030-08-31",
        ),
        (("--event", "督促:2024-07-19", "--event", "猶予:2025-01-01:2025-12-31"), "2030-07-29"),
        (("--event", "催告:2029-03-01"), "2029-09-01"),
        (("--event", "催告:2029-03-01", "--event", "催告:2029-08-20"), "2029-09-01"),
        (("--premium",), "2026-07-01"),
        (("--premium", "--event", "督促:2024-07-19"), "2026-07-29"),
    ],
)
def test_the_prescription_command_follows_each_kind_of_event(args, expected):
    assert _prescription_command("--legal-due", "2024-07-01", *args)[-1] == expected


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ("督促", "形式が違います"),
        ("時効:2024-07-19", "形式が違います"),
        ("督促:2024-7-19x", "YYYY-MM-DD"),
        ("督促:2024-07-19:2024-08-01", "日付を1つだけ"),
        ("差押:2025-01-10", "開始日と終了日"),
        ("猶予:2025-06-01:2025-01-01", "終了日が開始日より前"),
    ],
)
def test_the_prescription_command_refuses_a_malformed_event_in_japanese(event, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        _prescription_command("--legal-due", "2024-07-01", "--event", event)


def test_a_seizure_cancelled_as_unlawful_renews_nothing_and_holds_completion_six_months():
    from taxpayers.prescription import SEIZURE_VOIDED

    # 法定納期限 2021-05-31, 承認 2022-04-07: 時効予定日 2027-04-07. A 差押 2026-03-01 cancelled as
    # 誤り 2026-12-01 renews nothing (民法第148条第2項ただし書); completion waits until six months
    # after it ended (同条第1項): 2027-06-01, not a new five years.
    events = [
        Event(ACKNOWLEDGEMENT, date(2022, 4, 7), "一部納付"),
        Event(SEIZURE, date(2026, 3, 1), "差押"),
        Event(SEIZURE_VOIDED, date(2026, 12, 1), "差押の取消"),
    ]
    # Without the 差押 at all the period would end 2027-04-07.
    assert chain(base_date=date(2021, 5, 31), years=5, events=events[:1]).expires_on == date(2027, 4, 7)
    voided = chain(base_date=date(2021, 5, 31), years=5, events=events)
    assert voided.expires_on == date(2027, 6, 1)
    assert "更新なし" in " ".join(voided.steps)
    # Cancelled 180 days later: six months from then.
    late = [*events[:2], Event(SEIZURE_VOIDED, date(2026, 12, 1) + timedelta(days=180), "差押の取消")]
    assert chain(base_date=date(2021, 5, 31), years=5, events=late).expires_on == date(2027, 11, 30)
    # Ended for any other reason (解除), the 差押 renews: a new period from the next day.
    ended = [*events[:2], Event(SEIZURE_ENDED, date(2026, 12, 1), "差押の解除")]
    assert chain(base_date=date(2021, 5, 31), years=5, events=ended).expires_on == date(2031, 12, 1)


def test_the_source_length_the_service_checks_is_the_column_s():
    from taxpayers.models import PrescriptionEvent
    from taxpayers.services import SOURCE_MAX_LENGTH

    assert PrescriptionEvent._meta.get_field("source").max_length == SOURCE_MAX_LENGTH
