"""A run of the 逆連携: a delta after one change holds exactly that change; a change and its revert
still a row; all or nothing; a rerun is byte-identical; CP932; the command and the nightly job."""

import csv
import hashlib
import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.roles import Role
from dispositions import services as disposition_services
from exchange import layouts as layout_module
from exchange import services
from exchange.models import ExportRun
from taxpayers.models import Assessment, Taxpayer
from tests.conftest import make_staff
from wako_collections.actors import Actor, acting_as
from wako_collections.records import save_tracked, stamp

pytestmark = pytest.mark.django_db

SEIZED_ON = date(2021, 7, 5)


def run(**options):
    return services.run_export(staff_number="S9001", terminal_number="T0001", **options)


def read(run_, name, encoding="utf-8"):
    path = services.file_path(run_, name)
    assert path is not None, name
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode(encoding), newline="")))


def seize_and_approve(officer, supervisor):
    draft = disposition_services.draft_disposition(
        actor=Actor.for_staff(officer, "T0001"),
        taxpayer=Taxpayer.objects.get(atena_number="000000101"),
        assessment_ids=[Assessment.objects.get(notice_number="210000101").pk],
        code="01",
        category="11",
        reason="預貯金調査で残高を確認",
        planned_on=date(2021, 7, 1),
        property_description="和光銀行 本店 普通 1234567",
        third_party_name="株式会社和光銀行",
    )
    return disposition_services.approve_disposition(
        actor=Actor.for_staff(supervisor, "T0001"), disposition=draft, disposed_on=SEIZED_ON
    )


@pytest.fixture
def people(terminal):
    return (
        make_staff("S1001", Role.COLLECTIONS_OFFICER),
        make_staff("S2001", Role.SUPERVISOR),
    )


def test_the_first_run_must_be_full_and_writes_every_file_with_its_checksum(
    ledger, people, exchange_outbound
):
    with pytest.raises(services.ExportError, match="最初は全件"):
        run()
    seize_and_approve(*people)
    first = run(full=True)
    assert first.status == ExportRun.Status.SUCCEEDED
    folder = exchange_outbound / first.folder
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([layout.file_name() for layout in layout_module.layouts()] + ["SHA256SUMS"])
    sums = (folder / "SHA256SUMS").read_text(encoding="ascii").splitlines()
    assert len(sums) == len(first.files)
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    assert first.checksum == hashlib.sha256((folder / "SHA256SUMS").read_bytes()).hexdigest()
    assert first.counts == {name: len(read(first, name)) for name, _digest in first.files}
    assert first.counts["shobun.csv"] == first.counts["jiko.csv"] == 1


def test_a_delta_after_one_seizure_holds_exactly_that_seizure(ledger, people):
    officer, supervisor = people
    base = run(full=True)
    seizure = seize_and_approve(officer, supervisor)
    delta = run()
    assert (delta.mode, delta.since) == (ExportRun.Mode.DELTA, base.until)
    [row] = read(delta, "shobun.csv")
    assert row["宛名番号"] == "000000101"
    assert (row["通知書番号"], row["論理期別"], row["科目コード"]) == ("210000101", "1", "02")
    assert (row["滞納処分管理番号"], row["処分コード"], row["処分区分"]) == (seizure.number, "01", "11")
    assert (row["処分年月日"], row["解除年月日"], row["本税（料）"], row["督促手数料"]) == (
        "2021-07-05",
        "",
        "65000",
        "100",
    )
    assert (row["削除フラグ"], row["操作者ID"]) == ("0", "S2001")
    # the approval also recorded the seizure as a 時効 event; nothing else changed
    events = read(delta, "jiko.csv")
    assert [e["時効事由"] for e in events] == ["seizure"]
    assert seizure.number in events[0]["根拠記録"]
    others = {name: n for name, n in delta.counts.items() if name not in ("shobun.csv", "jiko.csv")}
    assert set(others.values()) == {0}
    # and the next delta, with no change, is empty
    assert sum(run().counts.values()) == 0


def test_a_change_followed_by_its_revert_still_produces_a_row(ledger, people):
    officer, supervisor = people
    seizure = seize_and_approve(officer, supervisor)
    run(full=True)
    row = seizure.rows.get()
    with acting_as(Actor.for_staff(supervisor, "T0001")):
        for value in ("管理A", ""):
            row.management_code_1 = value
            save_tracked(
                row,
                reason="試し",
                update_fields=["management_code_1", *stamp(row, Actor.for_staff(supervisor, "T0001"))],
            )
    delta = run()
    assert [r["滞納処分管理番号"] for r in read(delta, "shobun.csv")] == [seizure.number]


