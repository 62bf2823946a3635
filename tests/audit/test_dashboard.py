"""Dashboard figures against values computed by hand from the three-taxpayer ledger.

The ledger: 210000101 固定資産税 2021, 65,000 due 2021-05-31, 督促手数料 100, paid 30,100 on
2021-09-30 (100 to the fee, 30,000 to 本税); 250000101 個人市県民税 2025, 30,000 due 2025-06-30,
paid in full 2025-06-20; 210000102 国民健康保険料 2021, 48,000 due 2021-07-31, unpaid.
"""

import re
from datetime import date

import pytest
from django.urls import reverse

from audit import dashboard
from dispositions import services as dispositions
from negotiations import services as negotiations
from negotiations.schedules import PlannedPayment
from taxpayers.models import Assessment, Taxpayer
from tests.conftest import sign_in
from tests.negotiations.conftest import CONTACT
from wako_collections.actors import Actor

pytestmark = pytest.mark.django_db


def rates_of(year):
    return {r.subject: r for r in dashboard.collection_rates([year])}


def test_collection_rates_for_current_and_carried_over_years(ledger):
    fy2021 = rates_of(2021)
    assert (
        fy2021["固定資産税・都市計画税"].current_assessed,
        fy2021["固定資産税・都市計画税"].current_collected,
    ) == (
        65_000,
        30_000,
    )
    assert fy2021["固定資産税・都市計画税"].current_rate == "46.2%"
    assert fy2021["国民健康保険料"].current_rate == "0.0%" and fy2021["国民健康保険料"].arrears_rate == "—"
    fy2025 = rates_of(2025)
    assert fy2025["個人市県民税（普通徴収）"].current_rate == "100.0%"
    # carried over into 2025: what was still owed on 2025-05-31
    assert fy2025["固定資産税・都市計画税"].arrears_assessed == 35_000
    assert fy2025["国民健康保険料"].arrears_assessed == 48_000
    assert fy2025["国民健康保険料"].arrears_collected == 0


def test_outstanding_at_month_ends(ledger):
    assert dashboard.outstanding_by_month([date(2021, 6, 30), date(2021, 9, 30), date(2025, 6, 30)]) == [
        (date(2021, 6, 30), 65_000),
        (date(2021, 9, 30), 35_000 + 48_000),
        (date(2025, 6, 30), 35_000 + 48_000),
    ]
    assert dashboard.month_ends(date(2026, 1, 15), 3) == [
        date(2025, 10, 31),
        date(2025, 11, 30),
        date(2025, 12, 31),
    ]


def test_each_installment_is_counted_once_in_the_first_category(officer, supervisor, ledger):
    actor = Actor.for_staff(officer, "T0001")
    fixed_asset = Assessment.objects.get(notice_number="210000101")
    premium = Assessment.objects.get(notice_number="210000102")
    # in 2023, while both are owed and neither 時効 has completed (the 保険料's is 2 years)
    seizure = dispositions.draft_disposition(
        actor=actor,
        taxpayer=fixed_asset.taxpayer,
        assessment_ids=[fixed_asset.pk],
        code="01",
        category="11",
        reason="預貯金調査で残高を確認",
        planned_on=date(2023, 6, 20),
        property_description="和光銀行 本店 普通 1234567",
        third_party_name="株式会社和光銀行",
    )
    dispositions.approve_disposition(
        actor=Actor.for_staff(supervisor, "T0001"), disposition=seizure, disposed_on=date(2023, 6, 20)
    )
    for assessment in (fixed_asset, premium):  # the seized installment is also pledged: counted once
        negotiations.make_pledge(
            actor=actor,
            taxpayer=assessment.taxpayer,
            assessments=[assessment],
            schedule=[PlannedPayment(1, date(2023, 7, 10), 10_000)],
            pledged_on=date(2023, 6, 20),
            interval="monthly",
        )
    dispositions.draft_disposition(  # a draft has no effect
        actor=actor,
        taxpayer=premium.taxpayer,
        assessment_ids=[premium.pk],
        code="07",
        category="71",
        reason="財産なし",
        planned_on=date(2023, 7, 1),
    )
    expected = {
        "差押": 35_000,
        "換価猶予": 0,
        "執行停止": 0,
        "徴収猶予": 0,
        "交付要求": 0,
        "分納誓約": 48_000,
        "その他": 0,
    }
    assert dict(dashboard.unresolved_breakdown(date(2023, 6, 27))) == expected
    postponement = dispositions.draft_disposition(
        actor=actor,
        taxpayer=premium.taxpayer,
        assessment_ids=[premium.pk],
        code="10",
        category="00",
        reason="病気療養（地方税法第15条第1項第2号）",
        planned_on=date(2023, 6, 1),
        postponed_until=date(2024, 4, 30),
    )
    dispositions.approve_disposition(
        actor=Actor.for_staff(supervisor, "T0001"), disposition=postponement, disposed_on=date(2023, 6, 1)
    )
    # 徴収猶予 comes before 分納誓約; after its 終期 the installment falls back to the pledge
    assert dict(dashboard.unresolved_breakdown(date(2023, 6, 27))) == {
        **expected,
        "徴収猶予": 48_000,
        "分納誓約": 0,
    }
    assert dict(dashboard.unresolved_breakdown(date(2024, 5, 1))) == expected


