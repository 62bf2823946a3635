"""A long history on the pages officers wait on (issue 21): 収納状況照会 folds the years paid in full
(one line each, opened on demand, complete when asked), and the pages listing what is owed compute
only what reconcile did not find paid in full — with the same figures as computing every line.

The ledger fixture's 000000101 owes 2021 固定資産税 and paid its 2025 住民税 on time; `history`
adds years of 住民税 paid on time (four installments a year), imported and reconciled."""

import tempfile
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from taxpayers.importing import run_import, start_log
from taxpayers.ledger import ledger_for, settled_by_reconcile, without_paid
from taxpayers.models import Assessment, Payment, Taxpayer
from taxpayers.reconciliation import reconcile
from tests.conftest import sign_in
from tests.taxpayers.conftest import ASSESSMENT_HEADER, PAYMENT_HEADER, csv_text
from wako_collections.actors import Actor

ATENA = "000000101"


def add_paid_years(years, *, paid: bool = True) -> None:
    """Four 住民税 installments a year for 000000101, each paid in full on its 納期限 (`paid`) or
    never paid."""
    assessments, payments = [], []
    for year in years:
        for period in range(1, 5):
            due = f"{year}-{period + 5:02d}-30"
            key = f"01,0000,112291,112291,1,{year},{year},{year}9{period},{period}"
            assessments.append(f"{ATENA},{key},{due},{due},20000,,")
            if paid:
                payments.append(f"H{year}{period},{key},{due},{due},20000,2")
    actor = Actor.batch("TEST")
    for kind, header, rows in (
        ("assessments", ASSESSMENT_HEADER, assessments),
        ("payments", PAYMENT_HEADER, payments),
    ):
        if not rows:
            continue
        path = Path(tempfile.mkdtemp()) / f"{kind}.csv"
        path.write_text(csv_text(header, rows), encoding="utf-8")
        run_import(
            log=start_log(kind=kind, path=path, file_name=path.name, actor=actor), path=path, actor=actor
        )
    reconcile()


@pytest.fixture
def history(ledger):
    add_paid_years(range(2016, 2020))
    return Taxpayer.objects.get(atena_number=ATENA)


def page(client, **params):
    response = client.get(reverse("taxpayers:detail", args=[ATENA]), params)
    assert response.status_code == 200
    return response


def test_the_page_folds_the_years_paid_in_full_and_keeps_every_unpaid_installment(client, officer, history):
    sign_in(client, officer)
    ledger = page(client).context["ledger"]
    full = ledger_for(history, as_of=timezone.localdate())
    assert [year.tax_year for year in ledger.folded_years] == [2025, 2019, 2018, 2017, 2016]
    assert all(year.installments == 4 for year in ledger.folded_years if year.tax_year < 2025)
    owed = [line.assessment.pk for line in full.lines if line.settlement.outstanding_total]
    assert owed and owed == [line.assessment.pk for line in ledger.lines]
    # the totals are the whole history's, folded years included
    for name in ("principal", "paid", "outstanding_principal", "outstanding_fee", "late_charge"):
        assert getattr(ledger.totals, name) == getattr(full.totals, name), name
    assert (
        ledger.folded_payments
        == Payment.objects.filter(
            assessment__taxpayer=history, assessment__tax_year__in=[2016, 2017, 2018, 2019, 2025]
        ).count()
    )
    html = page(client).content.decode()
    assert "すべての期別を完納した年度（5年度分）" in html
    assert "平成28年度分　4期別すべて完納" in html
    assert "完納した年度の収納 17件は省略しています" in html


def test_every_installment_and_payment_is_shown_when_asked(client, officer, history):
    sign_in(client, officer)
    ledger = page(client, all_years="on").context["ledger"]
    assert ledger.folded_years == []
    assert len(ledger.lines) == Assessment.objects.filter(taxpayer=history).count() == 18
    assert len(ledger.payments) == Payment.objects.filter(assessment__taxpayer=history).count()
    assert "完納した年度" not in page(client, all_years="on").content.decode()