def test_a_draft_is_not_sent_until_it_is_approved(ledger, people):
    officer, _supervisor = people
    run(full=True)
    disposition_services.draft_disposition(
        actor=Actor.for_staff(officer, "T0001"),
        taxpayer=Taxpayer.objects.get(atena_number="000000101"),
        assessment_ids=[Assessment.objects.get(notice_number="210000101").pk],
        code="01",
        category="11",
        reason="預貯金調査で残高を確認",
        planned_on=date(2021, 7, 1),
        property_description="和光銀行 本店 普通 1234567",
        third_party_name="株式会社和光銀行",
    )
    assert read(run(), "shobun.csv") == []


def test_a_failure_mid_run_leaves_no_file_and_a_failed_run(ledger, people, monkeypatch, exchange_outbound):
    officer, supervisor = people
    seize_and_approve(officer, supervisor)

    def broken(window):
        raise RuntimeError("接続が切れました")

    # 不納欠損 is the sixth file: five are already written when it fails
    monkeypatch.setattr(layout_module, "_writeoff_rows", broken)
    failed = run(full=True)
    assert failed.status == ExportRun.Status.FAILED
    assert "接続が切れました" in failed.error
    assert (failed.folder, failed.files, failed.checksum) == ("", [], "")
    assert list(exchange_outbound.iterdir()) == []
    # a failed run is no starting point for a delta
    with pytest.raises(services.ExportError, match="最初は全件"):
        run()


def test_a_rerun_of_the_same_window_gives_byte_identical_files(ledger, people, exchange_outbound):
    officer, supervisor = people
    first = run(full=True, until=timezone.now())
    seize_and_approve(officer, supervisor)  # after the window: must not show in the rerun
    again = services.rerun(run=first, staff_number="S9001", terminal_number="T0001")
    assert again.rerun_of == first and again.until == first.until
    assert again.files == first.files and again.checksum == first.checksum
    for name, _digest in [*first.files, ["SHA256SUMS", ""]]:
        assert (exchange_outbound / first.folder / name).read_bytes() == (
            exchange_outbound / again.folder / name
        ).read_bytes()
    # and a later window does see the seizure
    assert run().counts["shobun.csv"] == 1


def test_cp932_files_read_back_in_cp932(ledger, settings, people):
    settings.EXCHANGE_ENCODING = "cp932"
    officer, supervisor = people
    seizure = seize_and_approve(officer, supervisor)
    done = run(full=True)
    assert done.encoding == "cp932"
    raw = services.file_path(done, "jiko.csv").read_bytes()
    assert raw.startswith("宛名番号,科目コード".encode("cp932"))
    assert f"滞納処分 {seizure.number}".encode("cp932") in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


def test_a_character_cp932_cannot_hold_fails_the_run_rather_than_being_replaced(
    ledger, settings, monkeypatch
):
    settings.EXCHANGE_ENCODING = "cp932"
    monkeypatch.setattr(
        layout_module,
        "_prescription_rows",
        lambda window: iter([{"宛名番号": "000000101", "根拠記録": "𠮷野家"}]),
    )
    failed = run(full=True)
    assert failed.status == ExportRun.Status.FAILED and "UnicodeEncodeError" in failed.error


def test_the_command_runs_full_then_delta_and_refuses_bad_input(ledger, capsys):
    with pytest.raises(CommandError, match="最初は全件"):
        call_command("export_results")
    call_command("export_results", "--full")
    assert "（全件）" in capsys.readouterr().out
    call_command("export_results")
    assert "（差分）: 10ファイル・0行" in capsys.readouterr().out
    with pytest.raises(CommandError, match="読めません"):
        call_command("export_results", "--since", "きのう")
    with pytest.raises(CommandError, match="有効な職員ではありません"):
        call_command("export_results", "--operator", "NOBODY")
    with pytest.raises(CommandError, match="未来"):
        call_command("export_results", "--until", (timezone.localdate() + timedelta(days=2)).isoformat())


def test_the_nightly_job_is_scheduled_and_writes_a_delta(ledger):
    from jobs.models import JobRun
    from jobs.schedule import JOBS
    from jobs.tasks import run_now

    assert JOBS["export_results"].cron == "30 6 * * *"
    first = run_now("export_results")
    assert first.result == JobRun.Result.SUCCEEDED, first.error
    second = run_now("export_results")
    assert second.result == JobRun.Result.SUCCEEDED
    modes = list(ExportRun.objects.order_by("id").values_list("mode", "staff_number", "terminal_number"))
    assert modes == [("full", "SYSTEM", "BATCH"), ("delta", "SYSTEM", "BATCH")]


def test_a_transaction_still_open_holds_the_window_back_to_before_it_began(ledger, settings):
    """A history row is dated when written, not when committed: a run must not close its window past
    a transaction that may still commit rows dated before the run."""
    import psycopg

    db = settings.DATABASES["default"]
    other = psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        dbname=db["NAME"],
        autocommit=False,
    )
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT now()")
            began = cursor.fetchone()[0]
        done = run(full=True)
        assert done.until < began
        other.rollback()  # the transaction ends: the window closes at the run's start again
        assert run(full=True).until > began
    finally:
        other.close()


