"""データの出力 (exports/): CSV in CP932 and UTF-8 with BOM, XLSX read back with openpyxl, cells
neutralised against formula injection, no 個人番号, a purpose, the access-log row, the permission,
and the access-log analysis flagging a large export."""

import csv
import io
from datetime import date

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from exports import formats
from exports.formats import Table
from taxpayers.models import Taxpayer, TaxpayerAccess
from taxpayers.reconciliation import reconcile
from tests.conftest import sign_in

DAY = date(2022, 1, 31)
PURPOSE = {"purpose": "case_work", "purpose_detail": "", "file_format": "csv_utf8"}


@pytest.mark.parametrize(
    "text",
    [
        "=1+2",
        "+81-3-1234",
        "-2+3",
        "@SUM(A1)",
        " =cmd|' /C calc'!A0",
        "\t=1",
        "\r=1",
        "　=1",  # a full-width space first
        "＝ＳＵＭ（Ａ１）",
        "＋１",
        "－１",
        "＠ＳＵＭ",
        '　　＝HYPERLINK("http://x")',
    ],
)
def test_a_cell_that_could_be_a_formula_is_neutralised(text):
    assert formats.neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["和光 太郎", "1-2-3", "A=B", "埼玉県和光市広沢1-5", "", "令和3年5月31日"])
def test_ordinary_text_is_left_as_it_is(text):
    assert formats.neutralise(text) == text


def test_a_table_never_holds_an_individual_number_column_and_free_text_is_redacted():
    with pytest.raises(ValueError, match="個人番号"):
        Table("x", ["宛名番号", "個人番号"], [])
    written = formats.write_csv(Table("x", ["メモ"], [["番号は123456789018です"]]), cp932=False)
    assert "123456789018" not in written.content.decode("utf-8-sig")


def test_cp932_replaces_what_it_cannot_hold_and_counts_it():
    table = Table("x", ["氏名"], [["𠮷野 太郎"], ["髙橋 ①"], ["🙂"]])
    written = formats.write_csv(table, cp932=True)
    text = written.content.decode("cp932")
    assert written.replaced_characters == 2
    assert "〓野 太郎" in text and "髙橋 ①" in text  # NEC/IBM extensions stay: CP932 has them
    assert text.endswith("〓\r\n")


def test_utf8_begins_with_a_bom_and_keeps_every_character():
    written = formats.write_csv(Table("x", ["氏名"], [["𠮷野 太郎"]]), cp932=False)
    assert written.content.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(written.content.decode("utf-8-sig")))) == [["氏名"], ["𠮷野 太郎"]]


