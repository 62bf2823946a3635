"""Bad input, generated (hypothesis): imports and forms answer with Japanese messages, write nothing
they should not, never fail with a server error, and print what was typed escaped. No 個人番号
reaches a log."""

import logging
import re
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import SecurityEvent
from negotiations.models import NegotiationRecord
from taxpayers.importing import ImportRejected, run_import, start_log
from taxpayers.models import Assessment, Payment, Taxpayer, TaxpayerAccess
from tests.conftest import sign_in
from tests.taxpayers.conftest import ASSESSMENT_HEADER, PAYMENT_HEADER, PERSON_HEADER
from wako_collections.actors import Actor

pytestmark = pytest.mark.django_db
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
HEADERS = {"persons": PERSON_HEADER, "assessments": ASSESSMENT_HEADER, "payments": PAYMENT_HEADER}
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# cells: kanji, kana, digits, dates, control characters, quotes, commas, script and SQL payloads
cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "'; DROP TABLE taxpayers_taxpayer; --",
            "\x00",
            "\x1b[2J",
            '"',
            "令和8年13月1日",
        ]
    ),
    st.from_regex(r"[0-9]{1,15}", fullmatch=True),
)
csv_rows = st.lists(st.lists(cell, min_size=0, max_size=22).map(lambda cells: ",".join(cells)), max_size=6)


def encoded(rows: list[str], header: str, encoding: str) -> bytes:
    return "\n".join([header, *rows]).encode(encoding, errors="replace")


@FUZZ
@given(
    kind=st.sampled_from(list(HEADERS)),
    rows=csv_rows,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp932"]),
    garbage=st.binary(max_size=200),
    drop_column=st.booleans(),
)
def test_a_malformed_import_is_refused_in_japanese_with_nothing_written(
    kind, rows, encoding, garbage, drop_column
):
    actor = Actor.batch("TEST")
    header = HEADERS[kind]
    if drop_column:
        header = ",".join(header.split(",")[1:])
    before = (Taxpayer.objects.count(), Assessment.objects.count(), Payment.objects.count())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.csv"
        path.write_bytes(encoded(rows, header, encoding) + garbage)
        log = start_log(kind=kind, path=path, file_name=path.name, actor=actor)
        try:
            run_import(log=log, path=path, actor=actor)
        except ImportRejected as rejected:
            assert rejected.log.errors, "a refusal names its errors"
            for error in rejected.log.errors:
                assert JAPANESE.search(error["message"]), error
            assert (Taxpayer.objects.count(), Assessment.objects.count(), Payment.objects.count()) == before
        else:  # what was generated happened to be valid (a header alone, say): it wrote what it says
            log.refresh_from_db()
            after = (Taxpayer.objects.count(), Assessment.objects.count(), Payment.objects.count())
            written = [now - then for now, then in zip(after, before, strict=True)]
            table = list(HEADERS).index(kind)
            assert written[table] == log.rows_created and not log.errors
            assert all(n == 0 for i, n in enumerate(written) if i != table)
        assert not path.exists()  # deleted whatever happened


def test_a_nul_in_the_header_is_named_in_the_refusal_and_the_log_is_kept():
    # found by the property above: the refusal quotes the header, and PostgreSQL cannot store a NUL
    actor = Actor.batch("TEST")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.csv"  # the name as sent; the file on disk has a safe one
        path.write_bytes(PERSON_HEADER.encode("cp932") + b"\x00\x1b[2J\n")
        log = start_log(kind="persons", path=path, file_name="nul\x00.csv", actor=actor)
        with pytest.raises(ImportRejected) as refused:
            run_import(log=log, path=path, actor=actor)
    refused.value.log.refresh_from_db()
    (error,) = refused.value.log.errors
    assert "〔制御文字 0x00〕〔制御文字 0x1B〕[2J" in error["message"]
    assert refused.value.log.file_name == "nul〔制御文字 0x00〕.csv"
    assert Taxpayer.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            lambda: "000000901," + "蔵" * 300_000 + "\n", id="one cell beyond the CSV reader's limit"
        ),
        pytest.param(lambda: "x,y,z\n" * 60_000, id="sixty thousand rows of nonsense"),
        pytest.param(lambda: "\x00\x01\x02" * 1_000_000, id="three megabytes of control characters"),
    ],
)
def test_a_huge_malformed_file_is_refused_in_japanese_with_nothing_written(body):
    from taxpayers.csv_layouts import MAX_ERRORS_KEPT

    actor = Actor.batch("TEST")
    before = Taxpayer.objects.count()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "huge.csv"
        path.write_text(PERSON_HEADER + "\n" + body(), encoding="utf-8")
        log = start_log(kind="persons", path=path, file_name=path.name, actor=actor)
        with pytest.raises(ImportRejected) as refused:
            run_import(log=log, path=path, actor=actor)
        assert not path.exists()
    errors = refused.value.log.errors
    assert 1 <= len(errors) <= MAX_ERRORS_KEPT and refused.value.log.error_count >= len(errors)
    assert all(JAPANESE.search(error["message"]) for error in errors)
    assert Taxpayer.objects.count() == before


