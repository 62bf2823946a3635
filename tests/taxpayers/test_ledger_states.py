"""収納状況照会 reads each 期別's standing, not the payment status reconcile stores: 時効完成 (its 延滞金
stopped on that day, left out of what can still be collected, a later payment 過誤納) and the holds
in force per 期別 (差押中・分納中 …).

The ledger fixture: 000000101 owes 35,000円 of its 2021 固定資産税 (210000101), whose 時効 — renewed
by the part payment of 2021-09-30 — completed on 2026-09-30; 000000102 owes 48,000円 (and a 督促手数料
of 100円) of its 2021 国民健康保険料 (210000102)."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from taxpayers.ledger import ledger_for
from taxpayers.models import Assessment, Taxpayer, TaxpayerBalance
from taxpayers.reconciliation import reconcile
from taxpayers.standing import standing_of
from tests.assessments import add_payment
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

COMPLETED = date(2026, 9, 30)  # 210000101's 時効予定日, renewed by the payment of 2021-09-30
LATER = date(2026, 12, 1)


def _line(ledger, notice_number):
    return next(line for line in ledger.lines if line.assessment.notice_number == notice_number)


def test_a_time_barred_installment_reads_so_and_its_late_charge_stops_on_the_day(ledger):
    taro = Taxpayer.objects.get(atena_number="000000101")
    installment = Assessment.objects.get(notice_number="210000101")
    on_the_day = standing_of(installment, as_of=COMPLETED)
    assert on_the_day.status == "delinquent" and on_the_day.late_charge > 0
    for day in (LATER, date(2028, 4, 1)):
        line = _line(ledger_for(taxpayer=taro, as_of=day), "210000101")
        assert line.status == "time_barred" and line.status_label == "時効完成"
        assert not line.is_delinquent and line.is_time_barred
        # extinguished at the end of 2026-09-30 (地方税法第18条): no 延滞金 runs after it
        assert line.settlement.late_charge == on_the_day.late_charge
        assert line.settlement.outstanding_principal == 35_000


def test_the_totals_leave_out_what_is_time_barred(ledger):
    taro = Taxpayer.objects.get(atena_number="000000101")
    ledger_ = ledger_for(taxpayer=taro, as_of=LATER)
    barred = _line(ledger_, "210000101")
    totals = ledger_.totals
    # the 2025 市民税 is paid: nothing is left to collect, the 時効完成 期別 is told apart
    assert (totals.outstanding_principal, totals.outstanding_fee, totals.late_charge) == (0, 0, 0)
    assert totals.time_barred == barred.settlement.outstanding_total > 35_000
    assert totals.time_barred_installments == 1
    # the day before, it was still collectible
    before = ledger_for(taxpayer=taro, as_of=COMPLETED).totals
    assert before.outstanding_principal == 35_000 and before.time_barred == 0


def test_a_payment_after_the_completion_is_overpaid_in_full(ledger, batch_actor):
    taro = Taxpayer.objects.get(atena_number="000000101")
    installment = Assessment.objects.get(notice_number="210000101")
    paid_before = _line(ledger_for(taxpayer=taro, as_of=LATER), "210000101").paid_total
    add_payment(installment, batch_actor, on=date(2026, 10, 15), amount=10_000, receipt="R0901")
    ledger_ = ledger_for(taxpayer=taro, as_of=LATER)
    line = _line(ledger_, "210000101")
    assert line.status_label == "時効完成" and line.paid_total == paid_before
    assert line.settlement.outstanding_principal == 35_000
    late = [p for p in ledger_.payments if p.after_time_barred]
    assert [(p.payment.receipt_number, p.overpaid) for p in late] == [("R0901", 10_000)]
    assert ledger_.totals.overpaid_after_time_barred == 10_000


def test_the_page_shows_time_barred_and_the_collectible_total(client, officer, ledger):
    reconcile(as_of=LATER)
    with time_machine.travel(LATER, tick=False):
        sign_in(client, officer)
        response = client.get(reverse("taxpayers:detail", args=["000000101"]))
    html = response.content.decode()
    row = html[html.index("210000101") : html.index("</tr>", html.index("210000101"))]
    assert "時効完成" in row and "（時効完成日まで）" in row
    assert "<strong>滞納</strong>" not in row and "（見込）" not in row
    assert "未納計 0円" in html and "ほかに時効完成 1期別" in html


def test_each_installment_reads_the_holds_in_force(client, officer, supervisor, ledger):
    """差押 and 分納誓約 on the same 期別: the 収納状況照会 reads 差押中・分納中 there, and 滞納 on an
    installment no hold covers — each 期別 its own, not the taxpayer's."""
    from tests.assessments import add_assessment, pledge_and_seize

    day = date(2022, 1, 31)
    reconcile(as_of=day)
    hanako = Taxpayer.objects.get(atena_number="000000102")
    held = hanako.assessments.get()
    free = add_assessment(hanako, "220000901", tax_year=2021, due=date(2021, 10, 31), principal=12_000)
    reconcile(as_of=day)
    with time_machine.travel(day, tick=False):
        pledge_and_seize(held, officer=officer, supervisor=supervisor, day=day, amount=48_100)
        lines = {line.assessment.pk: line for line in ledger_for(taxpayer=hanako, as_of=day).lines}
        assert lines[held.pk].status == "seized"
        assert lines[held.pk].status_label == "差押中・分納中"
        assert lines[free.pk].status_label == "滞納"
        sign_in(client, officer)
        html = client.get(reverse("taxpayers:detail", args=["000000102"])).content.decode()
    assert "<strong>差押中・分納中</strong>" in html and 'class="status-seized"' in html


