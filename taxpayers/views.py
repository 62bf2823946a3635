"""収納状況照会: search, the taxpayer page with its ledger, the delinquent list, the 延滞金
calculator, showing a 個人番号 with a reason, and imports. Every page that shows a taxpayer's
data writes its access-log row before it is rendered."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from accounts.events import record_request_event
from accounts.models import SecurityEvent
from taxpayers import individual_numbers, spool, working_list
from taxpayers.access import record_access
from taxpayers.forms import (
    ImportUploadForm,
    LateChargeForm,
    LedgerFilterForm,
    RevealForm,
    SavedListFilterForm,
    SearchForm,
)
from taxpayers.late_charges import PartialPayment, RateMissingError, compute_late_charge, rates_for
from taxpayers.ledger import ledger_for
from taxpayers.models import ImportLog, ReconcileRun, SavedListFilter, Taxpayer, TaxpayerBalance
from taxpayers.search import COUNT_PLANNER, search_taxpayers, uses_short_term
from taxpayers.services import SavedFilterError, delete_list_filter, save_list_filter
from taxpayers.tasks import import_uploaded_file
from wako_collections.access import menu_required
from wako_collections.pagination import CappedPaginator

PAGE_SIZE = 20
NO_CASE_MESSAGE = (
    "この宛名には滞納・交渉記録・分納誓約・滞納処分・照会のいずれもないため、個人番号は表示できません"
    "（個人番号は滞納整理の事務に必要な範囲でのみ利用できます。番号法第9条）。"
)


def get_taxpayer(atena_number: str) -> Taxpayer:
    return get_object_or_404(
        Taxpayer.objects.select_related("assigned_officer", "balance"), atena_number=atena_number
    )


@menu_required("payment_status")
def search(request):
    form = SearchForm(request.GET or None)
    page = None
    if request.GET and form.is_valid():
        paginator = CappedPaginator(
            # The balances of the page's 20 in a second query: joined in the page query, the whole
            # balance table was read before a short term's matches were sorted.
            search_taxpayers(**form.cleaned_data).prefetch_related("balance"),
            PAGE_SIZE,
            count_list=search_taxpayers(**form.cleaned_data, for_count=True),
            count_planner=COUNT_PLANNER,
        )
        page = paginator.get_page(request.GET.get("page"))  # counts (to the cap); rows not read yet
        if paginator.capped and uses_short_term(**form.cleaned_data):
            # A 1- or 2-character term found in more than the cap (ヤマ: 11 % of the city) would
            # be sorted from every match (hundreds of ms at 100,000 persons) for a list no one
            # reads through: ask for one more character or another criterion instead.
            form.add_error(
                None,
                f"1〜2文字の語で{paginator.cap:,}件を超える宛名が該当したため、一覧を表示できません。"
                "もう1文字以上入力するか、生年月日・住所などの条件を加えて絞り込んでください。",
            )
            return render(request, "taxpayers/search.html", {"form": form, "page": None})
        conditions = "、".join(f"{form.fields[k].label}" for k, v in form.cleaned_data.items() if v)
        record_access(
            request,
            page="宛名検索",
            atena_numbers=[t.atena_number for t in page],
            detail=f"検索条件: {conditions}",
        )
        # 滞納額 as the 滞納者一覧 shows it: what can still be collected, 時効完成 apart
        for taxpayer in page:
            balance = _balance_of(taxpayer)
            taxpayer.owed = working_list.collectible(balance) if balance else None
    return render(request, "taxpayers/search.html", {"form": form, "page": page})


def _balance_of(taxpayer: Taxpayer) -> TaxpayerBalance | None:
    """The taxpayer's stored balance (prefetched: no query); None without one."""
    try:
        return taxpayer.balance
    except TaxpayerBalance.DoesNotExist:
        return None


