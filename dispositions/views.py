"""滞納処分: drafting with eligibility, four-eyes approval, cancellation, the 時効 chain of each
installment, and the 執行停止 watch. Every page that shows a taxpayer logs the access."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from dispositions import collections, services
from dispositions.forms import (
    CancelForm,
    CollectionForm,
    DispositionFilterForm,
    DistributionForm,
    DraftForm,
    DraftPrefillForm,
    RejectCancellationForm,
    SaleDistributionForm,
    wage_terms,
)
from dispositions.models import (
    SALE_CATEGORIES,
    Collection,
    Disposition,
    DispositionCancellation,
    DispositionCode,
    DistributionStatement,
)
from taxpayers import chains
from taxpayers.access import record_access
from taxpayers.chains import chain_for
from taxpayers.models import Assessment, Taxpayer
from taxpayers.settlement import PaymentStatus
from wako_collections.access import menu_required
from wako_collections.decisions import act_and_return, attempt, may_decide
from wako_collections.submissions import once_per_submission


@menu_required("dispositions")
def disposition_list(request):
    dispositions = Disposition.objects.select_related("taxpayer").annotate(
        cancellation_pending=Exists(
            DispositionCancellation.objects.filter(
                disposition=OuterRef("pk"), status=DispositionCancellation.Status.DRAFT
            )
        )
    )
    form = DispositionFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    if status in Disposition.Status.values:
        dispositions = dispositions.filter(status=status)
    elif status == DispositionFilterForm.CANCELLATION_PENDING:
        dispositions = dispositions.filter(cancellation_pending=True)
    page = Paginator(dispositions.order_by("status", "-planned_on", "-id"), 50).get_page(
        request.GET.get("page")
    )
    record_access(request, page="滞納処分一覧", atena_numbers=sorted({d.taxpayer.atena_number for d in page}))
    return render(
        request,
        "dispositions/list.html",
        {
            "page": page,
            "form": form,
            "status": status,
            "statuses": DispositionFilterForm.STATUSES,
        },
    )


@menu_required("dispositions")
@require_http_methods(["GET", "POST"])
@once_per_submission
def draft(request, atena_number):
    taxpayer = get_object_or_404(Taxpayer, atena_number=atena_number)
    prefill_form = DraftPrefillForm(request.GET)
    prefill_form.is_valid()  # cleaned_data keeps the valid values; the others are dropped, and said so
    prefill = {name: value for name, value in prefill_form.cleaned_data.items() if value}
    if prefill_form.errors and request.method == "GET":
        dropped = "、".join(str(prefill_form.fields[name].label) for name in prefill_form.errors)
        messages.warning(request, f"{dropped} は正しくない値のため引き継いでいません。入力してください。")
    posted_code = request.POST.get("code")
    code = (
        posted_code if posted_code in DispositionCode.values else prefill.pop("code", DispositionCode.SEIZURE)
    )
    on = timezone.localdate()
    items = services.eligibility(taxpayer, code=code, on=on)
    choices = [(item.assessment.pk, str(item.assessment)) for item in items if item.eligible]
    form = DraftForm(
        request.POST or None, choices=choices, initial={"code": code, "planned_on": on, **prefill}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            disposition = services.draft_disposition(
                actor=request.actor,
                taxpayer=taxpayer,
                assessment_ids=data["assessments"],
                code=data["code"],
                category=data["category"],
                reason=data["reason"],
                planned_on=data["planned_on"],
                property_description=data["property_description"],
                third_party_name=data["third_party_name"],
                third_party_branch=data["third_party_branch"],
                third_party_postal_code=data["third_party_postal_code"],
                third_party_address=data["third_party_address"],
                postponed_until=data["postponed_until"],
                wage=wage_terms(data),
            )
        except services.DispositionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"処分 {disposition.number} を起案しました。監督者の決裁を受けると執行されます。"
            )
            return redirect("dispositions:detail", number=disposition.number)
    record_access(request, page="滞納処分の起案", atena_numbers=[taxpayer.atena_number])
    return render(
        request, "dispositions/draft.html", {"taxpayer": taxpayer, "form": form, "items": items, "on": on}
    )


def _disposition(number: str) -> Disposition:
    return get_object_or_404(Disposition.objects.select_related("taxpayer"), number=number)


@menu_required("dispositions")
def detail(request, number):
    disposition = _disposition(number)
    cancellations = list(disposition.cancellations.all())
    pending = next((c for c in cancellations if c.is_pending), None)
    record_access(request, page="滞納処分", atena_numbers=[disposition.taxpayer.atena_number])
    return render(
        request,
        "dispositions/detail.html",
        {
            "disposition": disposition,
            "rows": disposition.rows.all(),
            "can_approve": request.user.has_perm("accounts.approve_dispositions")
            and disposition.can_be_approved_by(request.user.staff_number),
            "cancellations": cancellations,
            "pending": pending,
            "can_decide_cancellation": pending is not None
            and request.user.has_perm("accounts.approve_dispositions")
            and pending.can_be_approved_by(request.user.staff_number),
            "can_withdraw_cancellation": pending is not None
            and pending.drafted_by == request.user.staff_number,
            "collections": disposition.collections.all(),
            "can_collect": disposition.is_claim_seizure and disposition.is_approved,
            "can_distribute_sale": disposition.is_approved
            and disposition.code == DispositionCode.SEIZURE
            and disposition.category in SALE_CATEGORIES,
            "distributions": disposition.distributions.all(),
            "release_due": disposition.is_claim_seizure and collections.release_due(disposition),
            "wage_limit": _wage_limit_lines(disposition),
        },
    )


def _wage_limit_lines(disposition: Disposition) -> list[str]:
    from dispositions.wage_limits import BaseAmountMissingError, describe

    try:
        limit = disposition.wage_limit()
    except BaseAmountMissingError as error:
        return [str(error)]
    return describe(limit) if limit else []


@menu_required("dispositions")
@require_http_methods(["GET", "POST"])
def collect(request, number):
    """取立の記録: GET shows the form and what the seized installments owe today; POST records it
    and posts the money (or leaves it for a 配当計算書)."""
    disposition = _disposition(number)
    form = CollectionForm(request.POST or None, initial={"payer_name": disposition.third_party_name})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            collection = collections.record_collection(
                actor=request.actor,
                disposition=disposition,
                collected_on=data["collected_on"],
                amount=data["amount"],
                method=data["method"],
                payer_name=data["payer_name"],
                note=data["note"],
                other_claimants=data["other_claimants"],
            )
        except collections.CollectionError as error:
            form.add_error(None, str(error))
        else:
            if collection.status == collection.Status.AWAITING_DISTRIBUTION:
                messages.success(
                    request, f"取立 {collection.number} を記録しました。配当計算書を作成してください。"
                )
            else:
                surplus = (
                    f"過誤納 {collection.surplus:,}円を充当・還付の対象として記録しました。"
                    if collection.surplus
                    else ""
                )
                messages.success(
                    request,
                    f"取立 {collection.number} を記録し、{collection.posted_amount:,}円を収納しました。{surplus}",
                )
            return redirect("dispositions:detail", number=disposition.number)
    record_access(request, page="取立の記録", atena_numbers=[disposition.taxpayer.atena_number])
    owed = collections.owed_total(disposition, on=timezone.localdate()) if disposition.is_claim_seizure else 0
    return render(
        request, "dispositions/collect.html", {"disposition": disposition, "form": form, "owed": owed}
    )


@menu_required("approve_dispositions")
@require_http_methods(["GET", "POST"])
def approve(request, number):
    disposition = _disposition(number)
    error = ""
    if request.method == "POST":
        error = attempt(
            request,
            lambda: services.approve_disposition(actor=request.actor, disposition=disposition),
            refused=services.DispositionError,
            done=f"処分 {disposition.number} を決裁しました。",
        )
        if not error:
            return redirect("dispositions:detail", number=disposition.number)
    record_access(request, page="滞納処分の決裁", atena_numbers=[disposition.taxpayer.atena_number])
    same_property = []
    if disposition.code in services.SEIZURE_CODES:
        same_property = services.same_property_seizures(
            taxpayer=disposition.taxpayer,
            category=disposition.category,
            property_description=disposition.property_description,
            third_party_name=disposition.third_party_name,
            assessment_ids=list(disposition.rows.values_list("assessment_id", flat=True)),
            excluding=disposition,
        )
    return render(
        request,
        "dispositions/approve.html",
        {
            "disposition": disposition,
            "rows": disposition.rows.all(),
            "error": error,
            "same_property": same_property,
        },
    )


@menu_required("dispositions")
@require_http_methods(["GET", "POST"])
def cancel(request, number):
    """A draft is cancelled at once (it never took effect); for an approved disposition this page
    drafts the cancellation, which a second person approves on `cancellation_decide`."""
    disposition = _disposition(number)
    pending = disposition.cancellations.filter(status=DispositionCancellation.Status.DRAFT).first()
    form = CancelForm(request.POST or None, initial={"cancelled_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if disposition.is_approved:
                services.draft_cancellation(
                    actor=request.actor,
                    disposition=disposition,
                    category=data["category"],
                    reason=data["reason"],
                    cancelled_on=data["cancelled_on"],
                )
            else:
                services.cancel_disposition(
                    actor=request.actor,
                    disposition=disposition,
                    category=data["category"],
                    reason=data["reason"],
                    cancelled_on=data["cancelled_on"],
                )
        except services.DispositionError as error:
            form.add_error(None, str(error))
        else:
            if disposition.is_approved:
                messages.success(
                    request,
                    f"処分 {disposition.number} の{disposition.cancellation_name}を起案しました。"
                    "他の監督者の決裁を受けると取り消されます。",
                )
            else:
                messages.success(request, f"処分 {disposition.number} を取り消しました。")
            return redirect("dispositions:detail", number=disposition.number)
    record_access(request, page="滞納処分の取消", atena_numbers=[disposition.taxpayer.atena_number])
    return render(
        request,
        "dispositions/cancel.html",
        {
            "disposition": disposition,
            "form": form,
            "pending": pending,
            "first_day": services.cancellation_period(disposition),
            "today": timezone.localdate(),
        },
    )


def _pending_cancellation(disposition: Disposition) -> DispositionCancellation:
    return get_object_or_404(disposition.cancellations, status=DispositionCancellation.Status.DRAFT)


@menu_required("approve_dispositions")
@require_http_methods(["GET", "POST"])
def cancellation_decide(request, number):
    """決裁 of a drafted cancellation: GET shows it, POST approves (decision=approve) or rejects
    (decision=reject, with 却下の理由)."""
    disposition = _disposition(number)
    cancellation = _pending_cancellation(disposition)
    decision = request.POST.get("decision")
    form = RejectCancellationForm(request.POST if decision == "reject" else None)
    error = ""
    if request.method == "POST" and decision not in ("approve", "reject"):
        error = "決裁するか却下するかを選んでください。"
    elif decision == "approve" or (decision == "reject" and form.is_valid()):
        name = f"処分 {disposition.number} の{disposition.cancellation_name}"
        error = attempt(
            request,
            (lambda: services.approve_cancellation(actor=request.actor, cancellation=cancellation))
            if decision == "approve"
            else lambda: services.reject_cancellation(
                actor=request.actor, cancellation=cancellation, note=form.cleaned_data["note"]
            ),
            refused=services.DispositionError,
            done=f"{name}を決裁しました。" if decision == "approve" else f"{name}の起案を却下しました。",
        )
        if not error:
            return redirect("dispositions:detail", number=disposition.number)
    record_access(request, page="滞納処分の取消の決裁", atena_numbers=[disposition.taxpayer.atena_number])
    return render(
        request,
        "dispositions/cancellation_decide.html",
        {
            "disposition": disposition,
            "cancellation": cancellation,
            "rows": disposition.rows.all(),
            "form": form,
            "error": error,
        },
    )


@menu_required("dispositions")
@require_POST
def cancellation_withdraw(request, number):
    """取下げ of a pending cancellation, by its drafter."""
    disposition = _disposition(number)
    cancellation = _pending_cancellation(disposition)
    return act_and_return(
        request,
        lambda: services.withdraw_cancellation(actor=request.actor, cancellation=cancellation),
        refused=services.DispositionError,
        done=f"処分 {disposition.number} の取消の起案を取り下げました。",
        then=redirect("dispositions:detail", number=disposition.number),
    )


@menu_required("dispositions")
def prescriptions(request, atena_number):
    """Each installment with something owed, its 時効予定日 and the chain that gives it."""
    taxpayer = get_object_or_404(Taxpayer, atena_number=atena_number)
    assessments = (
        Assessment.objects.filter(
            taxpayer=taxpayer, balance__status__in=[PaymentStatus.DELINQUENT, PaymentStatus.WITHIN_TERM]
        )
        .prefetch_related("prescription_events", "payments")
        .order_by("due_date")
    )
    lines = [(assessment, chain_for(assessment)) for assessment in assessments]
    record_access(request, page="時効の経過", atena_numbers=[taxpayer.atena_number])
    return render(request, "dispositions/prescriptions.html", {"taxpayer": taxpayer, "lines": lines})


@menu_required("dispositions")
def suspensions(request):
    watch = services.suspension_watch(today=timezone.localdate())
    record_access(
        request,
        page="執行停止の3年経過",
        atena_numbers=sorted({row.disposition.taxpayer.atena_number for row, _, _ in watch}),
    )
    return render(request, "dispositions/suspensions.html", {"watch": watch})


@menu_required("dispositions")
def prescriptions_due(request):
    """50 a page (the chain of each is explained in Python: 500 at once took 1.4 s at 100,000
    persons); the access log names the taxpayers of the page shown."""
    today = timezone.localdate()
    page = Paginator(chains.installments_near_prescription(today=today), 50).get_page(request.GET.get("page"))
    due = chains.with_chains(page.object_list, today=today)
    record_access(
        request, page="時効が近い期別", atena_numbers=sorted({a.taxpayer.atena_number for a, _ in due})
    )
    return render(request, "dispositions/prescriptions_due.html", {"due": due, "page": page})


@menu_required("dispositions")
@require_http_methods(["GET", "POST"])
def distribution_new(request, number):
    """配当計算書の起案 for a 取立 waiting for one: the other claims are entered, the city's claim
    and every 配当額 computed (ranking rules in dispositions/data/distribution_ranks.csv)."""
    collection = get_object_or_404(
        Collection.objects.select_related("disposition__taxpayer"),
        number=number,
        status=Collection.Status.AWAITING_DISTRIBUTION,
    )
    form = DistributionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            statement = collections.draft_distribution(
                actor=request.actor,
                collection=collection,
                claims=form.cleaned_data["claims"],
                sent_on=form.cleaned_data["sent_on"],
            )
        except collections.CollectionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"配当計算書 {statement.number} を起案しました。監督者の決裁を受けてください。"
            )
            return redirect("dispositions:distribution_detail", number=statement.number)
    record_access(
        request, page="配当計算書の起案", atena_numbers=[collection.disposition.taxpayer.atena_number]
    )
    return render(request, "dispositions/distribution_new.html", {"collection": collection, "form": form})


@menu_required("dispositions")
@require_http_methods(["GET", "POST"])
def sale_distribution_new(request, number):
    """配当計算書の起案 for the 換価代金 of an approved 不動産・自動車・動産 seizure."""
    disposition = _disposition(number)
    form = SaleDistributionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            statement = collections.draft_distribution(
                actor=request.actor,
                disposition=disposition,
                total=data["total"],
                received_on=data["received_on"],
                claims=data["claims"],
                sent_on=data["sent_on"],
            )
        except collections.CollectionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"配当計算書 {statement.number} を起案しました。監督者の決裁を受けてください。"
            )
            return redirect("dispositions:distribution_detail", number=statement.number)
    record_access(
        request, page="配当計算書の起案（換価代金）", atena_numbers=[disposition.taxpayer.atena_number]
    )
    return render(
        request, "dispositions/sale_distribution_new.html", {"disposition": disposition, "form": form}
    )


def _statement(number: str) -> DistributionStatement:
    return get_object_or_404(
        DistributionStatement.objects.select_related("disposition__taxpayer", "collection"), number=number
    )


@menu_required("dispositions")
def distribution_detail(request, number):
    statement = _statement(number)
    record_access(request, page="配当計算書", atena_numbers=[statement.disposition.taxpayer.atena_number])
    return render(
        request,
        "dispositions/distribution_detail.html",
        {
            "statement": statement,
            "claims": statement.claims.all(),
            "can_approve": may_decide(request.user, statement),
        },
    )


@menu_required("approve_dispositions")
@require_http_methods(["GET", "POST"])
def distribution_approve(request, number):
    statement = _statement(number)
    error = ""

    def approved() -> str:
        statement.refresh_from_db()
        residue = (
            f"残余金 {statement.residue:,}円は過誤納金として充当・還付の処理待ちに記録しました。"
            if statement.residue
            else ""
        )
        return f"配当計算書 {statement.number} を決裁し、本市への配当額を収納しました。{residue}"

    if request.method == "POST":
        error = attempt(
            request,
            lambda: collections.approve_distribution(actor=request.actor, statement=statement),
            refused=collections.CollectionError,
            done=approved,
        )
        if not error:
            return redirect("dispositions:distribution_detail", number=statement.number)
    record_access(
        request, page="配当計算書の決裁", atena_numbers=[statement.disposition.taxpayer.atena_number]
    )
    return render(
        request,
        "dispositions/distribution_approve.html",
        {"statement": statement, "claims": statement.claims.all(), "error": error},
    )
