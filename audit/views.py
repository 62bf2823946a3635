"""監査: supervisors' review pages. Reading them writes nothing."""

from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.models import SecurityEvent
from audit.forms import SecurityEventFilterForm
from wako_collections.access import menu_required


@menu_required("audit")
def security_events(request):
    """Sign-ins, failures, lockouts, sign-outs and account administration, newest first."""
    form = SecurityEventFilterForm(request.GET or None)
    events = SecurityEvent.objects.all()
    if form.is_valid():
        data = form.cleaned_data
        if data["staff_number"]:
            events = events.filter(staff_number=data["staff_number"]) | events.filter(
                target_staff_number=data["staff_number"]
            )
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
