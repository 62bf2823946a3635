"""監査: the access log, its analysis and the incident list."""

from datetime import timedelta

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from accounts.identity import canonical_staff_number
from audit import findings
from audit.forms import AccessLogFilterForm, FindingsForm, IncidentForm
from taxpayers.access import record_access
from taxpayers.models import TaxpayerAccess
from wako_collections.access import menu_required
from wako_collections.eras import format_date


@menu_required("audit")
def access_log(request):
    """Who viewed which taxpayer, when, from which terminal (宛名番号 only, no names)."""
    form = AccessLogFilterForm(request.GET or None)
    rows = TaxpayerAccess.objects.all()
    if form.is_valid():
        data = form.cleaned_data
        if data["access_id"]:
            rows = rows.filter(pk=data["access_id"])
        if data["staff_number"]:
            rows = rows.filter(staff_number=canonical_staff_number(data["staff_number"]))
        if data["terminal_number"]:
            rows = rows.filter(terminal_number=data["terminal_number"].strip())
        if data["atena_number"]:
            rows = rows.filter(atena_numbers__contains=[data["atena_number"].strip()])
        if data["date_from"]:
            rows = rows.filter(occurred_at__gte=findings.local_midnight(data["date_from"]))
        if data["date_to"]:
            rows = rows.filter(occurred_at__lt=findings.local_midnight(data["date_to"] + timedelta(days=1)))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "audit/access_log.html", {"form": form, "page": page})


def default_period(request, form_class):
    if request.GET:
        return form_class(request.GET)
    today = timezone.localdate()
    return form_class({"date_from": format_date(today - timedelta(days=30)), "date_to": format_date(today)})


FINDINGS_PER_PAGE = 50


@menu_required("audit")
def access_findings(request):
    """The five patterns over a period (default: the last 30 days), each row linking to its evidence;
    each pattern's findings 50 a page (its own page number, `<rule>_page`)."""
    form = default_period(request, FindingsForm)
    results = None
    if form.is_valid():
        window = findings.Window.of_days(form.cleaned_data["date_from"], form.cleaned_data["date_to"])
        results = [
            (
                rule,
                findings.RULES[rule],
                Paginator(rows, FINDINGS_PER_PAGE).get_page(request.GET.get(f"{rule}_page")),
            )
            for rule, rows in findings.analyse(window).items()
        ]
    return render(request, "audit/access_findings.html", {"form": form, "results": results})


@menu_required("audit")
def incident(request):
    """Given an officer and a time window, the taxpayers their views touched (for an incident report)."""
    form = IncidentForm(request.GET or None)
    affected = None
    if form.is_valid():
        affected = findings.affected_taxpayers(
            form.cleaned_data["staff_number"].strip(), form.window(form.cleaned_data)
        )
        if affected:
            record_access(
                request,
                page="監査：影響を受けた宛名",
                atena_numbers=[entry.atena_number for entry in affected],
                detail=f"職員 {form.cleaned_data['staff_number']}",
            )
    return render(request, "audit/incident.html", {"form": form, "affected": affected})
