"""Imports: whole file checked first, all-or-nothing, idempotent, file deleted, log kept."""

import pytest
from django.core.management import CommandError, call_command

from taxpayers import individual_numbers
from taxpayers.importing import ImportRejected, run_import, start_log
from taxpayers.models import Assessment, ImportLog, MailingAddress, Payment, Taxpayer
from tests.taxpayers.conftest import (
    ASSESSMENT_HEADER,
    ASSESSMENTS,
    PAYMENT_HEADER,
    PAYMENTS,
    PERSON_HEADER,
    PERSONS,
)

pytestmark = pytest.mark.django_db


def import_file(kind, path, actor):
    return run_import(
        log=start_log(kind=kind, path=path, file_name=path.name, actor=actor), path=path, actor=actor
    )


def test_persons_are_imported_with_encrypted_number_and_mailing_address(write_csv, batch_actor):
    path = write_csv("persons.csv", PERSON_HEADER, PERSONS)
    log = import_file("persons", path, batch_actor)
    assert (log.result, log.rows_created, log.rows_total) == (ImportLog.Result.SUCCEEDED, 3, 3)
    assert not path.exists() and log.file_deleted_at is not None
    taro = Taxpayer.objects.get(atena_number="000000101")
    assert taro.search_kana == "ワコウタロウ" and taro.phone_digits == "0484240001"
    assert "123456789018" not in taro.individual_number_ciphertext
    assert (
        individual_numbers.decrypt(taro.individual_number_ciphertext, atena_number="000000101")
        == "123456789018"
    )
    history = taro.history.first()
    assert (history.history_staff_number, history.history_terminal_number) == ("TEST", "BATCH")
    assert not hasattr(history, "individual_number_ciphertext")
    hanako = Taxpayer.objects.get(atena_number="000000102")
    assert hanako.birth_date.isoformat() == "1980-07-07"  # S55.7.7 accepted
    assert MailingAddress.objects.get(taxpayer=hanako).recipient_name == "新倉 一郎"


def test_reimporting_the_same_file_changes_nothing(write_csv, batch_actor):
    import_file("persons", write_csv("a.csv", PERSON_HEADER, PERSONS), batch_actor)
    history_rows = Taxpayer.history.count()
    log = import_file("persons", write_csv("b.csv", PERSON_HEADER, PERSONS), batch_actor)
    assert (log.rows_created, log.rows_updated, log.rows_unchanged) == (0, 0, 3)
    assert Taxpayer.history.count() == history_rows


def test_a_changed_row_is_updated_with_history(write_csv, batch_actor):
    import_file("persons", write_csv("a.csv", PERSON_HEADER, PERSONS), batch_actor)
    moved = [PERSONS[0].replace("埼玉県和光市広沢1-5", "埼玉県和光市本町10-1"), *PERSONS[1:]]
    log = import_file("persons", write_csv("b.csv", PERSON_HEADER, moved), batch_actor)
    assert (log.rows_updated, log.rows_unchanged) == (1, 2)
    taro = Taxpayer.objects.get(atena_number="000000101")
    assert taro.address == "埼玉県和光市本町10-1" and taro.version == 2
    assert taro.history.first().history_change_reason == "宛名の取込（更新）"


def test_one_bad_row_means_nothing_is_written_and_every_error_is_reported(write_csv, batch_actor):
    rows = [
        *PERSONS,
        "000000104,1,誤り 一郎,ｱﾔﾏﾘ ｲﾁﾛｳ,1,令和7年2月30日,3510192,和光市,,,,123456789012,,,,,,,",
        "000000105,3,誤り 二郎,アヤマリ ジロウ,1,1990-01-01,351,和光市,,,1,,,,,,,,",
    ]
    path = write_csv("bad.csv", PERSON_HEADER, rows)
    with pytest.raises(ImportRejected) as raised:
        import_file("persons", path, batch_actor)
    log = raised.value.log
    found = {(e["line"], e["column"]) for e in log.errors}
    assert {(5, "生年月日"), (5, "住民区分"), (5, "個人番号"), (6, "個人法人区分"), (6, "郵便番号")} <= found
    assert all(e["message"] for e in log.errors)
    assert Taxpayer.objects.count() == 0 and not path.exists()
    assert log.result == ImportLog.Result.REJECTED and log.file_deleted_at is not None
    assert log.rows_total == 5  # every data row read, the bad ones included