@menu_required("payment_status")
def detail(request, atena_number):
    taxpayer = get_taxpayer(atena_number)
    form = LedgerFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    as_of = filters.get("as_of") or timezone.localdate()
    ledger = ledger_for(
        taxpayer,
        as_of=as_of,
        subject=filters.get("subject") or "",
        tax_year=filters.get("tax_year"),
        outstanding_only=bool(filters.get("outstanding_only")),
        # a long history opens on what is still owed; a year asked for, or every year, in full
        fold_paid_years=not filters.get("all_years") and not filters.get("tax_year"),
    )
    record_access(request, page="収納状況照会", atena_numbers=[taxpayer.atena_number])
    return render(
        request,
        "taxpayers/detail.html",
        {
            "taxpayer": taxpayer,
            "form": form,
            "ledger": ledger,
            "masked_number": individual_numbers.MASKED if taxpayer.has_individual_number else "未登録",
            "mailing_addresses": taxpayer.mailing_addresses.order_by("-valid_from"),
            "can_reveal": request.user.has_perm("accounts.reveal_individual_number"),
            "all_years_query": _with(request.GET, all_years="on"),
            "folded_years": [
                (year, _with(request.GET, tax_year=year.tax_year)) for year in ledger.folded_years
            ],
        },
    )


def _with(params: QueryDict, **values) -> str:
    """The query string of `params` with `values` set (the page's filters kept)."""
    query = params.copy()
    for name, value in values.items():
        query[name] = value
    return query.urlencode()


@menu_required("reveal_individual_number")
@require_http_methods(["GET", "POST"])
def reveal_individual_number(request, atena_number):
    """Shows the 個人番号 once, on this response only (never in a URL, a log or history), for one of
    the PIA's purposes with a reason of real content, and only for a taxpayer who is a 滞納整理 case
    (Taxpayer.case_context); the purpose, reason and case are logged."""
    taxpayer = get_taxpayer(atena_number)
    case_context = taxpayer.case_context()
    form = RevealForm(request.POST or None)
    number = None
    if request.method == "POST" and form.is_valid():
        if not taxpayer.has_individual_number:
            form.add_error(None, "この宛名には個人番号が登録されていません。")
        elif not case_context:
            form.add_error(None, NO_CASE_MESSAGE)
        else:
            reason = individual_numbers.redact(form.cleaned_data["reason"])  # it goes into two logs
            detail = f"目的: {form.purpose_label} 理由: {reason} 案件: {'・'.join(case_context)}"
            record_access(request, page="個人番号表示", atena_numbers=[taxpayer.atena_number], detail=detail)
            record_request_event(
                request,
                SecurityEvent.Kind.INDIVIDUAL_NUMBER_SHOWN,
                staff_number=request.user.staff_number,
                detail=f"宛名番号 {taxpayer.atena_number} {detail}",
            )
            number = individual_numbers.decrypt(
                taxpayer.individual_number_ciphertext, atena_number=taxpayer.atena_number
            )
            number = f"{number[:4]} {number[4:8]} {number[8:]}"
    return render(
        request,
        "taxpayers/reveal.html",
        {
            "taxpayer": taxpayer,
            "form": form,
            "number": number,
            "case_context": case_context,
            "no_case_message": NO_CASE_MESSAGE,
        },
    )


@menu_required("reveal_individual_number")
@require_http_methods(["GET", "POST"])
def reveal_address(request, atena_number):
    """Shows the 住所 and 送付先 of a person under the 住民基本台帳 支援措置 (DV等支援措置) once, on
    this response only, for one of the purposes the 個人番号 may be shown for, with a reason of
    real content: the same form, purposes and logs (access log and security event) as the
    個人番号 reveal, and the same menu."""
    taxpayer = get_taxpayer(atena_number)
    form = RevealForm(request.POST or None)
    shown = None
    if request.method == "POST" and taxpayer.support_measure and form.is_valid():
        reason = individual_numbers.redact(form.cleaned_data["reason"])
        detail = f"目的: {form.purpose_label} 理由: {reason}"
        record_access(
            request, page="住所表示（支援措置対象）", atena_numbers=[taxpayer.atena_number], detail=detail
        )
        record_request_event(
            request,
            SecurityEvent.Kind.PROTECTED_ADDRESS_SHOWN,
            staff_number=request.user.staff_number,
            detail=f"宛名番号 {taxpayer.atena_number} {detail}",
        )
        shown = {
            "address": f"〒{taxpayer.postal_code} {taxpayer.address} {taxpayer.address_extra}".strip(),
            "mailing": list(taxpayer.mailing_addresses.order_by("-valid_from")),
        }
    return render(
        request, "taxpayers/reveal_address.html", {"taxpayer": taxpayer, "form": form, "shown": shown}
    )


