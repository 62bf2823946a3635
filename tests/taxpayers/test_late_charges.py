"""延滞金 against worked examples that cities publish, and against the statute's edge rules.

Each published example names its source. Where the page shows each period's figure, every
period is checked too, so an example cannot pass by luck of the 100-yen cut.
"""

from datetime import date

import pytest

from taxpayers.late_charges import (
    PartialPayment,
    RateMissingError,
    compute_late_charge,
    first_band_end,
    load_rates,
)


def segment_amounts(result):
    return [segment.amount for segment in result.segments]


# --- Published worked examples -------------------------------------------------------------


def test_toyohashi_fixed_asset_tax_65000_due_2021_05_31_paid_2022_01_31():
    # 豊橋市「延滞金について」計算例: 令和3年度固定資産税・都市計画税 第1期 65,000円,
    # 納期限 令和3年5月31日, 令和4年1月31日納付: 133円 + 2,883円 + 480円 = 3,496円 → 3,400円.
    # https://www.city.toyohashi.lg.jp/dd.aspx?menuid=10874
    result = compute_late_charge(principal=65_000, due_date=date(2021, 5, 31), until=date(2022, 1, 31))
    assert segment_amounts(result) == [133, 2_883, 480]
    assert [s.days for s in result.segments] == [30, 184, 31]
    assert result.amount == 3_400


def test_kitami_city_tax_75000_due_2017_08_31_paid_2017_11_15():
    # 北見市「延滞金について」例: 市道民税第2期（納期限8月31日）75,000円を11月15日に納付
    # (平成29年): 最初の1ヶ月 75,000円×30日×0.027÷365日 ≒ 166円, 延滞金 1,000円.
    # http://www.city.kitami.lg.jp/docs/1933/
    result = compute_late_charge(principal=75_000, due_date=date(2017, 8, 31), until=date(2017, 11, 15))
    assert result.segments[0].amount == 166
    assert result.amount == 1_000


def test_tomisato_resident_tax_117300_due_2024_01_31_paid_2024_08_31_across_a_leap_february():
    # 富里市「延滞金」計算例: 令和6年1月31日納期限の市民税・県民税117,300円を令和6年8月31日に
    # 納付: 223円 + 5,131円 = 5,354円 → 5,300円 (うるう年も365日当たり).
    # https://www.city.tomisato.lg.jp/0000000057.html
    result = compute_late_charge(principal=117_300, due_date=date(2024, 1, 31), until=date(2024, 8, 31))
    assert segment_amounts(result) == [223, 5_131]
    assert result.segments[0].end == date(2024, 2, 29)
    assert result.amount == 5_300


def test_obu_resident_tax_100000_due_2023_08_31_paid_2024_02_10():
    # 大府市「延滞金について」計算例: 令和5年8月31日納期限の市県民税100,000円を令和6年2月10日に
    # 全額納付: 最初の期間 100,000円×2.4%×30日÷365日 = 197.260… (shown on the page).
    # The rest follows the page's own formula: 8.7% for 2023-10-01〜12-31 (92日) and
    # 2024-01-01〜02-10 (41日): 197 + 2,192 + 977 = 3,366 → 3,300円.
    # https://www.city.obu.aichi.jp/kurashi/zeikin/noufu/1001720.html
    result = compute_late_charge(principal=100_000, due_date=date(2023, 8, 31), until=date(2024, 2, 10))
    assert segment_amounts(result) == [197, 2_192, 977]
    assert result.amount == 3_300


def test_azumino_30000_due_2024_05_31_paid_2025_05_31():
    # 安曇野市「延滞金について」計算例: 令和6年5月31日が納期限の税金30,000円を令和7年5月31日に
    # 納税: (1) 30,000円×2.4%×30日÷365日 = 59円 (shown). Then 8.7% for 184 days of 2024
    # and 151 days of 2025: 59 + 1,315 + 1,079 = 2,453 → 2,400円.
    # https://www.city.azumino.nagano.jp/soshiki/12/65538.html
    result = compute_late_charge(principal=30_000, due_date=date(2024, 5, 31), until=date(2025, 5, 31))
    assert segment_amounts(result) == [59, 1_315, 1_079]
    assert result.amount == 2_400


