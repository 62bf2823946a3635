"""Batches: the frozen list, skip-if-paid, cancel and failure leaving nothing recorded, the combined PDF."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from documents import batches, services
from documents.models import Batch, Document, Extraction
from taxpayers.models import PrescriptionEvent
from taxpayers.reconciliation import reconcile
from tests.documents.test_documents import pdf_text
from wako_collections.actors import Actor, acting_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(ledger, write_csv, batch_actor):
    """Two installments that fell due five days ago with no 督促 yet, for two taxpayers."""
    from taxpayers.importing import run_import, start_log
    from tests.taxpayers.conftest import ASSESSMENT_HEADER

    due = timezone.localdate() - timedelta(days=5)
    rows = [
        f"000000101,01,0000,112291,112291,1,{due.year},{due.year},260000101,2,{due},{due},41000,,",
        f"000000102,01,0000,112291,112291,1,{due.year},{due.year},260000102,2,{due},{due},52000,,",
    ]
    path = write_csv("overdue.csv", ASSESSMENT_HEADER, rows)
    run_import(
        log=start_log(kind="assessments", path=path, file_name=path.name, actor=batch_actor),
        path=path,
        actor=batch_actor,
    )
    reconcile()
    return due


def actor(officer):
    return Actor.for_staff(officer, "T0001")


def frozen_demand_batch(officer, settings) -> Batch:
    """Today's 督促状 batch, frozen as staff confirm it, but not run: the task backend does nothing."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    today = timezone.localdate()
    return batches.freeze(
        actor=actor(officer),
        kind="demand",
        candidates=batches.demand_candidates(today),
        issued_on=today,
        deadline=None,
    )


def test_the_demand_batch_finds_newly_overdue_installments_without_a_demand(officer, overdue):
    found = batches.demand_candidates(timezone.localdate())
    assert [(c.atena_number, len(c.assessment_ids)) for c in found] == [("000000101", 1), ("000000102", 1)]
    assert batches.summary(found) == {"taxpayers": 2, "installments": 2, "amount": 93_000}
    # twenty-one days after the due date it is too late for a 督促状 by this batch
    assert batches.demand_candidates(overdue + timedelta(days=21)) == []


def test_the_demand_window_reads_the_stored_due_date_and_finds_what_the_assessments_give(
    ledger, write_csv, batch_actor
):
    """The window reads the 納期限 reconcile copies onto the balance: the same rows as the window
    over the 調定 (the query it replaced), edges included — 20 days ago is in, 21 days ago and today
    are out — and an installment already 督促'd is left out of the candidates and listed apart."""
    from django.db.models import Exists, OuterRef

    from taxpayers.importing import run_import, start_log
    from taxpayers.models import InstallmentBalance
    from tests.taxpayers.conftest import ASSESSMENT_HEADER

    today = timezone.localdate()
    rows = []
    for number, (atena, days_ago, demanded_on) in enumerate(
        [
            ("000000101", 0, None),  # due today: not overdue yet
            ("000000101", 1, None),
            ("000000101", 20, None),  # the window's first day
            ("000000102", 21, None),  # too late for this batch
            ("000000102", 3, None),
            ("000000103", 4, today - timedelta(days=1)),  # 督促 from the 税務システム
            ("000000103", 2, None),
        ]
    ):
        due = today - timedelta(days=days_ago)
        rows.append(
            f"{atena},01,0000,112291,112291,1,{due.year},{due.year},26100{number:04d},1,{due},{due},10000,"
            f"{demanded_on or ''},"
        )
    path = write_csv("window.csv", ASSESSMENT_HEADER, rows)
    run_import(
        log=start_log(kind="assessments", path=path, file_name=path.name, actor=batch_actor),
        path=path,
        actor=batch_actor,
    )
    reconcile()

    def notices(candidates):
        by_id = dict(InstallmentBalance.objects.values_list("assessment_id", "assessment__notice_number"))
        return [(c.atena_number, [by_id[i] for i in c.assessment_ids]) for c in candidates]

    found = batches.demand_candidates(today)
    assert notices(found) == [
        ("000000101", ["261000002", "261000001"]),  # oldest 納期限 first
        ("000000102", ["261000004"]),
        ("000000103", ["261000006"]),
    ]
    # the window over the 調定's own 納期限, as the page read it before the copy
    demanded = PrescriptionEvent.objects.filter(assessment=OuterRef("assessment"), kind="demand")
    over_assessments = (
        InstallmentBalance.objects.filter(
            status=InstallmentBalance.Status.DELINQUENT,
            assessment__due_date__gte=today - timedelta(days=batches.DEMAND_WINDOW_DAYS),
            assessment__due_date__lt=today,
        )
        .exclude(Exists(demanded))
        .order_by("assessment__taxpayer__atena_number", "assessment__due_date")
    )
    assert notices(batches._group(over_assessments.filter(assessment__demand_issued_on__isnull=True))) == (
        notices(found)
    )
    assert [e.atena_number for e in batches.demanded_in_window(today)] == ["000000103"]
    assert notices(batches._group(over_assessments.exclude(assessment__demand_issued_on=None))) == [
        ("000000103", ["261000005"])
    ]


