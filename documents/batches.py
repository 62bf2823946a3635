"""Batches: 督促状 for installments newly overdue, 催告書 for a saved extraction.

A batch freezes its list when staff confirm the preview. The worker then (1) re-reads every
taxpayer's ledger and skips what has been paid since, listing it; (2) reserves the document
numbers; (3) renders the documents in chunks, many per WeasyPrint run, bumping the progress
counter and stopping if cancelled; (4) joins the chunks into one PDF file for the printer (on
disk, in memory that does not grow with the batch); and only then (5) records every document, its installments and 時効 events in one transaction. A run that
fails or is cancelled before (5) has recorded no document at all, and can be run again.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone

from documents import catalogue, rendering, services
from documents import content as contents
from documents.models import Batch, BatchProgress, Document, Extraction, FormCode
from taxpayers.ledger import ledger_for
from taxpayers.models import InstallmentBalance, PrescriptionEvent, Taxpayer
from taxpayers.standing import PLEDGED, STOPPED, hold_exists
from taxpayers.subjects import Subject
from wako_collections import pdf_join
from wako_collections.actors import Actor, acting_as
from wako_collections.numbering import NumberKind
from wako_collections.records import next_number, save_tracked, stamp

DEMAND_WINDOW_DAYS = 20  # 地方税法第329条第1項ほか: 督促状は納期限後20日以内に発する


class BatchError(Exception):
    """A batch that cannot start or be changed; the message is shown to staff."""


class Cancelled(Exception):
    pass


@dataclass
class Candidate:
    taxpayer_id: int
    atena_number: str
    name: str
    assessment_ids: list[int] = field(default_factory=list)
    amount: int = 0

    def as_item(self) -> dict:
        return {
            "taxpayer": self.taxpayer_id,
            "atena_number": self.atena_number,
            "name": self.name,
            "assessments": self.assessment_ids,
            "amount": self.amount,
        }


# what a candidate reads of a balance and its taxpayer (a taxpayer row is wide: name, kana, address…)
_CANDIDATE_FIELDS = (
    "assessment_id",
    "outstanding_principal",
    "outstanding_fee",
    "late_charge",
    "taxpayer__atena_number",
    "taxpayer__name",
)


def _group(balances) -> list[Candidate]:
    """Balances gathered by taxpayer (the copy reconcile stores on the balance), in 宛名番号 order."""
    by_taxpayer: dict[int, Candidate] = {}
    for balance in balances.select_related("taxpayer").only(*_CANDIDATE_FIELDS):
        taxpayer = balance.taxpayer
        candidate = by_taxpayer.setdefault(
            taxpayer.pk, Candidate(taxpayer.pk, taxpayer.atena_number, taxpayer.name)
        )
        candidate.assessment_ids.append(balance.assessment_id)
        candidate.amount += balance.outstanding_principal + balance.outstanding_fee + balance.late_charge
    return sorted(by_taxpayer.values(), key=lambda c: c.atena_number)


def demand_candidates(issued_on: date) -> list[Candidate]:
    """Delinquent installments whose 納期限 passed within the last 20 days and that have no 督促 yet
    (none from the 税務システム, none recorded here).
    Cost: one query, a range of the (status, 納期限) index — the 納期限 and the taxpayer are the
    copies reconcile stores on the balance — then each installment of the window (hundreds, not
    the ~40,000 delinquent ones at 100,000 persons) probed for its 督促."""
    demanded = PrescriptionEvent.objects.filter(assessment=OuterRef("assessment"), kind="demand")
    balances = (
        _in_demand_window(issued_on)
        .filter(assessment__demand_issued_on__isnull=True)
        .exclude(Exists(demanded))
        .order_by("taxpayer__atena_number", "due_date", "assessment_id")
    )
    return _group(balances)


def _in_demand_window(issued_on: date):
    """Delinquent balances whose stored 納期限 falls in the 督促 window, with their taxpayer."""
    return InstallmentBalance.objects.filter(
        status=InstallmentBalance.Status.DELINQUENT,
        due_date__gte=issued_on - timedelta(days=DEMAND_WINDOW_DAYS),
        due_date__lt=issued_on,
    ).select_related("taxpayer")


def extraction_candidates(extraction: Extraction, issued_on: date) -> list[Candidate]:
    """Delinquent taxpayers matching a saved extraction, with their matching installments."""
    from negotiations.models import NegotiationRecord

    balances = InstallmentBalance.objects.filter(status=InstallmentBalance.Status.DELINQUENT)
    if extraction.subject_code:
        balances = balances.filter(assessment__subject_code=extraction.subject_code)
    if extraction.tax_year:
        balances = balances.filter(assessment__tax_year=extraction.tax_year)
    if extraction.officer_number:
        balances = balances.filter(taxpayer__assigned_officer__staff_number=extraction.officer_number)
    if extraction.district:
        balances = balances.filter(taxpayer__district=extraction.district)
    # 分納中・停止中 as the standing and the 滞納者一覧 define them (`standing.hold_exists`), for the taxpayer
    if extraction.exclude_pledged:
        balances = balances.exclude(hold_exists(PLEDGED, as_of=issued_on, taxpayer=OuterRef("taxpayer")))
    if extraction.exclude_stopped:
        balances = balances.exclude(hold_exists(STOPPED, as_of=issued_on, taxpayer=OuterRef("taxpayer")))
    if extraction.days_since_contact:
        last_contact = (
            NegotiationRecord.objects.filter(taxpayer=OuterRef("assessment__taxpayer"))
            .values("taxpayer")
            .annotate(last=Max("input_date"))
            .values("last")
        )
        since = issued_on - timedelta(days=extraction.days_since_contact)
        balances = balances.annotate(last_contact=Subquery(last_contact)).filter(
            Q(last_contact__isnull=True) | Q(last_contact__lte=since)
        )
    # 時効 completed: extinguished (地方税法第18条), not demanded again — 不納欠損's business. The
    # renewed 時効予定日 is the installment's standing as reconcile stored it (a 時効 event refreshes
    # it when recorded); empty while a 差押・交付要求・猶予 holds it.
    balances = (
        balances.filter(Q(prescription_date__isnull=True) | Q(prescription_date__gte=issued_on))
        .select_related("taxpayer")
        .order_by("taxpayer__atena_number", "due_date", "assessment_id")
    )
    candidates = _group(balances)
    return [
        c
        for c in candidates
        if (extraction.min_amount is None or c.amount >= extraction.min_amount)
        and (extraction.max_amount is None or c.amount <= extraction.max_amount)
    ]


@dataclass(frozen=True)
class Excluded:
    """A taxpayer left out of a batch, with the reason shown on the preview."""

    atena_number: str
    name: str
    reason: str


# Letters that ask for payment: one to someone who is keeping a 分納誓約 contradicts the pledge.
DEMANDING_LETTERS = (FormCode.NOTICE_GENERAL, FormCode.NOTICE_FINAL, FormCode.NOTICE_SEIZURE)


def screen(
    candidates: list[Candidate], *, form_code: str, issued_on: date
) -> tuple[list[Candidate], list[Excluded]]:
    """Leaves out, with the reason: a taxpayer sent any document on `issued_on` already (a batch
    re-notifying someone notified that morning), and, for a 催告書・最終催告書・差押予告書, a taxpayer
    with an active 分納誓約 (a demand during a pledge contradicts it). 督促状 for installments
    already 督促'd never become candidates (`demand_candidates`); `demanded_in_window` lists them.
    Cost: two queries for any number of candidates."""
    from negotiations.models import InstallmentPledge

    ids = [c.taxpayer_id for c in candidates]
    sent_today: dict[int, Document] = {}
    for document in Document.objects.filter(taxpayer_id__in=ids, issued_on=issued_on).order_by("number"):
        sent_today.setdefault(document.taxpayer_id, document)
    pledged: dict[int, InstallmentPledge] = {}
    if form_code in DEMANDING_LETTERS:
        for pledge in InstallmentPledge.objects.filter(
            taxpayer_id__in=ids, status=InstallmentPledge.Status.ACTIVE
        ).order_by("pledge_number"):
            pledged.setdefault(pledge.taxpayer_id, pledge)
    kept, excluded = [], []
    for candidate in candidates:
        if candidate.taxpayer_id in sent_today:
            document = sent_today[candidate.taxpayer_id]
            reason = f"本日すでに{document.get_form_code_display()}（文書番号 {document.number}）を発行済み"
        elif candidate.taxpayer_id in pledged:
            reason = f"分納誓約 {pledged[candidate.taxpayer_id].pledge_number} を履行中"
        else:
            kept.append(candidate)
            continue
        excluded.append(Excluded(candidate.atena_number, candidate.name, reason))
    return kept, excluded


def demanded_in_window(issued_on: date) -> list[Excluded]:
    """Overdue installments of the 督促 window that are already 督促'd, by taxpayer: what a second
    督促状 would have repeated. Shown on the preview as left out."""
    demanded = PrescriptionEvent.objects.filter(assessment=OuterRef("assessment"), kind="demand")
    balances = (
        _in_demand_window(issued_on)
        .filter(Q(assessment__demand_issued_on__isnull=False) | Q(Exists(demanded)))
        .order_by("taxpayer__atena_number", "due_date", "assessment_id")
    )
    return [
        Excluded(
            c.atena_number,
            c.name,
            f"督促状を発付済みの期別 {len(c.assessment_ids)}件（二度目の督促はしません）",
        )
        for c in _group(balances)
    ]


def save_extraction(extraction: Extraction, actor: Actor) -> Extraction:
    with acting_as(actor):
        stamp(extraction, actor)
        save_tracked(extraction, reason="抽出条件の登録" if extraction._state.adding else "抽出条件の変更")
    return extraction


def summary(candidates: list[Candidate]) -> dict:
    return {
        "taxpayers": len(candidates),
        "installments": sum(len(c.assessment_ids) for c in candidates),
        "amount": sum(c.amount for c in candidates),
    }


def criteria_of(extraction: Extraction | None) -> list[list[str]]:
    """The conditions as staff read them, in the form's order; empty conditions are left out.
    (A list of pairs: a jsonb object would reorder its keys.)"""
    if extraction is None:
        return [["督促", f"納期限後{DEMAND_WINDOW_DAYS}日以内で督促未済の期別"]]
    shown = [
        ["抽出条件名", extraction.name],
        ["科目", Subject(extraction.subject_code).label if extraction.subject_code else ""],
        ["年度分", f"{extraction.tax_year}年度分" if extraction.tax_year else ""],
        ["未納額の下限", f"{extraction.min_amount:,}円" if extraction.min_amount is not None else ""],
        ["未納額の上限", f"{extraction.max_amount:,}円" if extraction.max_amount is not None else ""],
        ["担当職員番号", extraction.officer_number],
        ["地区", extraction.district],
        [
            "最終接触からの日数",
            f"{extraction.days_since_contact}日以上" if extraction.days_since_contact is not None else "",
        ],
        ["分納誓約中", "除く" if extraction.exclude_pledged else "含む"],
        ["執行停止中", "除く" if extraction.exclude_stopped else "含む"],
    ]
    return [[label, value] for label, value in shown if value]


def freeze(
    *,
    actor: Actor,
    kind: str,
    candidates: list[Candidate],
    issued_on: date,
    deadline: date | None,
    extraction: Extraction | None = None,
) -> Batch:
    """Records the batch with its frozen list and queues it for the worker."""
    if not candidates:
        raise BatchError("対象がありません。")
    form_code = FormCode.DEMAND if kind == Batch.Kind.DEMAND else extraction.form_code  # type: ignore[union-attr]
    if form_code != FormCode.DEMAND and (deadline is None or deadline <= issued_on):
        raise BatchError("催告書の指定期限は発行日より後の日付にしてください。")
    with transaction.atomic(), acting_as(actor):
        batch = Batch(
            number=next_number(Batch, "number", NumberKind.BATCH.prefix(issued_on)),
            kind=kind,
            form_code=form_code,
            extraction=extraction,
            criteria=criteria_of(extraction),
            issued_on=issued_on,
            deadline=deadline,
            items=[c.as_item() for c in candidates],
            item_count=len(candidates),
        )
        stamp(batch, actor)
        save_tracked(batch, reason="一括発行の登録（対象一覧を凍結）")
        BatchProgress.objects.create(batch=batch)
        enqueue(batch, actor)
    return batch


def enqueue(batch: Batch, actor: Actor) -> None:
    from documents.tasks import run_batch

    staff_id = actor.staff.pk if actor.staff else None
    transaction.on_commit(
        lambda: run_batch.enqueue(batch_id=batch.pk, staff_id=staff_id, terminal_number=actor.terminal_number)
    )


def _set(batch: Batch, actor: Actor, reason: str, **changes) -> None:
    for name, value in changes.items():
        setattr(batch, name, value)
    stamp(batch, actor)
    save_tracked(batch, reason=reason)


def _bump(batch: Batch, rendered: int) -> None:
    progress = BatchProgress.objects.get(batch=batch)
    progress.rendered = rendered
    progress.save(update_fields=["rendered", "updated_at"])


def _cancel_requested(batch: Batch) -> bool:
    return Batch.objects.filter(pk=batch.pk, cancel_requested=True).exists()


def _contents(batch: Batch) -> tuple[list[tuple[dict, dict]], list[dict]]:
    """Each frozen item's content as of now; what has been paid since is skipped, and listed."""
    taxpayers = Taxpayer.objects.in_bulk([item["taxpayer"] for item in batch.items])
    ready, skipped = [], []
    for item in batch.items:
        taxpayer = taxpayers[item["taxpayer"]]
        ledger = ledger_for(taxpayer, as_of=batch.deadline or batch.issued_on)
        unpaid = {line.assessment.pk for line in ledger.lines if line.settlement.outstanding_total > 0} & set(
            item["assessments"]
        )
        if not unpaid:
            skipped.append({**item, "reason": "作成直前の確認で納付済み"})
            continue
        if len(unpaid) < len(item["assessments"]):
            skipped.append(
                {
                    **item,
                    "assessments": sorted(set(item["assessments"]) - unpaid),
                    "reason": "一部の期別が納付済み",
                }
            )
        content = contents.ledger_content(
            batch.form_code, taxpayer, sorted(unpaid), batch.issued_on, batch.deadline, ledger=ledger
        )
        ready.append(({**item, "assessments": sorted(unpaid)}, content))
    return ready, skipped


