"""Batch pages: the preview of a frozen list, the run with its progress bar, cancel, re-run, the PDF."""

from django.contrib import messages
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from documents import batches
from documents.forms import ExtractionForm, NoticeBatchForm
from documents.models import Batch, Extraction, FormCode
from taxpayers.access import record_access
from wako_collections.access import menu_required
from wako_collections.submissions import once_per_submission

PREVIEW_ROWS = 200


@menu_required("documents")
def batch_list(request):
    return render(
        request,
        "documents/batch_list.html",
        {"batches": Batch.objects.defer("items")[:50], "extractions": Extraction.objects.all()},
    )


def _preview(request, *, kind, candidates, issued_on, deadline=None, extraction=None, form=None):
    form_code = FormCode.DEMAND if kind == Batch.Kind.DEMAND else extraction.form_code
    candidates, excluded = batches.screen(candidates, form_code=form_code, issued_on=issued_on)
    if kind == Batch.Kind.DEMAND:
        excluded += batches.demanded_in_window(issued_on)
    if request.method == "POST" and request.POST.get("confirm") == "1":
        try:
            batch = batches.freeze(
                actor=request.actor,
                kind=kind,
                candidates=candidates,
                issued_on=issued_on,
                deadline=deadline,
                extraction=extraction,
            )
        except batches.BatchError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{batch} を登録しました。作成の進み具合はこの画面で確かめられます。")
            return redirect("documents:batch_detail", number=batch.number)
    record_access(
        request,
        page="一括発行のプレビュー",
        atena_numbers=[c.atena_number for c in candidates] + [e.atena_number for e in excluded],
        detail=f"{Batch.Kind(kind).label}",
    )
    return render(
        request,
        "documents/batch_preview.html",
        {
            "kind": Batch.Kind(kind),
            "candidates": candidates[:PREVIEW_ROWS],
            # a city-wide batch leaves out thousands (督促済み): the first rows, and how many in all
            "excluded": excluded[:PREVIEW_ROWS],
            "excluded_count": len(excluded),
            "excluded_more": max(0, len(excluded) - PREVIEW_ROWS),
            "more": max(0, len(candidates) - PREVIEW_ROWS),
            "summary": batches.summary(candidates),
            "issued_on": issued_on,
            "deadline": deadline,
            "extraction": extraction,
            "form": form,
        },
    )


@menu_required("documents")
@require_http_methods(["GET", "POST"])
@once_per_submission
def demand_batch(request):
    today = timezone.localdate()
    return _preview(
        request, kind=Batch.Kind.DEMAND, candidates=batches.demand_candidates(today), issued_on=today
    )


@menu_required("documents")
@require_http_methods(["GET", "POST"])
@once_per_submission
def notice_batch(request):
    today = timezone.localdate()
    form = NoticeBatchForm(request.POST or request.GET or None)
    if not form.is_bound or not form.is_valid():
        return render(request, "documents/batch_choose.html", {"form": form})
    extraction, deadline = form.cleaned_data["extraction"], form.cleaned_data["deadline"]
    candidates = batches.extraction_candidates(extraction, today)
    return _preview(
        request,
        kind=Batch.Kind.NOTICE,
        candidates=candidates,
        issued_on=today,
        deadline=deadline,
        extraction=extraction,
        form=form,
    )


@menu_required("documents")
@require_http_methods(["GET", "POST"])
@once_per_submission
def extraction_new(request):
    form = ExtractionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        extraction = batches.save_extraction(form.save(commit=False), request.actor)
        messages.success(request, f"抽出条件「{extraction}」を登録しました。")
        return redirect("documents:batch_list")
    return render(request, "documents/extraction_form.html", {"form": form})


def _batch(number):
    return get_object_or_404(Batch.objects.select_related("progress", "extraction"), number=number)


@menu_required("documents")
def batch_detail(request, number):
    batch = _batch(number)
    record_access(
        request,
        page="一括発行",
        atena_numbers=[item["atena_number"] for item in batch.items],
        detail=batch.number,
    )
    can_rerun = batches.can_rerun(batch)
    return render(
        request,
        "documents/batch_detail.html",
        {
            "batch": batch,
            "can_rerun": can_rerun,
            "stalled": can_rerun and batch.status == batch.Status.RUNNING,
            "stale_minutes": int(batches.STALE_AFTER.total_seconds() // 60),
            "count": len(batch.items),
        },
    )


@menu_required("documents")
def batch_progress(request, number):
    """JSON for the progress bar (no taxpayer data)."""
    batch = _batch(number)
    return JsonResponse(
        {
            "status": batch.status,
            "status_label": batch.get_status_display(),
            "rendered": batch.progress.rendered,
            "total": batch.item_count - len(batch.skipped or []),
            "finished": batch.is_finished,
        }
    )


@menu_required("documents")
@require_POST
def batch_cancel(request, number):
    batch = _batch(number)
    try:
        batches.cancel(batch, request.actor)
    except batches.BatchError as error:
        messages.error(request, str(error))
    else:
        messages.info(request, f"{batch.number} の取消を依頼しました。文書は記録されません。")
    return redirect("documents:batch_detail", number=number)


@menu_required("documents")
@require_POST
def batch_rerun(request, number):
    batch = _batch(number)
    try:
        batches.rerun(batch, request.actor)
    except batches.BatchError as error:
        messages.error(request, str(error))
    else:
        messages.info(request, f"{batch.number} を再実行します。")
    return redirect("documents:batch_detail", number=number)


@menu_required("documents")
def batch_pdf(request, number):
    batch = get_object_or_404(Batch, number=number, status=Batch.Status.DONE)
    record_access(
        request,
        page="一括発行PDF",
        atena_numbers=[item["atena_number"] for item in batch.items],
        detail=batch.number,
    )
    # streamed from the file: a 60,000-letter batch is never held in memory
    return FileResponse(
        batch.pdf_file.open("rb"),
        as_attachment=True,
        filename=f"{batch.number}.pdf",
        content_type="application/pdf",
    )
