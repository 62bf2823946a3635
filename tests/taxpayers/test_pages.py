"""The ledger's pages as staff use them; each taxpayer page leaves an access-log row."""

import re
from datetime import date

import pytest
import time_machine
from django.db import DatabaseError
from django.urls import reverse

from accounts.models import SecurityEvent
from taxpayers.individual_numbers import RevealPurpose
from taxpayers.models import ImportLog, Taxpayer, TaxpayerAccess
from taxpayers.reconciliation import reconcile
from tests.conftest import sign_in
from tests.taxpayers.conftest import PERSON_HEADER, PERSONS, csv_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"name": "わこう"}, ["000000101"]),
        ({"name": "ﾜｺｳ ﾀﾛｳ"}, ["000000101"]),
        ({"name": "和光　太郎"}, ["000000101"]),
        ({"name": "ニイクラ"}, ["000000102"]),
        ({"birth_date": "S55.7.7"}, ["000000102"]),
        ({"address": "下新倉"}, ["000000102"]),
        ({"notice_number": "210000101"}, ["000000101"]),
        ({"phone": "09011112222"}, ["000000102"]),
        ({"atena_number": "000000103"}, ["000000103"]),
    ],
)
def test_search_finds_taxpayers_however_staff_type_them(client, officer, ledger, query, expected):
    sign_in(client, officer)
    response = client.get(reverse("taxpayers:search"), query)
    found = [t.atena_number for t in response.context["page"]]
    assert found == expected
    access = TaxpayerAccess.objects.get()
    assert (access.staff_number, access.terminal_number, access.atena_numbers) == ("S1001", "T0001", expected)


def test_an_empty_search_asks_for_a_condition(client, officer):
    sign_in(client, officer)
    html = client.get(reverse("taxpayers:search"), {"name": ""}).content.decode()
    assert "検索条件を1つ以上入力してください" in html


def test_the_taxpayer_page_shows_the_ledger_as_of_a_chosen_date(client, officer, ledger):
    sign_in(client, officer)
    response = client.get(reverse("taxpayers:detail", args=["000000101"]), {"as_of": "R4.1.31"})
    html = response.content.decode()
    assert "令和4年1月31日現在" in html
    assert "＊＊＊＊ ＊＊＊＊ ＊＊＊＊" in html and "123456789018" not in html
    fixed_asset = next(
        line for line in response.context["ledger"].lines if line.assessment.notice_number == "210000101"
    )
    # 30,100円 on 2021-09-30: 100 to the fee, 30,000 to 本税; 35,000 unpaid; 延滞金 projected to R4.1.31.
    assert fixed_asset.settlement.outstanding_principal == 35_000
    assert fixed_asset.settlement.late_charge == 2_600
    assert fixed_asset.prescription_date.isoformat() == "2026-05-31"
    assert "令和8年5月31日" in html
    assert TaxpayerAccess.objects.filter(page="収納状況照会", atena_numbers=["000000101"]).exists()


def test_outstanding_only_hides_paid_installments(client, officer, ledger):
    sign_in(client, officer)
    response = client.get(reverse("taxpayers:detail", args=["000000101"]), {"outstanding_only": "on"})
    assert [line.assessment.notice_number for line in response.context["ledger"].lines] == ["210000101"]


@pytest.mark.parametrize("typed", ["令和3年度", "R3", "2021"])
def test_the_year_filter_takes_the_year_in_either_calendar_and_shows_it_in_wareki(
    client, officer, ledger, typed
):
    sign_in(client, officer)
    response = client.get(reverse("taxpayers:detail", args=["000000101"]), {"tax_year": typed})
    assert [line.assessment.notice_number for line in response.context["ledger"].lines] == ["210000101"]
    assert 'value="令和3年度"' in response.content.decode()


def test_a_year_that_never_was_is_refused_in_japanese(client, officer, ledger):
    sign_in(client, officer)
    response = client.get(reverse("taxpayers:detail", args=["000000101"]), {"tax_year": "平成40"})
    assert "平成40年度はありません" in response.content.decode()


