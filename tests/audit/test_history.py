"""Per-record history with diffs, and search across history."""

from datetime import date

import pytest
from django.urls import reverse

from audit import history
from negotiations import services
from taxpayers.models import Taxpayer, TaxpayerAccess
from tests.conftest import sign_in
from tests.negotiations.conftest import CONTACT
from wako_collections.actors import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited_record(officer, ledger):
    actor = Actor.for_staff(officer, "T0001")
    record = services.record_negotiation(
        actor=actor, taxpayer=Taxpayer.objects.get(atena_number="000000101"), values=CONTACT
    )
    return services.update_negotiation(
        actor=actor,
        record_number=record.record_number,
        expected_revision=record.revision,
        values={
            **CONTACT,
            "content": "来庁。分納の相談。12月10日に3万円を納めると約束。",
            "promised_amount": 30_000,
        },
    )


def test_a_records_history_shows_each_change_with_its_diff_who_where_and_why(
    client, supervisor, edited_record
):
    sign_in(client, supervisor)
    response = client.get(reverse("audit:record_history", args=["negotiation", edited_record.pk]))
    html = response.content.decode()
    newest, first = response.context["changes"]
    assert (newest.type_label, newest.staff_number, newest.staff_name, newest.terminal_number) == (
        "変更",
        "S1001",
        "山田 太郎",
        "T0001",
    )
    assert newest.reason == "交渉記録の修正"
    changed = {item.label: (item.old, item.new) for item in newest.changes}
    assert changed == {
        "訪問内容": (CONTACT["content"], "来庁。分納の相談。12月10日に3万円を納めると約束。"),
        "入金予定額": ("（なし）", "30,000"),
        "履歴": ("1", "2"),
    }
    assert first.type_label == "作成" and any(item.label == "訪問内容" for item in first.changes)
    input_date = next(item.new for item in first.changes if item.label == "入力日")
    assert input_date.startswith("令和")  # dates read in 和暦
    assert "12月10日に3万円" in html and "山田 太郎" in html
    logged = TaxpayerAccess.objects.get(page="監査：記録の変更履歴")
    assert logged.staff_number == "S2001" and logged.atena_numbers == ["000000101"]


def test_history_search_filters_by_officer_taxpayer_kind_and_period(client, supervisor, edited_record):
    everything, _ = history.search(history.HistoryFilter(kinds=history.KINDS))
    assert {c.kind.key for c in everything} >= {"negotiation", "taxpayer", "assessment", "payment"}
    by_officer, _ = history.search(history.HistoryFilter(kinds=history.KINDS, staff_number="S1001"))
    assert [(c.kind.key, c.type_label) for c in by_officer] == [
        ("negotiation", "変更"),
        ("negotiation", "作成"),
    ]
    by_taxpayer, _ = history.search(history.HistoryFilter(kinds=history.KINDS, atena_number="000000102"))
    assert by_taxpayer and {c.atena_number for c in by_taxpayer} == {"000000102"}
    payments, _ = history.search(history.HistoryFilter(kinds=[history.KIND_BY_KEY["payment"]]))
    assert len(payments) == 2 and {c.kind.label for c in payments} == {"収納"}
    before, _ = history.search(history.HistoryFilter(kinds=history.KINDS, date_to=date(2000, 1, 1)))
    assert before == []
    capped, more = history.search(history.HistoryFilter(kinds=history.KINDS), limit=3)
    assert len(capped) == 3 and more

    sign_in(client, supervisor)
    html = client.get(
        reverse("audit:history_search"), {"staff_number": "S1001", "kind": "negotiation"}
    ).content.decode()
    assert reverse("audit:record_history", args=["negotiation", edited_record.pk]) in html
    assert f"交渉記録 {edited_record.record_number}" in html  # the number staff know it by
    assert "交渉記録の修正" in html


def test_the_individual_number_never_appears_in_a_history_page(client, supervisor, ledger):
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    sign_in(client, supervisor)
    html = client.get(reverse("audit:record_history", args=["taxpayer", taxpayer.pk])).content.decode()
    assert "和光 太郎" in html
    assert "123456789018" not in html and taxpayer.individual_number_ciphertext[:20] not in html


def test_yen_items_read_with_separators_and_numbers_without():
    from negotiations.models import NegotiationRecord
    from taxpayers.models import Assessment

    def field(model, name):
        return model._meta.get_field(name)

    assert history.shown(field(Assessment, "principal"), 1_234_567) == "1,234,567"
    assert history.shown(field(Assessment, "demand_fee"), 1_000) == "1,000"
    assert history.shown(field(NegotiationRecord, "promised_amount"), 30_000) == "30,000"
    assert history.shown(field(NegotiationRecord, "record_number"), 2_026_000_123) == "2026000123"
    assert history.shown(field(Assessment, "tax_year"), 2026) == "2026"
