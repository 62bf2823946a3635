"""Deactivating an officer left their cases on a 担当 nobody could pick (issue 18): deactivation
asks where the cases go, and moves them."""

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import SecurityEvent
from taxpayers.models import Taxpayer
from tests.conftest import sign_in
from tests.taxpayers.conftest import batch_actor, ledger, write_csv  # noqa: F401  (shared fixtures)
from wako_collections.actors import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(request, officer):
    request.getfixturevalue("ledger")
    Taxpayer.objects.filter(atena_number__in=["000000101", "000000102"]).update(assigned_officer=officer)
    return 2


def test_an_officer_with_cases_cannot_be_deactivated_without_a_successor(administrator, officer, cases):
    with pytest.raises(services.AccountError, match="担当している滞納者が2人"):
        services.deactivate_staff(actor=Actor.for_staff(administrator, "T0001"), staff=officer, reason="退職")
    officer.refresh_from_db()
    assert officer.is_active


def test_the_cases_go_to_the_successor_with_history(administrator, officer, supervisor, cases):
    services.deactivate_staff(
        actor=Actor.for_staff(administrator, "T0001"), staff=officer, reason="退職", successor=supervisor
    )
    officer.refresh_from_db()
    assert not officer.is_active
    assert not Taxpayer.objects.filter(assigned_officer=officer).exists()
    assert Taxpayer.objects.filter(assigned_officer=supervisor).count() == 2
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    assert taxpayer.history.first().history_change_reason == "担当の変更"
    assert SecurityEvent.objects.filter(detail__contains="担当 2人を S2001 に引継ぎ").exists()


def test_an_inactive_or_the_same_officer_is_not_a_successor(administrator, officer, read_only, cases):
    type(read_only).objects.filter(pk=read_only.pk).update(is_active=False)
    read_only.refresh_from_db()
    for successor in (read_only, officer):
        with pytest.raises(services.AccountError, match="有効な職員"):
            services.deactivate_staff(
                actor=Actor.for_staff(administrator, "T0001"),
                staff=officer,
                reason="退職",
                successor=successor,
            )


def test_the_page_asks_where_the_cases_go(client, administrator, officer, supervisor, cases):
    sign_in(client, administrator)
    url = reverse("accounts:staff_deactivate", args=[officer.pk])
    page = client.get(url).content.decode()
    assert "滞納者 2人の担当です" in page and "担当を引き継ぐ職員" in page
    refused = client.post(url, {"reason": "退職"})
    assert "引き継ぐ職員を選んでください" in refused.content.decode()
    officer.refresh_from_db()
    assert officer.is_active
    done = client.post(url, {"reason": "退職", "successor": supervisor.pk})
    assert done.status_code == 302
    assert Taxpayer.objects.filter(assigned_officer=supervisor).count() == 2


def test_an_officer_without_cases_is_deactivated_as_before(client, administrator, officer):
    sign_in(client, administrator)
    url = reverse("accounts:staff_deactivate", args=[officer.pk])
    assert "担当を引き継ぐ職員" not in client.get(url).content.decode().split("<form")[0]
    assert client.post(url, {"reason": "退職"}).status_code == 302
    officer.refresh_from_db()
    assert not officer.is_active
