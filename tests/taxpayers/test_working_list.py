"""滞納者一覧 as the officer's working list: filters, sorts, totals, saved filters (taxpayers/working_list.py).

The ledger fixture, reconciled on 2022-01-31: 000000101 (広沢) owes 35,000円 of 2021 固定資産税,
000000102 (新倉) 48,000円 of 2021 国民健康保険料; 000000103 owes nothing."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from taxpayers.models import InstallmentBalance, SavedListFilter, Taxpayer, TaxpayerAccess, TaxpayerBalance
from taxpayers.reconciliation import reconcile
from tests.conftest import sign_in
from wako_collections.actors import Actor

DAY = date(2022, 1, 31)


@pytest.fixture
def listed(ledger, officer, supervisor):
    reconcile(as_of=DAY)
    Taxpayer.objects.filter(atena_number="000000101").update(assigned_officer=officer)
    Taxpayer.objects.filter(atena_number="000000102").update(assigned_officer=supervisor)
    with time_machine.travel(DAY, tick=False):
        yield


def shown(client, **params):
    response = client.get(reverse("taxpayers:delinquent"), params)
    assert response.status_code == 200
    page = response.context["page"]
    return [b.taxpayer.atena_number for b in page] if page is not None else None, response


def test_the_list_shows_the_officers_own_cases_by_default(client, officer, listed):
    sign_in(client, officer)
    numbers, response = shown(client)
    assert numbers == ["000000101"]
    totals = response.context["totals"]
    assert (totals.taxpayers, totals.outstanding_principal) == (1, 35_000)
    assert TaxpayerAccess.objects.get(page="滞納者一覧").atena_numbers == ["000000101"]


def test_everyone_sorted_by_amount_either_way_with_the_totals_of_the_filtered_set(client, officer, listed):
    sign_in(client, officer)
    numbers, response = shown(client, officer="all")
    assert numbers == ["000000102", "000000101"]
    totals = response.context["totals"]
    assert (totals.taxpayers, totals.installments, totals.outstanding_principal) == (2, 2, 83_000)
    assert totals.total == sum(b.total for b in TaxpayerBalance.objects.filter(delinquent_installments__gt=0))
    assert "<strong>2人</strong>" in response.content.decode()
    assert shown(client, officer="all", sort="amount_asc")[0] == ["000000101", "000000102"]
    assert shown(client, officer="all", sort="atena")[0] == ["000000101", "000000102"]


def test_an_officer_chosen_by_name_and_the_unassigned(client, officer, supervisor, listed):
    sign_in(client, officer)
    assert shown(client, officer=str(supervisor.pk))[0] == ["000000102"]
    assert shown(client, officer="unassigned")[0] == []
    Taxpayer.objects.filter(atena_number="000000102").update(assigned_officer=None)
    assert shown(client, officer="unassigned")[0] == ["000000102"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"district": "新倉"}, ["000000102"]),
        ({"district": "広沢"}, ["000000101"]),
        ({"subject": "02"}, ["000000101"]),
        ({"subject": "06"}, ["000000102"]),
        ({"subject": "01"}, []),  # 101's 2025 resident tax was paid
        ({"tax_year": "2021"}, ["000000102", "000000101"]),
        ({"tax_year": "R3"}, ["000000102", "000000101"]),
        ({"tax_year": "2020"}, []),
        ({"amount_min": "40000"}, ["000000102"]),
        ({"amount_min": "４０，０００円"}, ["000000102"]),
        ({"amount_max": "35000"}, ["000000101"]),
        ({"amount_min": "35000", "amount_max": "48000"}, ["000000102", "000000101"]),
    ],
)
def test_each_filter_narrows_the_list(client, officer, listed, params, expected):
    sign_in(client, officer)
    assert shown(client, officer="all", **params)[0] == expected


def test_the_renewed_prescription_date_bounds_and_sorts_the_list(client, officer, listed):
    sign_in(client, officer)
    dates = dict(
        TaxpayerBalance.objects.filter(delinquent_installments__gt=0).values_list(
            "taxpayer__atena_number", "earliest_prescription_date"
        )
    )
    assert all(dates.values())
    first = min(dates, key=lambda n: dates[n])
    numbers, _ = shown(client, officer="all", prescription_by=dates[first].isoformat())
    assert numbers == [n for n in ["000000102", "000000101"] if dates[n] <= dates[first]]
    numbers, _ = shown(
        client, officer="all", prescription_from=(dates[first] + timedelta(days=1)).isoformat()
    )
    assert first not in numbers
    assert shown(client, officer="all", sort="prescription")[0] == sorted(dates, key=lambda n: (dates[n], n))


def test_days_since_the_last_contact(client, officer, listed):
    from negotiations.services import record_negotiation

    taro = Taxpayer.objects.get(atena_number="000000101")
    record_negotiation(
        actor=Actor.for_staff(officer, "T0001"),
        taxpayer=taro,
        values={
            "subject_group_code": "00",
            "content": "架電。本人と話した。",
            "result": "2",
            "collection_category": "2",
            "importance": "2",
            "contact_kind": "11",
        },
    )
    sign_in(client, officer)
    assert shown(client, officer="all", no_contact_days="30")[0] == ["000000102"]
    assert shown(client, officer="all", no_contact_days="1")[0] == ["000000102"]
    assert shown(client, officer="all", no_contact_days="0")[0] == ["000000102", "000000101"]  # 0 days ≥ 0
    numbers, response = shown(client, officer="all", sort="last_contact")
    assert numbers == ["000000102", "000000101"]  # never contacted first
    html = response.content.decode()
    assert "0日前" in html and "なし" in html


def test_state_filters_read_the_apps_that_own_the_state(client, officer, supervisor, listed):
    from dispositions import services as disposition_services
    from negotiations.schedules import PlannedPayment
    from negotiations.services import make_pledge

    actor = Actor.for_staff(officer, "T0001")
    taro = Taxpayer.objects.get(atena_number="000000101")
    make_pledge(
        actor=actor,
        taxpayer=taro,
        assessments=[taro.assessments.get(subject_code="02")],
        schedule=[PlannedPayment(1, DAY + timedelta(days=10), 35_000)],
        pledged_on=DAY,
        interval="monthly",
    )
    hanako = Taxpayer.objects.get(atena_number="000000102")
    stop = disposition_services.draft_disposition(
        actor=actor,
        taxpayer=hanako,
        assessment_ids=[hanako.assessments.get().pk],
        code="07",
        category="71",
        reason="財産調査の結果、滞納処分をすることができる財産がない",
        planned_on=DAY,
    )
    sign_in(client, officer)
    assert shown(client, officer="all", state="pledged")[0] == ["000000101"]
    assert shown(client, officer="all", state="stopped")[0] == []  # drafted, not approved
    disposition_services.approve_disposition(
        actor=Actor.for_staff(supervisor, "T0001"), disposition=stop, disposed_on=DAY
    )
    assert shown(client, officer="all", state="stopped")[0] == ["000000102"]
    assert shown(client, officer="all", state="seized")[0] == []
    assert shown(client, officer="all", state="postponed")[0] == []


def _standing_statuses(today: date) -> dict[str, set[str]]:
    """{status: the taxpayers with a delinquent installment of that status}, from the standing."""
    from taxpayers.models import Assessment
    from taxpayers.standing import standings_for

    delinquent = Assessment.objects.filter(balance__status="delinquent").select_related("taxpayer")
    found: dict[str, set[str]] = {}
    for standing in standings_for(delinquent, as_of=today):
        found.setdefault(standing.status, set()).add(standing.assessment.taxpayer.atena_number)
    return found


def _list_agrees_with_the_standing(client, today: date) -> dict[str, list[str]]:
    """Each state of the list's filter against the installments' status on `today` (one hold per
    taxpayer here, so the status names it); returns what the list shows per state."""
    statuses = _standing_statuses(today)
    listed = {state: shown(client, officer="all", state=state)[0] for state in STATES}
    for state in STATES:
        assert set(listed[state]) == statuses.get(state, set()), (today, state, listed, statuses)
    return listed


STATES = ("pledged", "seized", "stopped", "postponed")


def test_the_lists_states_and_the_standing_agree_in_each_state_and_on_the_edge_days(
    client, officer, supervisor, listed
):
    """分納中, 停止中 then its 取消, 猶予中 on its last day and the day after, 差押中: the list's filter
    and the installments' status read one definition (standing.hold_exists) and agree each day."""
    from dispositions import services as disposition_services
    from negotiations.schedules import PlannedPayment
    from negotiations.services import make_pledge

    actor, approver = Actor.for_staff(officer, "T0001"), Actor.for_staff(supervisor, "T0002")
    taro = Taxpayer.objects.get(atena_number="000000101")
    hanako = Taxpayer.objects.get(atena_number="000000102")
    hanako_due = [hanako.assessments.get().pk]

    def dispose(taxpayer_ids, code, category, **extra):
        drafted = disposition_services.draft_disposition(
            actor=actor,
            taxpayer=hanako,
            assessment_ids=taxpayer_ids,
            code=code,
            category=category,
            reason="テスト",
            planned_on=date.today(),
            **extra,
        )
        disposition_services.approve_disposition(
            actor=approver, disposition=drafted, disposed_on=date.today()
        )
        return drafted

    sign_in(client, officer)
    make_pledge(
        actor=actor,
        taxpayer=taro,
        assessments=[taro.assessments.get(subject_code="02")],
        schedule=[PlannedPayment(1, DAY + timedelta(days=10), 35_000)],
        pledged_on=DAY,
        interval="monthly",
    )
    stop = dispose(hanako_due, "07", "71")
    assert _list_agrees_with_the_standing(client, DAY) == {
        "pledged": ["000000101"],
        "seized": [],
        "stopped": ["000000102"],
        "postponed": [],
    }
    # 執行停止の取消 (drafted, decided by a second person): from its day, no longer 停止中
    cancellation = disposition_services.draft_cancellation(
        actor=actor, disposition=stop, category="9", reason="資力の回復", cancelled_on=DAY
    )
    disposition_services.approve_cancellation(actor=approver, cancellation=cancellation)
    assert _list_agrees_with_the_standing(client, DAY)["stopped"] == []
    # 徴収の猶予 to DAY + 5: 猶予中 on its last day, no longer the day after
    dispose(hanako_due, "10", "81", postponed_until=DAY + timedelta(days=5))
    with time_machine.travel(DAY + timedelta(days=5), tick=False):
        sign_in(client, officer)  # a new day, a new session
        assert _list_agrees_with_the_standing(client, DAY + timedelta(days=5))["postponed"] == ["000000102"]
    with time_machine.travel(DAY + timedelta(days=6), tick=False):
        sign_in(client, officer)
        assert _list_agrees_with_the_standing(client, DAY + timedelta(days=6))["postponed"] == []
        dispose(hanako_due, "01", "21", property_description="和光市下新倉3丁目の土地")
        assert _list_agrees_with_the_standing(client, DAY + timedelta(days=6))["seized"] == ["000000102"]
        # an 執行停止 of another of taro's installments, then that one paid in full: taro still owes
        # the pledged one, but is no longer 停止中 — a held installment makes its taxpayer so only
        # while it is owed (a seizure collected in full likewise no longer makes one 差押中)
        from taxpayers.reconciliation import reconcile
        from tests.assessments import add_assessment, add_payment

        seized = add_assessment(taro, "90200001", tax_year=2020, due=date(2021, 5, 31), principal=20_000)
        reconcile(as_of=DAY + timedelta(days=6))
        seized.refresh_from_db()
        drafted = disposition_services.draft_disposition(
            actor=actor,
            taxpayer=taro,
            assessment_ids=[seized.pk],
            code="07",
            category="71",
            reason="テスト",
            planned_on=date.today(),
        )
        disposition_services.approve_disposition(
            actor=approver, disposition=drafted, disposed_on=date.today()
        )
        assert "000000101" in _list_agrees_with_the_standing(client, DAY + timedelta(days=6))["stopped"]
        owed = seized.balance.outstanding_principal + seized.balance.outstanding_fee
        add_payment(seized, actor, on=DAY + timedelta(days=6), amount=owed + 50_000, receipt="R0999")
        reconcile(as_of=DAY + timedelta(days=6))
        assert InstallmentBalance.objects.get(assessment=seized).status == "paid"
        assert TaxpayerBalance.objects.get(taxpayer=taro).delinquent_installments > 0
        assert "000000101" not in _list_agrees_with_the_standing(client, DAY + timedelta(days=6))["stopped"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"officer": "999999"}, "選択肢にない担当です"),
        ({"sort": "name; DROP TABLE"}, "選択肢にない値です"),
        ({"state": "x"}, "選択肢にない値です"),
        ({"district": "存在しない地区"}, "選択肢にない値です"),
        ({"amount_min": "abc"}, "未納本税（以上）は半角数字で入力してください"),
        ({"amount_min": "-5"}, "未納本税（以上）は0以上で入力してください"),
        ({"amount_min": "50000", "amount_max": "100"}, "未納本税の上限は下限以上の金額にしてください"),
        (
            {"prescription_from": "2030-01-01", "prescription_by": "2029-01-01"},
            "時効予定日の終わりは始まり以後",
        ),
        ({"no_contact_days": "1.5"}, "最終接触からの日数（以上）は半角数字で入力してください"),
        ({"tax_year": "2200"}, "年度"),
    ],
)
def test_a_bad_parameter_is_refused_in_japanese_and_the_list_is_not_run(
    client, officer, listed, params, message
):
    sign_in(client, officer)
    numbers, response = shown(client, **params)
    assert numbers is None
    assert message in response.content.decode()
    assert not TaxpayerAccess.objects.filter(page="滞納者一覧").exists()


