"""The officer's work queue and the supervisor's reassignment."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from negotiations import services
from taxpayers.models import Taxpayer
from taxpayers.reconciliation import reconcile
from tests.assessments import add_assessment
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
    # 000000102's only 滞納 期別 (its 2021 保険料) is 時効完成: nothing to collect, no quiet case
    assert "000000102" not in [t.atena_number for t in queue.no_contact]
    assert "000000101" not in [t.atena_number for t in queue.no_contact]  # contacted in December
    # 時効 2026-09-30 (renewed by its 督促 and 一部納付): more than 180 days away
    assert "000000101" not in [b.taxpayer.atena_number for b in queue.prescription_soon]
    # with a 期別 still owed, 000000102 is delinquent and never contacted
    hanako = Taxpayer.objects.get(atena_number="000000102")
    add_assessment(hanako, "250000903", tax_year=2025, due=date(2025, 6, 30), principal=10_000)
    reconcile(as_of=date(2026, 1, 10))
    with time_machine.travel(date(2026, 1, 10), tick=False):
        queue = client.get(reverse("negotiations:my_work")).context["queue"]
    assert "000000102" in [t.atena_number for t in queue.no_contact]


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


def _no_contact_by_one_grouping(officer, today):
    """The queue's definition as one query grouping every delinquent taxpayer's records, in the
    order the heading promises (急ぐものから) and the 滞納者一覧's 最終接触の古い順 follows: never
    contacted first (largest 未納本税 first), then the longest quiet. The reference the bounded
    queries must agree with."""
    from datetime import timedelta

    from django.conf import settings
    from django.db.models import F, Max, Q

    from taxpayers.models import TaxpayerBalance

    # delinquent: something still collectible (a taxpayer whose 滞納 期別 are all 時効完成 is not)
    payers = TaxpayerBalance.objects.filter(delinquent_installments__gt=F("time_barred_installments"))
    if officer is not None:
        payers = payers.filter(taxpayer__assigned_officer=officer)
    return [
        (t.atena_number, t.last_contact)
        for t in Taxpayer.objects.filter(pk__in=payers.values("taxpayer_id"))
        .annotate(
            last_contact=Max(
                "negotiation_records__input_date", filter=Q(negotiation_records__cancelled_at__isnull=True)
            )
        )
        .filter(
            Q(last_contact__lt=today - timedelta(days=settings.NO_CONTACT_DAYS))
            | Q(last_contact__isnull=True)
        )
        .order_by(F("last_contact").asc(nulls_first=True), "-balance__outstanding_principal", "atena_number")
    ]


def test_quiet_cases_agree_with_grouping_every_delinquent_taxpayer(
    officer, supervisor, ledger, officer_actor
):
    from negotiations.queues import no_contact
    from tests.dispositions.test_writeoffs import add_installment
    from wako_collections.actors import Actor

    assign_all_to(officer, Actor.for_staff(supervisor, "T0001"))
    company = Taxpayer.objects.get(atena_number="000000103")
    add_installment(company, "230000901", tax_year=2023, due=date(2023, 6, 30), principal=90_000)
    today = date(2026, 1, 10)
    with time_machine.travel(date(2025, 6, 2), tick=False):  # 101: contacted, quiet since
        services.record_negotiation(
            actor=officer_actor, taxpayer=Taxpayer.objects.get(atena_number="000000101"), values=CONTACT
        )
    with time_machine.travel(date(2025, 12, 22), tick=False):  # 103: its only record, cancelled
        record = services.record_negotiation(actor=officer_actor, taxpayer=company, values=CONTACT)
        services.cancel_negotiation(
            actor=officer_actor,
            record_number=record.record_number,
            expected_revision=record.revision,
            reason="入力誤り",
        )
    reconcile(as_of=today)
    expected = _no_contact_by_one_grouping(officer, today)
    # the never contacted first, by amount: 103 (its record cancelled); then 101, quiet since June —
    # not 102, whose only 滞納 期別 (its 2021 保険料) is 時効完成
    assert [atena for atena, _ in expected] == ["000000103", "000000101"]
    assert expected[0][1] is None and expected[1][1] == date(2025, 6, 2)
    for who in (officer, None):
        for limit in (1, 2, 200):
            found = [
                (t.atena_number, t.last_contact) for t in no_contact(officer=who, today=today, limit=limit)
            ]
            assert found == _no_contact_by_one_grouping(who, today)[:limit]
    with time_machine.travel(date(2026, 1, 5), tick=False):  # 102 contacted: leaves the list
        services.record_negotiation(
            actor=officer_actor, taxpayer=Taxpayer.objects.get(atena_number="000000102"), values=CONTACT
        )
    assert [t.atena_number for t in no_contact(officer=officer, today=today, limit=200)] == [
        "000000103",
        "000000101",
    ]


def _queue_page(client, staff, url, today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with time_machine.travel(today, tick=False):
        sign_in(client, staff)
        client.get(url)  # the first request of a session fills its caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def _planned_and_promised(officer_actor, atena_number):
    """A 予定 and then a promise to pay on the taxpayer: one more row in 今日までの予定, and in
    不履行の約束 once evaluate_promises has judged it."""
    taxpayer = Taxpayer.objects.get(atena_number=atena_number)
    with time_machine.travel(date(2025, 12, 1), tick=False):
        services.record_negotiation(
            actor=officer_actor,
            taxpayer=taxpayer,
            values={**CONTACT, "result": "1", "scheduled_date": date(2026, 1, 5)},
        )
        services.record_negotiation(
            actor=officer_actor,
            taxpayer=taxpayer,
            values={
                **CONTACT,
                "result": "4",
                "scheduled_date": date(2025, 12, 20),
                "promised_amount": 10_000,
            },
        )


@pytest.mark.parametrize("page", ["my_work", "everyone"])
def test_the_work_pages_links_are_reverse_s_and_their_queries_do_not_grow_with_the_rows(
    client, officer, supervisor, ledger, officer_actor, settings, page
):
    """The rows' links are made once per kind (wako_collections/links.py) and the rows read only
    what they show (negotiations/queues.py): each link is still what {% url %} gave, and more rows
    cost no more queries (a field left out of a row's `only()` would cost one per row)."""
    from wako_collections.actors import Actor

    settings.PRESCRIPTION_WARNING_DAYS = 365
    assign_all_to(officer, Actor.for_staff(supervisor, "T0001"))
    today = date(2026, 1, 10)
    staff, url = (
        (officer, reverse("negotiations:my_work"))
        if page == "my_work"
        else (supervisor, reverse("negotiations:queues"))
    )
    _planned_and_promised(officer_actor, "000000101")
    services.evaluate_promises(as_of=today)
    reconcile(as_of=today)
    response, few = _queue_page(client, staff, url, today)
    queue = response.context["queue"]
    assert [r.taxpayer.atena_number for r in queue.broken_promises] == ["000000101"]
    _planned_and_promised(officer_actor, "000000103")  # 102 stays never contacted: 接触のない滞納者
    services.evaluate_promises(as_of=today)
    response, many = _queue_page(client, staff, url, today)
    queue = response.context["queue"]
    assert len(queue.broken_promises) == len(queue.planned) == 2
    assert many == few
    html = response.content.decode()
    rows = [*queue.planned, *queue.broken_promises]
    assert rows and all(r.case_url == reverse("cases:case", args=[r.taxpayer.atena_number]) for r in rows)
    for record in rows:
        assert f'<a href="{record.case_url}">{record.taxpayer.name}</a>' in html
    assert queue.no_contact or queue.prescription_soon
    for taxpayer in queue.no_contact:
        assert f'<a href="{reverse("cases:case", args=[taxpayer.atena_number])}">' in html
    for soon in queue.prescription_soon:
        atena = soon.taxpayer.atena_number
        assert f'<a href="{reverse("dispositions:prescriptions", args=[atena])}">' in html


def test_the_prescription_link_is_shown_only_to_who_may_open_it(
    client, officer, supervisor, ledger, settings
):
    from django.contrib.auth.models import Group, Permission

    from accounts.roles import Role
    from wako_collections.actors import Actor

    settings.PRESCRIPTION_WARNING_DAYS = 365
    assign_all_to(officer, Actor.for_staff(supervisor, "T0001"))
    today = date(2026, 1, 10)
    reconcile(as_of=today)
    response, _ = _queue_page(client, officer, reverse("negotiations:my_work"), today)
    [soon, *_] = response.context["queue"].prescription_soon
    link = reverse("dispositions:prescriptions", args=[soon.taxpayer.atena_number])
    assert link in response.content.decode()
    permission = Permission.objects.get(codename="dispositions", content_type__app_label="accounts")
    Group.objects.get(name=Role.COLLECTIONS_OFFICER).permissions.remove(permission)
    response, _ = _queue_page(client, officer, reverse("negotiations:my_work"), today)
    [soon, *_] = response.context["queue"].prescription_soon
    assert soon.taxpayer.prescriptions_url == ""
    assert link not in response.content.decode()
    assert soon.expires_on.strftime("%Y") and "時効予定日が近い滞納者" in response.content.decode()


def test_a_taxpayer_with_a_completed_prescription_is_still_near_for_the_next_one(
    client, officer, supervisor, ledger, settings
):
    """One 期別 whose 時効 completed years ago (不納欠損's business) and one whose 時効予定日 is next
    month: ホーム's count, the 滞納者一覧 with the same bounds and わたしの仕事 all list the taxpayer,
    with the next 時効予定日 — the stored nearest date is the nearest still ahead, not one passed
    (ホーム counted 6 where わたしの仕事 listed 45 in a new user's trial)."""
    from datetime import timedelta

    from taxpayers.models import TaxpayerBalance
    from taxpayers.standing import standing_of
    from taxpayers.working_list import prescription_soon_payers
    from tests.assessments import add_assessment, add_taxpayer
    from wako_collections.actors import Actor

    today = date(2026, 12, 1)
    settings.PRESCRIPTION_WARNING_DAYS = 180
    payer = add_taxpayer("000000901", name="時効 次郎", name_kana="ジコウ ジロウ")
    completed = add_assessment(payer, "90100001", tax_year=2018, due=date(2019, 4, 30), principal=30_000)
    near = add_assessment(payer, "90100002", tax_year=2021, due=date(2022, 1, 4), principal=40_000)
    assign_all_to(officer, Actor.for_staff(supervisor, "T0001"))
    reconcile(as_of=today)
    passed = standing_of(completed, as_of=today).prescription_date
    ahead = standing_of(near, as_of=today).prescription_date
    assert passed < today <= ahead <= today + timedelta(days=180)
    assert TaxpayerBalance.objects.get(taxpayer=payer).earliest_prescription_date == ahead
    until = today + timedelta(days=180)
    counted = prescription_soon_payers(officer=officer, today=today, until=until)
    assert payer.pk in set(counted.values_list("taxpayer_id", flat=True))
    with time_machine.travel(today, tick=False):
        sign_in(client, officer)
        queue = client.get(reverse("negotiations:my_work")).context["queue"]
        listed = client.get(
            reverse("taxpayers:delinquent"),
            {"prescription_from": "R8.12.1", "prescription_by": until.isoformat()},
        ).context["page"]
    soon = {s.taxpayer.atena_number: s.expires_on for s in queue.prescription_soon}
    assert soon["000000901"] == ahead
    assert "000000901" in [row.taxpayer.atena_number for row in listed]


@pytest.mark.parametrize(
    ("typed", "message"),
    [("-5000", "入金予定額は1円以上で入力してください。"), ("0", "入金予定額は1円以上で入力してください。")],
)
def test_a_promised_amount_below_one_yen_is_refused_in_japanese(typed, message):
    from negotiations.forms import NegotiationForm

    form = NegotiationForm(data={"promised_amount": typed})
    assert not form.is_valid()
    assert form.errors["promised_amount"] == [message]
    assert 'min="1"' in str(form["promised_amount"])
