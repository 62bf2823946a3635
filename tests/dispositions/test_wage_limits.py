"""給与・年金の差押禁止額 (国税徴収法第76条): worked examples, the cap of the 20% part, and the
command whose last line is the seizable amount."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dispositions.wage_limits import (
    BaseAmountMissingError,
    WageInputError,
    base_amount_on,
    compute_wage_seizure_limit,
)

ON = date(2026, 12, 1)


def limit(**kwargs):
    values = dict(income_tax=0, resident_tax=0, social_insurance=0, dependants=0, on=ON) | kwargs
    return compute_wage_seizure_limit(**values)


def test_worked_example_with_two_dependants():
    # 300,000 − (8,000 + 12,000 + 42,000) − (100,000 + 45,000×2) = 48,000; 20% = 9,600
    result = limit(paid=300_000, income_tax=8_000, resident_tax=12_000, social_insurance=42_000, dependants=2)
    assert result.base == 190_000
    assert result.proportional == 9_600
    assert result.prohibited == 261_600
    assert result.seizable == 38_400


def test_the_twenty_percent_part_is_capped_at_twice_the_base():
    # remainder 1,900,000 × 20% = 380,000 > 2 × 100,000
    result = limit(paid=2_000_000)
    assert result.proportional == 200_000
    assert result.seizable == 2_000_000 - 100_000 - 200_000


def test_a_salary_below_the_protected_amount_cannot_be_seized():
    result = limit(paid=120_000, social_insurance=15_000, dependants=1)
    assert result.prohibited == 120_000
    assert result.seizable == 0


def test_the_twenty_percent_part_is_rounded_up_to_the_yen():
    # remainder 100,003 × 20% = 20,000.6 → 20,001 (the 禁止額 is never less than the statute's)
    result = limit(paid=200_003)
    assert result.proportional == 20_001
    assert result.seizable == 200_003 - 100_000 - 20_001


def test_a_bonus_is_computed_alone_as_one_month():
    # 第76条第3項: a 賞与 of 500,000 with 60,000 withheld, one dependant
    result = limit(paid=500_000, income_tax=20_000, social_insurance=40_000, dependants=1)
    assert result.prohibited == 60_000 + 145_000 + 59_000
    assert result.seizable == 236_000


def test_each_dependant_adds_the_base_amount():
    amounts = base_amount_on(ON)
    assert (
        limit(paid=400_000, dependants=3).base == amounts.person_per_month + 3 * amounts.dependant_per_month
    )


def test_negative_inputs_are_refused():
    with pytest.raises(WageInputError):
        limit(paid=300_000, dependants=-1)


def test_a_day_before_the_registered_amounts_is_refused():
    with pytest.raises(BaseAmountMissingError):
        base_amount_on(date(2000, 1, 1))


def test_command_prints_the_computation_and_the_seizable_amount_last():
    out = StringIO()
    call_command(
        "wage_seizure_limit",
        "--paid=300000",
        "--income-tax=8000",
        "--resident-tax=12000",
        "--social-insurance=42000",
        "--dependants=2",
        "--on=2026-12-01",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert lines[-1] == "38400"
    assert "差押禁止額 261,600円（国税徴収法第76条第1項）" in lines


def test_command_refuses_a_negative_amount_in_japanese():
    with pytest.raises(CommandError, match="0以上"):
        call_command(
            "wage_seizure_limit",
            "--paid=300000",
            "--income-tax=-1",
            "--resident-tax=0",
            "--social-insurance=0",
            "--dependants=0",
            "--on=2026-12-01",
            stdout=StringIO(),
        )


def test_the_base_amounts_are_the_cabinet_orders_with_their_whole_source():
    # 国税徴収法施行令第34条: 1月ごとに10万円, 親族1人につき4万5千円 (税研 法令, updated 2022-09-02).
    # The source column is read whole (a comma in it once cut it short in the data file).
    amounts = base_amount_on(ON)
    assert (amounts.person_per_month, amounts.dependant_per_month) == (100_000, 45_000)
    assert amounts.source.startswith("国税徴収法施行令第34条") and amounts.source.endswith("登録しない")
    assert "第76条第1項第4号" in amounts.basis


@pytest.mark.parametrize(
    ("remainder", "twenty_percent"),
    [(100_000, 20_000), (100_001, 20_001), (100_002, 20_001), (100_004, 20_001), (100_005, 20_001)],
)
def test_only_whole_yen_above_the_statutory_total_are_seizable(remainder, twenty_percent):
    # 第76条第1項: what is "up to" the total may not be seized. 100,001 × 20% = 20,000.2: the
    # 20,001st yen is partly protected, so it is not seizable; 100,005 × 20% = 20,001 exactly.
    result = limit(paid=100_000 + remainder)
    assert result.proportional == twenty_percent
    assert result.seizable == remainder - twenty_percent


def test_the_cap_is_twice_the_base_with_dependants():
    # 第5号かっこ書: at most twice 第4号. Two dependants: 第4号 190,000, cap 380,000, reached when
    # the remainder exceeds 1,900,000 (1,900,000 × 20% = 380,000).
    at_cap = limit(paid=190_000 + 1_900_000, dependants=2)
    above = limit(paid=190_000 + 2_500_000, dependants=2)
    assert (at_cap.proportional, above.proportional) == (380_000, 380_000)
    assert above.seizable == 2_500_000 - 380_000


def test_the_second_item_names_the_forest_environment_tax_with_the_resident_tax():
    # 第76条第1項第2号 (令和6年〜): 道府県民税及び市町村民税並びに森林環境税 collected by 特別徴収
    from dispositions.wage_limits import describe

    lines = describe(limit(paid=300_000, resident_tax=12_000))
    assert "第2号 住民税（森林環境税を含む） 12,000円" in lines