def test_the_working_list_and_its_export_leave_out_what_is_time_barred(client, officer, ledger):
    """滞納者一覧 on 2026-12-01: both 2021 期別 are 時効完成 (the 保険料's 2 years long past) and a 2025
    期別 of 000000101 is still owed. 000000101 is listed for what can be collected, its 最古納期限 that
    of the 2025 期別 (not 2021's); 000000102, whose only 滞納 期別 is 時効完成, is not listed — counted
    apart — and the list, its totals and its export show the 時効完成 amounts apart (an officer's trial
    found a taxpayer with nothing collectible listed, its 最古納期限 a 期別 long extinguished)."""
    from django.http import QueryDict

    from exports.sources import DELINQUENT_HEADERS, delinquent, delinquent_count
    from taxpayers.working_list import filtered, totals_of
    from tests.assessments import add_assessment

    taro = Taxpayer.objects.get(atena_number="000000101")
    add_assessment(taro, "250000991", tax_year=2025, due=date(2025, 10, 31), principal=12_000)
    reconcile(as_of=LATER)
    taxpayers = Taxpayer.objects.filter(atena_number__in=["000000101", "000000102"])
    taxpayers.update(assigned_officer=officer)
    with time_machine.travel(LATER, tick=False):
        sign_in(client, officer)
        response = client.get(reverse("taxpayers:delinquent"))
        totals = response.context["totals"]
        listed = {b.taxpayer.atena_number: b for b in response.context["page"]}
        assert list(listed) == ["000000101"]
        assert (totals.taxpayers, totals.installments, totals.outstanding_principal) == (1, 1, 12_000)
        assert totals.time_barred_only_taxpayers == 1
        assert totals.time_barred.installments == 2 and totals.time_barred.total > 35_000 + 48_100
        taro_row = listed["000000101"]
        assert taro_row.oldest_due_date == date(2025, 10, 31)
        assert taro_row.collectible.installments == 1 and taro_row.collectible.time_barred.installments == 1
        html = response.content.decode()
        assert "ほかに時効完成 2期別" in html
        assert "滞納の期別がすべて時効完成の 1人は" in html
        row = html[html.index(">000000101</a>") : html.index("</tr>", html.index(">000000101</a>"))]
        assert "令和7年10月31日" in row and "令和3年" not in row
        # the named filter the other lists read: 000000102 is not delinquent
        assert list(Taxpayer.objects.delinquent().values_list("atena_number", flat=True)) == ["000000101"]
        # the export lists the same rows, and its count is the page's
        request = response.wsgi_request
        assert delinquent_count(request, QueryDict("officer=all")).row_count == 1
        table = delinquent(request, QueryDict("officer=all"))
    assert [r[0] for r in table.rows] == ["000000101"]
    exported = dict(zip(DELINQUENT_HEADERS, table.rows[0], strict=True))
    assert (exported["滞納期別数"], exported["合計"] > 12_000, exported["時効完成の期別数"]) == (1, True, 1)
    assert exported["最古納期限"] == date(2025, 10, 31)
    # the day before 210000101 completed, the 固定資産税 was still collectible and the oldest
    reconcile(as_of=COMPLETED)
    before = totals_of(
        filtered({"officer": "all"}, user=officer, today=COMPLETED, with_time_barred_only=True)
    )
    assert before.outstanding_principal == 35_000 + 12_000 and before.time_barred.installments == 1
    assert before.time_barred_only_taxpayers == 1  # 000000102's 保険料
    assert Taxpayer.objects.get(atena_number="000000101").balance.oldest_due_date < date(2022, 1, 1)


