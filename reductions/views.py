"""条例減免 of 延滞金: the list, 申請 (officer), 決定・却下 and 取消 (a supervisor holding
滞納処分の決裁, never the officer who took the application). Every page logs the access."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from reductions import services
from reductions.forms import ApplyForm, CancelForm, DecideForm, RejectForm
from reductions.models import LateChargeReduction
from taxpayers.access import record_access
from taxpayers.models import Assessment, InstallmentBalance, Taxpayer
from wako_collections.access import menu_required
from wako_collections.decisions import attempt


def _reduction(number: str) -> LateChargeReduction:
    return get_object_or_404(
        LateChargeReduction.objects.select_related("taxpayer", "assessment"), number=number
    )


@menu_required("dispositions")
def reduction_list(request):
    page = Paginator(
        LateChargeReduction.objects.select_related("taxpayer", "assessment").order_by(
            "status", "-applied_on", "-id"
        ),
        50,
    ).get_page(request.GET.get("page"))
    record_access(
        request, page="延滞金の減免一覧", atena_numbers=sorted({r.taxpayer.atena_number for r in page})
    )
    return render(request, "reductions/list.html", {"page": page})


@menu_required("dispositions")
@require_http_methods(["GET", "POST"])
def apply(request, atena_number):
    taxpayer = get_object_or_404(Taxpayer, atena_number=atena_number)
    form = ApplyForm(
        request.POST or None,
        # 延滞金 to reduce: not an installment reconcile found paid in full without any (a long
        # history is mostly those; listing them made the page grow with it)
        assessments=Assessment.objects.filter(taxpayer=taxpayer)
        .exclude(balance__status=InstallmentBalance.Status.PAID, balance__paid_late_charge=0)
        .order_by("-tax_year", "notice_number", "logical_period"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reduction = services.apply_for_reduction(
                actor=request.actor,
                assessment=data["assessment"],
                applied_on=data["applied_on"],
                reason=data["reason"],
                requested_start=data["requested_start"],
                requested_end=data["requested_end"],
                requested_amount=data["requested_amount"],
            )
        except services.ReductionError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request, f"延滞金の減免申請 {reduction.number} を受け付けました。監督者の決定を待ちます。"
            )
            return redirect("reductions:detail", number=reduction.number)
    record_access(request, page="延滞金の減免申請", atena_numbers=[taxpayer.atena_number])
    return render(request, "reductions/apply.html", {"taxpayer": taxpayer, "form": form})


@menu_required("dispositions")
def detail(request, number):
    reduction = _reduction(number)
    record_access(request, page="延滞金の減免", atena_numbers=[reduction.taxpayer.atena_number])
    return render(
        request,
        "reductions/detail.html",
        {"reduction": reduction, "history": reduction.history.order_by("-history_date")},
    )


@menu_required("approve_dispositions")
@require_http_methods(["GET", "POST"])
def decide(request, number):
    """審査・決定: POST decision=decide with 区分・率又は額・期間, or decision=reject with the reason."""
    reduction = _reduction(number)
    decision = request.POST.get("decision")
    form = DecideForm(request.POST if decision == "decide" else None)
    reject_form = RejectForm(request.POST if decision == "reject" else None)
    error = ""
    if request.method == "POST" and decision not in ("decide", "reject"):
        error = "決定するか却下するかを選んでください。"
    elif decision == "decide" and form.is_valid():
        data = form.cleaned_data
        error = attempt(
            request,
            lambda: services.decide_reduction(
                actor=request.actor,
                reduction=reduction,
                category=data["category"],
                note=data["note"],
                share=form.share,
                amount=data["amount"],
                start=data["start"],
                end=data["end"],
            ),
            refused=services.ReductionError,
            done=f"延滞金の減免 {reduction.number} を決定しました。決定通知書を発行してください。",
        )
        if not error:
            return redirect("reductions:detail", number=reduction.number)
    elif decision == "reject" and reject_form.is_valid():
        error = attempt(
            request,
            lambda: services.reject_reduction(
                actor=request.actor, reduction=reduction, note=reject_form.cleaned_data["note"]
            ),
            refused=services.ReductionError,
            done=f"延滞金の減免申請 {reduction.number} を却下しました。決定通知書を発行してください。",
        )
        if not error:
            return redirect("reductions:detail", number=reduction.number)
    record_access(request, page="延滞金の減免の審査・決定", atena_numbers=[reduction.taxpayer.atena_number])
    return render(
        request,
        "reductions/decide.html",
        {"reduction": reduction, "form": form, "reject_form": reject_form, "error": error},
    )


@menu_required("approve_dispositions")
@require_http_methods(["GET", "POST"])
def cancel(request, number):
    reduction = _reduction(number)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = attempt(
            request,
            lambda: services.cancel_reduction(
                actor=request.actor,
                reduction=reduction,
                reason=form.cleaned_data["reason"],
                cancelled_on=form.cleaned_data["cancelled_on"],
            ),
            refused=services.ReductionError,
            done=f"延滞金の減免 {reduction.number} を取り消しました。取消通知書を発行してください。",
        )
        if not error:
            return redirect("reductions:detail", number=reduction.number)
        form.add_error(None, error)
    record_access(request, page="延滞金の減免の取消", atena_numbers=[reduction.taxpayer.atena_number])
    return render(request, "reductions/cancel.html", {"reduction": reduction, "form": form})