LIST_PAGE_SIZE = 50


@menu_required("payment_status")
def delinquent(request):
    """滞納者一覧: the officer's working list (taxpayers/working_list.py). Every parameter is read by
    `WorkingListForm`; a value it refuses is shown with its message and the list is not run."""
    params = request.GET.copy()
    params.pop("page", None)
    form = working_list.bind_form(params)
    today = timezone.localdate()
    page = totals = None
    if form.is_valid():
        balances = working_list.working_list(form.cleaned_data, user=request.user, today=today)
        totals = working_list.totals_of(
            working_list.filtered(
                form.cleaned_data, user=request.user, today=today, with_time_barred_only=True
            )
        )
        paginator = Paginator(balances, LIST_PAGE_SIZE)
        paginator.count = totals.taxpayers  # the aggregate counted them already
        page = paginator.get_page(request.GET.get("page"))
        for balance in page:
            balance.days_since_contact = working_list.days_since(balance.last_contact, today)
            balance.collectible = working_list.collectible(balance)
        conditions = "、".join(
            f"{form.fields[k].label}={v}" for k, v in params.items() if k in form.fields and v
        )
        record_access(
            request,
            page="滞納者一覧",
            atena_numbers=[b.taxpayer.atena_number for b in page],
            detail=f"条件: {conditions}" if conditions else "",
        )
    run = ReconcileRun.objects.first()
    rates_assumed_from = rates_for(run.as_of)[1] if run else None
    return render(
        request,
        "taxpayers/delinquent.html",
        {
            "form": form,
            "page": page,
            "totals": totals,
            "run": run,
            "rates_assumed_from": rates_assumed_from,
            "query": params.urlencode(),
            "saved_filters": SavedListFilter.objects.filter(owner=request.user),
            "save_form": SavedListFilterForm(),
        },
    )


@menu_required("payment_status")
@require_http_methods(["POST"])
def saved_filter_create(request):
    """Saves the list's current query string under a name (the query is validated first: a filter
    that would be refused on load is not saved)."""
    form = SavedListFilterForm(request.POST)
    query = request.POST.get("query", "")
    params = QueryDict(query)
    back = reverse("taxpayers:delinquent") + (f"?{query}" if query else "")
    if not working_list.bind_form(params).is_valid() or len(query) > 1000:
        messages.error(request, "検索条件に誤りがあるため保存できません。条件を直してから保存してください。")
        return redirect(back)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        saved = save_list_filter(
            actor=request.actor, owner=request.user, name=form.cleaned_data["name"], query=query
        )
    except SavedFilterError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(request, f"検索条件「{saved.name}」を保存しました。")
    return redirect(back)


def _saved_filter(request, pk) -> SavedListFilter:
    return get_object_or_404(SavedListFilter, pk=pk, owner=request.user)


@menu_required("payment_status")
def saved_filter_load(request, pk):
    """Opens the list with a saved filter, after reading it through the list's form again."""
    saved = _saved_filter(request, pk)
    form = working_list.bind_form(QueryDict(saved.query))
    if not form.is_valid():
        problems = " ".join(str(m) for messages_ in form.errors.values() for m in messages_)
        messages.error(
            request,
            f"保存した検索条件「{saved.name}」は今の一覧では使えません（{problems}）。条件を選び直して保存し直してください。",
        )
        return redirect("taxpayers:delinquent")
    return redirect(reverse("taxpayers:delinquent") + (f"?{saved.query}" if saved.query else ""))


