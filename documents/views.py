"""Issuing, viewing, downloading and re-issuing documents (督促状, 催告書)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from documents import services
from documents.forms import IssueChoiceForm, IssueForm
from documents.models import Document, FormCode
from taxpayers.access import record_access
from taxpayers.chains import without_time_barred
from taxpayers.ledger import ledger_for
from taxpayers.models import Taxpayer
from taxpayers.settlement import PaymentStatus
from wako_collections.access import menu_required
from wako_collections.eras import format_date
from wako_collections.submissions import once_per_submission


@menu_required("documents")
@require_http_methods(["GET", "POST"])
@once_per_submission
def issue(request, atena_number):
    taxpayer = get_object_or_404(Taxpayer, atena_number=atena_number)
    today = timezone.localdate()
    lines, time_barred = without_time_barred(
        (
            line
            for line in ledger_for(taxpayer, as_of=today, outstanding_only=True).lines
            if line.settlement.status == PaymentStatus.DELINQUENT
        ),
        on=today,
    )
    choices = [
        (
            line.assessment.pk,
            f"{line.assessment}（納期限 {format_date(line.assessment.due_date)}、未納 {line.settlement.outstanding_total:,}円）",
        )
        for line in lines
    ]
    chosen = IssueChoiceForm(request.GET)
    if not chosen.is_valid() and request.method == "GET":
        messages.warning(
            request, "指定された帳票は、ここで発行できる帳票にありません。一覧から選んでください。"
        )
    form = IssueForm(
        request.POST or None,
        choices=choices,
        initial={"issued_on": today, "form_code": chosen.cleaned_data.get("form") or FormCode.NOTICE_GENERAL},
    )
    if request.method == "POST" and form.is_valid() and form.cleaned_data["enclose_slip"]:
        try:
            issued = services.issue_notice_with_slip(
                actor=request.actor,
                form_code=form.cleaned_data["form_code"],
                taxpayer=taxpayer,
                assessment_ids=form.cleaned_data["assessments"],
                issued_on=form.cleaned_data["issued_on"],
                deadline=form.cleaned_data["deadline"],
            )
        except services.DocumentError as error:
            form.add_error(None, str(error))
        else:
            return redirect("documents:set_pdf", first=issued[0].number, last=issued[-1].number)
    elif request.method == "POST" and form.is_valid():
        try:
            document = services.issue_document(
                actor=request.actor,
                form_code=form.cleaned_data["form_code"],
                taxpayer=taxpayer,
                assessment_ids=form.cleaned_data["assessments"],
                issued_on=form.cleaned_data["issued_on"],
                deadline=form.cleaned_data["deadline"],
            )
        except services.DocumentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{document} を発行しました。")
            return redirect("documents:detail", number=document.number)
    record_access(request, page="帳票の発行", atena_numbers=[taxpayer.atena_number])
    return render(
        request, "documents/issue.html", {"taxpayer": taxpayer, "form": form, "time_barred": time_barred}
    )


def _document(number: str) -> Document:
    return get_object_or_404(Document.objects.select_related("taxpayer", "reissue_of"), number=number)


@menu_required("documents")
def detail(request, number):
    document = _document(number)
    record_access(request, page="発行文書", atena_numbers=[document.taxpayer.atena_number])
    return render(
        request, "documents/detail.html", {"document": document, "reissues": document.reissues.all()}
    )


@menu_required("documents")
def pdf(request, number):
    document = _document(number)
    record_access(
        request,
        page=f"帳票PDF（{document.get_form_code_display()}）",
        atena_numbers=[document.taxpayer.atena_number],
    )
    response = HttpResponse(services.render_document(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.number}.pdf"'
    return response


@menu_required("documents")
@require_http_methods(["GET", "POST"])
@once_per_submission
def reissue(request, number):
    document = _document(number)
    if request.method == "POST":
        again = services.reissue_document(actor=request.actor, document=document)
        messages.success(request, f"{document.number} を {again.number} として再発行しました。")
        return redirect("documents:detail", number=again.number)
    record_access(request, page="帳票の再発行", atena_numbers=[document.taxpayer.atena_number])
    return render(request, "documents/reissue.html", {"document": document})


def _record_for(kind: str, key: str):
    """The pledge, pledge installment, inquiry or disposition a document is made from."""
    from dispositions.models import Disposition, Inquiry
    from negotiations.models import InstallmentPledge, PledgeInstallment

    if kind == "pledge":
        return get_object_or_404(InstallmentPledge.objects.select_related("taxpayer"), pledge_number=key)
    if kind == "installment":
        number, _, sequence = key.rpartition("-")
        if not sequence.isdigit():
            raise Http404
        return get_object_or_404(
            PledgeInstallment.objects.select_related("pledge__taxpayer"),
            pledge__pledge_number=number,
            sequence=int(sequence),
        )
    if kind == "inquiry":
        return get_object_or_404(Inquiry.objects.select_related("taxpayer", "target"), number=key)
    if kind == "disposition":
        return get_object_or_404(Disposition.objects.select_related("taxpayer"), number=key)
    if kind == "distribution":
        from dispositions.models import DistributionStatement

        return get_object_or_404(
            DistributionStatement.objects.select_related("disposition__taxpayer"),
            number=key,
            status=DistributionStatement.Status.APPROVED,
        )
    if kind == "disposal":
        from refunds.models import Disposal

        return get_object_or_404(
            Disposal.objects.select_related("overpayment__taxpayer", "target_assessment"), number=key
        )
    if kind == "reduction":
        from reductions.models import LateChargeReduction

        return get_object_or_404(
            LateChargeReduction.objects.select_related("taxpayer", "assessment"), number=key
        )
    raise Http404


def _taxpayer_of(record) -> Taxpayer:
    if hasattr(record, "overpayment"):
        return record.overpayment.taxpayer
    if hasattr(record, "pledge"):
        return record.pledge.taxpayer
    if hasattr(record, "disposition") and not hasattr(record, "taxpayer"):
        return record.disposition.taxpayer
    return record.taxpayer


@menu_required("documents")
@require_http_methods(["GET", "POST"])
@once_per_submission
def issue_from(request, kind, key):
    """Confirm, then issue a document made from a record (分納誓約書, its 納付書, 照会書, 差押調書…)."""
    record = _record_for(kind, key)
    taxpayer = _taxpayer_of(record)
    form_code = request.GET.get("form") or request.POST.get("form") or ""
    if kind == "disposition" and form_code not in services.forms_for_disposition(record):
        raise Http404
    if kind == "pledge" and form_code == FormCode.PAYMENT_SLIP:
        return _issue_pledge_slips(request, record, taxpayer)
    if kind == "disposal" and form_code not in services.forms_for_disposal(record):
        raise Http404
    if kind == "reduction" and form_code not in services.forms_for_reduction(record):
        raise Http404
    label = {
        "pledge": FormCode.PLEDGE.label,
        "installment": FormCode.PAYMENT_SLIP.label,
        "inquiry": "財産調査照会書",
        "distribution": FormCode.DISTRIBUTION_STATEMENT.label,
    }.get(kind) or FormCode(form_code).label
    if request.method == "POST":
        try:
            document = services.issue_for_record(
                actor=request.actor, form_code=form_code, record=record, issued_on=timezone.localdate()
            )
        except services.DocumentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{document} を発行しました。")
            return redirect("documents:detail", number=document.number)
    record_access(request, page=f"帳票の発行（{label}）", atena_numbers=[taxpayer.atena_number])
    return render(
        request,
        "documents/issue_from.html",
        {"record": record, "taxpayer": taxpayer, "label": label, "form_code": form_code},
    )


def _issue_pledge_slips(request, pledge, taxpayer):
    """Every 納付書 of a pledge still to come, issued in one go and printed as one PDF."""
    today = timezone.localdate()
    if request.method == "POST":
        try:
            issued = services.issue_pledge_slips(actor=request.actor, pledge=pledge, issued_on=today)
        except services.DocumentError as error:
            messages.error(request, str(error))
        else:
            return redirect("documents:set_pdf", first=issued[0].number, last=issued[-1].number)
    coming = pledge.schedule.filter(due_date__gte=today).count()
    record_access(request, page="帳票の発行（分納の納付書）", atena_numbers=[taxpayer.atena_number])
    return render(
        request,
        "documents/issue_from.html",
        {
            "record": pledge,
            "taxpayer": taxpayer,
            "label": f"納付書（これから納付する{coming}回分）",
            "form_code": FormCode.PAYMENT_SLIP,
        },
    )


@menu_required("documents")
def set_pdf(request, first, last):
    """Documents issued together (a 催告書 and its 納付書, a pledge's 納付書) as one PDF to print;
    each document's pages are numbered on their own and carry its 宛名番号 and 文書番号."""
    documents = services.documents_in_set(first, last)
    if not documents:
        raise Http404
    record_access(
        request, page=f"帳票PDF（{len(documents)}件）", atena_numbers=[documents[0].taxpayer.atena_number]
    )
    response = HttpResponse(
        services.render_combined([d.content for d in documents]), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{first}-{last}.pdf"'
    return response
