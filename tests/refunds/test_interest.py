"""還付加算金 (地方税法第17条の4) to the yen.

The worked examples are computed by hand with the formula the cities publish (立川市「還付加算金に
ついて」, 笠岡市「還付」, 川崎市宮前区 FAQ: 過誤納金（1,000円未満切捨て）×日数×割合÷365, 100円未満
切捨て, 基礎2,000円未満・加算金1,000円未満は加算なし) and the yearly rates those pages list
(令和2年 1.6%, 令和3年 1.0%, 令和4〜7年 0.9%)."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from refunds.interest import compute_refund_interest, one_month_after, three_months_after
from refunds.models import Overpayment
from refunds.services import interest_start
from taxpayers.late_charges import load_rates


def test_a_mistaken_payment_across_a_new_year():
    # 1,234,567円 → 1,234,000円. 2024-07-01〜12-31 184日 ×0.9% = 5,598円; 2025-01-01〜02-14 45日 ×0.9%
    # = 1,369円; 6,967円 → 6,900円.
    result = compute_refund_interest(amount=1_234_567, start=date(2024, 7, 1), end=date(2025, 2, 14))
    assert [(s.days, s.amount) for s in result.segments] == [(184, 5_598), (45, 1_369)]
    assert (result.unrounded, result.amount) == (6_967, 6_900)


def test_the_rate_changes_with_the_calendar_year():
    # 500,000円. 2020-11-01〜12-31 61日 ×1.6% = 1,336円; 2021-01-01〜03-31 90日 ×1.0% = 1,232円;
    # 2,568円 → 2,500円.
    result = compute_refund_interest(amount=500_000, start=date(2020, 11, 1), end=date(2021, 3, 31))
    assert [(s.rate, s.amount) for s in result.segments] == [(160, 1_336), (100, 1_232)]
    assert result.amount == 2_500


@pytest.mark.parametrize(
    ("amount", "start", "end", "expected"),
    [
        (1_999, date(2024, 1, 1), date(2024, 12, 31), 0),  # 基礎が2,000円未満
        (100_000, date(2024, 1, 1), date(2024, 12, 31), 0),  # 100,000×0.9% = 900円: 1,000円未満
        (112_000, date(2024, 1, 1), date(2024, 12, 31), 1_000),  # 1,008円 → 1,000円
        (112_999, date(2024, 1, 1), date(2024, 12, 31), 1_000),  # 基礎は112,000円
        (5_000_000, date(2024, 3, 1), date(2024, 2, 28), 0),  # 末日が初日より前: 期間なし
    ],
)
def test_rounding_follows_article_20_4_2(amount, start, end, expected):
    assert compute_refund_interest(amount=amount, start=start, end=end).amount == expected


def test_a_leap_year_counts_365_days_a_year():
    # 2024-01-01〜12-31 is 366 days: 1,000,000×0.9%×366/365 = 9,024円 → 9,000円.
    result = compute_refund_interest(amount=1_000_000, start=date(2024, 1, 1), end=date(2024, 12, 31))
    assert (result.segments[0].days, result.unrounded, result.amount) == (366, 9_024, 9_000)


def test_every_year_of_the_table_has_its_refund_interest_rate_and_basis():
    for year, rate in load_rates().items():
        assert 0 < rate.refund_interest <= 730, year
        assert rate.refund_interest_basis, year
    assert load_rates()[2024].refund_interest == 90  # 0.9%, as the cities publish
    assert load_rates()[2021].refund_interest == 100
    assert load_rates()[2020].refund_interest == 160


@pytest.mark.parametrize(
    ("cause", "arose_on", "due", "first_day"),
    [
        # 誤納 (第4号): 納付の翌日から起算して1月を経過する日の翌日から.
        (Overpayment.Cause.DOUBLE_PAYMENT, date(2024, 5, 31), None, date(2024, 7, 1)),
        (Overpayment.Cause.AFTER_FULL_PAYMENT, date(2025, 1, 31), None, date(2025, 3, 1)),
        (Overpayment.Cause.AFTER_PRESCRIPTION, date(2025, 12, 30), None, date(2026, 1, 31)),
        # 減額 (第1号): 納付の日の翌日から; 納期限前の納付は納期限の翌日から.
        (Overpayment.Cause.REDUCTION, date(2025, 7, 10), date(2025, 6, 30), date(2025, 7, 11)),
        (Overpayment.Cause.REDUCTION, date(2025, 6, 20), date(2025, 6, 30), date(2025, 7, 1)),
        # 残余金の交付 bears no 還付加算金.
        (Overpayment.Cause.COLLECTION_SURPLUS, date(2025, 6, 20), None, None),
    ],
)
def test_the_start_day_depends_on_the_cause(cause, arose_on, due, first_day):
    assert interest_start(cause=cause, arose_on=arose_on, due_date=due) == first_day


def test_months_are_counted_by_the_civil_code():
    assert one_month_after(date(2025, 1, 30)) == date(2025, 2, 28)  # no 31 February: the month's last day
    assert one_month_after(date(2025, 3, 31)) == date(2025, 4, 30)
    assert three_months_after(date(2025, 3, 31)) == date(2025, 6, 30)


def test_the_command_prints_each_period_and_the_amount_last(capsys):
    call_command("refund_interest", "--amount", "1234567", "--start", "2024-07-01", "--end", "2025-02-14")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2024-07-01〜2024-12-31 184日 1,234,000円×0.9%×184日÷365日 = 5,598円"
    assert lines[1] == "2025-01-01〜2025-02-14 45日 1,234,000円×0.9%×45日÷365日 = 1,369円"
    assert lines[-1] == "6900"


@pytest.mark.parametrize(
    "arguments",
    [
        ["--amount", "1000", "--start", "2025-02-30", "--end", "2025-03-01"],
        ["--amount", "-1", "--start", "2025-01-01", "--end", "2025-03-01"],
        ["--amount", "1000", "--start", "2025-03-02", "--end", "2025-03-01"],
        ["--amount", "100000", "--start", "2099-01-01", "--end", "2099-03-01"],  # 未公表の年
    ],
)
def test_the_command_refuses_bad_input_in_japanese(arguments):
    with pytest.raises(CommandError, match=r"[ぁ-んァ-ン一-龥]"):
        call_command("refund_interest", *arguments)


def test_the_payment_import_refuses_the_appropriation_channel():
    # 充当 is posted by refunds on approval; a file from the receipts system may not claim it.
    from taxpayers.csv_layouts import PAYMENTS
    from taxpayers.models import Payment

    header = ",".join(column.header for column in PAYMENTS.columns)
    row = "R0009,01,0000,112291,112291,1,2025,2025,250000101,1,2025-06-20,2025-06-21,30000,{}"
    rows, errors, _ = PAYMENTS.read(f"{header}\n{row.format(Payment.Channel.APPROPRIATION)}\n")
    assert rows == [] and [e.column for e in errors] == ["収納経路"]
    rows, errors, _ = PAYMENTS.read(f"{header}\n{row.format(Payment.Channel.BANK)}\n")
    assert len(rows) == 1 and errors == []


def test_the_yearly_refund_rates_are_the_published_ones():
    # 川崎市宮前区 FAQ「還付加算金の計算方法」: 平成30年〜令和2年 1.6%, 令和3年 1.0%, 令和4〜6年 0.9%.
    # 令和8年: 平均貸付割合 0.8% + 0.5% = 1.3% (令和7年財務省告示第305号; the 国税's 還付加算金 moved
    # 0.9% → 1.3% the same year). 地方税法附則第3条の2 (令和2年法律第5号).
    published = {2018: 160, 2019: 160, 2020: 160, 2021: 100, 2022: 90, 2023: 90, 2024: 90, 2026: 130}
    rates = load_rates()
    assert {year: rates[year].refund_interest for year in published} == published
    assert "還付加算金特例基準割合1.3%" in rates[2026].refund_interest_basis