def test_fukuoka_152500_due_2025_09_01_paid_2026_02_05_crosses_into_the_2026_rate():
    # 福岡市 FAQ「市税の延滞金の計算方法」計算例: 本税152,500円 → 152,000円, 納期限 令和7年9月1日,
    # 納付日 令和8年2月5日; 令和7年9月2日〜10月1日 30日間 (shown). 2025 rates 2.4/8.7%,
    # 2026 rates 2.8/9.1% (平均貸付割合0.8%): 299 + 3,296 + 1,364 = 4,959 → 4,900円.
    # https://www.city.fukuoka.lg.jp/zaisei/zeisei/qa/FAQ3274.html
    result = compute_late_charge(principal=152_500, due_date=date(2025, 9, 1), until=date(2026, 2, 5))
    assert result.segments[0].base == 152_000
    assert (result.segments[0].start, result.segments[0].end) == (date(2025, 9, 2), date(2025, 10, 1))
    assert segment_amounts(result) == [299, 3_296, 1_364]
    assert result.amount == 4_900


def test_shinagawa_premium_100000_due_2021_04_30_paid_2021_10_31_with_a_three_month_first_band():
    # 品川区「延滞金について」（国民健康保険料）計算例: 保険料額100,000円、納期限 令和3年4月30日、
    # 令和3年10月31日に全額納付: (100,000円×2.5%×92日÷365)+(100,000円×8.8%×92日÷365)=2,848円
    # → 2,800円. The ordinance's first band is 3 months (5/1〜7/31).
    # https://www.city.shinagawa.tokyo.jp/PC/procedure/procedure-kenkouhoken/procedure-kenkouhoken-osamekata/hpg000022304.html
    result = compute_late_charge(
        principal=100_000, due_date=date(2021, 4, 30), until=date(2021, 10, 31), first_band_months=3
    )
    assert [s.days for s in result.segments] == [92, 92]
    assert result.unrounded == 2_848
    assert result.amount == 2_800


def test_miyakonojo_sewer_charge_45000_due_2017_04_30_paid_2017_08_31():
    # 都城市「公共下水道使用料等の延滞金」計算例 (the city's ordinance applies the Local Tax Act's
    # method and rates): 督促状の指定納期限 平成29年4月30日の使用料45,000円を平成29年8月31日に支払う:
    # 5/1〜5/31 31日 45,000円×2.7%×31/365 = 103円; 6/1〜8/31 92日 ×9.0% = 1,020円;
    # 1,123円 → 1,100円. https://www.city.miyakonojo.miyazaki.jp/site/mizu/2414.html
    result = compute_late_charge(principal=45_000, due_date=date(2017, 4, 30), until=date(2017, 8, 31))
    assert [s.days for s in result.segments] == [31, 92]
    assert segment_amounts(result) == [103, 1_020]
    assert result.amount == 1_100


def test_kofu_fixed_asset_tax_158600_due_2010_04_30_paid_2010_06_30_at_the_2010_rates():
    # 甲府市収納課「延滞金計算シートの使用方法 2016.01」延滞金計算例（市税の場合）: 納入期限
    # 平成22年4月30日の固定資産税158,600円を平成22年6月30日に納入 → 延滞金の額は2,400円.
    # (The office is 甲府市 収納課 収納係, ℡055-237-5440.) Before 2014 the first band is the
    # 特例基準割合 itself (4.3% in 2010) and the later band 14.6%: the first band runs 5/1〜5/31
    # (31 days, the civil-code month from the day after 4/30), then 6/1〜6/30:
    # 577 + 1,896 = 2,473 → 2,400円.
    # https://paperzz.com/doc/5497137/ (a copy of the city's PDF; the city's page on 延滞金:
    # https://www.city.kofu.yamanashi.jp/shuno/kurashi/zekin/noze/tokusokuenntai.html)
    result = compute_late_charge(principal=158_600, due_date=date(2010, 4, 30), until=date(2010, 6, 30))
    assert [s.days for s in result.segments] == [31, 30]
    assert result.amount == 2_400


def test_higashikagawa_fixed_asset_tax_250000_due_2017_05_01_paid_2017_07_10():
    # 東かがわ市「延滞金の計算方法」計算例: 29年度固定資産税の1期（納期限29年5月1日）税額250,000円を
    # 29年7月10日に納付: A 250,000円×2.7%×31日/365日 = 573円, B 250,000円×9.0%×39日/365日 = 2,404円,
    # A + B = 2,977円, 100円未満は端数切り捨て → 2,900円. The first band ends 6月1日 (one month from 5月2日).
    # https://www.higashikagawa.jp/kurashinojoho/zeikin/nofu/2253.html
    result = compute_late_charge(principal=250_000, due_date=date(2017, 5, 1), until=date(2017, 7, 10))
    assert [s.days for s in result.segments] == [31, 39]
    assert segment_amounts(result) == [573, 2_404]
    assert result.unrounded == 2_977
    assert result.amount == 2_900