@contextmanager
def _work_folder() -> Iterator[Path]:
    """A folder for one run's chunk files, removed with everything in it however the run ends. On
    the storage's disk, not /tmp (often a tmpfs, i.e. memory): a 60,000-letter batch is ~1.4 GiB."""
    base = Path(settings.MEDIA_ROOT) / "work"
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="batch-", dir=base) as folder:
        yield Path(folder)


def _render_and_join(
    batch: Batch, chunks: list[list[dict]], total: int, folder: Path
) -> tuple[Path | None, int]:
    """Renders the chunks to files in `folder` (one chunk's PDF in memory at a time), bumping the
    progress counter, then joins them into `folder`/joined.pdf without holding the pages
    (wako_collections/pdf_join.py). Returns the joined file and its page count (None, 0 for no
    chunk). Raises Cancelled when a cancel was asked for."""
    paths: list[Path] = []
    for part in rendering.render_chunks(
        chunks,
        processes=settings.DOCUMENT_RENDER_PROCESSES,
        should_stop=lambda: _cancel_requested(batch),
    ):
        path = folder / f"chunk-{len(paths):06d}.pdf"
        path.write_bytes(part)
        paths.append(path)
        _bump(batch, min(len(paths) * settings.DOCUMENT_BATCH_CHUNK, total))
    if len(paths) < len(chunks) or _cancel_requested(batch):
        raise Cancelled
    if not paths:
        return None, 0
    joined = folder / "joined.pdf"
    return joined, pdf_join.join_files(paths, joined)