def test_cp932_and_utf8_with_bom_are_both_read(write_csv, batch_actor):
    log = import_file(
        "persons", write_csv("sjis.csv", PERSON_HEADER, PERSONS[:1], encoding="cp932"), batch_actor
    )
    assert log.rows_created == 1
    log = import_file(
        "persons", write_csv("bom.csv", PERSON_HEADER, PERSONS[1:2], encoding="utf-8-sig"), batch_actor
    )
    assert log.rows_created == 1


def test_undecodable_bytes_are_reported_with_their_line(tmp_path, batch_actor):
    path = tmp_path / "broken.csv"
    path.write_bytes(PERSON_HEADER.encode() + b"\n" + b"000000101,\xff\xfe\xfd\n")
    with pytest.raises(ImportRejected) as raised:
        import_file("persons", path, batch_actor)
    assert raised.value.log.errors[0]["line"] == 2
    assert "文字コード" in raised.value.log.errors[0]["message"]


def test_a_wrong_header_is_named(write_csv, batch_actor):
    header = PERSON_HEADER.replace("氏名カナ", "フリガナ")
    with pytest.raises(ImportRejected) as raised:
        import_file("persons", write_csv("h.csv", header, PERSONS), batch_actor)
    message = raised.value.log.errors[0]["message"]
    assert "不足している列: 氏名カナ" in message and "不明な列: フリガナ" in message


def test_assessments_need_their_taxpayer_and_unique_keys(write_csv, batch_actor):
    import_file("persons", write_csv("p.csv", PERSON_HEADER, PERSONS), batch_actor)
    rows = [*ASSESSMENTS, ASSESSMENTS[0], ASSESSMENTS[1].replace("000000101", "000000999")]
    with pytest.raises(ImportRejected) as raised:
        import_file("assessments", write_csv("a.csv", ASSESSMENT_HEADER, rows), batch_actor)
    messages = [e["message"] for e in raised.value.log.errors]
    assert any("2行目にもあります" in m for m in messages)
    assert any("000000999 が登録されていません" in m for m in messages)
    assert Assessment.objects.count() == 0


def test_assessments_and_payments_import_and_reconcile(ledger):
    assert Assessment.objects.count() == 3 and Payment.objects.count() == 2
    first = Assessment.objects.get(notice_number="210000101")
    assert first.demand_fee == 100  # from the dated schedule: 督促状 sent 2021-06-18
    assert first.balance.paid_fee == 100 and first.balance.paid_principal == 30_000
    assert first.balance.outstanding_principal == 35_000 and first.balance.status == "delinquent"
    assert Assessment.objects.get(notice_number="250000101").balance.status == "paid"


def test_a_payment_for_an_unknown_installment_is_refused(ledger, write_csv, batch_actor):
    row = PAYMENTS[0].replace("R0001", "R0099").replace("210000101", "299999999")
    with pytest.raises(ImportRejected) as raised:
        import_file("payments", write_csv("x.csv", PAYMENT_HEADER, [row]), batch_actor)
    assert "対応する調定" in raised.value.log.errors[0]["message"]


def test_a_crash_midway_writes_nothing_and_still_deletes_the_file(write_csv, batch_actor, monkeypatch):
    from taxpayers import importing

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "copy_tracked", explode)
    path = write_csv("p.csv", PERSON_HEADER, PERSONS)
    with pytest.raises(RuntimeError):
        import_file("persons", path, batch_actor)
    log = ImportLog.objects.get()
    assert log.result == ImportLog.Result.FAILED and log.file_deleted_at and not path.exists()
    assert Taxpayer.objects.count() == 0


