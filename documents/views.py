"""Issuing, viewing, downloading and re-issuing documents (督促状, 催告書)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from documents import catalogue, services
from documents.forms import IssueChoiceForm, IssueForm
from documents.models import Document, FormCode
from taxpayers.access import record_access
from taxpayers.chains import without_time_barred
from taxpayers.ledger import ledger_for
from taxpayers.models import Taxpayer
from taxpayers.settlement import PaymentStatus
from wako_collections.access import menu_required
from wako_collections.decisions import attempt
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
    from documents.models import ReturnedMail

    returned = ReturnedMail.objects.filter(document=document).select_related("resent_document").first()
    notice = getattr(returned, "public_notice", None) if returned else None
    return render(
        request,
        "documents/detail.html",
        {
            "document": document,
            "reissues": document.reissues.all(),
            "returned": returned,
            "public_notice": notice,
            "to_taxpayer": catalogue.spec(document.form_code).recipient == catalogue.Recipient.TAXPAYER,
        },
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
    """The pledge, scheduled payment (分納回), inquiry or disposition a document is made from."""
    from dispositions.models import Disposition, Inquiry
    from negotiations.models import InstallmentPledge, ScheduledPayment

    if kind == "pledge":
        return get_object_or_404(InstallmentPledge.objects.select_related("taxpayer"), pledge_number=key)
    if kind == "payment":
        number, _, sequence = key.rpartition("-")
        if not sequence.isdigit():
            raise Http404
        return get_object_or_404(
            ScheduledPayment.objects.select_related("pledge__taxpayer"),
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
        "payment": FormCode.PAYMENT_SLIP.label,
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


# --- 送達: 返戻, 再送付, 公示送達 (documents.delivery) ---


def _returned(number: str):
    from documents.models import ReturnedMail

    return get_object_or_404(
        ReturnedMail.objects.select_related("document", "document__taxpayer", "resent_document"),
        document__number=number,
    )


@menu_required("documents")
@require_http_methods(["GET", "POST"])
@once_per_submission
def return_new(request, number):
    """返戻 of one letter: its date and reason; the 督促・催告 it carried is recorded as not served."""
    from documents import delivery
    from documents.forms import ReturnForm

    document = _document(number)
    form = ReturnForm(request.POST or None, initial={"returned_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            returned = delivery.record_return(
                actor=request.actor,
                document=document,
                returned_on=form.cleaned_data["returned_on"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except delivery.DeliveryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{document} の返戻を登録しました。所在調査を交渉記録の予定に登録しました（担当者の「わたしの仕事」に出ます）。",
            )
            return redirect("documents:detail", number=returned.document.number)
    record_access(request, page="返戻の登録", atena_numbers=[document.taxpayer.atena_number])
    return render(request, "documents/return_new.html", {"document": document, "form": form})


@menu_required("documents")
@require_http_methods(["GET", "POST"])
@once_per_submission
def return_import(request):
    """返戻 as a list (all or nothing), and the returned letters still waiting for 再送付 or 公示送達."""
    from documents import delivery
    from documents.forms import ReturnListForm
    from documents.models import ReturnedMail

    form = ReturnListForm(
        request.POST or None, request.FILES or None, initial={"returned_on": timezone.localdate()}
    )
    line_errors: list[tuple[int, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            recorded = delivery.record_returns(
                actor=request.actor,
                text=form.cleaned_data["numbers"],
                returned_on=form.cleaned_data["returned_on"],
                default_reason=form.cleaned_data["reason"],
            )
        except delivery.ReturnListError as error:
            form.add_error(None, str(error))
            line_errors = error.lines
        except delivery.DeliveryError as error:
            form.add_error(None, str(error))
        else:
            record_access(
                request,
                page="返戻の一括登録",
                atena_numbers=sorted({r.document.taxpayer.atena_number for r in recorded}),
            )
            messages.success(
                request,
                f"返戻を{len(recorded)}件登録しました。所在調査を交渉記録の予定に登録しました（担当者の「わたしの仕事」に出ます）。",
            )
            return redirect("documents:return_import")
    waiting = list(
        ReturnedMail.objects.filter(resent_document__isnull=True)
        .exclude(public_notice__status="approved")
        .select_related("document", "document__taxpayer", "public_notice")
        .order_by("returned_on", "id")[:500]
    )
    record_access(
        request, page="返戻の一覧", atena_numbers=sorted({r.document.taxpayer.atena_number for r in waiting})
    )
    return render(
        request,
        "documents/return_import.html",
        {"form": form, "line_errors": line_errors, "waiting": waiting},
    )


@menu_required("documents")
@require_http_methods(["GET", "POST"])
@once_per_submission
def resend(request, number):
    """再送付: the same letter, a new number, to the 送付先 the 所在調査 found."""
    from documents import delivery
    from documents.forms import ResendForm

    returned = _returned(number)
    form = ResendForm(request.POST or None, initial={"name": returned.document.taxpayer.name})
    if request.method == "POST" and form.is_valid():
        try:
            again = delivery.resend_document(
                actor=request.actor, returned=returned, to=delivery.NewAddress(**form.cleaned_data)
            )
        except delivery.DeliveryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{returned.document.number} を {again.number} として再送付します。")
            return redirect("documents:detail", number=again.number)
    record_access(request, page="返戻文書の再送付", atena_numbers=[returned.document.taxpayer.atena_number])
    return render(request, "documents/resend.html", {"returned": returned, "form": form})


@menu_required("documents")
@require_http_methods(["GET", "POST"])
@once_per_submission
def public_notice_new(request, number):
    """公示送達の起案 (地方税法第20条の2): 掲示開始日 and the 所在調査 that found no address."""
    from documents import delivery
    from documents.forms import PublicNoticeForm
    from taxpayers.prescription import deemed_served_on

    returned = _returned(number)
    form = PublicNoticeForm(request.POST or None, initial={"posting_started_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            delivery.draft_public_notice(
                actor=request.actor,
                returned=returned,
                posting_started_on=form.cleaned_data["posting_started_on"],
                investigation=form.cleaned_data["investigation"],
            )
        except delivery.DeliveryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "公示送達を起案しました。別の職員（監督者）の決裁を受けてください。")
            return redirect("documents:detail", number=number)
    record_access(request, page="公示送達の起案", atena_numbers=[returned.document.taxpayer.atena_number])
    example = deemed_served_on(timezone.localdate())
    return render(
        request, "documents/public_notice_new.html", {"returned": returned, "form": form, "example": example}
    )


@menu_required("approve_dispositions")
@require_http_methods(["GET", "POST"])
@once_per_submission
def public_notice_approve(request, number):
    """公示送達の決裁: by someone other than the drafter; the document is then served on the
    deemed-service day."""
    from documents import delivery
    from documents.models import PublicNotice

    notice = get_object_or_404(
        PublicNotice.objects.select_related("returned_mail__document__taxpayer"),
        returned_mail__document__number=number,
    )
    error = ""
    if request.method == "POST":
        error = attempt(
            request,
            lambda: delivery.approve_public_notice(actor=request.actor, notice=notice),
            refused=delivery.DeliveryError,
            done=f"公示送達を決裁しました（{format_date(notice.deemed_served_on)}に送達とみなします）。",
        )
        if not error:
            return redirect("documents:detail", number=number)
    record_access(
        request, page="公示送達の決裁", atena_numbers=[notice.returned_mail.document.taxpayer.atena_number]
    )
    return render(request, "documents/public_notice_approve.html", {"notice": notice, "error": error})