def test_saving_loading_and_deleting_a_filter(client, officer, supervisor, listed):
    sign_in(client, officer)
    query = "officer=all&district=新倉&sort=amount_asc"
    response = client.post(reverse("taxpayers:saved_filter_create"), {"name": " 新倉の高額 ", "query": query})
    assert response.status_code == 302
    saved = SavedListFilter.objects.get()
    assert (saved.owner, saved.name, saved.query) == (officer, "新倉の高額", query)
    assert saved.updated_staff_number == officer.staff_number and saved.updated_terminal_number == "T0001"
    assert saved.history.count() == 1
    # the same name again replaces it, with history
    client.post(reverse("taxpayers:saved_filter_create"), {"name": "新倉の高額", "query": "officer=all"})
    saved.refresh_from_db()
    assert saved.query == "officer=all" and saved.history.count() == 2
    assert "新倉の高額" in client.get(reverse("taxpayers:delinquent")).content.decode()

    loaded = client.get(reverse("taxpayers:saved_filter_load", args=[saved.pk]))
    assert loaded["Location"] == reverse("taxpayers:delinquent") + "?officer=all"

    # another officer's filter is not found
    sign_in(client, supervisor)
    assert client.get(reverse("taxpayers:saved_filter_load", args=[saved.pk])).status_code == 404
    assert client.post(reverse("taxpayers:saved_filter_delete", args=[saved.pk])).status_code == 404

    sign_in(client, officer)
    assert (
        "削除します" in client.get(reverse("taxpayers:saved_filter_delete", args=[saved.pk])).content.decode()
    )
    assert SavedListFilter.objects.exists()  # GET only asks
    client.post(reverse("taxpayers:saved_filter_delete", args=[saved.pk]))
    assert not SavedListFilter.objects.exists()
    assert (
        saved.history.model.objects.filter(id=saved.pk, history_type="-").get().history_staff_number
        == "S1001"
    )