def test_a_write_off_on_the_ground_of_a_suspension_sends_the_suspension_again_with_its_extinction(
    ledger, people
):
    from taxpayers.models import WriteOffReason, WrittenOff

    officer, supervisor = people
    assessment = Assessment.objects.get(notice_number="210000101")
    draft = disposition_services.draft_disposition(
        actor=Actor.for_staff(officer, "T0001"),
        taxpayer=assessment.taxpayer,
        assessment_ids=[assessment.pk],
        code="07",
        category="71",
        reason="財産調査の結果、滞納処分をすることができる財産がない",
        planned_on=date(2022, 1, 10),
    )
    stop = disposition_services.approve_disposition(
        actor=Actor.for_staff(supervisor, "T0001"), disposition=draft, disposed_on=date(2022, 1, 10)
    )
    run(full=True)
    actor = Actor.for_staff(supervisor, "T0001")
    with acting_as(actor):
        written_off = WrittenOff(
            assessment=assessment,
            written_off_on=date(2025, 3, 31),
            fiscal_year=2024,
            reason=WriteOffReason.SUSPENSION_THREE_YEARS,
            article="地方税法第15条の7第4項",
            extinguished_on=date(2025, 1, 10),
            principal=65_000,
            demand_fee=100,
            late_charge=0,
            source="F2025000001",
        )
        stamp(written_off, actor)
        save_tracked(written_off, reason="不納欠損決議 F2025000001")
    delta = run()
    [gone] = read(delta, "kesson.csv")
    assert (gone["通知書番号"], gone["不納欠損事由"], gone["消滅年月日"]) == (
        "210000101",
        "suspension_3y",
        "2025-01-10",
    )
    [again] = read(delta, "shikkoteishi.csv")
    assert (again["執行停止管理番号"], again["執行停止の号"], again["消滅事由"], again["消滅年月日"]) == (
        stop.number,
        "1",
        "suspension_3y",
        "2025-01-10",
    )


def test_a_relief_row_carries_the_standings_exempted_amount_as_of_until_and_reruns_identically(
    ledger, people, exchange_outbound
):
    """The 延滞金減免情報 row of a 執行停止 carries the 免除額 the standing computes on the day of
    `until` (the ledger's own figure), not the period alone; a change recorded after `until`
    alters neither that row nor any byte of a rerun, and a later run shows the new amount."""
    from dispositions.models import DispositionRow
    from taxpayers.standing import standings_for

    officer, supervisor = people
    assessment = Assessment.objects.get(notice_number="210000101")
    draft = disposition_services.draft_disposition(
        actor=Actor.for_staff(officer, "T0001"),
        taxpayer=assessment.taxpayer,
        assessment_ids=[assessment.pk],
        code="07",
        category="71",
        reason="財産調査の結果、滞納処分をすることができる財産がない",
        planned_on=date(2022, 1, 10),
    )
    stop = disposition_services.approve_disposition(
        actor=Actor.for_staff(supervisor, "T0001"), disposition=draft, disposed_on=date(2022, 1, 10)
    )

    def ledger_exempted() -> int:
        [standing] = standings_for([Assessment.objects.get(pk=assessment.pk)], as_of=timezone.localdate())
        return sum(
            line.amount for line in standing.settlement.late_charge_reliefs if line.relief.ref == stop.number
        )

    before = ledger_exempted()
    assert before > 0  # years of 延滞金 exempted from 2022-01-10
    first = run(full=True, until=timezone.now())
    [relief] = [row for row in read(first, "entai.csv") if row["延滞金減免管理番号"] == stop.number]
    assert (relief["免除区分"], relief["開始年月日"], relief["終了年月日"]) == ("1", "2022-01-10", "")
    assert relief["免除金額"] == str(before)
    assert relief["免除金額の算定日"] == timezone.localdate().isoformat()

    # after `until`: the 執行停止 found to have ended in 2023 (取消 on 2023-01-10)
    actor = Actor.for_staff(supervisor, "T0001")
    with acting_as(actor):
        row = DispositionRow.objects.get(disposition=stop)
        row.cancelled_on, row.cancellation_category = date(2023, 1, 10), "9"
        stamp(row, actor)
        save_tracked(row, reason="執行停止の取消")
    after = ledger_exempted()
    assert 0 < after < before

    again = services.rerun(run=first, staff_number="S9001", terminal_number="T0001")
    assert again.checksum == first.checksum
    assert (exchange_outbound / again.folder / "entai.csv").read_bytes() == (
        exchange_outbound / first.folder / "entai.csv"
    ).read_bytes()
    [later] = [row for row in read(run(), "entai.csv") if row["延滞金減免管理番号"] == stop.number]
    assert (later["終了年月日"], later["免除金額"]) == ("2023-01-09", str(after))
