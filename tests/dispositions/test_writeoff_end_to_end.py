"""不納欠損 end to end, through the pages: the candidates, a 決議 drafted by an officer, its
不納欠損決議書, the 決裁 by a supervisor, then the ledger, the 滞納者一覧, the yearly command and the
dashboard — whose figures are checked against values worked out by hand.

On top of the three-taxpayer ledger (210000101 固定資産税 2021: 35,000 of 本税 owed, 時効 completed
2026-09-30; 210000102 国民健康保険料 2021: 48,000 and 督促手数料 100, 時効 completed in 2023),
株式会社白子製作所 has three 個人市県民税 installments:
- X 220000401 (2022, 20,000 + 100): 執行停止 from 2023-04-01, three years ended 2026-04-01;
- Y 220000402 (2022, 10,000 + 100): 4,100 paid on 2026-08-01 (100 to the fee, 4,000 to 本税), still owed;
- Z 240000403 (2024, 15,000 + 100): 即時消滅 decided on 2026-11-02.
The 決議 is drafted and approved on 2027-04-20, before 出納閉鎖 of 令和8年度 (2027-05-31).
"""

from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from audit import dashboard
from dispositions.models import WriteOffRun
from dispositions.writeoffs import store_writeoff_candidates, writeoff_candidates
from taxpayers.models import InstallmentBalance, Payment, Taxpayer, WrittenOff
from tests.conftest import SETUP, sign_in
from tests.dispositions.test_writeoffs import add_installment, stop
from wako_collections.actors import acting_as
from wako_collections.records import stamp

pytestmark = pytest.mark.django_db

RUN_DAY = date(2027, 4, 20)


@pytest.fixture
def company_cases(ledger, officer, supervisor):
    from taxpayers.reconciliation import reconcile

    company = Taxpayer.objects.get(atena_number="000000103")
    x = add_installment(company, "220000401")
    y = add_installment(company, "220000402", principal=10_000)
    z = add_installment(company, "240000403", tax_year=2024, due=date(2024, 6, 30), principal=15_000)
    with acting_as(SETUP):
        payment = Payment(
            receipt_number="R8001",
            assessment=y,
            received_on=date(2026, 8, 1),
            accounted_on=date(2026, 8, 2),
            amount=4_100,
            channel="2",
        )
        stamp(payment, SETUP)
        payment.save()
    stop(officer, supervisor, x, code="07", on=date(2023, 4, 1))
    stop(officer, supervisor, z, code="08", on=date(2026, 11, 2))
    with time_machine.travel(RUN_DAY, tick=False):
        reconcile()
        store_writeoff_candidates(on=RUN_DAY)  # the nightly job, after 消込
    return {"x": x, "y": y, "z": z}


