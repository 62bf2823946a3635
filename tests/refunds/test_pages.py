"""The 過誤納金 pages: an officer drafts, a supervisor approves, the CSV comes out; each form refuses
bad input in Japanese, and a refused action changes nothing."""

import csv
import io
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from refunds.detection import detect_overpayments
from refunds.models import Disposal, Overpayment
from taxpayers.models import Assessment, Payment
from tests.conftest import sign_in
from tests.refunds.test_services import pay

ACCOUNT = {
    "propose": "refund",
    "bank_name": "埼玉りそな銀行",
    "bank_code": "0017",
    "branch_name": "和光支店",
    "branch_code": "123",
    "account_type": "1",
    "account_number": "1234567",
    "account_holder_kana": "ワコウ タロウ",
}


@pytest.fixture(autouse=True)
def in_july_2025():
    # While the 2021 arrears are still owed (their 時効 completes in 2026).
    with time_machine.travel(date(2025, 7, 10), tick=False):
        yield


@pytest.fixture
def overpayment(ledger, batch_actor):
    tax = Assessment.objects.get(notice_number="250000101")
    pay(tax, "R0003", date(2025, 6, 25), 30_000, actor=batch_actor)
    [found] = detect_overpayments(actor=batch_actor, as_of=date(2025, 7, 10))
    return found


def test_an_officer_drafts_a_supervisor_approves_and_the_notice_link_appears(
    client, officer, supervisor, overpayment
):
    sign_in(client, officer)
    queue = client.get(reverse("refunds:queue"))
    assert "二重納付（誤納）" in queue.content.decode() and "和光 太郎" in queue.content.decode()
    url = reverse("refunds:overpayment", kwargs={"pk": overpayment.pk})
    response = client.post(url, {"propose": "appropriation"})
    assert response.status_code == 302
    draft = Disposal.objects.get(overpayment=overpayment)
    assert draft.kind == Disposal.Kind.APPROPRIATION and draft.drafted_by == "S1001"
    assert client.get(reverse("refunds:approve", kwargs={"number": draft.number})).status_code == 403

    client.logout()
    sign_in(client, supervisor)
    approve_url = reverse("refunds:approve", kwargs={"number": draft.number})
    assert "充当適状日" in client.get(approve_url).content.decode()
    response = client.post(approve_url, {"decided_on": "R7.7.10"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.decided_on, draft.approved_by) == (
        Disposal.Status.APPROVED,
        date(2025, 7, 10),
        "S2001",
    )
    assert Payment.objects.filter(
        channel=Payment.Channel.APPROPRIATION, assessment=draft.target_assessment
    ).exists()
    page = client.get(url).content.decode()
    assert "充当通知書を発行" in page and "処理済" in page


def test_a_refund_is_refused_on_the_page_while_arrears_remain(client, officer, overpayment):
    sign_in(client, officer)
    url = reverse("refunds:overpayment", kwargs={"pk": overpayment.pk})
    response = client.post(url, ACCOUNT)
    assert response.status_code == 200
    assert "先に充当を起案してください" in response.content.decode()
    assert not Disposal.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("bank_code", "17", "金融機関コードは数字4桁です。"),
        ("branch_code", "12a", "支店コードは数字3桁です。"),
        ("account_number", "12345678", "口座番号は数字7桁以内です。"),
        ("account_holder_kana", "和光太郎", "口座名義はカナで入力してください。"),
        ("account_holder_kana", "<script>", "口座名義はカナで入力してください。"),
        ("account_type", "9", "9"),
    ],
)
def test_the_account_form_refuses_bad_input(client, officer, overpayment, field, value, message):
    sign_in(client, officer)
    url = reverse("refunds:overpayment", kwargs={"pk": overpayment.pk})
    response = client.post(url, {**ACCOUNT, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "<script>" not in response.content.decode()
    assert not Disposal.objects.exists()


def test_an_approval_date_is_bounded_and_before_the_fit_day_refused(client, officer, supervisor, overpayment):
    sign_in(client, officer)
    client.post(reverse("refunds:overpayment", kwargs={"pk": overpayment.pk}), {"propose": "appropriation"})
    draft = Disposal.objects.get()
    client.logout()
    sign_in(client, supervisor)
    url = reverse("refunds:approve", kwargs={"number": draft.number})
    for bad in ("9999-99-99", "0001-01-01", "2025-06-24"):
        response = client.post(url, {"decided_on": bad})
        assert response.status_code == 200, bad
        draft.refresh_from_db()
        assert draft.is_proposed, bad
    assert "充当日は充当適状日より前にできません。" in response.content.decode()


def test_the_supervisor_downloads_the_refund_csv(client, supervisor, ledger):
    sign_in(client, supervisor)
    url = reverse("refunds:export")
    assert "支出決定日" in client.get(url).content.decode()
    response = client.get(url, {"decided_from": "2025-02-01", "decided_to": "2025-02-28"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["還付番号", "支出決定日", "支出区分"] and len(rows) == 1
    refused = client.get(url, {"decided_from": "2025-03-01", "decided_to": "2025-02-01"})
    assert "「から」を「まで」より前に" in refused.content.decode()


def test_the_queue_shows_nothing_settled(client, officer, overpayment, batch_actor):
    from wako_collections.actors import acting_as
    from wako_collections.records import save_tracked, stamp

    with acting_as(batch_actor):
        overpayment.status = Overpayment.Status.SETTLED
        save_tracked(overpayment, reason="テスト", update_fields=["status", *stamp(overpayment, batch_actor)])
    sign_in(client, officer)
    assert "未処理の過誤納金はありません。" in client.get(reverse("refunds:queue")).content.decode()


def test_the_queue_button_finds_the_double_payment(client, officer, ledger, batch_actor):
    pay(
        Assessment.objects.get(notice_number="250000101"),
        "R0003",
        date(2025, 6, 25),
        30_000,
        actor=batch_actor,
    )
    sign_in(client, officer)
    response = client.post(reverse("refunds:detect"), follow=True)
    assert "新たな過誤納金 1件（30,000円）を加えました。" in response.content.decode()
    assert Overpayment.objects.get().history.first().history_staff_number == "S1001"
