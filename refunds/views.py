"""過誤納金の処理: the queue, one 過誤納金 with its proposals, four-eyes approval, and the CSV of
approved 還付 for 財務会計. Every page that shows a taxpayer logs the access."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from refunds import services
from refunds.exports import approved_refunds, refund_csv
from refunds.forms import ApproveForm, ExportForm, RefundAccountForm
from refunds.models import Disposal, Overpayment
from taxpayers.access import record_access
from wako_collections.access import menu_required
from wako_collections.decisions import act_and_return, attempt


@menu_required("dispositions")
def queue(request):
    overpayments = list(
        Overpayment.objects.filter(status=Overpayment.Status.OPEN)
        .select_related("taxpayer")
        .order_by("arose_on", "pk")[:500]
    )
    proposed = list(
        Disposal.objects.filter(status=Disposal.Status.PROPOSED)
        .select_related("overpayment__taxpayer", "target_assessment")
        .order_by("number")[:500]
    )
    record_access(
        request,
        page="過誤納金の処理待ち",
        atena_numbers=sorted(
            {o.taxpayer.atena_number for o in overpayments}
            | {d.overpayment.taxpayer.atena_number for d in proposed}
        ),
    )
    return render(request, "refunds/queue.html", {"overpayments": overpayments, "proposed": proposed})


def _overpayment(pk: int) -> Overpayment:
    return get_object_or_404(
        Overpayment.objects.select_related("taxpayer", "source_assessment", "source_payment"), pk=pk
    )


@menu_required("dispositions")
@require_http_methods(["GET", "POST"])
def overpayment_detail(request, pk):
    """Shows one 過誤納金 and its 充当・還付; POST `propose=appropriation` drafts the 充当, a valid
    account form drafts the 還付."""
    overpayment = _overpayment(pk)
    form = RefundAccountForm(request.POST if request.POST.get("propose") == "refund" else None)
    error = None
    today = timezone.localdate()
    if request.method == "POST":
        try:
            if request.POST.get("propose") == "appropriation":
                drafts = services.propose_appropriations(
                    actor=request.actor, overpayment=overpayment, as_of=today
                )
                messages.success(request, f"充当を{len(drafts)}件起案しました。")
                return redirect("refunds:overpayment", pk=overpayment.pk)
            if form.is_valid():
                refund = services.propose_refund(
                    actor=request.actor,
                    overpayment=overpayment,
                    account=services.BankAccount(**form.cleaned_data),
                    as_of=today,
                )
                messages.success(request, f"還付 {refund.number} を起案しました。")
                return redirect("refunds:overpayment", pk=overpayment.pk)
        except services.RefundError as refused:
            error = str(refused)
    record_access(request, page="過誤納金", atena_numbers=[overpayment.taxpayer.atena_number])
    return render(
        request,
        "refunds/overpayment.html",
        {
            "overpayment": overpayment,
            "article": services.CAUSE_ARTICLES.get(overpayment.cause, ""),
            "disposals": overpayment.disposals.select_related("target_assessment").order_by("number"),
            "remaining": services.remaining_amount(overpayment),
            "form": form,
            "error": error,
        },
    )


@menu_required("approve_dispositions")
@require_http_methods(["GET", "POST"])
def approve(request, number):
    disposal = get_object_or_404(
        Disposal.objects.select_related("overpayment__taxpayer", "target_assessment"), number=number
    )
    form = ApproveForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    error = ""
    if request.method == "POST" and form.is_valid():
        error = attempt(
            request,
            lambda: services.approve_disposal(
                actor=request.actor, disposal=disposal, decided_on=form.cleaned_data["decided_on"]
            ),
            refused=services.RefundError,
            done=f"{disposal.get_kind_display()} {disposal.number} を決裁しました。",
        )
        if not error:
            return redirect("refunds:overpayment", pk=disposal.overpayment_id)
    record_access(
        request, page="充当・還付の決裁", atena_numbers=[disposal.overpayment.taxpayer.atena_number]
    )
    return render(request, "refunds/approve.html", {"disposal": disposal, "form": form, "error": error})


@menu_required("approve_dispositions")
def export(request):
    """GET with a range: the CSV; without one: the form."""
    form = ExportForm(request.GET or None)
    if request.GET and form.is_valid():
        refunds = list(approved_refunds(**form.cleaned_data))
        record_access(
            request,
            page="還付の支出命令データ",
            atena_numbers=sorted({r.overpayment.taxpayer.atena_number for r in refunds}),
        )
        response = HttpResponse(refund_csv(refunds), content_type="text/csv; charset=utf-8")
        start, end = form.cleaned_data["decided_from"], form.cleaned_data["decided_to"]
        response["Content-Disposition"] = f'attachment; filename="refunds_{start:%Y%m%d}_{end:%Y%m%d}.csv"'
        return response
    return render(request, "refunds/export.html", {"form": form})


@menu_required("dispositions")
@require_POST
def withdraw(request, number):
    disposal = get_object_or_404(Disposal, number=number)
    return act_and_return(
        request,
        lambda: services.withdraw_disposal(actor=request.actor, disposal=disposal),
        refused=services.RefundError,
        done=f"{disposal.get_kind_display()} {disposal.number} を取り下げました。",
        then=redirect("refunds:overpayment", pk=disposal.overpayment_id),
    )


@menu_required("dispositions")
@require_POST
def detect(request):
    """Looks for new 過誤納金 in the payments up to today (as `manage.py detect_overpayments`)."""
    from refunds.detection import detect_overpayments

    found = detect_overpayments(actor=request.actor, as_of=timezone.localdate())
    messages.success(
        request, f"新たな過誤納金 {len(found):,}件（{sum(o.amount for o in found):,}円）を加えました。"
    )
    return redirect("refunds:queue")