def test_write_off_from_candidates_to_ledger_and_dashboard(client, officer, supervisor, company_cases):
    with time_machine.travel(RUN_DAY, tick=False):
        # 1. candidates: three reasons, each with its article and day; Y (still owed, not extinguished) is not one
        sign_in(client, officer)
        page = client.get(reverse("dispositions:writeoff_candidates")).content.decode()
        for text in (
            "210000101",
            "210000102",
            "220000401",
            "240000403",
            "地方税法第18条第1項",
            "地方税法第15条の7第4項",
            "地方税法第15条の7第5項",
            "令和8年4月1日",  # X's three years end
            "令和8年11月2日",  # Z's 即時消滅
        ):
            assert text in page, text
        assert "220000402" not in page
        # 2. 決議: drafted by the officer for 令和8年度
        assert not WrittenOff.objects.exists()
        ids = [c.assessment.pk for c in writeoff_candidates(on=RUN_DAY)]
        response = client.post(
            reverse("dispositions:writeoff_candidates"),
            {"fiscal_year": "R8", "note": "令和8年度 年次", "assessments": ids},
        )
        run = WriteOffRun.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse(
            "dispositions:writeoff_detail", args=[run.number]
        )
        assert (run.fiscal_year, run.status, run.drafted_by, run.lines.count()) == (2026, "draft", "S1001", 4)
        # 3. 不納欠損決議書
        pdf = client.get(reverse("dispositions:writeoff_pdf", args=[run.number]))
        assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
        # the officer may not approve, even by POST
        assert client.post(reverse("dispositions:writeoff_approve", args=[run.number])).status_code == 403
        # 4. 決裁 by the supervisor
        sign_in(client, supervisor)
        confirm = client.get(reverse("dispositions:writeoff_approve", args=[run.number])).content.decode()
        assert "決裁を確定する" in confirm and "118,000" in confirm  # 本税 35,000 + 48,000 + 20,000 + 15,000
        response = client.post(reverse("dispositions:writeoff_approve", args=[run.number]))
        assert response.status_code == 302
        run.refresh_from_db()
        assert (run.status, run.approved_by, run.written_off_on) == ("approved", "S2001", RUN_DAY)
        # 5. the ledger: 欠損 with its date and reason, nothing owed on it; Y still owed
        ledger_page = client.get(reverse("taxpayers:detail", args=["000000103"])).content.decode()
        assert "欠損 令和9年4月20日（執行停止3年継続・地方税法第15条の7第4項" in ledger_page
        assert "欠損 令和9年4月20日（即時消滅・地方税法第15条の7第5項" in ledger_page
        assert {
            b.assessment.notice_number: b.status
            for b in InstallmentBalance.objects.filter(assessment__taxpayer__atena_number="000000103")
        } == {"220000401": "written_off", "220000402": "delinquent", "240000403": "written_off"}
        # 6. 滞納者一覧: only the company, for Y alone
        delinquent = client.get(reverse("taxpayers:delinquent"), {"officer": "all"}).content.decode()
        assert "000000103" in delinquent and "000000101" not in delinquent and "000000102" not in delinquent
        assert "6,000" in delinquent  # Y: 10,000 − 4,000
        # the yearly command finds nothing new and says so
        out = StringIO()
        call_command("draft_writeoff_run", "--fiscal-year", "2026", stdout=out)
        assert "新たな対象はありません" in out.getvalue()
        # 7. dashboard (its 収納率 as the scheduled job stores them)
        dashboard.store_figures(today=RUN_DAY)
        board = client.get(reverse("audit:dashboard")).content.decode()
        assert "不納欠損額（事由別・年度別）" in board and "40.0%" in board

    # The dashboard's figures, worked out by hand for 令和8年度 (2026-06-01 .. 2027-05-31):
    rates = {r.subject: r for r in dashboard.collection_rates([2026])}
    resident = rates["個人市県民税（普通徴収）"]
    # 滞納繰越分: X 20,000 + Y 10,000 + Z 15,000 owed on 2026-05-31 (250000101 was paid in full)
    assert (resident.arrears_assessed, resident.arrears_collected, resident.arrears_written_off) == (
        45_000,
        4_000,
        35_000,
    )
    assert resident.arrears_rate == "8.9%"  # 4,000 ÷ 45,000
    assert resident.arrears_rate_without_write_offs == "40.0%"  # 4,000 ÷ (45,000 − 35,000)
    fixed = rates["固定資産税・都市計画税"]
    assert (fixed.arrears_assessed, fixed.arrears_written_off, fixed.arrears_rate) == (35_000, 35_000, "0.0%")
    assert fixed.arrears_rate_without_write_offs == "—"
    assert rates["国民健康保険料"].arrears_written_off == 48_000
    # the next year: what was written off in 令和8年度 has left the ledger; Y's 6,000 is carried over
    following = {r.subject: r for r in dashboard.collection_rates([2027])}
    assert following["個人市県民税（普通徴収）"].arrears_assessed == 6_000
    assert following["固定資産税・都市計画税"].arrears_assessed == 0
    by_reason = {(w.fiscal_year, w.reason): w for w in dashboard.write_offs([2026])}
    assert set(by_reason) == {(2026, "時効完成"), (2026, "執行停止3年継続"), (2026, "即時消滅")}
    prescribed = by_reason[(2026, "時効完成")]
    assert (prescribed.count, prescribed.principal, prescribed.demand_fee) == (2, 83_000, 100)
    assert (
        by_reason[(2026, "執行停止3年継続")].principal,
        by_reason[(2026, "執行停止3年継続")].demand_fee,
    ) == (
        20_000,
        100,
    )
    assert by_reason[(2026, "即時消滅")].principal == 15_000
    assert sum(w.total for w in by_reason.values()) == sum(line.total for line in run.lines.all())
    # month-end outstanding (本税): on 2027-03-31 all five owed; on 2027-04-30 only Y
    assert dashboard.outstanding_by_month([date(2027, 3, 31), date(2027, 4, 30)]) == [
        (date(2027, 3, 31), 35_000 + 48_000 + 20_000 + 6_000 + 15_000),
        (date(2027, 4, 30), 6_000),
    ]
    with time_machine.travel(RUN_DAY, tick=False):
        assert dict(dashboard.unresolved_breakdown(RUN_DAY))["その他"] == 6_000


def test_the_yearly_command_drafts_the_run_for_the_year(company_cases):
    out = StringIO()
    with time_machine.travel(RUN_DAY, tick=False):
        call_command("draft_writeoff_run", "--fiscal-year", "2026", "--dry-run", stdout=out)
        assert not WriteOffRun.objects.exists()
        call_command("draft_writeoff_run", "--fiscal-year", "2026", "--operator", "S1001", stdout=out)
    run = WriteOffRun.objects.get()
    assert (run.fiscal_year, run.drafted_by, run.drafted_terminal, run.lines.count()) == (
        2026,
        "S1001",
        "BATCH",
        4,
    )
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("令和8年度 不納欠損の対象: 4件")
    assert lines[1].startswith(f"令和8年度 不納欠損決議 {run.number} を起案しました: 4件")