def test_officer_activity_and_the_page(client, officer, supervisor, ledger):
    negotiations.record_negotiation(
        actor=Actor.for_staff(officer, "T0001"),
        taxpayer=Taxpayer.objects.get(atena_number="000000101"),
        values=CONTACT,
    )
    from django.utils import timezone

    today = timezone.localdate()
    activity = dashboard.officer_activity(today, today)
    assert [(a.staff_number, a.contacts, a.documents, a.dispositions) for a in activity] == [
        ("S1001", 1, 0, 0)
    ]
    dashboard.store_figures()  # the scheduled job dashboard_figures
    sign_in(client, supervisor)
    html = client.get(reverse("audit:dashboard")).content.decode()
    assert "<svg" in html and "整理未済額の内訳（本税 83,000円）" in html and "山田 太郎" in html


def test_the_unresolved_amount_leaves_out_installments_not_yet_due(ledger):
    from taxpayers.reconciliation import reconcile
    from tests.dispositions.test_writeoffs import add_installment

    company = Taxpayer.objects.get(atena_number="000000103")
    before = dict(dashboard.unresolved_breakdown(date(2026, 12, 1)))
    add_installment(company, "260000501", tax_year=2026, due=date(2027, 1, 31), principal=12_000)
    add_installment(company, "260000502", tax_year=2026, due=date(2026, 10, 31), principal=7_000)
    reconcile(as_of=date(2026, 12, 1))
    after = dict(dashboard.unresolved_breakdown(date(2026, 12, 1)))
    # the installment due on 2026-10-31 is an arrear; the one due on 2027-01-31 is not yet
    assert after["その他"] - before["その他"] == 7_000
    assert sum(after.values()) - sum(before.values()) == 7_000


def _live(today):
    return (
        dashboard.collection_rates(dashboard.dashboard_years(today)),
        dashboard.outstanding_by_month(dashboard.month_ends(today)),
        dashboard.unresolved_breakdown(today),
    )


def test_stored_figures_are_the_live_computation(ledger):
    today = date(2025, 6, 30)
    stored = dashboard.store_figures(today=today)
    rates, months, breakdown = _live(today)
    assert stored.as_of == today
    assert (stored.rates, stored.months, stored.breakdown) == (rates, months, breakdown)
    assert [r.fiscal_year for r in stored.rates] == [2023] * 2 + [2024] * 2 + [2025] * 3
    assert dict(stored.breakdown)["その他"] == 83_000


def test_stored_figures_are_the_live_computation_on_a_generated_city():
    from taxpayers.demo import generate
    from taxpayers.reconciliation import reconcile

    today = date(2025, 6, 30)
    generate(persons=40, seed=7, today=today)
    reconcile(as_of=today)
    stored = dashboard.store_figures(today=today)
    rates, months, breakdown = _live(today)
    assert sum(r.current_assessed for r in rates) > 0 and sum(total for _, total in months) > 0
    assert (stored.rates, stored.months, stored.breakdown) == (rates, months, breakdown)


def test_a_second_run_on_the_same_day_replaces_the_figures(ledger):
    from audit.models import DashboardFigures

    dashboard.store_figures(today=date(2025, 6, 30))
    again = dashboard.store_figures(today=date(2025, 6, 30))
    dashboard.store_figures(today=date(2025, 7, 1))
    assert DashboardFigures.objects.filter(as_of=date(2025, 6, 30)).count() == 1
    assert DashboardFigures.objects.count() == 2
    assert dashboard.stored_figures().as_of == date(2025, 7, 1)
    assert again.months == dashboard.outstanding_by_month(dashboard.month_ends(date(2025, 6, 30)))


def test_the_page_shows_the_stored_figures_with_their_time_and_computes_none_of_them(
    client, supervisor, ledger, monkeypatch
):
    dashboard.store_figures(today=date(2025, 6, 30))

    def too_slow(*args, **kwargs):
        raise AssertionError("computed per request")

    for name in ("collection_rates", "outstanding_by_month", "unresolved_breakdown"):
        monkeypatch.setattr(dashboard, name, too_slow)
    sign_in(client, supervisor)
    html = client.get(reverse("audit:dashboard")).content.decode()
    assert 'id="computed-at"' in html and "令和7年6月30日現在で集計" in html
    # the time it was computed, in 和暦 like every date of the app (not 2026-12-01 06:00)
    assert re.search(r"集計日時 令和\d+年\d+月\d+日 \d{1,2}:\d{2}）", html)
    assert "本日の集計はまだ終わっていません" in html  # today is not 2025-06-30
    assert "整理未済額の内訳（本税 83,000円）" in html and "100.0%" in html  # 2025 個人市県民税, stored


def test_the_page_says_when_nothing_has_been_computed_yet(client, supervisor, ledger):
    sign_in(client, supervisor)
    response = client.get(reverse("audit:dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="not-computed"' in html and "まだ集計されていません" in html
    assert "<h2>収納率（本税）</h2>" not in html and "不納欠損額（事由別・年度別）" in html


def test_the_scheduled_job_stores_todays_figures(ledger):
    from django.utils import timezone

    from jobs.models import JobRun
    from jobs.tasks import run_now

    run = run_now("dashboard_figures")
    assert run.result == JobRun.Result.SUCCEEDED, run.error
    stored = dashboard.stored_figures()
    assert stored.as_of == timezone.localdate()
    assert stored.breakdown == dashboard.unresolved_breakdown(timezone.localdate())
    assert run.counts["整理未済額"] == sum(amount for _, amount in stored.breakdown)