def test_the_taxpayer_page_costs_the_same_queries_whatever_the_history(
    client, officer, ledger, django_assert_max_num_queries
):
    from taxpayers.importing import run_import, start_log
    from tests.taxpayers.conftest import ASSESSMENT_HEADER
    from wako_collections.actors import Actor

    sign_in(client, officer)
    url = reverse("taxpayers:detail", args=["000000101"])
    client.get(url)  # warm
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(url)
    rows = [
        f"000000101,01,0000,112291,112291,1,{year},{year},{year}9{period},{period},{year}-0{period + 5}-30,{year}-0{period + 5}-30,20000,,"
        for year in range(2016, 2025)
        for period in range(1, 5)
    ]
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "more.csv"
    path.write_text(csv_text(ASSESSMENT_HEADER, rows), encoding="utf-8")
    actor = Actor.batch("TEST")
    run_import(
        log=start_log(kind="assessments", path=path, file_name="more.csv", actor=actor),
        path=path,
        actor=actor,
    )
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after.captured_queries) == len(before.captured_queries)


def test_the_page_is_not_shown_if_its_access_log_cannot_be_written(client, officer, ledger, monkeypatch):
    from taxpayers import views

    def broken(*args, **kwargs):
        raise DatabaseError("access log unavailable")

    monkeypatch.setattr(views, "record_access", broken)
    sign_in(client, officer)
    client.raise_request_exception = False
    response = client.get(reverse("taxpayers:detail", args=["000000101"]))
    assert response.status_code == 500
    assert "和光 太郎" not in response.content.decode()


def test_showing_the_individual_number_needs_a_purpose_a_reason_and_is_logged(client, officer, ledger):
    sign_in(client, officer)
    url = reverse("taxpayers:reveal_individual_number", args=["000000101"])
    page = client.get(url).content.decode()
    assert "123456789018" not in page and "滞納 " in page  # the case is named on the form
    refused = client.post(url, {"purpose": "", "reason": "他市区町村への所得照会のため"})
    assert "1234 5678 9018" not in refused.content.decode()
    shown = client.post(
        url, {"purpose": RevealPurpose.INCOME_INQUIRY, "reason": "他市区町村への所得照会のため"}
    ).content.decode()
    assert "1234 5678 9018" in shown
    access = TaxpayerAccess.objects.get(page="個人番号表示")
    assert "目的: 所得の状況調査" in access.detail
    assert "他市区町村への所得照会のため" in access.detail and "案件: 滞納" in access.detail
    assert "123456789018" not in access.detail
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.INDIVIDUAL_NUMBER_SHOWN)
    assert "所得の状況調査" in event.detail and "123456789018" not in event.detail


@pytest.mark.parametrize(
    "reason",
    [
        "....",
        "。。。。。。。。",
        "　　　　　　",
        "- - - - - - -",
        "!!??!!??",
        "ああああああああ",
        "aaaaaaaa",
        "1111111",
        "確認",
        "本人確認",
        "＿＿＿＿＿＿＿＿",
        "★☆★☆★☆",
        "理由 9876 5432 1098 の照会",
        "照会のため987654321098",
        "照会のため９８７６５４３２１０９８",
        "照会 9876-5432-1098",
    ],
)
def test_a_reason_without_real_content_or_with_a_number_is_refused(client, officer, ledger, reason):
    sign_in(client, officer)
    url = reverse("taxpayers:reveal_individual_number", args=["000000101"])
    response = client.post(url, {"purpose": RevealPurpose.IDENTIFICATION, "reason": reason})
    assert response.status_code == 200
    html = response.content.decode()
    assert "1234 5678 9018" not in html
    assert response.context["form"].errors["reason"]
    assert "理由を具体的に入力してください" in html or "12桁以上の番号" in html or reason.strip() == ""
    assert not TaxpayerAccess.objects.filter(page="個人番号表示").exists()
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.INDIVIDUAL_NUMBER_SHOWN).exists()


@pytest.mark.parametrize("purpose", ["", "other", "本人確認", "identification "])
def test_a_purpose_outside_the_list_is_refused(client, officer, ledger, purpose):
    sign_in(client, officer)
    url = reverse("taxpayers:reveal_individual_number", args=["000000101"])
    response = client.post(url, {"purpose": purpose, "reason": "窓口で本人と同姓同名の別人を区別するため"})
    assert "1234 5678 9018" not in response.content.decode()
    assert not TaxpayerAccess.objects.filter(page="個人番号表示").exists()


