"""延滞金の免除 (地方税法第15条の9第1項, 附則第3条の2第2項) and 条例減免 in the 延滞金 computation.

Every expected figure is worked by hand beside the test, period by period, from the rates of
taxpayers/data/late_charge_rates.csv."""

from datetime import date

import pytest

from taxpayers.late_charges import (
    EXEMPT,
    POSTPONED,
    REDUCTION,
    PartialPayment,
    ReliefPeriod,
    compute_late_charge,
    describe,
)

FIELD_CASE = dict(
    principal=65_000,
    due_date=date(2021, 5, 31),
    until=date(2024, 6, 28),
    payments=[PartialPayment(date(2021, 9, 30), 30_000)],
)


def test_field_case_without_the_stop_is_the_9900_yen_shown_before():
    assert compute_late_charge(**FIELD_CASE).amount == 9_900


@pytest.mark.parametrize("last_day", [date(2024, 3, 31), date(2024, 4, 1)])
def test_field_case_execution_stopped_2022_04_01_cancelled_2024_04_01_is_3800_yen(last_day):
    # 65,000円 納期限 2021-05-31, 2021-09-30 に30,000円納付 (35,000円が残る), 執行停止 2022-04-01〜
    # 取消 2024-04-01, 基準日 2024-06-28. 停止期間は全額免除 (第15条の9第1項):
    # 65,000×2.5%×30/365=133, 65,000×8.8%×92/365=1,441, 35,000×8.8%×92/365=776,
    # 35,000×8.7%×90/365=750, (停止期間 0円), 35,000×8.7%×88/365=734 (取消日を含めても +8円)
    # = 3,834 (3,842) → 3,800円.
    result = compute_late_charge(
        **FIELD_CASE, reliefs=[ReliefPeriod(date(2022, 4, 1), last_day, EXEMPT, "滞納処分の執行停止")]
    )
    assert result.amount == 3_800
    (line,) = result.relief_lines()
    assert (line.title, line.start, line.end) == ("滞納処分の執行停止", date(2022, 4, 1), last_day)
    assert line.amount == result.full_unrounded - result.unrounded
    assert line.amount == 2_294 + 3_045 + (767 if last_day.day == 1 else 759)
    assert any(text.startswith("免除額 滞納処分の執行停止 2022-04-01〜") for text in describe(result))


def test_a_postponement_charges_the_postponement_base_rate_and_exempts_the_rest():
    # 換価の猶予 2022-04-01〜2024-04-01: 延滞金は猶予特例基準割合 0.9% (附則第3条の2第2項):
    # 35,000×0.9%×275/365=237, ×365/365=315, ×92/365=79; others as above:
    # 133+1,441+776+750+237+315+79+734 = 4,465 → 4,400円.
    result = compute_late_charge(
        **FIELD_CASE, reliefs=[ReliefPeriod(date(2022, 4, 1), date(2024, 4, 1), POSTPONED, "換価の猶予")]
    )
    assert [s.amount for s in result.segments] == [133, 1_441, 776, 750, 237, 315, 79, 734]
    assert result.amount == 4_400
    assert result.relief_lines()[0].amount == (2_294 - 237) + (3_045 - 315) + (767 - 79)


def test_a_postponement_inside_the_first_month_is_at_the_postponement_rate_too():
    # 100,000円 納期限 2024-05-31, 猶予 2024-06-01〜2024-12-31 (全期間), 2024-12-31 納付:
    # 100,000×0.9%×30/365=73, 100,000×0.9%×184/365=453 → 526 → 1,000円未満は0円.
    reliefs = [ReliefPeriod(date(2024, 6, 1), date(2024, 12, 31), POSTPONED)]
    result = compute_late_charge(
        principal=100_000, due_date=date(2024, 5, 31), until=date(2024, 12, 31), reliefs=reliefs
    )
    assert [s.amount for s in result.segments] == [73, 453]
    assert result.amount == 0
    assert result.full_unrounded == 197 + 4_385


