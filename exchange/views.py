"""The 逆連携 pages: the log of runs (システム管理者 and 監督者 read it; it holds counts, file names and
checksums, no taxpayer data), starting a run or rerunning one (システム管理者, after a confirmation
page), and taking a file (監督者: the files hold 宛名番号 and amounts, so each download is logged)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from exchange import services
from exchange.forms import StartForm
from exchange.models import ExportDownload, ExportRun
from wako_collections.access import any_menu_required, has_menu, menu_required

READERS = ("user_admin", "import_data")


def _outcome_message(request, run: ExportRun) -> None:
    if run.status == ExportRun.Status.SUCCEEDED:
        messages.success(request, f"逆連携 {run.pk} を書き出しました（{run.total_rows:,}行）。")
    else:
        messages.error(
            request, f"逆連携 {run.pk} は異常終了しました。送信フォルダには何も書き出していません。"
        )


@any_menu_required(*READERS)
def runs(request):
    """Every run, newest first. Cost: one page of runs."""
    page = Paginator(ExportRun.objects.all(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "exchange/runs.html",
        {
            "page": page,
            "may_start": has_menu(request.user, "user_admin"),
            "last_until": services.last_successful_until(),
        },
    )


@any_menu_required(*READERS)
def run_detail(request, pk: int):
    run = get_object_or_404(ExportRun, pk=pk)
    may_download = has_menu(request.user, "import_data")
    files = [
        {
            "name": name,
            "sha256": digest,
            "rows": run.counts.get(name, 0),
            "present": bool(services.file_path(run, name)),
        }
        for name, digest in run.files
    ]
    return render(
        request,
        "exchange/run_detail.html",
        {
            "run": run,
            "files": files,
            "checksum_file": services.CHECKSUM_FILE,
            "may_download": may_download,
            "may_start": has_menu(request.user, "user_admin"),
            "downloads": run.downloads.all()[:100] if may_download else [],
        },
    )


@menu_required("user_admin")
def start(request):
    """GET: what a run will write (差分 from the last successful run, or 全件) — POST: runs it."""
    last_until = services.last_successful_until()
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.run_export(
                staff_number=request.actor.staff_number,
                terminal_number=request.actor.terminal_number,
                full=form.cleaned_data["mode"] == ExportRun.Mode.FULL,
            )
        except services.ExportError as error:
            form.add_error(None, str(error))
        else:
            _outcome_message(request, run)
            return redirect("exchange:run_detail", pk=run.pk)
    return render(
        request, "exchange/start.html", {"form": form, "last_until": last_until, "now": timezone.now()}
    )


@menu_required("user_admin")
def rerun(request, pk: int):
    """GET: the window to write again — POST: writes it (byte-identical files, a new run logged)."""
    original = get_object_or_404(ExportRun, pk=pk, status=ExportRun.Status.SUCCEEDED)
    if request.method == "POST":
        run = services.rerun(
            run=original,
            staff_number=request.actor.staff_number,
            terminal_number=request.actor.terminal_number,
        )
        _outcome_message(request, run)
        return redirect("exchange:run_detail", pk=run.pk)
    return render(request, "exchange/rerun.html", {"run": original})


@menu_required("import_data")
def download(request, pk: int, name: str):
    run = get_object_or_404(ExportRun, pk=pk)
    path = services.file_path(run, name)
    if path is None:
        raise Http404("ファイルがありません。")
    ExportDownload.objects.create(
        run=run,
        file_name=name,
        staff_number=request.actor.staff_number,
        terminal_number=request.actor.terminal_number,
        downloaded_at=timezone.now(),
    )
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{run.pk:06d}_{name}")
