"""The 調定 import through PostgreSQL (issue 21): the file read as a stream, COPY'd into a staging
table, checked by queries with the same line/column messages, written set-based with history,
all or nothing."""

import io
from pathlib import Path

import pytest
from django.db import connection

from taxpayers import importing, reconciliation
from taxpayers.csv_layouts import ASSESSMENTS as ASSESSMENT_LAYOUT
from taxpayers.csv_layouts import ErrorList
from taxpayers.importing import ImportRejected, decode, detect_encoding, run_import, start_log
from taxpayers.models import Assessment, ImportLog, Payment, Taxpayer
from tests.taxpayers.conftest import ASSESSMENT_HEADER, ASSESSMENTS, PERSON_HEADER, PERSONS
from wako_collections.actors import Actor

pytestmark = pytest.mark.django_db


def import_file(kind, path, actor):
    return run_import(
        log=start_log(kind=kind, path=path, file_name=path.name, actor=actor), path=path, actor=actor
    )


@pytest.fixture
def persons(write_csv, batch_actor):
    import_file("persons", write_csv("p.csv", PERSON_HEADER, PERSONS), batch_actor)


def staging_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [importing.STAGING])
        return cursor.fetchone()[0]


def many_rows(count: int, *, atena: str = "000000101") -> list[str]:
    return [
        f"{atena},01,0000,112291,112291,1,2030,2030,B{n // 10:08d},{n % 10 + 1},2030-06-30,2030-06-30,{10_000 + n},,"
        for n in range(count)
    ]


def test_a_correction_file_updates_the_rows_with_history_naming_who_and_where(
    persons, write_csv, batch_actor, supervisor
):
    import_file("assessments", write_csv("a.csv", ASSESSMENT_HEADER, ASSESSMENTS), batch_actor)
    before = {a.notice_number: a for a in Assessment.objects.all()}
    corrected = [
        ASSESSMENTS[0].replace(",65000,", ",60000,"),  # 更正: 調定額 reduced
        ASSESSMENTS[1],  # unchanged
        ASSESSMENTS[2].replace("000000102,", "000000103,"),  # moved to another taxpayer
    ]
    officer = Actor.for_staff(supervisor, "T0001")
    log = import_file("assessments", write_csv("b.csv", ASSESSMENT_HEADER, corrected), officer)

    assert (log.rows_created, log.rows_updated, log.rows_unchanged) == (0, 2, 1)
    reduced = Assessment.objects.get(notice_number="210000101")
    moved = Assessment.objects.get(notice_number="210000102")
    assert reduced.principal == 60_000 and reduced.version == before["210000101"].version + 1
    assert moved.taxpayer.atena_number == "000000103"
    assert (reduced.updated_staff_number, reduced.updated_terminal_number) == ("S2001", "T0001")
    assert reduced.created_on == before["210000101"].created_on
    for installment in (reduced, moved):
        latest = installment.history.first()
        assert latest.history_type == "~"
        assert latest.history_change_reason == "調定の取込（更正）"
        assert (latest.history_staff_number, latest.history_terminal_number) == ("S2001", "T0001")
        assert latest.history_user_id == supervisor.pk
        assert latest.principal == installment.principal and latest.version == installment.version
    assert latest.taxpayer_id == moved.taxpayer_id
    untouched = Assessment.objects.get(notice_number="250000101")
    assert untouched.version == before["250000101"].version and untouched.history.count() == 1
    assert reduced.balance.outstanding_principal == 60_000  # reconciled
    assert not staging_exists()


def test_new_rows_carry_a_creation_history_row(persons, write_csv, batch_actor):
    log = import_file("assessments", write_csv("a.csv", ASSESSMENT_HEADER, ASSESSMENTS), batch_actor)
    assert log.rows_created == 3
    for installment in Assessment.objects.all():
        (history,) = installment.history.all()
        assert (history.history_type, history.history_change_reason) == ("+", "調定の取込（新規）")
        assert (history.history_staff_number, history.history_terminal_number) == ("TEST", "BATCH")
        assert history.demand_fee == installment.demand_fee and history.taxpayer_id == installment.taxpayer_id


def test_reimporting_assessments_changes_nothing(persons, write_csv, batch_actor):
    import_file("assessments", write_csv("a.csv", ASSESSMENT_HEADER, ASSESSMENTS), batch_actor)
    history = Assessment.history.count()
    log = import_file("assessments", write_csv("b.csv", ASSESSMENT_HEADER, ASSESSMENTS), batch_actor)
    assert (log.rows_created, log.rows_updated, log.rows_unchanged) == (0, 0, 3)
    assert Assessment.history.count() == history


