"""The same installments and the same property (same 第三債務者 and account) were seized twice and
both approved; the approval page omitted 財産の表示 and 第三債務者 (issue 18)."""

from datetime import date

import pytest
from django.urls import reverse

from dispositions import services
from dispositions.models import CancellationCategory, Disposition
from taxpayers.models import Assessment, Taxpayer
from tests.conftest import sign_in
from tests.dispositions.test_dispositions import seize
from wako_collections.actors import Actor

pytestmark = pytest.mark.django_db


def seize_as(actor, *, on, description="和光銀行 本店 普通 1234567", bank="株式会社和光銀行", category="11"):
    return services.draft_disposition(
        actor=actor,
        taxpayer=Taxpayer.objects.get(atena_number="000000101"),
        assessment_ids=[Assessment.objects.get(notice_number="210000101").pk],
        code="01",
        category=category,
        reason="預貯金調査で残高を確認",
        planned_on=on,
        property_description=description,
        third_party_name=bank,
    )


@pytest.mark.parametrize(
    ("description", "bank"),
    [
        ("和光銀行 本店 普通 1234567", "株式会社和光銀行"),  # the same, typed again
        ("和光銀行　本店　普通　１２３４５６７", "株式会社和光銀行"),  # full-width digits and spaces
        ("和光銀行本店普通1234567", "株式会社 和光銀行"),  # without spaces
    ],
)
def test_a_second_seizure_of_the_same_property_for_the_same_installments_is_refused(
    officer, ledger, description, bank
):
    actor = Actor.for_staff(officer, "T0001")
    first = seize(actor)
    with pytest.raises(services.DispositionError, match=first.number):
        seize_as(actor, on=date(2021, 6, 30), description=description, bank=bank)  # also dated earlier
    assert Disposition.objects.count() == 1


def test_another_account_or_another_bank_may_be_seized(officer, ledger):
    actor = Actor.for_staff(officer, "T0001")
    seize(actor)
    assert seize_as(actor, on=date(2021, 7, 1), description="和光銀行 本店 普通 7654321").pk
    assert seize_as(actor, on=date(2021, 7, 1), bank="埼玉りそな銀行", description="普通 1234567").pk


def test_a_cancelled_seizure_does_not_stand_in_the_way(officer, ledger):
    actor = Actor.for_staff(officer, "T0001")
    first = seize(actor)
    services.cancel_disposition(
        actor=actor,
        disposition=first,
        category=CancellationCategory.values[0],
        reason="口座番号の誤り",
    )
    assert seize(actor).pk


def test_of_two_drafts_made_before_the_rule_only_one_can_be_approved(officer, supervisor, ledger):
    actor = Actor.for_staff(officer, "T0001")
    first = seize(actor)
    second = seize(actor, category="13")
    Disposition.objects.filter(pk=second.pk).update(category="11")  # as the two drafts of the report
    second.refresh_from_db()
    boss = Actor.for_staff(supervisor, "T0001")
    services.approve_disposition(actor=boss, disposition=first)
    with pytest.raises(services.DispositionError, match="二重の差押"):
        services.approve_disposition(actor=boss, disposition=second)
    second.refresh_from_db()
    assert second.status == Disposition.Status.DRAFT


def test_the_approval_page_shows_the_property_and_the_third_party_debtor(client, officer, supervisor, ledger):
    draft = seize(Actor.for_staff(officer, "T0001"))
    Disposition.objects.filter(pk=draft.pk).update(third_party_address="埼玉県和光市本町1-1")
    sign_in(client, supervisor)
    page = client.get(reverse("dispositions:approve", args=[draft.number])).content.decode()
    for shown in (
        "財産の表示",
        "和光銀行 本店 普通 1234567",
        "第三債務者",
        "株式会社和光銀行",
        "埼玉県和光市本町1-1",
        "処分予定日",
        "S1001",
    ):
        assert shown in page
