"""The 逆連携 pages: the log of runs (システム管理者 and 監督者 read it; it holds counts, file names and
checksums, no taxpayer data), starting a run or rerunning one (システム管理者, after a confirmation
page; the task worker writes it, and its page shows the progress), and taking a file (監督者: the files hold 宛名番号 and amounts, so each download is logged, and
written to the access log as bulk access like every export)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from exchange import services
from exchange.forms import StartForm
from exchange.layouts import layouts
from exchange.models import ExportDownload, ExportRun
from exchange.tasks import write_export
from taxpayers.access import EXPORT_PAGE_PREFIX, record_access
from wako_collections.access import any_menu_required, has_menu, menu_required

READERS = ("user_admin", "import_data")


def _hand_to_worker(request, run: ExportRun):
    """The run is logged (実行中); the task worker writes it once this request commits, and its page
    follows the progress (the files written so far)."""
    transaction.on_commit(lambda: write_export.enqueue(run_id=run.pk))
    messages.info(
        request,
        f"逆連携 {run.pk} の書き出しを始めました。終わるまでこの画面で進み具合を確かめられます。",
    )
    return redirect("exchange:run_detail", pk=run.pk)


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
    titles = {layout.file_name(): layout.title for layout in layouts()}
    files = [
        {
            "name": name,
            "title": titles.get(name, ""),
            "sha256": digest,
            "rows": run.counts.get(name, 0),
            "present": bool(services.file_path(run, name)),
        }
        for name, digest in run.files
    ]
    running = run.status == ExportRun.Status.RUNNING
    done, total = services.progress(run) if running else (0, 0)
    return render(
        request,
        "exchange/run_detail.html",
        {
            "run": run,
            "running": running,
            "done": done,
            "total": total,
            "stale": running and run.started_at < timezone.now() - services.STALE_AFTER,
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
            run = services.start_run(
                staff_number=request.actor.staff_number,
                terminal_number=request.actor.terminal_number,
                full=form.cleaned_data["mode"] == ExportRun.Mode.FULL,
            )
        except services.ExportError as error:
            form.add_error(None, str(error))
        else:
            return _hand_to_worker(request, run)
    return render(
        request, "exchange/start.html", {"form": form, "last_until": last_until, "now": timezone.now()}
    )


@menu_required("user_admin")
def rerun(request, pk: int):
    """GET: the window to write again — POST: writes it (byte-identical files, a new run logged)."""
    original = get_object_or_404(ExportRun, pk=pk, status=ExportRun.Status.SUCCEEDED)
    error = None
    if request.method == "POST":
        try:
            run = services.rerun(
                run=original,
                staff_number=request.actor.staff_number,
                terminal_number=request.actor.terminal_number,
                write=False,
            )
        except services.ExportError as refused:
            error = str(refused)
        else:
            return _hand_to_worker(request, run)
    return render(request, "exchange/rerun.html", {"run": original, "error": error})


@menu_required("import_data")
def download(request, pk: int, name: str):
    run = get_object_or_404(ExportRun, pk=pk)
    path = services.file_path(run, name)
    if path is None:
        raise Http404("ファイルがありません。")
    # bulk access, as every export (exports/views.py): 画面 「データ出力（逆連携 …）」 with every 宛名番号
    # of the file, written before the first byte is sent; audit's 「大量のデータ出力」 flags a large one.
    numbers = services.atena_numbers_in(run, path)
    record_access(
        request,
        page=f"{EXPORT_PAGE_PREFIX}（逆連携 {name}）",
        atena_numbers=numbers,
        detail=f"逆連携 {run.pk} のファイル {name}（{run.counts.get(name, 0)}行・{len(numbers)}人）",
    )
    ExportDownload.objects.create(
        run=run,
        file_name=name,
        staff_number=request.actor.staff_number,
        terminal_number=request.actor.terminal_number,
        downloaded_at=timezone.now(),
    )
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{run.pk:06d}_{name}")