@pytest.mark.parametrize(
    ("last", "error"),
    [
        (
            many_rows(1, atena="000000999")[0],
            {
                "column": "宛名番号",
                "message": "宛名番号 000000999 が登録されていません。先に宛名を取り込んでください。",
            },
        ),
        (
            many_rows(1)[0].replace("2030-06-30,2030-06-30", "2030-06-31,2030-06-30"),
            {"column": "納期限", "message": "「2030-06-31」という日付はありません。"},
        ),
    ],
    ids=["unknown taxpayer", "bad date"],
)
def test_an_error_on_the_last_line_leaves_nothing_written(persons, write_csv, batch_actor, last, error):
    rows = [*many_rows(25_000)[1:], last]  # three COPYs into the staging table before the error
    path = write_csv("a.csv", ASSESSMENT_HEADER, rows)
    with pytest.raises(ImportRejected) as raised:
        import_file("assessments", path, batch_actor)
    log = ImportLog.objects.get(pk=raised.value.log.pk)
    assert log.error_count == 1 and log.errors[0]["line"] == 25_001
    assert log.errors[0]["column"] == error["column"]
    assert log.errors[0]["message"].startswith(error["message"])
    assert Assessment.objects.count() == 0 and Assessment.history.count() == 0
    assert not path.exists() and log.file_deleted_at is not None
    assert not staging_exists()


def test_cross_row_errors_name_line_and_column_as_before(persons, write_csv, batch_actor):
    rows = [
        ASSESSMENTS[0],
        ASSESSMENTS[1].replace("000000101", "000000999"),
        ASSESSMENTS[2],
        ASSESSMENTS[0].replace("000000101", "000000998"),  # unknown and a duplicate of line 2
        ASSESSMENTS[0],
    ]
    with pytest.raises(ImportRejected) as raised:
        import_file("assessments", write_csv("a.csv", ASSESSMENT_HEADER, rows), batch_actor)
    assert raised.value.log.errors == [
        {
            "line": 3,
            "column": "宛名番号",
            "message": "宛名番号 000000999 が登録されていません。先に宛名を取り込んでください。",
        },
        {
            "line": 5,
            "column": "宛名番号",
            "message": "宛名番号 000000998 が登録されていません。先に宛名を取り込んでください。",
        },
        {
            "line": 5,
            "column": "通知書番号",
            "message": "同じ調定（科目・年度・通知書番号・期別）が2行目にもあります。",
        },
        {
            "line": 6,
            "column": "通知書番号",
            "message": "同じ調定（科目・年度・通知書番号・期別）が2行目にもあります。",
        },
    ]
    assert raised.value.log.error_count == 4 and Assessment.objects.count() == 0


def test_every_error_is_counted_and_the_first_thousand_kept(persons, write_csv, batch_actor):
    rows = many_rows(1_500, atena="000000999")
    with pytest.raises(ImportRejected) as raised:
        import_file("assessments", write_csv("a.csv", ASSESSMENT_HEADER, rows), batch_actor)
    log = raised.value.log
    assert log.error_count == 1_500 and len(log.errors) == 1_000
    assert [e["line"] for e in log.errors] == list(range(2, 1_002))


def test_the_scan_reads_one_row_at_a_time():
    consumed = []

    def lines():
        yield ASSESSMENT_HEADER + "\n"
        for n, line in enumerate(many_rows(1_000)):
            consumed.append(n)
            yield line + "\n"

    scan = ASSESSMENT_LAYOUT.scan(lines(), errors=ErrorList())
    rows = iter(scan)
    first = next(rows)
    assert first["_line"] == 2 and first["principal"] == 10_000
    assert len(consumed) == 1  # the first row came before the second line was read
    assert sum(1 for _ in rows) == 999 and scan.seen == 1_000


def test_the_import_never_reads_the_file_whole(persons, write_csv, batch_actor, monkeypatch):
    path = write_csv("a.csv", ASSESSMENT_HEADER, ASSESSMENTS)
    log = start_log(kind="assessments", path=path, file_name=path.name, actor=batch_actor)

    def whole(*args, **kwargs):
        raise AssertionError("the file was read whole")

    class Guarded(io.BufferedReader):
        def read(self, size=-1):
            if size is None or size < 0:
                whole()
            return super().read(size)

    opened = []
    real_open = Path.open

    def guarded_open(self, mode="r", *args, **kwargs):
        if self != path:  # the schedules in taxpayers/data
            return real_open(self, mode, *args, **kwargs)
        assert mode == "rb"
        opened.append(self)
        return Guarded(io.FileIO(self, "r"))

    monkeypatch.setattr(Path, "read_bytes", whole)
    monkeypatch.setattr(Path, "read_text", whole)
    monkeypatch.setattr(Path, "open", guarded_open)
    log = run_import(log=log, path=path, actor=batch_actor)
    assert log.rows_created == 3 and opened == [path] * 2  # the encoding found, then read as text