# --- The statute's edge rules --------------------------------------------------------------


def test_a_tax_under_2000_yen_bears_none():
    # 地方税法第20条の4の2第2項: その全額が2,000円未満であるときは全額を切り捨てる.
    result = compute_late_charge(principal=1_999, due_date=date(2020, 4, 30), until=date(2025, 4, 30))
    assert result.amount == 0 and result.segments == ()


def test_the_base_is_cut_to_whole_thousands():
    result = compute_late_charge(principal=65_999, due_date=date(2021, 5, 31), until=date(2022, 1, 31))
    assert {segment.base for segment in result.segments} == {65_000}


def test_a_total_under_1000_yen_is_none():
    # 65,000円 paid 30 days late: 133円 → under 1,000円 → 0 (第20条の4の2第5項).
    result = compute_late_charge(principal=65_000, due_date=date(2021, 5, 31), until=date(2021, 6, 30))
    assert result.unrounded == 133 and result.amount == 0


def test_payment_on_the_due_date_bears_none():
    assert (
        compute_late_charge(principal=500_000, due_date=date(2024, 6, 30), until=date(2024, 6, 30)).amount
        == 0
    )


def test_a_partial_payment_lowers_the_base_from_the_next_day():
    # 65,000円 due 2021-05-31; 30,000円 paid 2021-09-30; the rest on 2022-01-31.
    result = compute_late_charge(
        principal=65_000,
        due_date=date(2021, 5, 31),
        until=date(2022, 1, 31),
        payments=[PartialPayment(date(2021, 9, 30), 30_000)],
    )
    bases = [(s.start, s.end, s.base) for s in result.segments]
    assert bases == [
        (date(2021, 6, 1), date(2021, 6, 30), 65_000),
        (date(2021, 7, 1), date(2021, 9, 30), 65_000),
        (date(2021, 10, 1), date(2021, 12, 31), 35_000),
        (date(2022, 1, 1), date(2022, 1, 31), 35_000),
    ]
    # 133 + 65,000×8.8%×92/365 (1,441) + 35,000×8.8%×92/365 (776) + 35,000×8.7%×31/365 (258)
    assert segment_amounts(result) == [133, 1_441, 776, 258]
    assert result.amount == 2_600


def test_a_longer_first_band_for_a_premium_whose_ordinance_sets_three_months():
    result = compute_late_charge(
        principal=65_000, due_date=date(2021, 5, 31), until=date(2022, 1, 31), first_band_months=3
    )
    assert result.segments[0].end == date(2021, 8, 31)
    assert [s.rate for s in result.segments] == [250, 880, 870]


def test_years_before_2000_use_the_principal_rates_and_2000_to_2013_keep_14_6_percent():
    result = compute_late_charge(principal=100_000, due_date=date(1999, 10, 31), until=date(2000, 3, 31))
    assert [(s.start.year, s.rate) for s in result.segments] == [(1999, 730), (1999, 1_460), (2000, 1_460)]
    early = compute_late_charge(principal=100_000, due_date=date(2012, 12, 31), until=date(2013, 1, 15))
    assert [s.rate for s in early.segments] == [430]


@pytest.mark.parametrize(
    ("due", "end"),
    [
        (date(2021, 5, 31), date(2021, 6, 30)),  # 翌日6/1 → 7/1の前日
        (date(2024, 1, 31), date(2024, 2, 29)),  # 翌日2/1 → 3/1の前日 (閏年)
        (date(2023, 1, 30), date(2023, 2, 28)),  # 翌日1/31 → 2/31 は無い → 2月末日
        (date(2024, 2, 29), date(2024, 3, 31)),  # 翌日3/1 → 4/1の前日
        (date(2023, 12, 25), date(2024, 1, 25)),  # 翌日12/26 → 1/26の前日
    ],
)
def test_one_month_is_counted_by_the_civil_code(due, end):
    assert first_band_end(due) == end