def test_a_demand_batch_renders_one_pdf_records_every_document_and_the_demand_event(
    officer, overdue, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        batch = batches.freeze(
            actor=actor(officer),
            kind="demand",
            candidates=batches.demand_candidates(today),
            issued_on=today,
            deadline=None,
        )
    batch.refresh_from_db()  # the immediate backend ran it on commit
    assert batch.status == Batch.Status.DONE and batch.issued_count == 2 and batch.page_count == 2
    assert batch.number == f"K{today.year}000001"  # K for 一括; B is the 分納誓約's (issue 18)
    documents = Document.objects.filter(source=f"一括 {batch.number}").order_by("number")
    assert [d.taxpayer.atena_number for d in documents] == ["000000101", "000000102"]
    assert [d.number for d in documents] == [batch.first_number, batch.last_number]
    assert batch.pdf_file.name == f"batches/{today.year}/{batch.number}.pdf"
    text = pdf_text(batch.pdf_file.read())
    assert text.count("督促状") >= 2 and "和光太郎様" in text and "新倉花子様" in text
    assert PrescriptionEvent.objects.filter(kind="demand").count() == 2
    history = Batch.history.filter(id=batch.pk).values_list("history_change_reason", flat=True)
    assert "作成完了" in history and "一括発行の登録（対象一覧を凍結）" in history
    # a second run finds nothing left to demand
    assert batches.demand_candidates(today) == []


def test_what_is_paid_after_freezing_is_skipped_and_listed(
    officer, overdue, settings, write_csv, batch_actor
):
    from taxpayers.importing import run_import, start_log
    from tests.taxpayers.conftest import PAYMENT_HEADER

    today = timezone.localdate()
    batch = frozen_demand_batch(officer, settings)
    y = overdue.year
    path = write_csv(
        "paid.csv",
        PAYMENT_HEADER,
        [f"R9001,01,0000,112291,112291,1,{y},{y},260000102,2,{today},{today},52000,2"],
    )
    run_import(
        log=start_log(kind="payments", path=path, file_name=path.name, actor=batch_actor),
        path=path,
        actor=batch_actor,
    )
    batches.run(batch, actor(officer))
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE and batch.issued_count == 1
    assert [(s["atena_number"], s["reason"]) for s in batch.skipped] == [
        ("000000102", "作成直前の確認で納付済み")
    ]
    assert not Document.objects.filter(taxpayer__atena_number="000000102").exists()


def test_a_cancelled_run_records_nothing_and_can_be_run_again(officer, overdue, settings, monkeypatch):
    settings.DOCUMENT_BATCH_CHUNK = 1
    batch = frozen_demand_batch(officer, settings)
    real = services.render_combined

    def render_then_cancel(contents):
        pdf = real(contents)
        batches.cancel(Batch.objects.get(pk=batch.pk), actor(officer))  # staff press 取消 mid-run
        return pdf

    monkeypatch.setattr(services, "render_combined", render_then_cancel)
    batches.run(batch, actor(officer))
    batch.refresh_from_db()
    assert batch.status == Batch.Status.CANCELLED and batch.progress.rendered == 1
    assert files_left(settings) == []  # the chunk rendered before the cancel is deleted
    assert not Document.objects.exists() and not PrescriptionEvent.objects.filter(kind="demand").exists()

    cancelled_numbers = (batch.first_number, batch.last_number)
    monkeypatch.setattr(services, "render_combined", real)
    batches.rerun(batch, actor(officer))
    batch.refresh_from_db()
    batches.run(batch, actor(officer))
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE and Document.objects.count() == 2
    assert batch.first_number > cancelled_numbers[1]  # fresh numbers; the cancelled ones stay unused
    assert not Document.objects.filter(number__in=cancelled_numbers).exists()


def test_a_failure_while_recording_leaves_no_half_recorded_documents(officer, overdue, settings, monkeypatch):
    batch = frozen_demand_batch(officer, settings)
    real = services.prescription_events
    calls = []

    def fail_on_second(document, assessments, who, **options):
        calls.append(document)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(document, assessments, who, **options)

    monkeypatch.setattr(services, "prescription_events", fail_on_second)
    batches.run(batch, actor(officer))
    batch.refresh_from_db()
    assert batch.status == Batch.Status.FAILED and "disk full" in batch.error
    assert not Document.objects.exists() and not PrescriptionEvent.objects.filter(kind="demand").exists()
    assert batches.can_rerun(batch)
    # the combined PDF had been stored before recording failed: it is gone, and so are the chunks
    assert not batch.pdf_file and files_left(settings) == []


def files_left(settings) -> list[str]:
    return sorted(str(p.relative_to(settings.MEDIA_ROOT)) for p in Path(settings.MEDIA_ROOT).rglob("*.pdf"))


def test_a_failure_while_joining_leaves_no_file(officer, overdue, settings, monkeypatch):
    from wako_collections import pdf_join

    batch = frozen_demand_batch(officer, settings)
    settings.DOCUMENT_BATCH_CHUNK = 1
    real = pdf_join._append

    def fail_on_second(path, out):
        if path.name.endswith("1.pdf"):
            raise OSError("No space left on device")
        return real(path, out)

    monkeypatch.setattr(pdf_join, "_append", fail_on_second)
    batches.run(batch, actor(officer))
    batch.refresh_from_db()
    assert batch.status == Batch.Status.FAILED and "No space left" in batch.error
    assert files_left(settings) == [] and not Document.objects.exists()


def test_a_notice_batch_by_extraction_filters_and_needs_a_deadline(
    officer, overdue, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    extraction = Extraction(
        name="広沢の滞納", district="広沢", form_code="04", exclude_pledged=True, exclude_stopped=True
    )
    batches.save_extraction(extraction, actor(officer))
    found = batches.extraction_candidates(extraction, today)
    assert [c.atena_number for c in found] == ["000000101"]  # 新倉 lives in 新倉
    extraction.min_amount = 10_000_000
    assert batches.extraction_candidates(extraction, today) == []
    extraction.min_amount = None
    with pytest.raises(batches.BatchError, match="指定期限"):
        batches.freeze(
            actor=actor(officer),
            kind="notice",
            candidates=found,
            issued_on=today,
            deadline=None,
            extraction=extraction,
        )
    with django_capture_on_commit_callbacks(execute=True):
        batch = batches.freeze(
            actor=actor(officer),
            kind="notice",
            candidates=found,
            issued_on=today,
            deadline=today + timedelta(days=14),
            extraction=extraction,
        )
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE
    document = Document.objects.get(source=f"一括 {batch.number}")
    assert document.form_code == "04" and document.is_legal_notice
    assert "最終催告書" in pdf_text(batch.pdf_file.read())
    assert ["地区", "広沢"] in batch.criteria


def test_chunks_render_in_parallel_processes_and_join_in_order(settings, tmp_path):
    from documents import rendering
    from tests.documents.test_record_forms import pdf_text as text_of
    from wako_collections import pdf_join

    contents = []
    for i, name in enumerate(["一番 目", "二番 目", "三番 目"]):
        rows = [
            dict.fromkeys(("principal", "fee", "late_charge", "total"), 1_000)
            | {
                "subject": "市民税",
                "year": "令和7年度",
                "notice_number": str(i),
                "period": 1,
                "due_date": "令和7年6月30日",
            }
        ]
        contents.append(
            {
                **batches.contents.header(
                    "03", timezone.localdate(), timezone.localdate() + timedelta(days=10)
                ),
                "number": f"D2026{i:06d}",
                "recipient": {
                    "name": name,
                    "postal_code": "3510192",
                    "address": "和光市",
                    "atena_number": str(i),
                },
                "rows": rows,
                "totals": batches.contents.totals(rows),
            }
        )
    parts = list(rendering.render_chunks([[c] for c in contents], processes=2, should_stop=lambda: False))
    paths = []
    for index, part in enumerate(parts):
        paths.append(tmp_path / f"{index}.pdf")
        paths[-1].write_bytes(part)
    pages = pdf_join.join_files(paths, tmp_path / "joined.pdf")
    text = text_of((tmp_path / "joined.pdf").read_bytes())
    assert pages == 3 and text.index("一番目") < text.index("二番目") < text.index("三番目")
    stopped = list(rendering.render_chunks([[c] for c in contents], processes=2, should_stop=lambda: True))
    assert stopped == []


def test_recording_a_batch_asks_the_database_the_same_number_of_times_for_any_size(officer, overdue):
    """督促 events for a whole batch: whether an installment was demanded is asked once, not per document."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from taxpayers.models import Assessment

    today = timezone.localdate()
    overdue_ids = {
        a.taxpayer.atena_number: a.pk
        for a in Assessment.objects.filter(due_date=overdue).select_related("taxpayer")
    }

    def record(numbers_and_taxpayers):
        documents = [
            Document(
                number=number,
                form_code="02",
                taxpayer=a.taxpayer,
                issued_on=today,
                total_amount=1,
                content={},
            )
            for number, a in numbers_and_taxpayers
        ]
        with CaptureQueriesContext(connection) as queries:
            services.record_many(
                documents, [[a.pk] for _n, a in numbers_and_taxpayers], actor=actor(officer), reason="試験"
            )
        return len(queries.captured_queries)

    first, second = (Assessment.objects.get(pk=overdue_ids[n]) for n in ("000000101", "000000102"))
    one = record([("D2026900001", first)])
    three = record([("D2026900002", second), ("D2026900003", first), ("D2026900004", second)])
    assert one == three
    # each installment got its 督促 once, from the first document that demanded it
    events = PrescriptionEvent.objects.filter(kind="demand").order_by("assessment_id")
    assert [(e.assessment_id, e.source.split()[-1]) for e in events] == sorted(
        [(first.pk, "D2026900001"), (second.pk, "D2026900002")]
    )


def test_a_batch_whose_worker_is_gone_is_cancelled_at_once(officer, overdue, settings):
    """Nobody is left to see a cancel request, so 取消 ends it there and then."""
    from documents.models import BatchProgress

    batch = frozen_demand_batch(officer, settings)
    with acting_as(actor(officer)):
        batches._set(batch, actor(officer), "作成開始", status=Batch.Status.RUNNING)
    BatchProgress.objects.filter(batch=batch).update(updated_at=timezone.now() - batches.STALE_AFTER * 2)
    batches.cancel(Batch.objects.get(pk=batch.pk), actor(officer))
    batch.refresh_from_db()
    assert batch.status == Batch.Status.CANCELLED and batch.finished_at is not None
    assert "取消（処理が止まっていたもの）" in Batch.history.filter(id=batch.pk).values_list(
        "history_change_reason", flat=True
    )


def test_time_barred_installments_are_left_out_of_letters(client, officer, ledger):
    """On 2026-10-02 the 2021 固定資産税 (時効 2026-09-30 after its 督促 and 一部納付) and the 2021
    保険料 (2 years) have completed: no 催告書 may demand them, singly or in a batch."""
    from datetime import date

    import time_machine
    from django.urls import reverse

    from tests.conftest import sign_in

    on = date(2026, 10, 2)
    extraction = Extraction(name="すべて", form_code="04")
    batches.save_extraction(extraction, actor(officer))
    assert batches.extraction_candidates(extraction, on) == []
    assert [c.atena_number for c in batches.extraction_candidates(extraction, date(2026, 6, 1))] == [
        "000000101"
    ]
    reconcile(as_of=on)
    with time_machine.travel(on, tick=False):
        sign_in(client, officer)
        response = client.get(reverse("documents:issue", args=["000000101"]))
    assert response.context["form"].fields["assessments"].choices == []
    html = response.content.decode()
    assert "記載できない期別（時効完成）" in html and "時効完成 令和8年9月30日" in html
