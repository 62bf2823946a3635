"""The 逆連携 pages: the administrator starts a run after a confirmation page but never opens a file;
supervisors read the log and take files, each download recorded."""

import pytest
from django.urls import reverse

from exchange import services
from exchange.models import ExportDownload, ExportRun
from taxpayers.models import TaxpayerAccess
from tests.test_url_role_matrix import objects  # noqa: F401  (the one-of-each fixture)

pytestmark = pytest.mark.django_db


def test_the_administrator_confirms_then_the_worker_writes_the_run_with_its_progress_shown(
    persona_client, administrator, django_capture_on_commit_callbacks, exchange_outbound
):
    from pathlib import Path

    admin = persona_client("administrator")
    page = admin.get(reverse("exchange:start")).content.decode()
    assert "取り消せません" in page and "前回の正常終了がないため" in page
    assert ExportRun.objects.count() == 0  # the GET only asks
    response = admin.post(reverse("exchange:start"), {"mode": "delta"})
    assert "最初は全件で実行してください" in response.content.decode()
    assert ExportRun.objects.count() == 0
    with django_capture_on_commit_callbacks() as enqueued:
        response = admin.post(reverse("exchange:start"), {"mode": "full"})
    run = ExportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "exchange:run_detail", args=[run.pk]
    )
    # logged at once, written by the task worker once the request has committed — not in the request
    assert (run.status, run.mode, run.staff_number, run.terminal_number) == (
        "running",
        "full",
        administrator.staff_number,
        "T0001",
    )
    assert len(enqueued) == 1 and not list(Path(exchange_outbound).iterdir())
    detail = admin.get(response["Location"]).content.decode()
    assert "書き出しを始めました" in detail and "書き出し中です（0／10 ファイル）" in detail
    assert '<meta http-equiv="refresh" content="5">' in detail
    # the page counts the files the worker has finished in its hidden folder
    staging = services.staging_folder(run)
    staging.mkdir()
    for name in ("bunno.csv", "shobun.csv", "shikkoteishi.csv"):
        (staging / name).write_bytes(b"x")
    assert "書き出し中です（3／10 ファイル）" in admin.get(response["Location"]).content.decode()
    for entry in staging.iterdir():
        entry.unlink()
    staging.rmdir()
    # a second run is refused while this one is being written (both deltas would start at one point)
    refused = admin.post(reverse("exchange:start"), {"mode": "full"}).content.decode()
    assert f"逆連携 {run.pk} を書き出し中です" in refused and ExportRun.objects.count() == 1

    enqueued[0]()  # the worker takes the task (tests run tasks at once: ImmediateBackend)
    run.refresh_from_db()
    assert run.status == "succeeded" and run.checksum and run.folder
    detail = admin.get(response["Location"]).content.decode()
    assert "shobun.csv" in detail and run.checksum in detail and "書き出し中" not in detail
    assert "refresh" not in detail
    assert reverse("exchange:download", args=[run.pk, "shobun.csv"]) not in detail  # no file for him


def test_a_run_whose_worker_stopped_says_so_and_no_longer_blocks_the_next(persona_client):
    from datetime import timedelta

    from django.utils import timezone

    run = services.start_run(staff_number="S9001", terminal_number="T0001", full=True)
    with pytest.raises(services.ExportError, match="書き出し中です"):
        services.start_run(staff_number="S9001", terminal_number="T0001", full=True)
    ExportRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(hours=2))
    page = persona_client("administrator").get(reverse("exchange:run_detail", args=[run.pk])).content.decode()
    assert "ワーカー）が止まっている可能性があります" in page and "refresh" not in page
    assert services.start_run(staff_number="S9001", terminal_number="T0001", full=True).pk != run.pk


def test_a_bad_mode_is_refused_in_japanese(persona_client):
    response = persona_client("administrator").post(reverse("exchange:start"), {"mode": "everything"})
    assert "選択肢にない値です" in response.content.decode()
    assert ExportRun.objects.count() == 0