def test_an_undecodable_byte_after_the_first_mebibyte_is_placed_on_its_line(tmp_path):
    rows = "\n".join(many_rows(20_000)).encode()  # > 1 MiB
    raw = ASSESSMENT_HEADER.encode() + b"\n" + rows + b"\n000000101,\xff\xfe\n"
    assert len(raw) > importing.READ_BYTES
    path = tmp_path / "broken.csv"
    path.write_bytes(raw)
    encoding, _, error = detect_encoding(path)
    assert encoding == "" and error is not None
    assert error.line == decode(raw)[1][0].line == 20_002


def test_both_encodings_are_detected_with_their_line_count(tmp_path):
    text = "\n".join([ASSESSMENT_HEADER, *ASSESSMENTS]) + "\n"
    for encoding, expected in (("utf-8-sig", "utf-8-sig"), ("cp932", "cp932"), ("utf-8", "utf-8-sig")):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        assert detect_encoding(path) == (expected, 4, None)


def test_a_crash_while_writing_leaves_nothing_and_deletes_the_file(
    persons, write_csv, batch_actor, monkeypatch
):
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(reconciliation, "reconcile", explode)  # after both statements ran
    path = write_csv("a.csv", ASSESSMENT_HEADER, ASSESSMENTS)
    with pytest.raises(RuntimeError):
        import_file("assessments", path, batch_actor)
    log = ImportLog.objects.get(kind="assessments")
    assert log.result == ImportLog.Result.FAILED and log.file_deleted_at and not path.exists()
    assert Assessment.objects.count() == 0 and Assessment.history.count() == 0
    assert Taxpayer.objects.count() == 3 and not staging_exists()


# --- 収納 through the same staging table ---------------------------------------------------


def test_a_payment_corrected_to_another_installment_reconciles_both_with_history(
    ledger, write_csv, batch_actor
):
    from tests.taxpayers.conftest import PAYMENT_HEADER, PAYMENTS

    first = Assessment.objects.get(notice_number="210000101")
    assert first.balance.paid_principal == 30_000
    # R0001 was for 210000101 (固定資産税 2021); the bank corrects it to 210000102 (国保料 2021).
    moved = "R0001,06,0000,112291,112291,1,2021,2021,210000102,1,2021-09-30,2021-10-01,30100,2"
    log = import_file("payments", write_csv("fix.csv", PAYMENT_HEADER, [moved, PAYMENTS[1]]), batch_actor)
    assert (log.rows_created, log.rows_updated, log.rows_unchanged) == (0, 1, 1)
    payment = Payment.objects.get(receipt_number="R0001")
    second = Assessment.objects.get(notice_number="210000102")
    assert payment.assessment_id == second.pk and payment.version == 2
    latest = payment.history.first()
    assert (latest.history_type, latest.history_change_reason) == ("~", "収納の取込（訂正）")
    assert (latest.history_staff_number, latest.history_terminal_number) == ("TEST", "BATCH")
    assert latest.assessment_id == second.pk
    first.balance.refresh_from_db()
    second.balance.refresh_from_db()
    assert first.balance.paid_principal == 0 and second.balance.paid_principal > 0


def test_payment_errors_name_line_and_column_as_before(ledger, write_csv, batch_actor):
    from tests.taxpayers.conftest import PAYMENT_HEADER, PAYMENTS

    rows = [
        PAYMENTS[0].replace("R0001", "R0100"),
        PAYMENTS[1].replace("250000101", "299999999").replace("R0002", "R0100"),
    ]
    with pytest.raises(ImportRejected) as raised:
        import_file("payments", write_csv("x.csv", PAYMENT_HEADER, rows), batch_actor)
    assert raised.value.log.errors == [
        {
            "line": 3,
            "column": "通知書番号",
            "message": "この収納に対応する調定（科目・年度・通知書番号・期別）が登録されていません。",
        },
        {"line": 3, "column": "収納番号", "message": "収納番号 R0100 が2行目と重複しています。"},
    ]
    assert Payment.objects.count() == 2 and not staging_exists()


def test_reimporting_payments_changes_nothing(ledger, write_csv, batch_actor):
    from tests.taxpayers.conftest import PAYMENT_HEADER, PAYMENTS

    history = Payment.history.count()
    log = import_file("payments", write_csv("again.csv", PAYMENT_HEADER, PAYMENTS), batch_actor)
    assert (log.rows_created, log.rows_updated, log.rows_unchanged) == (0, 0, 2)
    assert Payment.history.count() == history