def _page_queries(client, url) -> tuple[int, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


def test_the_candidates_page_shows_the_stored_list_as_the_standing_has_it(client, officer, company_cases):
    from dispositions.models import WriteOffCandidate

    with time_machine.travel(RUN_DAY, tick=False):
        expected = writeoff_candidates(on=RUN_DAY)
        stored = list(WriteOffCandidate.objects.order_by("position"))
        # exactly the standing's candidates, in the list's order, with the same figures
        assert [
            (
                c.assessment.pk,
                c.reason,
                c.article,
                c.extinguished_on,
                c.principal,
                c.demand_fee,
                c.late_charge,
            )
            for c in expected
        ] == [
            (
                s.assessment_id,
                s.reason,
                s.article,
                s.extinguished_on,
                s.principal,
                s.demand_fee,
                s.late_charge,
            )
            for s in stored
        ]
        sign_in(client, officer)
        page = client.get(reverse("dispositions:writeoff_candidates"))
        assert [c.assessment.pk for c in page.context["candidates"]] == [c.assessment.pk for c in expected]
        assert "抽出日時 令和9年4月20日 " in page.content.decode()  # 和暦, as every page of the app
        # drafted since the extraction: no longer offered, though the stored list still holds it
        x = company_cases["x"]
        client.post(
            reverse("dispositions:writeoff_candidates"),
            {"fiscal_year": "R8", "note": "", "assessments": [x.pk]},
        )
        assert WriteOffRun.objects.get().lines.get().assessment == x
        again = client.get(reverse("dispositions:writeoff_candidates"))
        shown = [c.assessment.pk for c in again.context["candidates"]]
        assert x.pk not in shown and len(shown) == len(expected) - 1
        assert WriteOffCandidate.objects.filter(assessment=x).exists()


def test_the_candidates_page_before_the_first_extraction_says_so(client, officer, ledger):
    sign_in(client, officer)
    html = client.get(reverse("dispositions:writeoff_candidates")).content.decode()
    assert 'id="not-computed"' in html and "まだ抽出されていません" in html


def test_the_candidates_page_reads_a_page_whatever_the_number_of_candidates(client, officer, company_cases):
    """The page costs the same queries with 4 candidates as with 250, and shows 100 of them."""
    from dispositions.models import WriteOffCandidate, WriteOffCandidateList

    url = reverse("dispositions:writeoff_candidates")
    with time_machine.travel(RUN_DAY, tick=False):
        sign_in(client, officer)
        client.get(url)  # warm the session
        few, _ = _page_queries(client, url)
        extraction = WriteOffCandidateList.objects.get()
        model = WriteOffCandidate.objects.order_by("position").last()
        company = Taxpayer.objects.get(atena_number="000000103")
        extra = [add_installment(company, f"23{n:07d}", tax_year=2023) for n in range(246)]
        WriteOffCandidate.objects.bulk_create(
            WriteOffCandidate(
                extraction=extraction,
                position=model.position + 1 + n,
                assessment=assessment,
                reason=model.reason,
                article=model.article,
                extinguished_on=model.extinguished_on,
                basis=model.basis,
                principal=assessment.principal,
                demand_fee=100,
                late_charge=0,
            )
            for n, assessment in enumerate(extra)
        )
        many, html = _page_queries(client, url)
        second, _ = _page_queries(client, url + "?page=3")
    assert few == many == second
    assert "1 / 3 ページ（全250件）" in html
    assert html.count('name="assessments"') == 100


def test_no_candidate_is_ticked_until_the_officer_ticks_it(client, officer, company_cases):
    """The 起案 says each chosen claim is extinguished, and the 決裁 then writes the whole 決議 at once:
    the page ticks nothing by itself (an officer's trial found every row ticked), offers 全て選択
    (static/js/select_all.js; without JavaScript each row is ticked by hand), keeps what was ticked
    when the form is refused, and drafts only the rows ticked — the 決裁's confirmation stays."""
    url = reverse("dispositions:writeoff_candidates")
    with time_machine.travel(RUN_DAY, tick=False):
        sign_in(client, officer)
        response = client.get(url)
        html = response.content.decode()
        boxes = html.count('type="checkbox" name="assessments"')
        assert boxes == len(response.context["candidates"]) == 4
        assert " checked" not in html and response.context["selected"] == set()
        assert "js/select_all.js" in html and "初めはどれも選んでいません" in html
        # nothing ticked: nothing drafted
        client.post(url, {"fiscal_year": "R8", "note": "", "assessments": []})
        assert not WriteOffRun.objects.exists()
        # a refused form keeps the officer's ticks, and only those
        x, z = company_cases["x"], company_cases["z"]
        refused = client.post(url, {"fiscal_year": "", "note": "", "assessments": [x.pk]})
        assert refused.context["selected"] == {x.pk}
        assert refused.content.decode().count(" checked") == 1
        client.post(url, {"fiscal_year": "R8", "note": "", "assessments": [x.pk, z.pk]})
        run = WriteOffRun.objects.get()
        assert {line.assessment_id for line in run.lines.all()} == {x.pk, z.pk}
        assert run.status == "draft" and not WrittenOff.objects.exists()  # the 決裁 is still to come