def test_a_taxpayer_who_is_no_case_is_refused_with_a_reason(client, officer, ledger):
    from taxpayers.models import TaxpayerBalance

    TaxpayerBalance.objects.filter(taxpayer__atena_number="000000101").delete()  # nothing owed
    sign_in(client, officer)
    url = reverse("taxpayers:reveal_individual_number", args=["000000101"])
    page = client.get(url).content.decode()
    assert "個人番号は表示できません" in page and '<form method="post" class="narrow">' not in page
    response = client.post(
        url, {"purpose": RevealPurpose.IDENTIFICATION, "reason": "窓口で本人と同姓同名の別人を区別するため"}
    )
    html = response.content.decode()
    assert "1234 5678 9018" not in html and "滞納・交渉記録・分納誓約・滞納処分・照会のいずれもない" in html
    assert not TaxpayerAccess.objects.filter(page="個人番号表示").exists()


def test_the_case_context_names_what_makes_the_taxpayer_a_case(ledger):
    from taxpayers.models import Taxpayer, TaxpayerBalance

    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    assert taxpayer.case_context()[0].startswith("滞納 ")
    TaxpayerBalance.objects.filter(taxpayer=taxpayer).delete()
    assert taxpayer.case_context() == []


def test_read_only_staff_see_the_ledger_but_not_the_number(client, read_only, ledger):
    sign_in(client, read_only)
    html = client.get(reverse("taxpayers:detail", args=["000000101"])).content.decode()
    assert "表示する（理由を入力）" not in html
    assert (
        client.post(
            reverse("taxpayers:reveal_individual_number", args=["000000101"]),
            {"purpose": RevealPurpose.IDENTIFICATION, "reason": "同姓同名の別人との区別のため"},
        ).status_code
        == 403
    )


def test_the_delinquent_list_shows_totals_per_taxpayer(client, supervisor, ledger):
    from datetime import date

    reconcile(as_of=date(2022, 1, 31))
    sign_in(client, supervisor)
    response = client.get(reverse("taxpayers:delinquent"), {"officer": "all"})
    balances = list(response.context["page"])
    assert [b.taxpayer.atena_number for b in balances] == ["000000102", "000000101"]
    taro = balances[1]
    assert (taro.outstanding_principal, taro.late_charge, taro.delinquent_installments) == (35_000, 2_600, 1)
    assert TaxpayerAccess.objects.get(page="滞納者一覧").atena_numbers == ["000000102", "000000101"]


def test_the_late_charge_calculator_shows_each_period(client, officer):
    sign_in(client, officer)
    html = client.get(
        reverse("taxpayers:late_charge"),
        {"amount": "65000", "due_date": "R3.5.31", "paid_on": "2022-01-31", "first_band_months": "1"},
    ).content.decode()
    assert "延滞金 3,400円" in html and "年2.5%" in html and "年8.8%" in html and "年8.7%" in html


def test_the_late_charge_calculator_explains_bad_input(client, officer):
    sign_in(client, officer)
    html = client.get(
        reverse("taxpayers:late_charge"),
        {"amount": "65000", "due_date": "R3.5.31", "paid_on": "R3.5.1", "first_band_months": "1"},
    ).content.decode()
    assert "完納日は納期限以後の日付にしてください" in html