def test_every_year_from_2000_to_this_year_has_a_rate_with_its_source():
    rates = load_rates()
    for year in range(2000, 2027):
        assert year in rates and rates[year].source, year
        assert rates[year].first_band <= 730 and rates[year].later_band <= 1_460


def test_a_year_without_a_published_rate_is_an_error_not_a_guess():
    with pytest.raises(RateMissingError, match="2098年"):
        compute_late_charge(principal=100_000, due_date=date(2098, 12, 1), until=date(2099, 2, 1))


def test_the_entaikin_command_prints_the_amount_alone_on_its_last_line(capsys):
    from django.core.management import call_command

    call_command("entaikin", "--amount", "65000", "--due", "2021-05-31", "--paid", "2022-01-31")
    assert capsys.readouterr().out.strip().splitlines()[-1] == "3400"
    call_command(
        "entaikin",
        "--amount",
        "65000",
        "--due",
        "2021-05-31",
        "--paid",
        "2022-01-31",
        "--payment",
        "2021-09-30:30000",
    )
    assert capsys.readouterr().out.strip().splitlines()[-1] == "2600"
    call_command(
        "entaikin",
        "--amount",
        "65000",
        "--due",
        "2021-05-31",
        "--paid",
        "2022-01-31",
        "--first-band-months",
        "3",
    )
    # 65,000×2.5%×92/365 (409) + 65,000×8.8%×122/365 (1,911) + 480 = 2,800
    assert capsys.readouterr().out.strip().splitlines()[-1] == "2800"


# --- 申告期限の延長 (法人市民税): the extension period (地方税法第327条, 附則第3条の2第2項) ---------


def test_corporate_tax_with_an_extended_filing_deadline_paid_on_that_deadline():
    # Issue 15: 法人税割 3,000,000円, 法定納期限 2024-05-31, extended to 2024-07-01 (6/30 is a
    # Sunday), paid 2024-07-01: 6/1〜7/1 31日 × 0.9% (猶予特例基準割合: 平均貸付割合0.4%+0.5%)
    # = 2,293円 → 2,200円. Not 0円 (延長 ignored) and not 6,600円 (the ordinary 2.4%/8.7% from 6/1).
    result = compute_late_charge(
        principal=3_000_000,
        due_date=date(2024, 7, 1),
        until=date(2024, 7, 1),
        extended_from=date(2024, 5, 31),
    )
    assert [(s.days, s.rate, s.extension) for s in result.segments] == [(31, 90, True)]
    assert (result.unrounded, result.amount, result.extension_amount) == (2_293, 2_200, 2_200)


def test_after_the_extended_deadline_the_ordinary_late_charge_counts_from_it_each_rounded_on_its_own():
    # Paid 2024-09-10: 延長期間 2,293円 → 2,200円; then from 7/2 (the extended deadline is the 納期限):
    # 7/2〜8/1 31日×2.4% = 6,115円, 8/2〜9/10 40日×8.7% = 28,602円 → 34,717円 → 34,700円.
    # Two 延滞金, each cut to 100円: 36,900円 (one cut of the sum would give 37,000円).
    result = compute_late_charge(
        principal=3_000_000,
        due_date=date(2024, 7, 1),
        until=date(2024, 9, 10),
        extended_from=date(2024, 5, 31),
    )
    assert segment_amounts(result) == [2_293, 6_115, 28_602]
    assert (result.extension_amount, result.ordinary_amount, result.amount) == (2_200, 34_700, 36_900)


def test_paid_within_the_extension_period_bears_only_its_days():
    # Paid 2024-06-20: 6/1〜6/20 20日 × 0.9% on 3,000,000円 = 1,479円 → 1,400円.
    result = compute_late_charge(
        principal=3_000_000,
        due_date=date(2024, 7, 1),
        until=date(2024, 6, 20),
        extended_from=date(2024, 5, 31),
    )
    assert (segment_amounts(result), result.amount) == ([1_479], 1_400)


def test_an_estimated_payment_during_the_extension_lowers_the_base_from_the_next_day():
    # 見込納付 2,000,000円 on 6/10: 6/1〜6/10 10日 on 3,000,000円 (739円), 6/11〜7/1 21日 on
    # 1,000,000円 (517円) = 1,256円 → 1,200円.
    result = compute_late_charge(
        principal=3_000_000,
        due_date=date(2024, 7, 1),
        until=date(2024, 7, 1),
        payments=[PartialPayment(date(2024, 6, 10), 2_000_000)],
        extended_from=date(2024, 5, 31),
    )
    assert segment_amounts(result) == [739, 517]
    assert result.amount == 1_200


