from datetime import date

from taxpayers import ordinance


def test_the_demand_fee_in_force_on_the_day_the_letter_is_sent(tmp_path, monkeypatch):
    schedule = tmp_path / "demand_fees.csv"
    schedule.write_text(
        "starts_on,amount,source\n2000-04-01,100,条例\n2027-04-01,0,改正条例（廃止）\n", encoding="utf-8"
    )
    monkeypatch.setattr(ordinance, "DEMAND_FEES", schedule)
    ordinance.demand_fee_schedule.cache_clear()
    try:
        assert ordinance.demand_fee_on(date(2000, 3, 31)) == 0
        assert ordinance.demand_fee_on(date(2000, 4, 1)) == 100
        assert ordinance.demand_fee_on(date(2027, 3, 31)) == 100
        assert ordinance.demand_fee_on(date(2027, 4, 1)) == 0
    finally:
        ordinance.demand_fee_schedule.cache_clear()


def test_the_shipped_schedules_carry_their_source():
    for figure in (*ordinance.demand_fee_schedule(), *ordinance.nhi_premium_band_schedule()):
        assert "条例" in figure.source


def test_a_tax_has_one_month_and_a_premium_the_ordinance_months():
    assert ordinance.first_band_months(is_premium=False, due_date=date(2024, 5, 31)) == 1
    assert ordinance.first_band_months(is_premium=True, due_date=date(2024, 5, 31)) == 3
    # before the first row, at least the law's one month
    assert ordinance.first_band_months(is_premium=True, due_date=date(1999, 5, 31)) == 1