def test_without_the_special_rate_the_later_band_is_halved_and_the_first_month_is_not():
    # 本則 (1999年以前, 特例なし): 猶予期間は14.6%が半分の7.3%、最初の1月は7.3%のまま.
    # 200,000円 納期限 1998-04-30, 猶予 1998-05-01〜1998-12-31, 1998-12-31 納付:
    # 200,000×7.3%×31/365=1,240 (5/1〜5/31), 200,000×7.3%×214/365=8,560 (6/1〜12/31, 半額;
    # 本来 14.6% で 17,120) = 9,800円.
    result = compute_late_charge(
        principal=200_000,
        due_date=date(1998, 4, 30),
        until=date(1998, 12, 31),
        reliefs=[ReliefPeriod(date(1998, 5, 1), date(1998, 12, 31), POSTPONED)],
    )
    assert [s.full_amount for s in result.segments] == [1_240, 17_120]
    assert [s.amount for s in result.segments] == [1_240, 8_560]
    assert result.amount == 9_800


def test_an_exemption_over_the_whole_delay_leaves_nothing():
    result = compute_late_charge(
        principal=500_000,
        due_date=date(2023, 4, 30),
        until=date(2024, 6, 30),
        reliefs=[ReliefPeriod(date(2023, 5, 1), date(2024, 6, 30), EXEMPT, "徴収の猶予（災害）")],
    )
    assert result.amount == 0
    assert result.unrounded == 0
    assert result.exempted == result.full_unrounded > 0


def test_a_period_outside_the_delay_changes_nothing():
    plain = compute_late_charge(**FIELD_CASE)
    relieved = compute_late_charge(
        **FIELD_CASE, reliefs=[ReliefPeriod(date(2020, 1, 1), date(2021, 5, 31), EXEMPT)]
    )
    assert relieved.amount == plain.amount
    assert relieved.relief_lines() == ()


def test_a_full_exemption_wins_over_an_overlapping_postponement():
    only_stop = compute_late_charge(
        **FIELD_CASE, reliefs=[ReliefPeriod(date(2022, 4, 1), date(2024, 4, 1), EXEMPT)]
    )
    both = compute_late_charge(
        **FIELD_CASE,
        reliefs=[
            ReliefPeriod(date(2022, 1, 1), date(2023, 12, 31), POSTPONED),
            ReliefPeriod(date(2022, 4, 1), date(2024, 4, 1), EXEMPT),
        ],
    )
    # 2022-01-01〜03-31 は猶予のみ: 35,000×0.9%×90/365 = 77 (本来 750)
    assert both.unrounded == only_stop.unrounded - 750 + 77


def test_an_ordinance_reduction_by_share_and_by_amount():
    # 条例減免 50% over 2022-04-01〜2024-06-28: 2,294→1,147, 3,045→1,523 (3,045-1,522),
    # 767+734 for 2024 → segments 2024-01-01〜06-28: 35,000×8.7%×180/365=1,501 → 751.
    share = compute_late_charge(
        **FIELD_CASE,
        reliefs=[ReliefPeriod(date(2022, 4, 1), date(2024, 6, 28), REDUCTION, "条例減免", 5_000)],
    )
    assert [s.amount for s in share.segments][-3:] == [1_147, 1_523, 751]
    assert share.amount == (133 + 1_441 + 776 + 750 + 1_147 + 1_523 + 751) // 100 * 100
    amount = compute_late_charge(**FIELD_CASE, remitted_amount=2_000)
    assert amount.amount == 7_900
    assert amount.exempted == 2_000
    assert compute_late_charge(**FIELD_CASE, remitted_amount=50_000).amount == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(start=date(2024, 4, 2), end=date(2024, 4, 1), kind=EXEMPT),
        dict(start=date(2024, 4, 1), end=date(2024, 4, 1), kind="other"),
        dict(start=date(2024, 4, 1), end=date(2024, 4, 1), kind=REDUCTION, share=0),
        dict(start=date(2024, 4, 1), end=date(2024, 4, 1), kind=REDUCTION, share=10_001),
    ],
)
def test_a_malformed_period_is_refused(kwargs):
    with pytest.raises(ValueError):
        ReliefPeriod(**kwargs)


# --- the entaikin command: --exempt / --postponement ----------------------------------------

FIELD_ARGS = [
    "--amount",
    "65000",
    "--due",
    "2021-05-31",
    "--paid",
    "2024-06-28",
    "--payment",
    "2021-09-30:30000",
]