def _discard(name: str) -> None:
    if name:
        Batch._meta.get_field("pdf_file").storage.delete(name)  # type: ignore[attr-defined]


def run(batch: Batch, actor: Actor) -> Batch:
    """The worker's job (see the module's docstring)."""
    batch.refresh_from_db()
    if batch.status != Batch.Status.QUEUED or batch.cancel_requested:
        return batch
    stored = ""  # the combined PDF once in storage: removed again if the run then fails
    with acting_as(actor):
        try:
            _set(batch, actor, "作成開始", status=Batch.Status.RUNNING, started_at=timezone.now(), error="")
            ready, skipped = _contents(batch)
            with transaction.atomic():
                numbers = services.reserve_numbers(batch.issued_on, len(ready)) if ready else []
                _set(
                    batch,
                    actor,
                    "文書番号の予約",
                    skipped=skipped,
                    first_number=numbers[0] if numbers else "",
                    last_number=numbers[-1] if numbers else "",
                )
            for number, (_item, content) in zip(numbers, ready, strict=True):
                content["number"] = number
            size = settings.DOCUMENT_BATCH_CHUNK
            chunks = [[c for _i, c in ready[start : start + size]] for start in range(0, len(ready), size)]
            with _work_folder() as folder:
                joined, pages = _render_and_join(batch, chunks, len(ready), folder)
                if joined is not None:
                    with open(joined, "rb") as handle:
                        batch.pdf_file.save(f"{batch.number}.pdf", File(handle), save=False)
                    stored = batch.pdf_file.name or ""
            with transaction.atomic():
                documents = [
                    Document(
                        number=content["number"],
                        form_code=batch.form_code,
                        taxpayer_id=item["taxpayer"],
                        issued_on=batch.issued_on,
                        deadline=batch.deadline,
                        total_amount=content["totals"]["total"],
                        content=content,
                        is_legal_notice=catalogue.spec(batch.form_code).prescription
                        == catalogue.Prescription.NOTICE,
                        source=f"一括 {batch.number}",
                    )
                    for item, content in ready
                ]
                services.record_many(
                    documents,
                    [item["assessments"] for item, _content in ready],
                    actor=actor,
                    reason=f"一括発行 {batch.number}",
                )
                _set(
                    batch,
                    actor,
                    "作成完了",
                    status=Batch.Status.DONE,
                    finished_at=timezone.now(),
                    issued_count=len(documents),
                    page_count=pages,
                )
        except Cancelled:
            _discard(stored)
            _set(
                batch,
                actor,
                "取消により中止（文書は記録していない）",
                status=Batch.Status.CANCELLED,
                cancel_requested=True,
                finished_at=timezone.now(),
            )
        except Exception as error:  # the batch records why; nothing was recorded
            _discard(stored)
            batch.refresh_from_db()
            _set(
                batch,
                actor,
                "失敗（文書は記録していない）",
                status=Batch.Status.FAILED,
                finished_at=timezone.now(),
                error=f"{type(error).__name__}: {error}"[:300],
            )
    return batch