def test_the_reconcile_summary_counts_time_barred_apart(ledger):
    """The command's one-line summary: 滞納 is what can be collected; 時効完成 is said apart, with the
    taxpayers whose only 滞納 期別 are 時効完成 (not in the 滞納 count)."""
    from io import StringIO

    from django.core.management import call_command

    from tests.assessments import add_assessment

    taro = Taxpayer.objects.get(atena_number="000000101")
    add_assessment(taro, "250000991", tax_year=2025, due=date(2025, 10, 31), principal=12_000)
    out = StringIO()
    with time_machine.travel(LATER, tick=False):
        call_command("reconcile", "--as-of", LATER.isoformat(), stdout=out)
    line = out.getvalue()
    assert "滞納 1期別・1人、滞納本税 12,000円（時効完成を除く。" in line, line
    assert "ほかに時効完成 2期別・本税 83,000円、時効完成の期別のみの宛名 1人）" in line, line
    # before anything completed: nothing said apart
    out = StringIO()
    with time_machine.travel(date(2022, 1, 31), tick=False):
        call_command("reconcile", "--as-of", "2022-01-31", "--full", stdout=out)
    assert "時効完成" not in out.getvalue()


def test_the_search_shows_what_can_be_collected_as_the_list_does(client, officer, ledger):
    """宛名検索's 滞納額 is the 滞納者一覧's: 時効完成 apart. On 2026-09-30 210000101 (35,000円) is still
    collectible; on 2026-12-01 it is 時効完成 and the search reads 「—」 with the amount apart."""
    sign_in(client, officer)
    for day, collectible in ((COMPLETED, True), (LATER, False)):
        reconcile(as_of=day)
        with time_machine.travel(day, tick=False):
            response = client.get(reverse("taxpayers:search"), {"notice_number": "210000101"})
        (found,) = response.context["page"]
        assert (found.owed.installments, found.owed.time_barred.installments) == (
            (1, 0) if collectible else (0, 1)
        )
        html = response.content.decode()
        cell = html.split('<td class="money">')[-1].split("</td>")[0]
        if collectible:
            assert cell == f"{found.owed.total:,}" and found.owed.outstanding_principal == 35_000
        else:
            assert cell.startswith("—<br>") and "ほかに時効完成" in cell


def test_the_case_summary_counts_as_delinquent_only_what_is_past_its_due_date(client, officer, ledger):
    """カルテ's 現在の滞納額 is 滞納 — past 納期限 — as the 滞納者一覧's; a 期別 not yet due shows apart (a
    new user's trial: 327,900円 of 未到来・納期内 本税 were in the 滞納額 beside 「滞納の期別 42件」)."""
    from taxpayers.case_panels import owed_on
    from tests.assessments import add_assessment

    taro = Taxpayer.objects.get(atena_number="000000101")
    add_assessment(taro, "260000991", tax_year=2026, due=date(2026, 10, 31), principal=20_000)
    with time_machine.travel(COMPLETED, tick=False):  # 2026-09-30: 210000101 still collectible
        owed = owed_on(taro, as_of=COMPLETED)
        assert (owed.principal, owed.not_due_count, owed.not_due_amount) == (35_000, 1, 20_000)
        sign_in(client, officer)
        html = client.get(reverse("cases:case", args=["000000101"])).content.decode()
    assert "ほかに納期限前 1件 20,000円" in html
    assert f'data-figure="owed-total">{owed.total:,}円' in html


def _row(html: str, notice_number: str) -> str:
    start = html.index(f"<td>{notice_number}</td>")
    return html[html.rindex("<tr", 0, start) : html.index("</tr>", start)]


def _prescription_cell(row: str) -> str:
    return row.split('<td class="prescription">')[1].split("</td>")[0]


def test_the_ledger_shows_no_prescription_date_for_an_installment_paid_in_full(client, officer, ledger):
    """A 完納 期別 has no 時効 to watch: its 時効予定日 reads 「—」 (an officer's trial found the 2025 市民税,
    paid before its 納期限, showing one); an owed 期別 beside it still shows its renewed date, and so
    does one 時効完成 (with 時効完成)."""
    for day in (date(2026, 6, 1), LATER):
        reconcile(as_of=day)
        with time_machine.travel(day, tick=False):
            sign_in(client, officer)
            html = client.get(reverse("taxpayers:detail", args=["000000101"])).content.decode()
        paid = _prescription_cell(_row(html, "250000101"))
        assert "—" in paid and "令和" not in paid, paid
        owed = _prescription_cell(_row(html, "210000101"))
        assert "令和8年9月30日" in owed
        assert ("時効完成" in owed) is (day == LATER)
    taro = Taxpayer.objects.get(atena_number="000000101")
    lines = {line.assessment.notice_number: line for line in ledger_for(taxpayer=taro, as_of=LATER).lines}
    assert not lines["250000101"].watches_prescription and lines["210000101"].watches_prescription