def test_a_filter_that_would_be_refused_is_not_saved(client, officer, listed):
    sign_in(client, officer)
    client.post(reverse("taxpayers:saved_filter_create"), {"name": "壊れた条件", "query": "amount_min=abc"})
    assert not SavedListFilter.objects.exists()
    client.post(reverse("taxpayers:saved_filter_create"), {"name": "", "query": "officer=all"})
    assert not SavedListFilter.objects.exists()


def test_a_saved_filter_is_read_through_the_form_again_when_loaded(client, officer, listed):
    """A 地区 that no longer exists (everyone moved) makes the saved filter unusable: said so, not run."""
    from taxpayers.services import save_list_filter

    saved = save_list_filter(
        actor=Actor.for_staff(officer, "T0001"), owner=officer, name="旧地区", query="district=新倉"
    )
    Taxpayer.objects.filter(district="新倉").update(district="新倉北")
    sign_in(client, officer)
    response = client.get(reverse("taxpayers:saved_filter_load", args=[saved.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("taxpayers:delinquent")
    html = response.content.decode()
    assert "保存した検索条件「旧地区」は今の一覧では使えません" in html and "選択肢にない値です" in html


def test_the_list_costs_the_same_queries_whatever_the_number_of_rows(client, officer, listed):
    """No query per row: 2 rows and 1 row cost the same."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, officer)
    client.get(reverse("taxpayers:delinquent"), {"officer": "all"})  # warm the session
    with CaptureQueriesContext(connection) as two:
        assert len(client.get(reverse("taxpayers:delinquent"), {"officer": "all"}).context["page"]) == 2
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(reverse("taxpayers:delinquent")).context["page"]) == 1
    assert len(two) == len(one)


def test_the_stored_subjects_and_years_select_what_reading_every_installment_did(officer, ledger):
    """The 科目・年度分 filter reads what reconcile stored per taxpayer; it selects exactly the
    taxpayers with a delinquent installment of that 科目 and 年度分 — the same one, not a 科目
    of one year and a 年度分 of another."""
    # 000000102 also owes a 2021 住民税 and a 2020 固定資産税 installment: its 科目 and years cross
    import tempfile
    from pathlib import Path

    from django.db.models import Exists, OuterRef

    from taxpayers.importing import run_import, start_log
    from taxpayers.models import InstallmentBalance
    from taxpayers.working_list import filtered
    from tests.taxpayers.conftest import ASSESSMENT_HEADER, csv_text

    hanako = Taxpayer.objects.get(atena_number="000000102")
    path = Path(tempfile.mkdtemp()) / "crossing.csv"
    rows = [
        "000000102,01,0000,112291,112291,1,2021,2021,210100102,1,2021-06-30,2021-06-30,10000,,",
        "000000102,02,0000,112291,112291,1,2020,2020,200200102,1,2020-04-30,2020-04-30,10000,,",
    ]
    path.write_text(csv_text(ASSESSMENT_HEADER, rows), encoding="utf-8")
    actor = Actor.batch("TEST")
    run_import(
        log=start_log(kind="assessments", path=path, file_name=path.name, actor=actor), path=path, actor=actor
    )
    reconcile(as_of=DAY)
    stored = TaxpayerBalance.objects.get(taxpayer=hanako)
    assert stored.delinquent_subjects == ["01", "02", "06"]
    assert stored.delinquent_tax_years == [2020, 2021]
    assert stored.delinquent_subject_years == ["01:2021", "02:2020", "06:2021"]

    def by_installments(subject, year):
        rows = InstallmentBalance.objects.filter(
            status=InstallmentBalance.Status.DELINQUENT, assessment__taxpayer_id=OuterRef("taxpayer_id")
        )
        if subject:
            rows = rows.filter(assessment__subject_code=subject)
        if year:
            rows = rows.filter(assessment__tax_year=year)
        return set(
            TaxpayerBalance.objects.filter(delinquent_installments__gt=0)
            .filter(Exists(rows))
            .values_list("taxpayer__atena_number", flat=True)
        )

    seen = set()
    for subject in ("", "01", "02", "03", "06"):
        for year in (None, 2020, 2021, 2025):
            if not subject and not year:
                continue
            cleaned = {"officer": "all", "subject": subject, "tax_year": year}
            found = set(
                filtered(cleaned, user=officer, today=DAY).values_list("taxpayer__atena_number", flat=True)
            )
            assert found == by_installments(subject, year), (subject, year)
            seen.add(frozenset(found))
    assert len(seen) > 2  # the combinations did select different taxpayers
    assert by_installments("02", 2021) == {"000000101"}  # 102 owes 02 of 2020 and something of 2021


def test_the_districts_offered_are_every_registered_one_in_order_blank_left_out(ledger):
    """The loose index scan of `working_list.districts` finds what `SELECT DISTINCT` found."""
    from taxpayers.working_list import districts

    Taxpayer.objects.filter(atena_number="000000103").update(district="")
    extra = []
    for atena, district in (("000000901", "白子"), ("000000902", "広沢"), ("000000903", "下新倉")):
        copy = Taxpayer.objects.get(atena_number="000000101")
        copy.pk, copy.atena_number, copy.district = None, atena, district
        extra.append(copy)
    Taxpayer.objects.bulk_create(extra)  # no history: only the 地区 are read here
    everyone = (
        Taxpayer.objects.exclude(district="")
        .order_by("district")
        .values_list("district", flat=True)
        .distinct()
    )
    assert districts() == list(everyone) == ["下新倉", "広沢", "新倉", "白子"]
