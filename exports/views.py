"""データの出力: one confirmation page and one download for every export (exports/sources.py).

GET shows what will leave the system (the list, its row count, the filter) and asks for the
purpose and the format — counting the rows without building the file (`Source.preview`); POST
builds the file once, records the export in the access log as bulk access
(`taxpayers.TaxpayerAccess`, page 「データ出力（…）」 with every 宛名番号 in the file, the purpose,
the format and the row count) before the first byte is sent, and returns it."""

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from exports.formats import CONTENT_TYPES, EXTENSIONS, Format, write
from exports.forms import ExportForm
from exports.sources import SOURCES, SourceError
from taxpayers.access import EXPORT_PAGE_PREFIX, record_access
from wako_collections.access import has_menu, menu_required


def _source(request, key: str):
    source = SOURCES.get(key)
    if source is None:
        raise Http404
    if not has_menu(request.user, source.menu):
        raise PermissionDenied
    return source


@menu_required("export_data")
@require_http_methods(["GET", "POST"])
def export(request, source):
    source = _source(request, source)
    params = request.GET.copy()
    params.pop("page", None)
    form = ExportForm(request.POST or None)
    build = request.method == "POST" and form.is_valid()
    try:
        # the file is built only when it is asked for; the confirmation page counts its rows
        table = source.build(request, params) if build else None
        preview = source.preview(request, params) if table is None else None
    except SourceError as error:
        messages.error(request, f"出力の条件を読み取れません: {error}")
        return render(
            request,
            "exports/confirm.html",
            {"source": source, "form": None, "back": source.back_url(params)},
            status=400,
        )
    if table is not None:
        fmt = Format(form.cleaned_data["file_format"])
        written = write(table, fmt)
        detail = f"目的: {form.purpose_text} / {fmt.label} / {len(table.rows)}行"
        if written.replaced_characters:
            detail += f" / 〓に置換 {written.replaced_characters}文字"
        record_access(
            request,
            page=f"{EXPORT_PAGE_PREFIX}（{source.label}）",
            atena_numbers=table.atena_numbers,
            detail=detail,
        )
        if written.replaced_characters:
            messages.warning(
                request,
                f"Shift_JIS（CP932）で表せない文字が{written.replaced_characters}文字あり、「〓」に置き換えて"
                "出力しました。正しい文字が必要なときは UTF-8 または Excel（XLSX）で出力してください。",
            )
        stamp = timezone.localtime().strftime("%Y%m%d_%H%M")
        filename = f"{table.title}_{stamp}.{EXTENSIONS[fmt]}"
        response = HttpResponse(written.content, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        response["Cache-Control"] = "no-store"
        return response
    return render(
        request,
        "exports/confirm.html",
        {
            "source": source,
            "form": form,
            "table": preview,
            "row_count": preview.row_count if preview else 0,
            "back": source.back_url(params),
            "query": params.urlencode(),
        },
        status=400 if request.method == "POST" else 200,
    )
