"""Every periodic job, declared once: its name, its Japanese label, when it runs (crontab, in
TIME_ZONE) and what it does. `manage.py run_scheduler` (APScheduler) enqueues each one on its
schedule as the task `jobs.tasks.run_job`; the task worker (`manage.py run_worker`) runs it and
records a `JobRun`. Nothing here runs a job by itself.

Order in the night matters: 消込 (reconcile) first, so that the detection of 過誤納金, the judging
of promises and pledges, the 督促 and 不納欠損 candidates and the dashboard's 整理未済額 read today's
balances.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from wako_collections.eras import format_date  # what the pages' `wareki` filter shows


@dataclass(frozen=True)
class Outcome:
    summary: str
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Job:
    name: str
    label: str
    cron: str  # minute hour day month day_of_week, as crontab(5)
    run: Callable[[], Outcome]
    enabled: Callable[[], bool] = lambda: True

    @property
    def when(self) -> str:
        """The schedule as staff read it (毎日 5時30分, 10分ごと, 毎月1日 4時00分)."""
        minute, hour, day, _month, _weekday = self.cron.split()
        if minute.startswith("*/") and hour == "*":
            return f"{minute[2:]}分ごと"
        at = f"{int(hour)}時{int(minute):02d}分"
        return f"毎月{int(day)}日 {at}" if day != "*" else f"毎日 {at}"


def _reconcile() -> Outcome:
    from taxpayers.models import ReconcileRun
    from taxpayers.reconciliation import reconcile

    # every installment on the 1st of the month (the daily run's result is the same; the full run
    # also rewrites a stored balance changed by anything but reconcile)
    s = reconcile(full=timezone.localdate().day == 1)
    scope = ReconcileRun.Scope(s.scope).label
    return Outcome(
        f"基準日 {format_date(s.as_of)}（{scope}）: 期別 {s.installments:,}件を計算（変更 {s.changed:,}件）、"
        f"滞納 {s.delinquent_taxpayers:,}人",
        {"期別": s.installments, "変更": s.changed, "滞納者": s.delinquent_taxpayers},
    )


def _dashboard_figures() -> Outcome:
    """After 消込: 整理未済額の内訳 reads today's balances."""
    from audit.dashboard import store_figures

    stored = store_figures(today=timezone.localdate())
    total = sum(amount for _, amount in stored.breakdown)
    return Outcome(
        f"基準日 {format_date(stored.as_of)}: 収納率 {len(stored.rates)}行、月末 {len(stored.months)}か月、"
        f"整理未済額 {total:,}円（{stored.seconds:.0f}秒）",
        {"収納率の行": len(stored.rates), "月末": len(stored.months), "整理未済額": total},
    )


def _evaluate_promises() -> Outcome:
    from negotiations.services import evaluate_pledges, evaluate_promises

    promises = evaluate_promises()
    pledges = evaluate_pledges()
    return Outcome(
        f"約束: 履行 {promises.kept}件、一部履行 {promises.partly_kept}件、不履行 {promises.broken}件 ／ "
        f"分納誓約: 完了 {pledges.kept}件、不履行 {pledges.broken}件",
        {
            "約束の履行": promises.kept,
            "約束の一部履行": promises.partly_kept,
            "約束の不履行": promises.broken,
            "分納誓約の完了": pledges.kept,
            "分納誓約の不履行": pledges.broken,
        },
    )


def _demand_candidates() -> Outcome:
    """Counts today's 督促 candidates for the 帳票の一括発行 page; issuing stays a person's decision
    (the batch is confirmed on its preview)."""
    from documents.batches import demand_candidates, summary

    found = summary(demand_candidates(timezone.localdate()))
    return Outcome(
        f"督促状の対象: {found['taxpayers']:,}人・{found['installments']:,}期別・{found['amount']:,}円",
        {"対象者": found["taxpayers"], "期別": found["installments"], "金額": found["amount"]},
    )


def _detect_overpayments() -> Outcome:
    """過誤納金 the day's payments reveal join the queue (after 消込). Each is added once
    (`refunds_overpayment_once_per_payment`), so a second run the same night adds nothing. The
    actor is the batch's own (職員番号 SYSTEM, 端末 BATCH), as `manage.py detect_overpayments` names it."""
    from refunds.detection import detect_overpayments
    from wako_collections.actors import Actor, acting_as

    today = timezone.localdate()
    actor = Actor.batch()
    with acting_as(actor):
        found = detect_overpayments(actor=actor, as_of=today)
    amount = sum(overpayment.amount for overpayment in found)
    return Outcome(
        f"基準日 {format_date(today)}: 新たな過誤納金 {len(found):,}件・{amount:,}円（充当・還付の処理待ちに追加）",
        {"過誤納金": len(found), "金額": amount},
    )