def run_entaikin(capsys, *args):
    from django.core.management import call_command

    call_command("entaikin", *FIELD_ARGS, *args)
    return capsys.readouterr().out.strip().splitlines()


def test_entaikin_exempt_gives_the_field_case(capsys):
    lines = run_entaikin(capsys, "--exempt", "2022-04-01:2024-04-01")
    assert lines[-1] == "3800"
    assert "免除額 全額免除 2022-04-01〜2024-04-01 6,106円" in lines


def test_entaikin_takes_several_periods_of_each_kind(capsys):
    # 停止を2回に分け (2022-04-01〜2022-12-31, 2023-01-01〜2024-04-01) も同じ 3,800円;
    # 猶予 2022-01-01〜03-31 を加えると 750→77: 3,834-750+77 = 3,161 → 3,100円.
    assert (
        run_entaikin(capsys, "--exempt", "2022-04-01:2022-12-31", "--exempt", "2023-01-01:2024-04-01")[-1]
        == "3800"
    )
    lines = run_entaikin(
        capsys,
        "--exempt",
        "2022-04-01:2024-04-01",
        "--postponement",
        "2022-01-01:2022-03-31",
        "--postponement",
        "2024-06-01:2024-06-28",
    )
    # 2024-06-01〜06-28: 35,000×8.7%×28/365 = 233 → 0.9% で 24: 3,161-233+24 = 2,952 → 2,900円.
    assert lines[-1] == "2900"


@pytest.mark.parametrize(
    "option, value",
    [("--exempt", "2022-04-01"), ("--exempt", "2024-04-01:2022-04-01"), ("--postponement", "x:y")],
)
def test_entaikin_refuses_a_malformed_period(capsys, option, value):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        run_entaikin(capsys, option, value)


# --- the 分納 simulation takes the same periods ------------------------------------------------


def test_the_installment_simulation_charges_the_postponement_rate_for_its_days():
    from negotiations.schedules import CoveredInstallment, build_schedule, simulate

    def covered(reliefs=()):
        return [
            CoveredInstallment(
                key=1,
                principal=100_000,
                outstanding_principal=100_000,
                outstanding_fee=0,
                due_date=date(2024, 5, 31),
                prescription_date=date(2029, 5, 31),
                reliefs=reliefs,
            )
        ]

    # 2024-12-27, a Friday (a payment day on 12/31, in the year-end closure, moves to 1/6).
    schedule = build_schedule(total=100_000, first_date=date(2024, 12, 27), count=1)
    # without: 100,000×2.4%×30/365=197 + ×8.7%×180/365=4,290 → 4,487 → 4,400円;
    # 換価の猶予 2024-06-01〜12-27: the postponement rate for those days → under 1,000円 → 0円.
    assert schedule[0].due_date == date(2024, 12, 27)
    assert simulate(schedule, covered()).late_charge_at_end == 4_400
    postponed = (ReliefPeriod(date(2024, 6, 1), date(2024, 12, 27), POSTPONED, "換価の猶予"),)
    assert simulate(schedule, covered(postponed)).late_charge_at_end == 0


# --- the 延滞金試算 page ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_calculator_page_takes_an_exemption_and_shows_it_as_its_own_line(client, officer):
    from django.urls import reverse

    from tests.conftest import sign_in

    sign_in(client, officer)
    query = {
        "amount": "65000",
        "due_date": "R3.5.31",
        "paid_on": "R6.6.28",
        "first_band_months": "1",
        "payment_1_date": "R3.9.30",
        "payment_1_amount": "30000",
        "exempt_from": "R4.4.1",
        "exempt_to": "R6.4.1",
    }
    html = client.get(reverse("taxpayers:late_charge"), query).content.decode()
    assert "延滞金 3,800円" in html
    assert "免除額（全額免除 令和4年4月1日〜令和6年4月1日）" in html
    html = client.get(reverse("taxpayers:late_charge"), {**query, "exempt_to": ""}).content.decode()
    assert "全額免除の期間は初日と末日を両方入力してください" in html
    html = client.get(reverse("taxpayers:late_charge"), {**query, "exempt_to": "R4.3.1"}).content.decode()
    assert "全額免除の期間の末日が初日より前です" in html