def test_a_supervisor_reads_the_log_and_each_download_is_recorded(persona_client, supervisor):
    from exchange.services import run_export

    run = run_export(staff_number="SYSTEM", terminal_number="BATCH", full=True)
    reader = persona_client("supervisor")
    listing = reader.get(reverse("exchange:runs")).content.decode()
    assert reverse("exchange:run_detail", args=[run.pk]) in listing
    assert reverse("exchange:start") not in listing
    detail = reader.get(reverse("exchange:run_detail", args=[run.pk])).content.decode()
    link = reverse("exchange:download", args=[run.pk, "kesson.csv"])
    assert link in detail
    response = reader.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith("宛名番号,".encode())
    assert f"{run.pk:06d}_kesson.csv" in response["Content-Disposition"]
    logged = ExportDownload.objects.get()
    assert (logged.run, logged.file_name, logged.staff_number, logged.terminal_number) == (
        run,
        "kesson.csv",
        supervisor.staff_number,
        "T0001",
    )
    # and written to the access log as bulk access, with every 宛名番号 of the file, like any export
    access = TaxpayerAccess.objects.get(page__startswith="データ出力")
    assert (access.page, access.staff_number, access.terminal_number) == (
        "データ出力（逆連携 kesson.csv）",
        supervisor.staff_number,
        "T0001",
    )
    assert f"逆連携 {run.pk}" in access.detail
    reader.get(reverse("exchange:download", args=[run.pk, "SHA256SUMS"]))
    assert TaxpayerAccess.objects.filter(page="データ出力（逆連携 SHA256SUMS）", atena_numbers=[]).exists()
    assert reader.get(f"/exchange/runs/{run.pk}/files/..%2F..%2Fmanage.py").status_code == 404
    assert reader.get(reverse("exchange:download", args=[run.pk, "nothing.csv"])).status_code == 404
    assert ExportDownload.objects.count() == 2  # kesson.csv and SHA256SUMS


def test_a_download_logs_every_taxpayer_of_the_file_as_bulk_access(objects, persona_client):  # noqa: F811
    run = services.run_export(staff_number="SYSTEM", terminal_number="BATCH", full=True)
    path = services.file_path(run, "saikoku_hasso.csv")
    in_file = {line.split(",")[0] for line in path.read_text(encoding="utf-8").splitlines()[1:]}
    assert in_file == {"000000001"}
    response = persona_client("supervisor").get(
        reverse("exchange:download", args=[run.pk, "saikoku_hasso.csv"])
    )
    assert response.status_code == 200
    access = TaxpayerAccess.objects.get(page="データ出力（逆連携 saikoku_hasso.csv）")
    assert access.atena_numbers == ["000000001"]
    assert f"{run.counts['saikoku_hasso.csv']}行・1人" in access.detail


def test_the_administrator_reruns_a_window_after_confirming(
    persona_client, django_capture_on_commit_callbacks
):
    from exchange.services import run_export

    run = run_export(staff_number="SYSTEM", terminal_number="BATCH", full=True)
    admin = persona_client("administrator")
    assert "同じ内容のファイル" in admin.get(reverse("exchange:rerun", args=[run.pk])).content.decode()
    assert ExportRun.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("exchange:rerun", args=[run.pk]))
    again = ExportRun.objects.exclude(pk=run.pk).get()
    assert (again.rerun_of, again.until, again.checksum) == (run, run.until, run.checksum)


@pytest.mark.parametrize(
    ("persona", "shown"), [("administrator", True), ("supervisor", True), ("officer", False)]
)
def test_the_menu_leads_to_the_log_for_those_who_may_read_it(persona, shown, persona_client):
    html = persona_client(persona).get(reverse("home")).content.decode()
    nav = html.split('<nav class="menu"', 1)[1].split("</nav>", 1)[0]
    assert (f'href="{reverse("exchange:runs")}"' in nav) is shown
