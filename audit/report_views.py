"""監査: the self-inspection report, the disclosure PDF and the dashboard."""

from datetime import date

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from audit import disclosure as disclosures
from audit import inspection
from audit.access_views import default_period
from audit.forms import DisclosureForm, FindingsForm
from taxpayers.access import record_access
from wako_collections.access import menu_required
from wako_collections.city import city
from wako_collections.pdf import render_pdf


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@menu_required("audit")
def self_inspection(request):
    """自己点検: on screen, and as a PDF with sign-off boxes when ?pdf=1."""
    form = default_period(request, FindingsForm)
    report = None
    if form.is_valid():
        report = inspection.build(form.cleaned_data["date_from"], form.cleaned_data["date_to"])
        if request.GET.get("pdf"):
            pdf = render_pdf("forms/self_inspection.html", {"report": report, **city(request)})
            return pdf_response(pdf, f"self-inspection-{report.first:%Y%m%d}-{report.last:%Y%m%d}.pdf")
    return render(request, "audit/self_inspection.html", {"form": form, "report": report})


@menu_required("audit")
def disclosure(request):
    """開示請求: choose the taxpayer and note the request; the PDF's assembly is logged."""
    form = DisclosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        taxpayer = form.taxpayer
        record_access(
            request,
            page="開示請求（保有個人情報の一覧）",
            atena_numbers=[taxpayer.atena_number],
            detail=form.cleaned_data["reason"],
        )
        context = disclosures.assemble(taxpayer)
        pdf = render_pdf("forms/disclosure.html", {**context, **city(request)})
        return pdf_response(pdf, f"disclosure-{taxpayer.atena_number}-{timezone.localdate():%Y%m%d}.pdf")
    return render(request, "audit/disclosure.html", {"form": form})


@menu_required("audit")
def dashboard(request):
    """収納率, outstanding over the last 12 months and 整理未済額の内訳 as the scheduled job last stored
    them (with the time they were computed), 不納欠損額 and officer activity (this fiscal year) live."""
    from audit import charts
    from audit import dashboard as figures

    today = timezone.localdate()
    years = figures.dashboard_years(today)
    first_day = date(years[-1], 4, 1)
    stored = figures.stored_figures()
    context = {
        "today": today,
        "stored": stored,
        "write_offs": figures.write_offs(years),
        "activity": figures.officer_activity(first_day, today),
        "activity_from": first_day,
    }
    if stored is not None:
        context |= {
            "rates": stored.rates,
            "months_chart": charts.column_chart(
                [(f"{day.month}月末", total) for day, total in stored.months], title="月末の未納額（本税）"
            ),
            "breakdown": stored.breakdown,
            "breakdown_total": sum(amount for _, amount in stored.breakdown),
            "breakdown_chart": charts.bar_chart(stored.breakdown, title="整理未済額の内訳"),
        }
    return render(request, "audit/dashboard.html", context)
