"""End to end through the pages: seizure → 取立 → posting on the ledger → 差押解除 prompted; 取立
with a 交付要求 → 配当計算書 (drafted, approved by a second person, printed for every claimant,
one receiving nothing included) → posting; a 給与 seizure above the 禁止額 refused on the draft page."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from dispositions import services
from dispositions.models import Collection, DistributionStatement
from documents import services as document_services
from documents.models import Document
from taxpayers.models import Payment
from tests.conftest import sign_in
from tests.dispositions.test_dispositions import seize
from tests.documents.test_documents import pdf_text
from wako_collections.actors import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def seizure(officer, supervisor, ledger):
    draft = seize(Actor.for_staff(officer, "T0001"))
    return services.approve_disposition(
        actor=Actor.for_staff(supervisor, "T0001"), disposition=draft, disposed_on=date(2021, 7, 5)
    )


def test_collection_is_recorded_posted_shown_on_the_ledger_and_prompts_the_release(client, officer, seizure):
    sign_in(client, officer)
    detail = reverse("dispositions:detail", args=[seizure.number])
    assert "取立を記録" in client.get(detail).content.decode()
    form = client.get(reverse("dispositions:collect", args=[seizure.number])).content.decode()
    assert "国税徴収法第67条第3項" in form
    response = client.post(
        reverse("dispositions:collect", args=[seizure.number]),
        {"collected_on": "R4.3.1", "amount": "40000", "method": "transfer", "payer_name": "株式会社和光銀行"},
        follow=True,
    )
    page = response.content.decode()
    assert "37,800円を収納しました" in page and "過誤納 2,200円" in page
    assert "差押を解除してください" in page and "差押の解除を起案" in page
    ledger = client.get(reverse("taxpayers:detail", args=[seizure.taxpayer.atena_number])).content.decode()
    assert "取立" in ledger and "37,800" in ledger
    # the 2,200円 surplus waits in the 過誤納金 queue, named after its 取立
    collection = Collection.objects.get()
    queue = client.get(reverse("refunds:queue")).content.decode()
    assert "取立・配当の残余" in queue and "2,200円" in queue and f"取立 {collection.number}" in queue


def test_a_bad_collection_is_answered_in_japanese_and_nothing_is_posted(client, officer, seizure):
    sign_in(client, officer)
    response = client.post(
        reverse("dispositions:collect", args=[seizure.number]),
        {"collected_on": "R3.7.1", "amount": "40000", "method": "transfer"},
    )
    assert response.status_code == 200 and "処分日" in response.content.decode()
    assert not Collection.objects.exists() and not Payment.objects.filter(channel="6").exists()


def test_a_collection_with_a_delivery_request_is_distributed_and_the_statement_printed(
    client, officer, supervisor, seizure
):
    sign_in(client, officer)
    client.post(
        reverse("dispositions:collect", args=[seizure.number]),
        {"collected_on": "R4.3.1", "amount": "50000", "method": "transfer", "other_claimants": "on"},
    )
    collection = Collection.objects.get()
    assert collection.status == "awaiting" and not Payment.objects.filter(channel="6").exists()
    response = client.post(
        reverse("dispositions:distribution_new", args=[collection.number]),
        {
            "sent_on": "R4.3.2",
            "kind_1": "delivery_request",
            "claimant_1": "和光税務署",
            "address_1": "埼玉県和光市広沢1-1",
            "established_on_1": "R3.12.1",
            "claimed_1": "30000",
            "kind_2": "junior_security",
            "claimant_2": "株式会社B銀行",
            "established_on_2": "R3.10.1",
            "claimed_2": "100000",
        },
    )
    statement = DistributionStatement.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("dispositions:distribution_detail", args=[statement.number])).content.decode()
    assert "第4順位" in page and "12,200円" in page and "決裁する" not in page  # not by its drafter
    assert (
        client.get(reverse("dispositions:distribution_approve", args=[statement.number])).status_code == 403
    )

    sign_in(client, supervisor)
    client.post(reverse("dispositions:distribution_approve", args=[statement.number]))
    statement.refresh_from_db()
    assert statement.status == "approved"
    assert Payment.objects.get(channel=Payment.Channel.DISTRIBUTION).amount == 37_800

    client.post(reverse("documents:issue_from", args=["distribution", statement.number]), {"form": "36"})
    document = Document.objects.get(form_code="36")
    text = pdf_text(document_services.render_document(document))
    # one copy for the 滞納者 and one for each other claimant, the one receiving nothing included
    assert text.count("配当計算書（謄本）") == 3
    assert "株式会社B銀行御中" in text and "和光税務署御中" in text
    assert "換価代金等の交付期日令和4年3月9日" in text and "国税徴収法施行令第49条" in text
    assert "第5順位" in text and "100,0000" in text  # 債権額 100,000 and 配当額 0 side by side


@time_machine.travel(datetime(2022, 10, 3, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo")))
def test_a_salary_seizure_above_the_prohibited_amount_is_refused_on_the_draft_page(client, officer, ledger):
    # on a day the installment may still be seized (its 時効 completes in 2026)
    sign_in(client, officer)
    url = reverse("dispositions:draft", args=["000000101"])
    from taxpayers.models import Assessment

    installment = Assessment.objects.get(notice_number="210000101")
    data = {
        "code": "01",
        "category": "12",
        "planned_on": "R4.10.3",
        "reason": "給与照会で勤務先を確認",
        "third_party_name": "株式会社和光製作所",
        "assessments": [installment.pk],
        "wage_paid": "300000",
        "wage_income_tax": "8000",
        "wage_resident_tax": "12000",
        "wage_social_insurance": "42000",
        "wage_dependants": "2",
        "seized_monthly_amount": "50000",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200 and "差押可能額（38,400円）を超えています" in refused.content.decode()
    accepted = client.post(url, {**data, "seized_monthly_amount": "38400"})
    assert accepted.status_code == 302
