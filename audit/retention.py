"""Retention: access logs, and the 個人番号 of closed cases, kept RETENTION_YEARS (default 7, never
under RETENTION_MINIMUM_YEARS) and then deleted, leaving a RetentionRun that says what went. A real
run needs the confirmation of a dry run the same operator made today that counted exactly the same
removal; the operator is an active member of staff with the 監査 menu.

A case is closed when nothing is owed (no balance with 本税, 督促手数料 or 延滞金 outstanding) and
nothing has happened since the cutoff: no 納期限, 収納, 交渉記録, 滞納処分 or document on or after it.
The 個人番号 is removed with the record saved one by one (history names the operator; the number
itself was never in history).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.events import record_event
from accounts.identity import canonical_staff_number
from accounts.models import SecurityEvent, Staff
from audit.models import RetentionRun
from dispositions.models import Disposition
from documents.models import Document
from negotiations.models import NegotiationRecord
from taxpayers.models import Assessment, Payment, Taxpayer, TaxpayerAccess, TaxpayerBalance
from wako_collections.actors import BATCH_TERMINAL_NUMBER, Actor, acting_as
from wako_collections.records import save_tracked, stamp


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def closed_cases(cutoff: date):
    """Taxpayers holding a 個人番号 whose case is closed as of `cutoff`."""
    owed = TaxpayerBalance.objects.filter(taxpayer=OuterRef("pk")).filter(
        Q(outstanding_principal__gt=0) | Q(outstanding_fee__gt=0) | Q(late_charge__gt=0)
    )
    recent = [
        Assessment.objects.filter(taxpayer=OuterRef("pk"), due_date__gte=cutoff),
        Payment.objects.filter(assessment__taxpayer=OuterRef("pk"), received_on__gte=cutoff),
        NegotiationRecord.objects.filter(taxpayer=OuterRef("atena_number"), input_date__gte=cutoff),
        Disposition.objects.filter(taxpayer=OuterRef("pk"), updated_on__gte=cutoff),
        Document.objects.filter(taxpayer=OuterRef("pk"), issued_on__gte=cutoff),
    ]
    cases = Taxpayer.objects.exclude(individual_number_ciphertext="").exclude(Exists(owed))
    for activity in recent:
        cases = cases.exclude(Exists(activity))
    return cases.order_by("atena_number")


class RetentionError(Exception):
    """Why a retention run was refused, in Japanese, for the operator."""


def _operator(staff_number: str) -> Actor:
    """The operator must be an active member of staff holding the 監査 menu: erasing 個人番号 is
    answered for by a named person, never SYSTEM or a number that signs in nowhere."""
    staff = Staff.objects.active().filter(staff_number=canonical_staff_number(staff_number)).first()
    if staff is None:
        raise RetentionError(
            f"実行者 {staff_number} は有効な職員ではありません。"
            "監査の権限を持つ職員の職員番号を --operator に指定してください。"
        )
    if not staff.has_perm("accounts.audit"):
        raise RetentionError(f"実行者 {staff_number} には監査の権限がありません。")
    return Actor.for_staff(staff, BATCH_TERMINAL_NUMBER)


def purge(
    *, operator: str, today: date, years: int, dry_run: bool = False, confirmation: str = ""
) -> RetentionRun:
    """A dry run counts what the cutoff would remove, records it and returns the run, whose
    `confirmation` the real run must be given. The real run is refused unless that dry run was made
    today by the same operator with the same years and the removal found now is exactly what it
    counted (nothing more, nothing less); then it removes, and records the run beside its trial.
    Both are logged as security events. Cost: one scan of each log table and the closed-case query."""
    minimum = settings.RETENTION_MINIMUM_YEARS
    if years < minimum:
        raise RetentionError(
            f"保存年数は{minimum}年以上にしてください（地方税法第18条の徴収権の時効・"
            f"第17条の5の更正・決定の期間。RETENTION_MINIMUM_YEARS={minimum}）。"
        )
    actor = _operator(operator)
    cutoff = years_before(today, years)
    with transaction.atomic(), acting_as(actor):
        logs = TaxpayerAccess.objects.filter(occurred_at__date__lt=cutoff)
        events = SecurityEvent.objects.filter(occurred_at__date__lt=cutoff)
        cases = list(closed_cases(cutoff).select_for_update())
        run = RetentionRun(
            operator=actor.staff_number,
            cutoff=cutoff,
            retention_years=years,
            dry_run=dry_run,
            access_logs_deleted=logs.count(),
            security_events_deleted=events.count(),
            numbers_cleared=[taxpayer.atena_number for taxpayer in cases],
        )
        if not dry_run:
            run.trial = _confirmed_trial(run, confirmation)
            logs.delete()
            events.delete()
            for taxpayer in cases:
                taxpayer.individual_number_ciphertext = ""
                taxpayer.individual_number_digest = ""
                fields = stamp(taxpayer, actor)
                save_tracked(
                    taxpayer,
                    reason=f"保存期間（{years}年）経過による個人番号の削除",
                    update_fields=["individual_number_ciphertext", "individual_number_digest", *fields],
                )
        run.save()
        record_event(
            SecurityEvent.Kind.RETENTION_PURGED,
            staff_number=actor.staff_number,
            terminal_number=actor.terminal_number,
            detail=(
                f"{'試行（削除なし）' if dry_run else f'削除（試行 {run.trial_id} を確認）'} "
                f"基準日 {cutoff}（{years}年）: 照会記録 {run.access_logs_deleted}件・"
                f"認証ログ {run.security_events_deleted}件・個人番号 {len(run.numbers_cleared)}人"
            ),
        )
    return run


def _confirmed_trial(run: RetentionRun, confirmation: str) -> RetentionRun:
    """The dry run that `confirmation` names, if it still describes exactly `run`."""
    again = "先に --dry-run で件数を確認し、表示された確認コードを --confirm に指定してください。"
    trial_id, _, _ = (confirmation or "").partition("-")
    trial = (
        RetentionRun.objects.select_for_update()
        .filter(pk=int(trial_id) if trial_id.isdigit() else None, dry_run=True)
        .first()
    )
    if trial is None or trial.confirmation != confirmation:
        raise RetentionError(f"確認コードが正しくありません。{again}")
    if hasattr(trial, "confirmed_by"):
        raise RetentionError(f"この確認コードの削除は既に実行されています。{again}")
    if trial.operator != run.operator:
        raise RetentionError(f"試行した職員（{trial.operator}）と実行者が違います。{again}")
    if timezone.localdate(trial.ran_at) != timezone.localdate() or trial.cutoff != run.cutoff:
        raise RetentionError(f"確認した試行は別の日・別の保存年数のものです。{again}")
    if (trial.access_logs_deleted, trial.security_events_deleted, trial.numbers_cleared) != (
        run.access_logs_deleted,
        run.security_events_deleted,
        run.numbers_cleared,
    ):
        raise RetentionError(
            "試行のあとで削除対象が変わりました"
            f"（照会記録 {trial.access_logs_deleted}→{run.access_logs_deleted}件、"
            f"認証ログ {trial.security_events_deleted}→{run.security_events_deleted}件、"
            f"個人番号 {len(trial.numbers_cleared)}→{len(run.numbers_cleared)}人）。{again}"
        )
    return trial