@FUZZ
@given(text=cell)
def test_search_never_fails_and_shows_what_was_typed_escaped(client, officer, text):
    sign_in(client, officer)
    response = client.get(reverse("taxpayers:search"), {"name": text, "address": text, "phone": text})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


@FUZZ
@given(content=cell, place=cell)
def test_a_contact_record_saves_or_explains_and_prints_escaped(client, officer, ledger, content, place):
    sign_in(client, officer)
    before = NegotiationRecord.objects.count()
    response = client.post(
        reverse("negotiations:record_create", args=["000000101"]),
        {
            "contact_kind": "21",
            "result": "2",
            "subject_group_code": "02",
            "collection_category": "2",
            "importance": "2",
            "content": content,
            "place": place,
        },
    )
    assert response.status_code in (302, 400)
    if response.status_code == 400:  # refused: the page says why, nothing saved
        assert NegotiationRecord.objects.count() == before
        assert JAPANESE.search(response.content.decode())
    page = client.get(reverse("negotiations:case", args=["000000101"])).content.decode()
    assert "<script>alert(1)</script>" not in page


def test_no_individual_number_reaches_a_log(client, officer, ledger, caplog):
    caplog.set_level(logging.DEBUG)
    number = "123456789018"  # 000000101's, imported by the ledger fixture
    sign_in(client, officer)
    client.get(reverse("taxpayers:detail", args=["000000101"]))
    shown = client.post(
        reverse("taxpayers:reveal_individual_number", args=["000000101"]),
        {"purpose": "identification", "reason": "本人確認のため"},
    )
    assert "1234 5678 9018" in shown.content.decode()  # shown to the permitted officer with a reason…
    assert number not in caplog.text  # …but never written to a log
    assert not TaxpayerAccess.objects.filter(detail__contains=number).exists()
    assert not SecurityEvent.objects.filter(detail__contains=number).exists()
    for row in Taxpayer.history.all():
        assert number not in str(row.__dict__)


PAYLOADS = st.sampled_from(
    [
        "<script>alert(1)</script>",
        '<img src="file:///etc/passwd">',
        "<b>太字</b>&amp;",
        "'; DROP TABLE taxpayers_taxpayer; --",
        '"><style>*{display:none}</style>',
    ]
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=PAYLOADS, where=st.sampled_from(["name", "address"]))
def test_a_payload_in_a_taxpayers_data_prints_as_text_on_the_pdf(officer, ledger, payload, where):
    """Imported data reaches printed forms: whatever it holds is printed as characters, never
    read as markup (nothing hidden, nothing fetched; the fetcher refuses file:// besides)."""
    from datetime import date

    from documents import services
    from tests.documents.test_documents import pdf_text
    from wako_collections.actors import acting_as
    from wako_collections.records import save_tracked, stamp

    actor = Actor.for_staff(officer, "T0001")
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    with acting_as(actor):
        setattr(taxpayer, where, f"和光{payload}太郎")
        stamp(taxpayer, actor)
        save_tracked(taxpayer, reason="試験")
    document = services.issue_document(
        actor=actor,
        form_code="03",
        taxpayer=taxpayer,
        assessment_ids=[Assessment.objects.get(notice_number="210000101").pk],
        issued_on=date(2022, 1, 10),
        deadline=date(2022, 1, 31),
    )
    printed = pdf_text(services.render_document(document))
    assert re.sub(r"\s+", "", f"和光{payload}太郎") in printed