def test_uploading_a_file_imports_it_and_deletes_it(client, supervisor, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORT_SPOOL_DIR = tmp_path
    sign_in(client, supervisor)
    upload = SimpleUploadedFile(
        "宛名.csv", csv_text(PERSON_HEADER, PERSONS).encode("cp932"), content_type="text/csv"
    )
    response = client.post(reverse("taxpayers:imports"), {"kind": "persons", "file": upload})
    log = ImportLog.objects.get()
    assert response["Location"] == reverse("taxpayers:import_detail", args=[log.pk])
    assert (log.result, log.rows_created, log.staff_number, log.terminal_number) == (
        "succeeded",
        3,
        "S2001",
        "T0001",
    )
    assert list(tmp_path.iterdir()) == [] and log.file_deleted_at is not None
    assert Taxpayer.objects.count() == 3
    page = client.get(response["Location"]).content.decode()
    assert "取込完了" in page and "削除済み" in page


def test_an_upload_with_errors_shows_them_and_writes_nothing(client, supervisor, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORT_SPOOL_DIR = tmp_path
    sign_in(client, supervisor)
    bad = [PERSONS[0], PERSONS[1].replace("S55.7.7", "S55.2.30")]
    upload = SimpleUploadedFile("bad.csv", csv_text(PERSON_HEADER, bad).encode(), content_type="text/csv")
    response = client.post(reverse("taxpayers:imports"), {"kind": "persons", "file": upload}, follow=True)
    html = response.content.decode()
    assert "エラーのため取込なし" in html and "3" in html and "生年月日" in html
    assert Taxpayer.objects.count() == 0 and list(tmp_path.iterdir()) == []


def test_a_lost_database_connection_shows_the_apps_own_page_with_503(client, officer, ledger, monkeypatch):
    from django.db import OperationalError

    from accounts import middleware

    sign_in(client, officer)

    def restarting(address, **_lookup):
        raise OperationalError("connection failed: the database system is shutting down")

    monkeypatch.setattr(middleware, "terminal_for_address", restarting)
    client.raise_request_exception = False
    response = client.get(reverse("taxpayers:detail", args=["000000101"]))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "一時的にデータベースに接続できません" in page and "取り消されています" in page
    assert "和光 太郎" not in page


def test_in_a_new_year_whose_rate_is_not_yet_registered_the_office_keeps_working_and_is_told(
    client, officer, ledger
):
    """The 延滞金 rate of a year is announced each November and added to the table by hand; until
    it is, 1 January must not stop the ledger: the latest rate is assumed, and pages say so."""
    from taxpayers.late_charges import load_rates
    from tests.assessments import add_assessment

    next_year = max(load_rates()) + 1
    day = date(next_year, 1, 15)
    # the fixture's 2021 期別 are 時効完成 by then (not 滞納): one of the year before is still owed
    taro = Taxpayer.objects.get(atena_number="000000101")
    add_assessment(
        taro, "990000101", tax_year=next_year - 1, due=date(next_year - 1, 6, 30), principal=20_000
    )
    summary = reconcile(as_of=day)
    assert summary.delinquent_installments > 0
    with time_machine.travel(day, tick=False):
        sign_in(client, officer)
        ledger_page = client.get(reverse("taxpayers:detail", args=["000000101"]))
        list_page = client.get(reverse("taxpayers:delinquent"))
    notice = f"{next_year}年の延滞金の割合がまだ登録されていないため"
    assert ledger_page.status_code == 200 and notice in ledger_page.content.decode()
    assert ledger_page.context["ledger"].rates_assumed_from == next_year
    assert notice in list_page.content.decode()
    reconcile(as_of=date(next_year - 1, 12, 31))  # a year in the table: nothing assumed
    with time_machine.travel(date(next_year - 1, 12, 31), tick=False):
        sign_in(client, officer)
        assert (
            "延滞金の割合がまだ登録されていない"
            not in client.get(reverse("taxpayers:delinquent")).content.decode()
        )


@pytest.mark.parametrize(
    ("day", "shown"),
    [
        (
            date(2026, 1, 10),
            "令和8年9月30日</span><br>",
        ),  # renewed by the 督促状, then the 一部納付 of 2021-09-30
        (date(2026, 10, 1), '令和8年9月30日</span> <strong class="danger">時効完成</strong>'),
    ],
)
def test_the_ledger_gives_the_renewed_prescription_day_and_says_when_it_has_completed(
    client, officer, ledger, day, shown
):
    with time_machine.travel(day, tick=False):
        sign_in(client, officer)
        html = client.get(reverse("taxpayers:detail", args=["000000101"])).content.decode()
    assert shown in html and "更新前 R8.5.31" in html


@pytest.fixture
def part_paid_after_demand(db, write_csv, batch_actor):
    """Issue 15's example: 法定納期限 2024-07-01, 督促状 2024-07-19, 一部納付 10,000円 on 2024-07-24."""
    from taxpayers.importing import run_import, start_log
    from tests.taxpayers.conftest import ASSESSMENT_HEADER, PAYMENT_HEADER

    for kind, header, rows in (
        ("persons", PERSON_HEADER, PERSONS[:1]),
        (
            "assessments",
            ASSESSMENT_HEADER,
            [
                "000000101,01,0000,112291,112291,1,2024,2024,240000101,1,2024-07-01,2024-07-01,60000,2024-07-19,"
            ],
        ),
        (
            "payments",
            PAYMENT_HEADER,
            ["R2400001,01,0000,112291,112291,1,2024,2024,240000101,1,2024-07-24,2024-07-25,10000,1"],
        ),
    ):
        path = write_csv(f"{kind}.csv", header, rows)
        run_import(
            log=start_log(kind=kind, path=path, file_name=path.name, actor=batch_actor),
            path=path,
            actor=batch_actor,
        )


@pytest.mark.parametrize(
    ("page", "args"),
    [
        ("taxpayers:detail", ["000000101"]),  # 収納状況照会
        ("negotiations:pledge_new", ["000000101"]),  # 分納誓約
        ("dispositions:prescriptions", ["000000101"]),  # 滞納処分: 時効の経過
    ],
)
def test_a_part_payment_after_the_demand_does_not_show_prescription_earlier(
    client, officer, supervisor, part_paid_after_demand, page, args
):
    # The 督促's period starts 2024-07-30, the 承認's on 2024-07-25: the later one governs.
    with time_machine.travel(date(2025, 1, 10), tick=False):
        sign_in(client, supervisor if page.startswith("dispositions") else officer)
        html = client.get(reverse(page, args=args)).content.decode()
    assert "令和11年7月29日" in html
    assert "令和11年7月24日" not in html


MY_NUMBER = "123456789018"


def test_the_import_page_never_shows_a_number_even_from_an_old_log(client, supervisor):
    log = ImportLog.objects.create(
        kind="persons",
        file_name=f"{MY_NUMBER}.csv",
        sha256="0" * 64,
        staff_number="S2001",
        terminal_number="T0001",
        result=ImportLog.Result.REJECTED,
        error_count=1,
        errors=[{"line": 2, "column": "個人法人区分", "message": f"コード「{MY_NUMBER}」はありません"}],
    )
    sign_in(client, supervisor)
    for url in (reverse("taxpayers:imports"), reverse("taxpayers:import_detail", args=[log.pk])):
        page = client.get(url).content.decode()
        assert MY_NUMBER not in page and "個人番号と思われる値" in page


@pytest.mark.parametrize("typed", [MY_NUMBER, "1234 5678 9018", "１２３４５６７８９０１８"])
def test_a_form_error_does_not_echo_a_number(client, officer, typed):
    sign_in(client, officer)
    html = client.get(
        reverse("taxpayers:late_charge"),
        {"amount": "65000", "due_date": typed, "paid_on": "R3.5.1", "first_band_months": "1"},
    ).content.decode()
    errors = " ".join(re.findall(r'<p class="error" role="alert">(.*?)</p>', html))
    assert "日付として読めません" in errors and "個人番号と思われる値" in errors
    assert typed not in errors  # the field itself keeps what the officer typed, to correct it


@pytest.mark.parametrize(
    "typed", [MY_NUMBER, "1234 5678 9018", "１２３４-５６７８-９０１８", "1234−5678−9018", "1234ー5678ー9018"]
)
def test_a_number_typed_into_the_reason_is_refused_and_never_logged(client, officer, ledger, typed):
    sign_in(client, officer)
    response = client.post(
        reverse("taxpayers:reveal_individual_number", args=["000000101"]),
        {"purpose": RevealPurpose.IDENTIFICATION, "reason": f"本人確認のため（申出の番号 {typed}）"},
    )
    assert "12桁以上の番号を書かないでください" in response.content.decode()
    assert not TaxpayerAccess.objects.filter(page="個人番号表示").exists()
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.INDIVIDUAL_NUMBER_SHOWN).exists()


@pytest.mark.parametrize("query", [{"phone": "2222"}, {"notice_number": "0000101"}])
def test_a_partial_phone_or_notice_number_says_how_they_are_searched(client, officer, ledger, query):
    """A new user's trial: the last four digits of a phone, or part of a 通知書番号, found nothing
    without saying why."""
    sign_in(client, officer)
    response = client.get(reverse("taxpayers:search"), query)
    assert list(response.context["page"]) == []
    assert "電話番号は先頭（市外局番）から、通知書番号は全桁で検索します" in response.content.decode()
