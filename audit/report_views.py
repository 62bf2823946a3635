"""監査: the self-inspection report and the disclosure PDF."""

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
from wako_collections.eras import fiscal_year_of
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
    """収納率, outstanding over the last 12 months, 整理未済額の内訳 and officer activity (this fiscal year)."""
    from audit import charts
    from audit import dashboard as figures

    today = timezone.localdate()
    this_year = fiscal_year_of(today)
    months = figures.outstanding_by_month(figures.month_ends(today))
    breakdown = figures.unresolved_breakdown(today)
    first_day = today.replace(year=this_year, month=4, day=1)
    context = {
        "today": today,
        "rates": figures.collection_rates([this_year - 2, this_year - 1, this_year]),
        "write_offs": figures.write_offs([this_year - 2, this_year - 1, this_year]),
        "months_chart": charts.column_chart(
            [(f"{day.month}月末", total) for day, total in months], title="月末の未納額（本税）"
        ),
        "breakdown": breakdown,
        "breakdown_total": sum(amount for _, amount in breakdown),
        "breakdown_chart": charts.bar_chart(breakdown, title="整理未済額の内訳"),
        "activity": figures.officer_activity(first_day, today),
        "activity_from": first_day,
    }
    return render(request, "audit/dashboard.html", context)
