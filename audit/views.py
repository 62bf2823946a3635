"""監査: supervisors' review pages. Reading them writes nothing but the access log."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from accounts.identity import canonical_staff_number
from accounts.models import SecurityEvent
from audit import history
from audit.forms import HistoryFilterForm, SecurityEventFilterForm
from taxpayers.access import record_access
from wako_collections.access import menu_required


@menu_required("audit")
def security_events(request):
    """Sign-ins, failures, lockouts, sign-outs and account administration, newest first."""
    form = SecurityEventFilterForm(request.GET or None)
    events = SecurityEvent.objects.all()
    if form.is_valid():
        data = form.cleaned_data
        if data["staff_number"]:
            number = canonical_staff_number(data["staff_number"])
            events = events.filter(staff_number=number) | events.filter(target_staff_number=number)
        if data["terminal_number"]:
            events = events.filter(terminal_number=data["terminal_number"])
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["date_from"]:
            events = events.filter(occurred_at__date__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(occurred_at__date__lte=data["date_to"])
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/security_events.html", {"form": form, "page": page})


@menu_required("audit")
def history_search(request):
    """Changes to business records across kinds, by officer, terminal, taxpayer and period."""
    form = HistoryFilterForm(request.GET or None)
    changes, more = [], False
    if form.is_valid():
        data = form.cleaned_data
        kinds = [history.KIND_BY_KEY[data["kind"]]] if data["kind"] else history.KINDS
        changes, more = history.search(
            history.HistoryFilter(
                kinds=kinds,
                staff_number=data["staff_number"].strip(),
                terminal_number=data["terminal_number"].strip(),
                atena_number=data["atena_number"].strip(),
                date_from=data["date_from"],
                date_to=data["date_to"],
            )
        )
        atena_numbers = sorted({change.atena_number for change in changes if change.atena_number})
        if atena_numbers:
            record_access(request, page="監査：変更履歴の検索", atena_numbers=atena_numbers)
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/history_search.html",
        {"form": form, "page": page, "more": more, "limit": history.SEARCH_LIMIT, "searched": form.is_bound},
    )


@menu_required("audit")
def record_history(request, kind, pk):
    """One record's every version with what changed, who, where, when and why."""
    record_kind = history.KIND_BY_KEY.get(kind)
    if record_kind is None:
        raise Http404
    changes = history.record_history(record_kind, pk)
    if not changes:
        raise Http404
    atena_numbers = sorted({change.atena_number for change in changes if change.atena_number})
    if atena_numbers:
        record_access(
            request,
            page="監査：記録の変更履歴",
            atena_numbers=atena_numbers,
            detail=f"{record_kind.label} {pk}",
        )
    return render(
        request,
        "audit/record_history.html",
        {
            "kind": record_kind,
            "name": changes[-1].record_name or pk,
            "changes": list(reversed(changes)),
        },
    )
