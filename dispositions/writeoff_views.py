"""不納欠損: the candidates (and drafting a 決議 from them), the 決議 list and detail, 決裁 by a second
person, 取下げ, and the 不納欠損決議書 PDF. Every page that shows taxpayers logs the access."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from dispositions import writeoffs
from dispositions.forms import (
    RejectCancellationForm,
    WithdrawWriteOffForm,
    WriteOffCancellationForm,
    WriteOffDraftForm,
)
from dispositions.models import WriteOffCancellation, WriteOffRun
from taxpayers.access import record_access
from taxpayers.models import WrittenOff
from wako_collections.access import menu_required
from wako_collections.city import city
from wako_collections.decisions import act_and_return, attempt, may_decide
from wako_collections.pdf import render_pdf


def _run(number: str) -> WriteOffRun:
    return get_object_or_404(WriteOffRun, number=number)


def _atena_numbers(lines) -> list[str]:
    return sorted({line.assessment.taxpayer.atena_number for line in lines})


@menu_required("dispositions")
def writeoff_list(request):
    page = Paginator(WriteOffRun.objects.order_by("-drafted_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "dispositions/writeoff_list.html", {"page": page})


CANDIDATES_PER_PAGE = 100


@menu_required("dispositions")
@require_http_methods(["GET", "POST"])
def writeoff_candidates(request):
    """The candidates the nightly job stored (`writeoffs.stored_candidates`, with the time they were
    computed), less those written off or drafted since, a page of 100, none ticked; POST drafts a
    決議 of the chosen ones of the page for the 年度 given — `draft_writeoff_run` re-checks each against the
    standing of that moment and refuses one no longer extinguished."""
    today = timezone.localdate()
    extraction, candidates = writeoffs.stored_candidates()
    page = Paginator(candidates, CANDIDATES_PER_PAGE).get_page(request.GET.get("page"))
    choices = [(c.assessment.pk, str(c.assessment)) for c in page]
    # Nothing is ticked until the officer ticks it (or 全て選択): the 起案 says each chosen claim is
    # extinguished, and the 決裁 writes the whole 決議 at once — the choice of each row is made here.
    form = WriteOffDraftForm(
        request.POST or None, choices=choices, initial={"fiscal_year": writeoffs.fiscal_year_for(today)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = writeoffs.draft_writeoff_run(
                actor=request.actor,
                as_of=today,
                fiscal_year=form.cleaned_data["fiscal_year"],
                assessment_ids=form.cleaned_data["assessments"],
                note=form.cleaned_data["note"],
            )
        except writeoffs.WriteOffError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"不納欠損決議 {run.number} を起案しました（{run.lines.count()}件）。")
            return redirect("dispositions:writeoff_detail", number=run.number)
    selected = {int(v) for v in form.data.getlist("assessments") if v.isdigit()} if form.is_bound else set()
    record_access(
        request,
        page="不納欠損の対象",
        atena_numbers=sorted({c.assessment.taxpayer.atena_number for c in page}),
    )
    return render(
        request,
        "dispositions/writeoff_candidates.html",
        {
            "candidates": page,
            "page": page,
            "extraction": extraction,
            "form": form,
            "today": today,
            "selected": selected,
        },
    )


@menu_required("dispositions")
def writeoff_detail(request, number):
    run = _run(number)
    figures = writeoffs.resolution(run)
    record_access(request, page="不納欠損決議", atena_numbers=_atena_numbers(figures.lines))
    return render(
        request,
        "dispositions/writeoff_detail.html",
        {
            "run": run,
            "figures": figures,
            "can_approve": may_decide(request.user, run),
            "can_withdraw": run.is_draft and run.drafted_by == request.user.staff_number,
            "withdraw_form": WithdrawWriteOffForm(),
            "written_offs": WrittenOff.objects.filter(source=run.number)
            .select_related("assessment")
            .prefetch_related("cancellations")
            .order_by("pk")
            if run.status == WriteOffRun.Status.APPROVED
            else (),
        },
    )


@menu_required("approve_dispositions")
@require_http_methods(["GET", "POST"])
def writeoff_approve(request, number):
    run = _run(number)
    error = ""
    if request.method == "POST":
        error = attempt(
            request,
            lambda: writeoffs.approve_writeoff_run(actor=request.actor, run=run),
            refused=writeoffs.WriteOffError,
            done=f"不納欠損決議 {run.number} を決裁しました。各期別は欠損となりました。",
        )
        if not error:
            return redirect("dispositions:writeoff_detail", number=run.number)
    figures = writeoffs.resolution(run)
    record_access(request, page="不納欠損決議の決裁", atena_numbers=_atena_numbers(figures.lines))
    return render(
        request,
        "dispositions/writeoff_approve.html",
        {"run": run, "figures": figures, "error": error, "reject_form": RejectCancellationForm()},
    )


@menu_required("approve_dispositions")
@require_POST
def writeoff_reject(request, number):
    """却下 with its reason, by a second person holding 滞納処分の決裁."""
    run = _run(number)
    form = RejectCancellationForm(request.POST)
    return act_and_return(
        request,
        lambda: writeoffs.reject_writeoff_run(actor=request.actor, run=run, note=form.cleaned_data["note"]),
        refused=writeoffs.WriteOffError,
        done=f"不納欠損決議 {run.number} を却下しました。",
        then=redirect("dispositions:writeoff_detail", number=run.number),
        form=form,
        invalid=redirect("dispositions:writeoff_approve", number=run.number),
    )


@menu_required("dispositions")
@require_POST
def writeoff_withdraw(request, number):
    run = _run(number)
    form = WithdrawWriteOffForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return act_and_return(
        request,
        lambda: writeoffs.withdraw_writeoff_run(actor=request.actor, run=run, note=note),
        refused=writeoffs.WriteOffError,
        done=f"不納欠損決議 {run.number} を取り下げました。",
        then=redirect("dispositions:writeoff_detail", number=run.number),
    )


@menu_required("dispositions")
def writeoff_pdf(request, number):
    """不納欠損決議書: the list and the totals by 事由, 科目 and 年度分, with the 決裁 boxes."""
    run = _run(number)
    figures = writeoffs.resolution(run)
    record_access(request, page="不納欠損決議書", atena_numbers=_atena_numbers(figures.lines))
    pdf = render_pdf(
        "forms/writeoff_resolution.html",
        {"run": run, "figures": figures, "made_on": timezone.localdate(), **city(request)},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="writeoff-{run.number}.pdf"'
    return response


# --- 不納欠損の取消 (one written-off installment, four eyes) ---


@menu_required("dispositions")
@require_http_methods(["GET", "POST"])
def writeoff_cancel(request, written_off_id):
    """GET: the 欠損 and whether its claim was in fact not extinguished (or why it cannot be cancelled);
    POST: 起案 of the 取消 with its reason."""
    written_off = get_object_or_404(
        WrittenOff.objects.select_related("assessment__taxpayer"), pk=written_off_id
    )
    form = WriteOffCancellationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cancellation = writeoffs.draft_writeoff_cancellation(
                actor=request.actor, written_off=written_off, reason=form.cleaned_data["reason"]
            )
        except writeoffs.WriteOffError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request, f"不納欠損の取消 {cancellation.number} を起案しました。決裁を依頼してください。"
            )
            return redirect("dispositions:writeoff_cancellation", number=cancellation.number)
    finding = (
        writeoffs.why_still_owed(written_off, on=timezone.localdate())
        if written_off.cancelled_on is None
        else ""
    )
    record_access(
        request, page="不納欠損の取消（起案）", atena_numbers=[written_off.assessment.taxpayer.atena_number]
    )
    return render(
        request,
        "dispositions/writeoff_cancel.html",
        {"written_off": written_off, "finding": finding, "form": form},
    )


def _cancellation(number: str) -> WriteOffCancellation:
    return get_object_or_404(
        WriteOffCancellation.objects.select_related("written_off__assessment__taxpayer"), number=number
    )


@menu_required("dispositions")
def writeoff_cancellation(request, number):
    cancellation = _cancellation(number)
    record_access(
        request,
        page="不納欠損の取消",
        atena_numbers=[cancellation.written_off.assessment.taxpayer.atena_number],
    )
    return render(
        request,
        "dispositions/writeoff_cancellation.html",
        {
            "cancellation": cancellation,
            "can_decide": may_decide(request.user, cancellation),
            "reject_form": RejectCancellationForm(),
        },
    )


@menu_required("approve_dispositions")
@require_POST
def writeoff_cancellation_approve(request, number):
    cancellation = _cancellation(number)
    return act_and_return(
        request,
        lambda: writeoffs.approve_writeoff_cancellation(actor=request.actor, cancellation=cancellation),
        refused=writeoffs.WriteOffError,
        done=f"不納欠損の取消 {cancellation.number} を決裁しました。期別は再び未納です。",
        then=redirect("dispositions:writeoff_cancellation", number=cancellation.number),
    )


@menu_required("approve_dispositions")
@require_POST
def writeoff_cancellation_reject(request, number):
    cancellation = _cancellation(number)
    form = RejectCancellationForm(request.POST)
    return act_and_return(
        request,
        lambda: writeoffs.reject_writeoff_cancellation(
            actor=request.actor, cancellation=cancellation, note=form.cleaned_data["note"]
        ),
        refused=writeoffs.WriteOffError,
        done=f"不納欠損の取消 {cancellation.number} を却下しました。",
        then=redirect("dispositions:writeoff_cancellation", number=cancellation.number),
        form=form,
    )