def test_the_commands_print_a_summary_and_fail_loudly(write_csv, capsys):
    call_command("import_persons", str(write_csv("p.csv", PERSON_HEADER, PERSONS)))
    assert "新規 3" in capsys.readouterr().out
    bad = write_csv("bad.csv", PERSON_HEADER, ["x,1,,,,,,,,,,,,,,,,,"])
    with pytest.raises(CommandError, match="1件も取り込みませんでした"):
        call_command("import_persons", str(bad))


def test_the_app_readme_documents_every_column_of_every_layout():
    from pathlib import Path

    from taxpayers.csv_layouts import LAYOUTS, iter_documented

    readme = (Path(__file__).resolve().parents[2] / "taxpayers" / "README.md").read_text(encoding="utf-8")
    for layout in LAYOUTS.values():
        for header, kind, required, example in iter_documented(layout):
            assert f"| {header} | {kind} | {required} | {example} |" in readme, header


MY_NUMBER = "123456789018"  # valid check digit; made up for tests


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("個人法人区分", MY_NUMBER),  # a coded column: the message used to quote the cell
        ("住民区分", "１２３４５６７８９０１８"),
        ("性別", "1234-5678-9018"),
        ("生年月日", MY_NUMBER),  # a date column quotes what it could not read
        ("送付先開始日", "1234 5678 9018"),
    ],
)
def test_a_number_typed_into_another_column_is_never_echoed(write_csv, batch_actor, column, value):
    header = PERSON_HEADER.split(",")
    cells = PERSONS[0].split(",")
    cells[header.index(column)] = value
    path = write_csv("bad.csv", PERSON_HEADER, [",".join(cells)])
    with pytest.raises(ImportRejected) as raised:
        import_file("persons", path, batch_actor)
    log = ImportLog.objects.get(pk=raised.value.log.pk)
    assert any(e["column"] == column for e in log.errors)
    stored = str(log.errors) + log.file_name
    assert individual_numbers.normalize(MY_NUMBER) not in individual_numbers.normalize(stored)
    assert "1234-5678-9018" not in stored


def test_cross_row_errors_and_file_names_do_not_echo_a_number(write_csv, batch_actor):
    twice = [PERSONS[0].replace("000000101", MY_NUMBER)] * 2  # a 宛名番号 that is a 個人番号
    path = write_csv(f"{MY_NUMBER}.csv", PERSON_HEADER, twice)
    with pytest.raises(ImportRejected) as raised:
        import_file("persons", path, batch_actor)
    log = ImportLog.objects.get(pk=raised.value.log.pk)
    assert "重複" in log.errors[0]["message"]
    assert MY_NUMBER not in str(log.errors) and MY_NUMBER not in log.file_name


def test_the_command_does_not_print_a_number_from_the_file(write_csv, capsys):
    cells = PERSONS[0].split(",")
    cells[1] = MY_NUMBER
    bad = write_csv("bad.csv", PERSON_HEADER, [",".join(cells)])
    with pytest.raises(CommandError):
        call_command("import_persons", str(bad))
    assert MY_NUMBER not in capsys.readouterr().err


def test_the_migration_redacts_numbers_in_logs_written_before():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("taxpayers.migrations.0009_redact_individual_numbers_in_import_logs")
    log = ImportLog.objects.create(
        kind="persons",
        file_name=f"{MY_NUMBER}.csv",
        sha256="0" * 64,
        staff_number="S2001",
        terminal_number="T0001",
        result=ImportLog.Result.REJECTED,
        error_count=2,
        errors=[
            {"line": 2, "column": "住民区分", "message": f"コード「{MY_NUMBER}」はありません"},
            {"line": 3, "column": "住民区分", "message": "コード「7」はありません"},
        ],
    )
    migration.redact_import_logs(apps, None)
    log.refresh_from_db()
    assert MY_NUMBER not in str(log.errors) + log.file_name
    assert log.errors[1]["message"] == "コード「7」はありません" and log.errors[0]["line"] == 2