def test_a_folded_year_opens_on_its_own(client, officer, history):
    sign_in(client, officer)
    assert "tax_year=2017" in page(client).content.decode()
    ledger = page(client, tax_year="2017").context["ledger"]
    assert ledger.folded_years == []
    assert [line.assessment.tax_year for line in ledger.lines] == [2017] * 4
    assert len(ledger.payments) == 4


def test_a_past_day_is_computed_in_full(client, officer, history):
    """Before the last reconcile the stored balances cannot say what was paid then."""
    sign_in(client, officer)
    ledger = page(client, as_of="2019-07-01").context["ledger"]
    assert ledger.folded_years == []
    assert not settled_by_reconcile(timezone.localdate().replace(year=2019))


def test_the_taxpayer_page_costs_the_same_queries_with_more_paid_years(client, officer, history):
    sign_in(client, officer)
    page(client)
    counts = []
    for years in (range(2010, 2012), range(2000, 2010)):
        with CaptureQueriesContext(connection) as queries:
            page(client)
        counts.append(len(queries.captured_queries))
        add_paid_years(years)
    with CaptureQueriesContext(connection) as queries:
        response = page(client)
    counts.append(len(queries.captured_queries))
    assert len(set(counts)) == 1, counts
    assert len(response.context["ledger"].folded_years) == 17


def test_without_paid_leaves_out_only_what_owes_nothing(history):
    today = timezone.localdate()
    everything = ledger_for(history, as_of=today)
    owing = [line.assessment.pk for line in everything.lines if line.settlement.outstanding_total]
    kept = without_paid(Assessment.objects.filter(taxpayer=history), as_of=today)
    assert set(owing) <= set(kept.values_list("pk", flat=True))
    assert kept.count() < len(everything.lines)
    shown = ledger_for(history, as_of=today, outstanding_only=True)
    assert [line.assessment.pk for line in shown.lines] == owing
    assert shown.totals.outstanding == everything.totals.outstanding


@pytest.mark.parametrize(
    "name",
    [
        "negotiations:pledge_new",
        "documents:issue",
        "dispositions:draft",
        "negotiations:case",
        "reductions:apply",
    ],
)
def test_the_casework_forms_cost_the_same_queries_with_more_paid_years(client, officer, history, name):
    sign_in(client, officer)
    url = reverse(name, args=[ATENA])
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    add_paid_years(range(2005, 2015))
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    assert response.status_code == 200
    assert len(after.captured_queries) == len(before.captured_queries)
    # the 2021 固定資産税 still owed is offered
    assert "210000101" in response.content.decode() or name == "negotiations:case"


def test_the_case_summary_computes_only_what_is_owed_with_the_same_figures(
    client, officer, history, monkeypatch
):
    """カルテ's 滞納額 and nearest 時効 (taxpayers.case_panels.owed_on) leave the installments stored
    as paid in full out of the computation, and show what computing every installment shows."""
    from dataclasses import asdict

    from taxpayers import case_panels

    today = timezone.localdate()
    owed = case_panels.owed_on(history, as_of=today)
    with monkeypatch.context() as every_installment:
        every_installment.setattr(case_panels, "without_paid", lambda assessments, *, as_of: assessments)
        everything = case_panels.owed_on(history, as_of=today)
    assert len(owed.standings) <= len(everything.standings) - 16  # four years of 住民税 paid in full
    assert owed.principal + owed.time_barred_amount > 0  # something is owed (or 時効完成, shown apart)
    assert {**asdict(owed), "standings": None} == {**asdict(everything), "standings": None}
    sign_in(client, officer)
    assert client.get(reverse("cases:case", args=[ATENA])).context["owed"].total == owed.total


def test_the_taxpayer_page_costs_the_same_queries_with_more_owed_years(client, officer, history):
    """What is owed is computed in one query per kind (standings_for), however many lines owe."""
    sign_in(client, officer)
    page(client)
    with CaptureQueriesContext(connection) as before:
        page(client)
    add_paid_years(range(2020, 2024), paid=False)
    with CaptureQueriesContext(connection) as after:
        response = page(client)
    assert len(response.context["ledger"].lines) >= 16
    assert len(after.captured_queries) == len(before.captured_queries)