def test_xlsx_is_readable_numbers_stay_numbers_and_no_cell_is_a_formula():
    table = Table(
        "滞納者一覧", ["宛名番号", "氏名", "未納本税", "納期限"], [["000000101", "=1+1", 35_000, DAY]]
    )
    book = openpyxl.load_workbook(io.BytesIO(formats.write_xlsx(table).content))
    sheet = book["滞納者一覧"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [
        ("宛名番号", "氏名", "未納本税", "納期限"),
        ("000000101", "'=1+1", 35_000, "令和4年1月31日"),
    ]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.fixture
def listed(ledger, officer, supervisor):
    reconcile(as_of=DAY)
    Taxpayer.objects.filter(atena_number__in=["000000101", "000000102"]).update(assigned_officer=officer)
    with time_machine.travel(DAY, tick=False):
        yield


def export_url(source="delinquent", query="officer=all"):
    return reverse("exports:export", args=[source]) + (f"?{query}" if query else "")


def test_the_confirmation_says_what_leaves_and_asks_the_purpose(client, officer, listed):
    sign_in(client, officer)
    html = client.get(export_url()).content.decode()
    assert "2行" in html and "利用目的" in html and "個人番号は出力されません" in html
    assert not TaxpayerAccess.objects.filter(page__startswith="データ出力").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"file_format": "csv_utf8"}, "利用目的を選んでください"),
        (
            {"purpose": "other", "purpose_detail": "", "file_format": "xlsx"},
            "「その他」の目的は具体的に記入してください",
        ),
        ({"purpose": "case_work", "file_format": "pdf"}, "形式は一覧から選んでください"),
    ],
)
def test_no_file_without_a_purpose_and_a_format(client, officer, listed, data, message):
    sign_in(client, officer)
    response = client.post(export_url(), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not TaxpayerAccess.objects.filter(page__startswith="データ出力").exists()


def test_exporting_the_list_as_cp932_csv_logs_it_as_bulk_access(client, officer, listed):
    Taxpayer.objects.filter(atena_number="000000102").update(name='=HYPERLINK("http://evil") 𠮷')
    sign_in(client, officer)
    response = client.post(
        export_url(query="officer=all&sort=atena"),
        {"purpose": "other", "purpose_detail": "訪問計画の作成", "file_format": "csv_cp932"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=cp932"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("cp932")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["宛名番号", "氏名", "氏名カナ", "地区", "担当"]
    assert [r[0] for r in rows[1:]] == ["000000101", "000000102"]
    assert rows[2][1] == '\'=HYPERLINK("http://evil") 〓'
    assert rows[1][6] == "35000"
    assert "123456789018" not in text and "個人番号" not in text  # 000000101 has one on file
    log = TaxpayerAccess.objects.get(page="データ出力（滞納者一覧）")
    assert log.atena_numbers == ["000000101", "000000102"]
    assert log.staff_number == officer.staff_number and log.terminal_number == "T0001"
    assert "訪問計画の作成" in log.detail and "2行" in log.detail and "〓に置換 1文字" in log.detail
    # the warning waits for the next page
    assert "「〓」に置き換えて" in client.get(reverse("taxpayers:delinquent")).content.decode()


def test_exporting_as_utf8_and_xlsx(client, officer, listed):
    sign_in(client, officer)
    utf8 = client.post(export_url(), PURPOSE)
    assert utf8.content.startswith(b"\xef\xbb\xbf") and "000000102" in utf8.content.decode("utf-8-sig")
    xlsx = client.post(export_url(), {**PURPOSE, "file_format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "宛名番号" and {r[0] for r in rows[1:]} == {"000000101", "000000102"}
    assert TaxpayerAccess.objects.filter(page="データ出力（滞納者一覧）").count() == 2


def test_the_export_is_the_list_as_filtered(client, officer, listed):
    sign_in(client, officer)
    response = client.post(export_url(query="officer=all&district=新倉"), PURPOSE)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["000000102"]
    bad = client.get(export_url(query="amount_min=abc"))
    assert bad.status_code == 400 and "半角数字で入力してください" in bad.content.decode()


def test_read_only_and_the_administrator_may_not_export(persona_client, listed):
    for persona in ("read_only", "administrator"):
        client = persona_client(persona)
        assert client.get(export_url()).status_code == 403
        assert client.post(export_url(), PURPOSE).status_code == 403
    assert not TaxpayerAccess.objects.filter(page__startswith="データ出力").exists()


def test_a_source_also_needs_its_own_pages_menu(persona_client, listed):
    assert persona_client("officer").get(export_url("dashboard", "table=breakdown")).status_code == 403
    assert persona_client("officer").get(export_url("queues", "")).status_code == 403
    supervisor = persona_client("supervisor")
    response = supervisor.post(export_url("dashboard", "table=breakdown"), PURPOSE)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["区分", "未納本税"] and len(rows) > 2
    assert supervisor.get(export_url("dashboard", "table=nothing")).status_code == 400
    assert persona_client("officer").get(export_url("nothing", "")).status_code == 404


def test_my_work_and_an_extractions_result(client, officer, listed):
    from documents import batches
    from wako_collections.actors import Actor

    taro = Taxpayer.objects.get(atena_number="000000101")
    candidate = batches.Candidate(
        taro.pk, taro.atena_number, taro.name, [taro.assessments.first().pk], 35_000
    )
    batch = batches.freeze(
        actor=Actor.for_staff(officer, "T0001"),
        kind="demand",
        candidates=[candidate],
        issued_on=DAY,
        deadline=None,
    )
    sign_in(client, officer)
    response = client.post(export_url("extraction", f"batch={batch.number}"), PURPOSE)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["宛名番号", "氏名", "対象期別数", "金額", "除外の理由"],
        ["000000101", "和光 太郎", "1", "35000", ""],
    ]
    assert client.get(export_url("extraction", "batch=NONE")).status_code == 404
    work = client.post(export_url("my_work", ""), PURPOSE)
    assert work.status_code == 200
    assert next(csv.reader(io.StringIO(work.content.decode("utf-8-sig"))))[0] == "区分"
    assert TaxpayerAccess.objects.filter(page="データ出力（わたしの仕事）").exists()


def test_the_access_log_analysis_flags_a_large_export(client, officer, listed, settings):
    from audit import findings

    settings.EXPORT_LARGE_ROWS = 2
    sign_in(client, officer)
    client.post(export_url(query="officer=all"), PURPOSE)  # 2 taxpayers: flagged
    client.post(export_url(query="officer=all&district=新倉"), PURPOSE)  # 1: not
    found = findings.analyse(findings.Window.of_days(DAY, DAY))["large_export"]
    assert len(found) == 1
    assert found[0].staff_number == officer.staff_number and "2人" in found[0].detail
    assert found[0].access_ids == [
        TaxpayerAccess.objects.filter(page__startswith="データ出力").earliest("id").pk
    ]
    assert findings.RULES["large_export"] == "大量のデータ出力"