def cancel(batch: Batch, actor: Actor) -> None:
    if batch.is_finished:
        raise BatchError("終了した一括発行は取り消せません。")
    with acting_as(actor):
        if batch.status == Batch.Status.QUEUED or can_rerun(batch):  # not started, or its worker is gone
            _set(
                batch,
                actor,
                "取消（開始前）" if batch.status == Batch.Status.QUEUED else "取消（処理が止まっていたもの）",
                status=Batch.Status.CANCELLED,
                cancel_requested=True,
                finished_at=timezone.now(),
            )
        else:
            _set(batch, actor, "取消の依頼", cancel_requested=True)


STALE_AFTER = timedelta(minutes=10)


def can_rerun(batch: Batch) -> bool:
    """A failed or cancelled run, or one whose worker stopped reporting progress (killed)."""
    if batch.status in (Batch.Status.FAILED, Batch.Status.CANCELLED):
        return True
    if batch.status == Batch.Status.RUNNING:
        return timezone.now() - batch.progress.updated_at > STALE_AFTER
    return False


def rerun(batch: Batch, actor: Actor) -> None:
    """Runs the same frozen list again (with fresh numbers; the earlier reservation stays unused)."""
    if not can_rerun(batch):
        raise BatchError("この一括発行は再実行できません（実行中か、完了しています）。")
    with transaction.atomic(), acting_as(actor):
        _set(
            batch,
            actor,
            "再実行",
            status=Batch.Status.QUEUED,
            cancel_requested=False,
            error="",
            finished_at=None,
        )
        _bump(batch, 0)
        enqueue(batch, actor)