def test_the_paid_amount_says_it_includes_the_fee_and_the_late_charge(client, officer, ledger, batch_actor):
    """収納額 is what was applied to the 期別: 本税 and also 督促手数料・延滞金. When it holds more than
    本税, the row breaks it down (うち本税 …), so that 調定額 − 本税の分 = 未納本税 can be read; the header
    and the help say so. A 期別 paid with 本税 alone shows no breakdown."""
    premium = Assessment.objects.get(notice_number="210000102")
    add_payment(premium, batch_actor, on=date(2021, 10, 15), amount=10_000, receipt="R0902")
    day = date(2022, 1, 31)
    reconcile(as_of=day)
    hanako = Taxpayer.objects.get(atena_number="000000102")
    settled = _line(ledger_for(taxpayer=hanako, as_of=day), "210000102").settlement
    assert settled.paid_fee + settled.paid_late_charge > 0
    assert settled.paid_principal + settled.paid_fee + settled.paid_late_charge == 10_000
    with time_machine.travel(day, tick=False):
        sign_in(client, officer)
        html = client.get(reverse("taxpayers:detail", args=["000000102"])).content.decode()
        taro = client.get(reverse("taxpayers:detail", args=["000000101"])).content.decode()
    row = _row(html, "210000102")
    assert "10,000" in row and f"うち本税 {settled.paid_principal:,}" in row
    if settled.paid_fee:
        assert f"督促手数料 {settled.paid_fee:,}" in row
    if settled.paid_late_charge:
        assert f"延滞金 {settled.paid_late_charge:,}" in row
    assert "収納額<br><span" in html and "（延滞金等を含む）" in html
    assert "督促手数料・延滞金に充てた分を含みます" in html
    assert "うち本税" not in _row(taro, "250000101")  # 30,000円, all of it 本税


def test_the_amount_a_taxpayer_is_ranked_and_bounded_by_leaves_out_what_is_time_barred(
    client, officer, ledger
):
    """A taxpayer owing 時効完成 期別 beside collectible ones is sorted, bounded (金額の下限・上限) and
    ranked by the 本税 that can still be collected (the stored `collectible_principal`), not by the
    whole stored 未納本税: on 2026-12-01 000000101 owes 12,000円 collectible beside its 2021 35,000円
    (時効完成; 47,000円 stored in all), 000000103 20,000円. Variants: either sort, each bound, the
    わたしの仕事 queue (接触のない滞納者, the largest first) and its export."""
    from exports.sources import _queue_table
    from negotiations.queues import no_contact, work_queue
    from tests.assessments import add_assessment

    taro, company = (
        Taxpayer.objects.get(atena_number="000000101"),
        Taxpayer.objects.get(atena_number="000000103"),
    )
    add_assessment(taro, "250000991", tax_year=2025, due=date(2025, 10, 31), principal=12_000)
    add_assessment(company, "250000992", tax_year=2025, due=date(2025, 10, 31), principal=20_000)
    reconcile(as_of=LATER)
    Taxpayer.objects.all().update(assigned_officer=officer)
    stored = {b.taxpayer_id: b for b in TaxpayerBalance.objects.filter(taxpayer__in=[taro, company])}
    assert (stored[taro.pk].outstanding_principal, stored[taro.pk].collectible_principal) == (47_000, 12_000)
    assert stored[company.pk].collectible_principal == 20_000
    with time_machine.travel(LATER, tick=False):
        sign_in(client, officer)

        def listed(**params):
            response = client.get(reverse("taxpayers:delinquent"), params)
            return [b.taxpayer.atena_number for b in response.context["page"]]

        assert listed() == ["000000103", "000000101"]
        assert listed(sort="amount_asc") == ["000000101", "000000103"]
        assert listed(amount_min=15_000) == ["000000103"]  # 47,000円 stored, 12,000円 collectible
        assert listed(amount_max=15_000) == ["000000101"]
        assert listed(amount_min=12_000, amount_max=12_000) == ["000000101"]
        quiet = no_contact(officer=officer, today=LATER, limit=10)
        assert [t.atena_number for t in quiet] == ["000000103", "000000101"]
        taro_owes = quiet[1].balance.collectible_totals
        assert taro_owes.outstanding_principal == 12_000 and taro_owes.time_barred.installments == 1
        page = client.get(reverse("negotiations:my_work")).content.decode()
        row = page[page.index("（000000101）") :]
        row = row[: row.index("</tr>")]
        assert f"{taro_owes.total:,}" in row and "47," not in row
        exported = _queue_table("わたしの仕事", work_queue(officer=officer, today=LATER)).rows
    quiet_rows = [(r[1], r[5]) for r in exported if r[0] == "長期未接触"]
    assert quiet_rows == [("000000103", 20_000), ("000000101", 12_000)]