@menu_required("payment_status")
@require_http_methods(["GET", "POST"])
def saved_filter_delete(request, pk):
    """GET asks to confirm; POST deletes (the history keeps the filter and who deleted it)."""
    saved = _saved_filter(request, pk)
    if request.method == "POST":
        delete_list_filter(actor=request.actor, saved=saved)
        messages.success(request, f"検索条件「{saved.name}」を削除しました。")
        return redirect("taxpayers:delinquent")
    return render(request, "taxpayers/saved_filter_delete.html", {"saved": saved})


@menu_required("payment_status")
def late_charge(request):
    form = LateChargeForm(request.GET or None, initial={"first_band_months": 1})
    result = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        extension = data.get("extension_until")
        try:
            result = compute_late_charge(
                principal=data["amount"],
                due_date=extension or data["due_date"],
                until=data["paid_on"],
                payments=[PartialPayment(day, amount) for day, amount in data["payments"]],
                first_band_months=data["first_band_months"],
                extended_from=data["due_date"] if extension else None,
                reliefs=data["reliefs"],
            )
        except RateMissingError as error:
            form.add_error(None, str(error))
    payment_fields = [(form[f"payment_{n}_date"], form[f"payment_{n}_amount"]) for n in (1, 2, 3)]
    return render(
        request,
        "taxpayers/late_charge.html",
        {"form": form, "result": result, "payment_fields": payment_fields},
    )


@csrf_exempt  # checked in _receive_upload, once the spool's upload handler is in place
@menu_required("import_data")
@require_http_methods(["GET", "POST"])
def imports(request):
    """The upload form and the import log. A POST's body goes straight into the import spool
    (taxpayers/spool.py): refused by its declared length before it is read, counted while it
    streams, owned by an ImportLog from its first byte, and deleted unless the worker took it."""
    if request.method == "GET":
        kind = request.GET.get("kind")
        return _imports_page(request, ImportUploadForm(initial={"kind": kind} if kind else None))
    if spool.declared_too_large(request):
        return _imports_page(request, ImportUploadForm(), refusal=spool.too_large_message(), status=413)
    handler = spool.SpoolUploadHandler(request, actor=request.actor)
    request.upload_handlers = [handler]
    try:
        return _receive_upload(request, handler)
    finally:  # a refused form, a CSRF failure, a lost database, a worker told to exit
        handler.release(spool.NOT_STARTED)


@csrf_protect
def _receive_upload(request, handler: spool.SpoolUploadHandler):
    form = ImportUploadForm(request.POST, request.FILES)
    if handler.refused:
        form = ImportUploadForm(initial={"kind": request.POST.get("kind")})
        return _imports_page(request, form, refusal=spool.too_large_message(), status=413)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if not isinstance(upload, spool.SpooledUpload):  # only the spool's handler reads this body
            raise RuntimeError("the import upload did not go through the spool")
        spool.queue(upload.log, kind=form.cleaned_data["kind"])
        import_uploaded_file.enqueue(
            log_id=upload.log.pk,
            staff_id=request.user.pk,
            terminal_number=request.terminal.terminal_number,
        )
        handler.handed_over = True
        messages.info(request, f"{upload.name} の取込を開始しました。")
        return redirect("taxpayers:import_detail", pk=upload.log.pk)
    return _imports_page(request, form)


def _imports_page(request, form, *, refusal: str = "", status: int = 200):
    logs = Paginator(ImportLog.objects.all(), 20).get_page(request.GET.get("page"))
    context = {"form": form, "page": logs, "refusal": refusal, "max_upload_mb": settings.IMPORT_MAX_UPLOAD_MB}
    return render(request, "taxpayers/imports.html", context, status=status)


@menu_required("import_data")
def import_detail(request, pk):
    log = get_object_or_404(ImportLog, pk=pk)
    return render(
        request,
        "taxpayers/import_detail.html",
        {
            "log": log,
            "running": log.result == ImportLog.Result.RUNNING,
            "failed": log.result == ImportLog.Result.FAILED,
        },
    )
