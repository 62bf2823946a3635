"""滞納者一覧 as the officer's working list (issue 18) in the browser: filter it, save the filter, open it
again, export the filtered list as CSV (issue 20), and nothing overflows at 1280 px. Its 02-list.png
(test-artifacts/e2e/…, 1280 px) is the picture in taxpayers/README.md (docs/screenshots/working_list.png,
reduced to 64 colours)."""

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest

from taxpayers.models import SavedListFilter, Taxpayer, TaxpayerAccess
from taxpayers.reconciliation import reconcile
from tests.assessments import add_assessment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_officer_filters_saves_and_exports_the_working_list(steps, ledger, officer):
    # the fixture's 期別 (2021) have reached 時効完成 by now, and a taxpayer owing only those is not on
    # the list: one collectible 期別 of last year each, two months past its 納期限, keeps them there
    for atena_number in ("000000101", "000000102"):
        add_assessment(
            Taxpayer.objects.get(atena_number=atena_number),
            f"2199{atena_number[-5:]}",
            tax_year=date.today().year - 1,
            due=date.today() - timedelta(days=60),
            principal=50_000,
        )
    reconcile(as_of=date.today())
    Taxpayer.objects.filter(atena_number__in=["000000101", "000000102"]).update(assigned_officer=officer)
    page = steps.page
    steps.sign_in(officer)
    steps.arrive("/")
    assert page.get_by_role("table", name="今日の仕事").is_visible()
    steps.shot("home")

    steps.go("/taxpayers/delinquent/")
    rows = page.locator("table.working-list tbody tr")
    assert rows.count() == 2  # the officer's own cases, by default
    assert no_horizontal_overflow(page)
    steps.shot("list")

    page.get_by_label("地区", exact=True).select_option("新倉")
    page.get_by_role("button", name="絞り込む").click()
    steps.arrive("/taxpayers/delinquent/?*")
    assert rows.count() == 1 and "000000102" in rows.first.inner_text()
    assert "1人" in page.get_by_label("絞り込んだ結果の合計").inner_text()
    steps.shot("filtered")

    page.get_by_label("この条件を保存").fill("新倉の担当分")
    page.get_by_role("button", name="保存", exact=True).click()
    assert page.get_by_text("検索条件「新倉の担当分」を保存しました。").is_visible()
    assert SavedListFilter.objects.get(owner=officer).name == "新倉の担当分"
    steps.go("/taxpayers/delinquent/")
    assert rows.count() == 2
    page.get_by_role("link", name="新倉の担当分", exact=True).click()
    steps.arrive("/taxpayers/delinquent/?*")
    assert rows.count() == 1
    steps.shot("saved-filter")

    page.get_by_role("link", name="この一覧を出力（CSV・Excel）").click()
    steps.arrive("/exports/delinquent/?*")
    assert "1行" in page.content()
    page.get_by_label("滞納整理の進行管理（担当分の確認・訪問計画）").check()
    page.get_by_label("CSV（UTF-8 BOM付き。Excel向け）").check()
    steps.shot("export-confirm")
    with page.expect_download() as download:
        page.get_by_role("button", name="出力する").click()
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    rows_out = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows_out[0][0] == "宛名番号" and [r[0] for r in rows_out[1:]] == ["000000102"]
    log = TaxpayerAccess.objects.get(page="データ出力（滞納者一覧）")
    assert log.atena_numbers == ["000000102"] and "滞納整理の進行管理" in log.detail
