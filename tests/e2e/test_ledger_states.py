"""収納状況照会 in a real browser: a 期別 whose 時効 completed reads 時効完成 (its 延滞金 to that day, left out
of 未納計), and a 期別 under a 差押 and a 分納誓約 reads both. Screenshots:
test-artifacts/e2e/test_the_ledger_shows_each_installments_state/."""

from datetime import date, timedelta

import pytest

from taxpayers.models import Taxpayer
from taxpayers.reconciliation import reconcile
from tests.assessments import add_assessment, pledge_and_seize

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def held_and_barred(ledger, officer, supervisor):
    """000000101's 2021 固定資産税: 時効 completed on 2026-09-30. 000000102: a 2025 保険料 under a
    差押 and a 分納誓約 (its 2021 one, 2 years' 時効, completed long ago)."""
    today = date.today()
    hanako = Taxpayer.objects.get(atena_number="000000102")
    due = today - timedelta(days=120)
    held = add_assessment(
        hanako,
        "250000902",
        tax_year=due.year,
        due=due,
        principal=24_000,
        demand_issued_on=due + timedelta(days=20),
    )
    reconcile(as_of=today)
    pledge_and_seize(held, officer=officer, supervisor=supervisor, day=today, amount=24_000)
    return held


def test_the_ledger_shows_each_installments_state(steps, held_and_barred, officer):
    if date.today() <= date(2026, 9, 30):
        pytest.skip("210000101 の時効完成（2026-09-30）より前の日付です")
    page = steps.page
    steps.sign_in(officer)
    steps.arrive("/")
    steps.go("/taxpayers/000000101/")
    row = page.locator("tr", has_text="210000101")
    assert "時効完成" in row.inner_text() and "時効完成日まで" in row.inner_text()
    assert "未納計 0円" in page.locator("table.ledger tfoot").inner_text()
    steps.shot("time-barred")
    steps.go("/taxpayers/000000102/")
    assert "差押中・分納中" in page.locator("tr", has_text="250000902").inner_text()
    assert "時効完成" in page.locator("tr", has_text="210000102").inner_text()
    steps.shot("held")


MEASURE = """
() => {
  const table = document.querySelector("table.ledger");
  const box = table.parentElement;
  const header = [...table.querySelectorAll("thead th")].pop();
  return {
    table: Math.ceil(Math.max(table.scrollWidth, table.getBoundingClientRect().width)),
    box: box.clientWidth,
    lastHeaderRight: Math.ceil(header.getBoundingClientRect().right),
    viewport: document.documentElement.clientWidth,
    lastHeader: header.innerText.trim(),
  };
}
"""


def test_the_ledger_fits_1280_px_with_its_prescription_column_in_view(
    steps, held_and_barred, officer, supervisor
):
    """収納状況照会 at 1280 px: the whole table, up to its last column 時効予定日, is in view without
        scrolling the table (an officer's trial found 時効予定日 cut off at the window's edge). Measured on
        000000101 (時効完成: 「時効完成日まで」, 不納欠損待ち; 収納額 broken down) and 000000102 (差押中・分納中, and
    a 期別 written off: 欠損 with its day, reason, article and amount)."""
    from dispositions import writeoffs
    from taxpayers.models import Assessment
    from wako_collections.actors import Actor

    if date.today() <= date(2026, 9, 30):
        pytest.skip("210000101 の時効完成（2026-09-30）より前の日付です")
    # 000000102's 2021 保険料 (時効完成 in 2023) written off: its 状態 reads the 欠損 with its reason
    barred = Assessment.objects.get(notice_number="210000102")
    run = writeoffs.draft_writeoff_run(
        actor=Actor.for_staff(officer, "T0001"),
        as_of=date.today(),
        fiscal_year=writeoffs.fiscal_year_for(date.today()),
        assessment_ids=[barred.pk],
    )
    writeoffs.approve_writeoff_run(actor=Actor.for_staff(supervisor, "T0002"), run=run)
    page = steps.page
    assert page.viewport_size["width"] == 1280
    steps.sign_in(officer)
    steps.arrive("/")
    for atena in ("000000101", "000000102"):
        steps.go(f"/taxpayers/{atena}/")
        page.locator("table.ledger").wait_for()
        measured = page.evaluate(MEASURE)
        steps.shot(f"ledger-{atena}")
        print(atena, measured)
        assert measured["lastHeader"] == "時効予定日"
        assert measured["table"] <= measured["box"] + 1, measured
        assert measured["lastHeaderRight"] <= measured["viewport"], measured