def test_an_extension_across_new_year_takes_each_years_rate():
    # 法定納期限 2025-12-01, extended to 2026-01-05: 12/2〜12/31 30日 × 0.9% (2025) = 7,397円,
    # 1/1〜1/5 5日 × 1.3% (2026: 平均貸付割合0.8%+0.5%) = 1,780円 → 9,177円 → 9,100円.
    result = compute_late_charge(
        principal=10_000_000,
        due_date=date(2026, 1, 5),
        until=date(2026, 1, 5),
        extended_from=date(2025, 12, 1),
    )
    assert [(s.days, s.rate) for s in result.segments] == [(30, 90), (5, 130)]
    assert (segment_amounts(result), result.amount) == ([7_397, 1_780], 9_100)


@pytest.mark.parametrize(
    ("statutory", "extended", "principal", "expected"),
    [
        # 2021: 平均貸付割合0.5% + 0.5% = 1.0%: 30日 → 2,465円 → 2,400円.
        (date(2021, 5, 31), date(2021, 6, 30), 3_000_000, 2_400),
        # 2018: 特例基準割合1.6% itself (平成25年改正後): 7/2 (6/30 Saturday), 32日 → 4,208円 → 4,200円.
        (date(2018, 5, 31), date(2018, 7, 2), 3_000_000, 4_200),
        # Under 1,000円 none: 300,000円 × 0.9% × 31日 = 229円 → 0円.
        (date(2024, 5, 31), date(2024, 7, 1), 300_000, 0),
        # A 法人税割 under 2,000円 bears none.
        (date(2024, 5, 31), date(2024, 7, 1), 1_999, 0),
    ],
)
def test_the_extension_rate_of_each_era(statutory, extended, principal, expected):
    result = compute_late_charge(
        principal=principal, due_date=extended, until=extended, extended_from=statutory
    )
    assert result.amount == expected


def test_without_an_extension_the_ordinary_late_charge_is_unchanged():
    plain = compute_late_charge(principal=3_000_000, due_date=date(2024, 5, 31), until=date(2024, 7, 1))
    assert (plain.amount, plain.extension_amount) == (6_600, 0)
    # extended_from on or after due_date is no extension
    same = compute_late_charge(
        principal=3_000_000,
        due_date=date(2024, 5, 31),
        until=date(2024, 7, 1),
        extended_from=date(2024, 5, 31),
    )
    assert same == plain


def test_the_extension_rates_follow_the_law_from_the_first_band_rates():
    # 附則第3条の2: from 2021 first band = 平均貸付割合 + 1% + 1%, extension = 平均貸付割合 + 0.5%;
    # 2014–2020 first band = 特例基準割合 + 1%, extension = 特例基準割合; 2000–2013 one 特例基準割合.
    for year, rate in load_rates().items():
        assert rate.extension_basis, year
        if year >= 2021:
            assert rate.extension == rate.first_band - 150, year
        elif year >= 2014:
            assert rate.extension == rate.first_band - 100, year
        else:
            assert rate.extension == rate.first_band, year
    assert load_rates()[2024].extension_label == "0.9%"


def test_the_entaikin_command_takes_the_extended_filing_deadline(capsys):
    from django.core.management import call_command

    call_command(
        "entaikin",
        "--amount",
        "3000000",
        "--due",
        "2024-05-31",
        "--extension-until",
        "2024-07-01",
        "--paid",
        "2024-07-01",
    )
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == "2200"
    assert out[0] == "延長期間 2024-06-01〜2024-07-01 31日 3,000,000円×0.9%×31日÷365日 = 2,293円"
    call_command("entaikin", "--amount", "3000000", "--due", "2024-05-31", "--paid", "2024-07-01")
    assert capsys.readouterr().out.strip().splitlines()[-1] == "6600"


def test_the_entaikin_command_refuses_an_extension_not_after_the_statutory_due_date():
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="法定納期限"):
        call_command(
            "entaikin",
            "--amount",
            "3000000",
            "--due",
            "2024-05-31",
            "--extension-until",
            "2024-05-31",
            "--paid",
            "2024-07-01",
        )
