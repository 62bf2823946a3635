"""The out-of-range inputs the security test found (issue 14, item 9), each answered with a page and
a Japanese message instead of a server error. The fuzz in test_every_get_parameter.py covers every
parameter of every page; these name the cases and what the officer reads."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import SecurityEvent
from tests.bad_input.test_every_form import FORM_PAGES, who_may
from tests.conftest import sign_in
from tests.test_url_role_matrix import MATRIX, objects  # noqa: F401  (the one-of-each fixture)
from wako_collections.formfields import EARLIEST_DATE, LATEST_DATE, date_bounds_message

pytestmark = pytest.mark.django_db
BOUNDS = date_bounds_message(EARLIEST_DATE, LATEST_DATE)
OUTSIDE = ["0001-01-01", "9999-12-31", "1868-01-24", "2101-01-01"]


@pytest.mark.parametrize("as_of", OUTSIDE)
def test_the_ledger_refuses_a_reference_date_outside_the_bounds_and_shows_today(
    client, officer, ledger, as_of
):
    sign_in(client, officer)
    response = client.get(reverse("taxpayers:detail", kwargs={"atena_number": "000000101"}), {"as_of": as_of})
    assert response.status_code == 200
    assert BOUNDS in response.content.decode()
    assert response.context["ledger"].lines  # the ledger as of today, not an empty page


@pytest.mark.parametrize("tax_year", ["9999", "1867", "2101"])
def test_the_ledger_refuses_a_fiscal_year_outside_the_bounds(client, officer, ledger, tax_year):
    sign_in(client, officer)
    response = client.get(
        reverse("taxpayers:detail", kwargs={"atena_number": "000000101"}), {"tax_year": tax_year}
    )
    assert response.status_code == 200
    assert "年度は" in response.content.decode()


@pytest.mark.parametrize(
    ("due_date", "paid_on"),
    [("9999-12-01", "9999-12-31"), ("2025-04-01", "9999-12-31"), ("0001-01-01", "2025-04-01")],
)
def test_the_late_charge_calculator_refuses_a_date_outside_the_bounds(client, officer, due_date, paid_on):
    sign_in(client, officer)
    response = client.get(
        reverse("taxpayers:late_charge"),
        {"amount": "100000", "due_date": due_date, "paid_on": paid_on, "first_band_months": "1"},
    )
    assert response.status_code == 200
    assert response.context["result"] is None
    assert BOUNDS in response.content.decode()


@pytest.mark.parametrize(
    "url_name",
    [
        "audit:security_events",
        "audit:history_search",
        "audit:access_log",
        "audit:access_findings",
        "audit:self_inspection",
    ],
)
@pytest.mark.parametrize("day", OUTSIDE)
def test_every_audit_date_filter_refuses_a_date_outside_the_bounds(client, supervisor, url_name, day):
    sign_in(client, supervisor)
    for query in ({"date_from": day, "date_to": "2025-04-01"}, {"date_from": "2025-04-01", "date_to": day}):
        response = client.get(reverse(url_name), query)
        assert response.status_code == 200, (url_name, query)
        assert BOUNDS in response.content.decode(), (url_name, query)


def test_the_incident_search_refuses_a_date_outside_the_bounds(client, supervisor):
    sign_in(client, supervisor)
    response = client.get(
        reverse("audit:incident"),
        {"staff_number": "S1001", "date_from": "2025-04-01", "date_to": "9999-12-31"},
    )
    assert response.status_code == 200
    assert BOUNDS in response.content.decode()


@pytest.mark.parametrize("officer_id", ["x", "-1", "0", "99999999999999999999999", "１", "\x00", "1.5"])
def test_the_queues_page_refuses_an_officer_that_is_not_one_and_shows_everyone(
    client, supervisor, officer, officer_id
):
    sign_in(client, supervisor)
    response = client.get(reverse("negotiations:queues"), {"officer": officer_id})
    assert response.status_code == 200
    page = response.content.decode()
    assert "選んだ職員は見つかりません。一覧から選んでください。" in page
    assert response.context["selected"] is None and "全職員の仕事" in page


def test_the_queues_page_still_shows_one_officers_work(client, supervisor, officer):
    sign_in(client, supervisor)
    response = client.get(reverse("negotiations:queues"), {"officer": str(officer.pk)})
    assert response.status_code == 200
    assert response.context["selected"] == officer


def test_the_queues_page_refuses_staff_who_are_not_collection_officers(client, supervisor, administrator):
    sign_in(client, supervisor)
    response = client.get(reverse("negotiations:queues"), {"officer": str(administrator.pk)})
    assert response.context["selected"] is None
    assert "選んだ職員は見つかりません" in response.content.decode()


@pytest.mark.parametrize(
    ("url_name", "query"),
    [
        ("negotiations:pledge_list", {"status": "nonsense"}),
        ("dispositions:list", {"status": "\x00"}),
        ("dispositions:inquiry_list", {"view": "x" * 3000}),
    ],
)
def test_a_list_filter_not_in_its_list_is_refused_in_japanese(client, officer, url_name, query):
    sign_in(client, officer)
    response = client.get(reverse(url_name), query)
    assert response.status_code == 200
    assert "選択肢にない値です。一覧から選んでください。" in response.content.decode()


@pytest.mark.parametrize("revises", ["\x00", "x" * 21, "P-0"])
def test_a_revision_of_an_unknown_pledge_is_not_found(client, officer, ledger, revises):
    sign_in(client, officer)
    url = reverse("negotiations:pledge_new", kwargs={"atena_number": "000000101"})
    assert client.get(url, {"revises": revises}).status_code == 404


def test_a_draft_prefill_drops_what_is_not_valid_and_says_so(client, officer, ledger):
    sign_in(client, officer)
    url = reverse("dispositions:draft", kwargs={"atena_number": "000000101"})
    response = client.get(url, {"code": "zz", "category": "\x00", "reason": "照会の回答により財産を確認"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "処分コード、処分区分 は正しくない値のため引き継いでいません。" in page
    assert response.context["form"].initial["reason"] == "照会の回答により財産を確認"
    assert response.context["form"].initial["code"] == "01"


def test_an_unknown_form_on_the_issue_page_falls_back_to_the_notice_and_says_so(client, officer, ledger):
    sign_in(client, officer)
    url = reverse("documents:issue", kwargs={"atena_number": "000000101"})
    response = client.get(url, {"form": "99"})
    assert response.status_code == 200
    assert "指定された帳票は、ここで発行できる帳票にありません。" in response.content.decode()
    assert response.context["form"].initial["form_code"] == "03"


def test_a_non_ip_forwarded_for_from_a_trusted_proxy_is_an_unknown_terminal_not_a_server_error(
    client, officer, settings
):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    response = client.get(reverse("accounts:login"), HTTP_X_FORWARDED_FOR="not-an-ip")
    assert response.status_code == 403
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.TERMINAL_REFUSED, ip_address=None).exists()


PATH_PAGES = sorted(name for name in FORM_PAGES if MATRIX[name][0])


@pytest.mark.parametrize("url_name", PATH_PAGES)
def test_a_control_character_in_a_record_number_of_the_path_is_refused_not_a_server_error(
    url_name,
    persona_client,
    objects,  # noqa: F811 - the imported fixture
):
    builder, _ = MATRIX[url_name]
    kwargs = builder(objects)
    client = persona_client(who_may(url_name))
    for name, value in kwargs.items():
        for bad in ("\x00", "a\x1fb", "\x7f"):
            url = reverse(url_name, kwargs={**kwargs, name: bad}) if isinstance(value, str) else None
            if url is None:
                continue
            response = client.get(url)
            assert response.status_code == 400, (url_name, name, repr(bad))
            assert "制御文字" in response.content.decode()


def test_a_control_character_is_refused_before_the_terminal_check_logs_the_path(client):
    response = Client(REMOTE_ADDR="192.0.2.99").get("/taxpayers/%00/")
    assert response.status_code == 400
    assert not SecurityEvent.objects.exists()
