"""The 逆連携 pages: the administrator starts a run after a confirmation page but never opens a file;
supervisors read the log and take files, each download recorded."""

import pytest
from django.urls import reverse

from exchange.models import ExportDownload, ExportRun

pytestmark = pytest.mark.django_db


def test_the_administrator_confirms_then_runs_a_full_export(persona_client, administrator):
    admin = persona_client("administrator")
    page = admin.get(reverse("exchange:start")).content.decode()
    assert "取り消せません" in page and "前回の正常終了がないため" in page
    assert ExportRun.objects.count() == 0  # the GET only asks
    response = admin.post(reverse("exchange:start"), {"mode": "delta"})
    assert "最初は全件で実行してください" in response.content.decode()
    assert ExportRun.objects.count() == 0
    response = admin.post(reverse("exchange:start"), {"mode": "full"})
    run = ExportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "exchange:run_detail", args=[run.pk]
    )
    assert (run.status, run.mode, run.staff_number, run.terminal_number) == (
        "succeeded",
        "full",
        administrator.staff_number,
        "T0001",
    )
    detail = admin.get(response["Location"]).content.decode()
    assert "shobun.csv" in detail and run.checksum in detail
    assert reverse("exchange:download", args=[run.pk, "shobun.csv"]) not in detail  # no file for him


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
    assert reader.get(f"/exchange/runs/{run.pk}/files/..%2F..%2Fmanage.py").status_code == 404
    assert reader.get(reverse("exchange:download", args=[run.pk, "nothing.csv"])).status_code == 404
    assert ExportDownload.objects.count() == 1


def test_the_administrator_reruns_a_window_after_confirming(persona_client):
    from exchange.services import run_export

    run = run_export(staff_number="SYSTEM", terminal_number="BATCH", full=True)
    admin = persona_client("administrator")
    assert "同じ内容のファイル" in admin.get(reverse("exchange:rerun", args=[run.pk])).content.decode()
    assert ExportRun.objects.count() == 1
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
