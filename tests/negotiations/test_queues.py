"""The officer's work queue and the supervisor's reassignment."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from negotiations import services
from taxpayers.models import Taxpayer
from taxpayers.reconciliation import reconcile
from tests.conftest import sign_in
from tests.negotiations.conftest import CONTACT

pytestmark = pytest.mark.django_db


def assign_all_to(officer, supervisor_actor):
    services.assign_officer(actor=supervisor_actor, taxpayers=Taxpayer.objects.all(), officer=officer)


def test_my_work_lists_planned_contacts_quiet_cases_and_near_prescription(
    client, officer, supervisor, ledger, officer_actor, settings
):
    from wako_collections.actors import Actor

    assign_all_to(officer, Actor.for_staff(supervisor, "T0001"))
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    with time_machine.travel(date(2025, 12, 1), tick=False):
        services.record_negotiation(
            actor=officer_actor,
            taxpayer=taxpayer,
            values={**CONTACT, "result": "1", "scheduled_date": date(2025, 12, 1)},
        )
    reconcile(as_of=date(2026, 1, 10))
    with time_machine.travel(date(2026, 1, 10), tick=False):
        sign_in(client, officer)
        queue = client.get(reverse("negotiations:my_work")).context["queue"]
    assert [r.taxpayer.atena_number for r in queue.planned] == ["000000101"]
    assert "000000102" in [t.atena_number for t in queue.no_contact]  # delinquent, never contacted
    assert "000000101" not in [t.atena_number for t in queue.no_contact]  # contacted in December
    # 時効 2026-09-30 (renewed by its 督促 and 一部納付): more than 180 days away
    assert "000000101" not in [b.taxpayer.atena_number for b in queue.prescription_soon]


def test_supervisors_reassign_cases_with_history(client, officer, supervisor, ledger):
    sign_in(client, supervisor)
    response = client.post(
        reverse("negotiations:assign"),
        {"atena_numbers": "000000101, 000000102", "officer": officer.pk, "district": "広沢"},
    )
    assert response.status_code == 302
    taro = Taxpayer.objects.get(atena_number="000000101")
    assert taro.assigned_officer == officer and taro.district == "広沢"
    latest = taro.history.first()
    assert (latest.history_change_reason, latest.history_staff_number) == ("担当の変更", "S2001")


def test_an_unknown_number_changes_nothing(client, officer, supervisor, ledger):
    sign_in(client, supervisor)
    client.post(reverse("negotiations:assign"), {"atena_numbers": "000000101, 999", "officer": officer.pk})
    assert Taxpayer.objects.get(atena_number="000000101").assigned_officer is None


@pytest.mark.parametrize(
    ("today", "listed"),
    [
        # 固定資産税 2021 第1期: 法定納期限 2021-05-31, so the ledger's 時効予定日 is 2026-05-31; the
        # 督促状 of 2021-06-18 and the 一部納付 of 2021-09-30 (承認) renew it to 2026-09-30.
        (date(2026, 6, 10), date(2026, 9, 30)),  # past the ledger's date, not yet complete
        (date(2026, 10, 1), None),  # complete: 不納欠損's business, not "soon"
    ],
)
def test_prescription_soon_counts_the_demand_and_leaves_out_what_has_completed(
    client, officer, supervisor, ledger, today, listed
):
    from wako_collections.actors import Actor

    assign_all_to(officer, Actor.for_staff(supervisor, "T0001"))
    reconcile(as_of=today)
    with time_machine.travel(today, tick=False):
        sign_in(client, officer)
        response = client.get(reverse("negotiations:my_work"))
    soon = {s.taxpayer.atena_number: s.expires_on for s in response.context["queue"].prescription_soon}
    assert soon.get("000000101") == listed
    assert all(expires_on >= today for expires_on in soon.values())