def _writeoff_candidates() -> Outcome:
    """Extracts today's 不納欠損 candidates (時効完成, 執行停止3年, 即時消滅) and stores them for the
    candidates page (`dispositions.writeoffs.store_writeoff_candidates`: a ledger per candidate,
    minutes at 100,000 persons, so not in a request); drafting a 決議 stays an officer's act (the
    page, or `manage.py draft_writeoff_run`), and its approval a supervisor's. Writes only the
    derived list."""
    from dispositions.writeoffs import store_writeoff_candidates

    stored = store_writeoff_candidates(on=timezone.localdate())
    taxpayers = stored.candidates.values("assessment__taxpayer_id").distinct().count()
    return Outcome(
        f"不納欠損の候補: {taxpayers:,}人・{stored.count:,}期別・{stored.amount:,}円（決議の起案は職員が行う）",
        {"対象者": taxpayers, "期別": stored.count, "金額": stored.amount},
    )


def _sweep_import_spool() -> Outcome:
    from taxpayers import spool

    result = spool.sweep()
    return Outcome(
        f"削除したファイル {result.files_deleted}件、異常終了とした取込 {result.imports_failed}件",
        {"削除": result.files_deleted, "異常終了": result.imports_failed},
    )


def _retention_dry_run() -> Outcome:
    """Only the dry run: the real purge needs its operator to read the count and confirm it."""
    from audit.retention import purge

    run = purge(
        operator=settings.RETENTION_REPORT_OPERATOR,
        today=timezone.localdate(),
        years=settings.RETENTION_YEARS,
        dry_run=True,
    )
    return Outcome(
        f"保存期間の試行（基準日 {format_date(run.cutoff)}）: 照会記録 {run.access_logs_deleted}件・認証ログ "
        f"{run.security_events_deleted}件・個人番号 {len(run.numbers_cleared)}人が削除対象。"
        f"削除は確認コード {run.confirmation} で実行者が行う",
        {
            "照会記録": run.access_logs_deleted,
            "認証ログ": run.security_events_deleted,
            "個人番号": len(run.numbers_cleared),
        },
    )


def _backup() -> Outcome:
    from accounts.events import record_event
    from accounts.models import SecurityEvent
    from wako_collections.backups import backup

    path = Path(settings.BACKUP_DIR) / f"wako-{timezone.localtime():%Y%m%d-%H%M%S}.dump"
    digest = backup(path, tighten_directory=True)
    record_event(
        SecurityEvent.Kind.BACKUP_MADE,
        staff_number="SYSTEM",
        terminal_number="BATCH",
        detail=f"{path.name} sha256 {digest}",
    )
    return Outcome(f"{path.name}（{path.stat().st_size:,} バイト）", {"バイト": path.stat().st_size})


def _forget_form_submissions() -> Outcome:
    """A form's token matters while its page may be resent; a day later it is only a row."""
    from datetime import timedelta

    from wako_collections.models import FormSubmission

    deleted, _ = FormSubmission.objects.filter(submitted_at__lt=timezone.now() - timedelta(days=1)).delete()
    return Outcome(f"1日を過ぎた送信番号 {deleted:,}件を削除", {"削除": deleted})


def _export_results() -> Outcome:
    """逆連携: the day's changes to the 税務システム (a delta from the last successful run, or everything
    on the first night). A failed run writes nothing and is logged; the job then fails too."""
    from exchange.models import ExportRun
    from exchange.services import last_successful_until, run_export
    from wako_collections.actors import BATCH_TERMINAL_NUMBER

    run = run_export(
        staff_number="SYSTEM", terminal_number=BATCH_TERMINAL_NUMBER, full=last_successful_until() is None
    )
    if run.status != ExportRun.Status.SUCCEEDED:
        raise RuntimeError(f"逆連携 {run.pk} が異常終了しました: {run.error}")
    return Outcome(
        f"逆連携 {run.pk}（{run.get_mode_display()}）: {run.total_rows:,}行を {run.folder} に書き出し",
        dict(run.counts),
    )


JOBS: dict[str, Job] = {
    job.name: job
    for job in [
        Job("reconcile", "消込（調定と収納の突合）", "0 5 * * *", _reconcile),
        Job("evaluate_promises", "約束・分納誓約の判定", "30 5 * * *", _evaluate_promises),
        Job("detect_overpayments", "過誤納金の検出", "15 5 * * *", _detect_overpayments),
        Job("demand_candidates", "督促状の対象の抽出", "0 6 * * *", _demand_candidates),
        Job("export_results", "税務システムへの逆連携", "30 6 * * *", _export_results),
        Job("writeoff_candidates", "不納欠損の候補の抽出", "15 6 * * *", _writeoff_candidates),
        Job("dashboard_figures", "ダッシュボードの集計", "15 6 * * *", _dashboard_figures),
        Job("sweep_import_spool", "取込ファイルの掃除", "*/10 * * * *", _sweep_import_spool),
        Job("forget_form_submissions", "二重送信防止の番号の整理", "15 3 * * *", _forget_form_submissions),
        Job(
            "retention_dry_run",
            "保存期間の試行（件数の報告のみ）",
            "0 4 1 * *",
            _retention_dry_run,
            enabled=lambda: bool(settings.RETENTION_REPORT_OPERATOR),
        ),
        Job(
            "backup",
            "バックアップの書き出し",
            "0 2 * * *",
            _backup,
            enabled=lambda: bool(settings.BACKUP_DIR),
        ),
    ]
}


def enabled_jobs() -> list[Job]:
    return [job for job in JOBS.values() if job.enabled()]
