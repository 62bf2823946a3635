"""不納欠損: which installments' claims are extinguished (candidates), the 決議 drafted by an officer and
approved by a second person (four eyes), and the 不納欠損決議書's figures.

A claim is extinguished, and waits for 不納欠損, when:
- its 時効 completed (地方税法第18条第1項: no invoking needed) — the chain of `taxpayers.chains`;
- a 執行停止 over it has lasted three years (地方税法第15条の7第4項) — an approved, uncancelled
  disposition with code 執行停止, extinguished on the last day of the three years;
- its 即時消滅 was decided (同条第5項) — an approved, uncancelled disposition with code 即時消滅,
  extinguished on its 処分日.
When several apply, the earliest day counts. The amounts are the ledger's (`taxpayers.ledger`) on
that day: 本税, 督促手数料 and the 延滞金 accrued to it.

Approval writes one `taxpayers.WrittenOff` per line — the recorded fact the ledger, `reconcile`,
the letters, the queues, the 滞納者一覧 and the dashboard read — and nothing is deleted.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from dispositions.models import (
    Disposition,
    DispositionCode,
    DispositionRow,
    WriteOffCancellation,
    WriteOffCandidate,
    WriteOffCandidateList,
    WriteOffLine,
    WriteOffRun,
)
from dispositions.services import suspension_ends_on
from taxpayers.chains import time_barred_on
from taxpayers.ledger import InstallmentLine, ledger_for
from taxpayers.models import WRITE_OFF_ARTICLES, Assessment, InstallmentBalance, WriteOffReason, WrittenOff
from taxpayers.subjects import Subject
from wako_collections.actors import Actor, acting_as
from wako_collections.eras import fiscal_year_label, format_date
from wako_collections.numbering import NumberKind
from wako_collections.records import next_number, save_tracked, stamp

# 出納閉鎖: 会計年度終了後の5月31日 (地方自治法第235条の5). A 年度's write-offs are decided by then.
CLOSING_MONTH, CLOSING_DAY = 5, 31


class WriteOffError(Exception):
    """A refused 不納欠損 action; the message is shown to staff."""


class NothingToWriteOff(WriteOffError):
    """No installment is extinguished and free to be drafted (a yearly run finds nothing new)."""


def closing_day(fiscal_year: int) -> date:
    """出納閉鎖の日 of `fiscal_year`: 31 May of the next calendar year."""
    return date(fiscal_year + 1, CLOSING_MONTH, CLOSING_DAY)


def fiscal_year_for(day: date) -> int:
    """The 年度 a write-off decided on `day` is counted in: until 出納閉鎖 (31 May) the year just
    ended, so that the yearly run before 出納閉鎖 closes it; from 1 June the current one."""
    return day.year - 1 if (day.month, day.day) <= (CLOSING_MONTH, CLOSING_DAY) else day.year


@dataclass(frozen=True)
class Candidate:
    assessment: Assessment
    reason: str
    extinguished_on: date
    basis: str
    principal: int
    demand_fee: int
    late_charge: int

    @property
    def article(self) -> str:
        return WRITE_OFF_ARTICLES[WriteOffReason(self.reason)]

    @property
    def total(self) -> int:
        return self.principal + self.demand_fee + self.late_charge

    def get_reason_display(self) -> str:
        return WriteOffReason(self.reason).label

    def recorded(self) -> dict:
        """The columns a stored candidate (WriteOffCandidate) and a 決議's line (WriteOffLine) share."""
        return {
            "assessment": self.assessment,
            "reason": self.reason,
            "article": self.article,
            "extinguished_on": self.extinguished_on,
            "basis": self.basis,
            "principal": self.principal,
            "demand_fee": self.demand_fee,
            "late_charge": self.late_charge,
        }


def amounts_on(assessment: Assessment, *, on: date) -> InstallmentLine | None:
    """What the installment owed on `on` — 本税, 督促手数料 and 延滞金 to that day — from the ledger
    (the one call to switch when the standing module arrives). One ledger of its taxpayer."""
    ledger = ledger_for(
        assessment.taxpayer, as_of=on, tax_year=assessment.tax_year, subject=assessment.subject_code
    )
    return next((line for line in ledger.lines if line.assessment.pk == assessment.pk), None)


def _extinctions(*, on: date, assessment_ids: Iterable[int] | None) -> dict[int, tuple[str, date, str]]:
    """Each installment whose claim was extinguished by `on` (strictly before, for the periods;
    on or before, for a 即時消滅): (reason, day, basis), the earliest reason winning."""
    found: dict[int, tuple[str, date, str]] = {}

    def keep(assessment_id: int, reason: str, day: date, basis: str) -> None:
        if assessment_id not in found or day < found[assessment_id][1]:
            found[assessment_id] = (reason, day, basis)

    rows = DispositionRow.objects.filter(
        disposition__status=Disposition.Status.APPROVED,
        disposition_code__in=[DispositionCode.SUSPENSION, DispositionCode.IMMEDIATE_EXTINCTION],
        cancelled_on__isnull=True,
        disposed_on__isnull=False,
        disposed_on__lte=on,
    ).select_related("disposition")
    barred = Assessment.objects.filter(
        balance__status=InstallmentBalance.Status.DELINQUENT, balance__prescription_date__lt=on
    ).prefetch_related("prescription_events", "payments")
    if assessment_ids is not None:
        ids = list(assessment_ids)
        rows = rows.filter(assessment_id__in=ids)
        barred = barred.filter(pk__in=ids)
    for row in rows:
        disposed_on = row.disposed_on
        if disposed_on is None:  # excluded by the query; an approved row always has its 処分日
            continue
        if row.disposition_code == DispositionCode.IMMEDIATE_EXTINCTION:
            keep(
                row.assessment_id,
                WriteOffReason.IMMEDIATE_EXTINCTION,
                disposed_on,
                f"即時消滅 {row.disposition.number}",
            )
        else:
            ends = suspension_ends_on(disposed_on)
            if ends < on:
                keep(
                    row.assessment_id,
                    WriteOffReason.SUSPENSION_THREE_YEARS,
                    ends,
                    f"執行停止 {row.disposition.number}（{format_date(disposed_on)}〜）",
                )
    # A chain only moves the 時効予定日 later, so the reconciled base date narrows the search.
    for assessment in barred.iterator(chunk_size=2_000):
        completed_on = time_barred_on(assessment, on=on)
        if completed_on:
            keep(assessment.pk, WriteOffReason.PRESCRIPTION, completed_on, "時効完成")
    return found


def writeoff_candidates(
    *, on: date, assessment_ids: Iterable[int] | None = None, for_run: WriteOffRun | None = None
) -> list[Candidate]:
    """Installments extinguished by `on`, not yet written off nor on a pending 決議 (but `for_run`'s
    own lines, when re-checking it), with something owed on the day they were extinguished.
    Cost: one query for the dispositions, one per 2,000 installments chained, and a ledger (four
    queries) per installment."""
    found = _extinctions(on=on, assessment_ids=assessment_ids)
    taken = set(
        WrittenOff.objects.filter(assessment_id__in=found, cancelled_on__isnull=True).values_list(
            "assessment_id", flat=True
        )
    )
    pending = WriteOffLine.objects.filter(assessment_id__in=found, run__status=WriteOffRun.Status.DRAFT)
    if for_run is not None:
        pending = pending.exclude(run=for_run)
    taken |= set(pending.values_list("assessment_id", flat=True))
    assessments = Assessment.objects.select_related("taxpayer").in_bulk(
        [pk for pk in found if pk not in taken]
    )
    result = []
    for pk, assessment in assessments.items():
        reason, day, basis = found[pk]
        line = amounts_on(assessment, on=day)
        if line is None or line.settlement.outstanding_total == 0:
            continue
        result.append(
            Candidate(
                assessment,
                reason,
                day,
                basis,
                line.settlement.outstanding_principal,
                line.settlement.outstanding_fee,
                line.settlement.late_charge,
            )
        )
    return sorted(
        result,
        key=lambda c: (
            c.assessment.taxpayer.atena_number,
            c.assessment.tax_year,
            c.assessment.subject_code,
            c.assessment.pk,
        ),
    )


def store_writeoff_candidates(*, on: date) -> WriteOffCandidateList:
    """Computes the candidates of `on` (`writeoff_candidates`: the standing of each extinguished
    installment) and keeps them as the one stored list, replacing the previous one, for the
    candidates page. Run by the scheduled job `writeoff_candidates` after 消込 (minutes at 100,000
    persons: a ledger per candidate), not by a request. Returns the stored list's header."""
    started = time.perf_counter()
    found = writeoff_candidates(on=on)
    with transaction.atomic():
        WriteOffCandidateList.objects.all().delete()
        extraction = WriteOffCandidateList.objects.create(
            as_of=on,
            computed_at=timezone.now(),
            seconds=time.perf_counter() - started,
            count=len(found),
            amount=sum(c.total for c in found),
        )
        WriteOffCandidate.objects.bulk_create(
            (
                WriteOffCandidate(extraction=extraction, position=position, **c.recorded())
                for position, c in enumerate(found)
            ),
            batch_size=2_000,
        )
    with connection.cursor() as cursor:  # a fresh list: let the planner read the page by position
        cursor.execute(f"ANALYZE {WriteOffCandidate._meta.db_table}")
    return extraction


def stored_candidates() -> tuple[WriteOffCandidateList | None, QuerySet[WriteOffCandidate]]:
    """The newest stored candidate list (None before the job first ran) and its candidates still
    open now, in the list's order: those written off (an uncancelled `WrittenOff`) or on a 決議
    awaiting 決裁 since the list was computed are left out. Indexed (the list's position, two
    anti-joins on the installment); page it. Drafting re-checks each chosen installment against
    the standing (`draft_writeoff_run`)."""
    extraction = WriteOffCandidateList.objects.order_by("-as_of").first()
    if extraction is None:
        return None, WriteOffCandidate.objects.none()
    open_ones = (
        _still_open(extraction.candidates.all()).select_related("assessment__taxpayer").order_by("position")
    )
    return extraction, open_ones


def newest_open_candidates() -> QuerySet[WriteOffCandidate]:
    """The candidates `stored_candidates` lists, without reading the list first (the newest list
    is a subquery): for ホーム, which counts it with its other counts in one statement. Empty before
    the job first ran."""
    newest = WriteOffCandidateList.objects.order_by("-as_of").values("pk")[:1]
    return _still_open(WriteOffCandidate.objects.filter(extraction=Subquery(newest)))


def _still_open(candidates: QuerySet[WriteOffCandidate]) -> QuerySet[WriteOffCandidate]:
    """Those not written off (an uncancelled `WrittenOff`) nor on a 決議 awaiting 決裁."""
    written_off = WrittenOff.objects.filter(assessment=OuterRef("assessment"), cancelled_on__isnull=True)
    pending = WriteOffLine.objects.filter(
        assessment=OuterRef("assessment"), run__status=WriteOffRun.Status.DRAFT
    )
    return candidates.filter(~Exists(written_off), ~Exists(pending))


def draft_writeoff_run(
    *,
    actor: Actor,
    as_of: date,
    fiscal_year: int,
    assessment_ids: Sequence[int] | None = None,
    note: str = "",
) -> WriteOffRun:
    """起案: a 決議 of the chosen candidates on `as_of` (all of them when `assessment_ids` is None)."""
    today = timezone.localdate()
    if as_of > today:
        raise WriteOffError(f"基準日（{format_date(as_of)}）は本日以前の日を入力してください。")
    if today > closing_day(fiscal_year):
        raise WriteOffError(
            f"{fiscal_year_label(fiscal_year)}は出納閉鎖（{format_date(closing_day(fiscal_year))}）を過ぎています。"
            f"{fiscal_year_label(fiscal_year_for(today))}の不納欠損として起案してください。"
        )
    if today < date(fiscal_year, 4, 1):
        raise WriteOffError(f"{fiscal_year_label(fiscal_year)}はまだ始まっていません。")
    candidates = writeoff_candidates(on=as_of, assessment_ids=assessment_ids)
    if assessment_ids is not None:
        wanted = set(assessment_ids)
        chosen = [c for c in candidates if c.assessment.pk in wanted]
        if len(chosen) != len(wanted):
            raise WriteOffError(
                "不納欠損の対象でない期別が含まれています（消滅していない、欠損済み、または決裁待ちの決議にある期別）。"
            )
    else:
        chosen = candidates
    if not chosen:
        raise NothingToWriteOff("不納欠損の対象となる期別がありません。")
    with transaction.atomic(), acting_as(actor):
        run = WriteOffRun(
            number=next_number(WriteOffRun, "number", NumberKind.WRITE_OFF.prefix(today)),
            fiscal_year=fiscal_year,
            as_of=as_of,
            note=note.strip(),
            drafted_by=actor.staff_number,
            drafted_terminal=actor.terminal_number,
            drafted_at=timezone.now(),
        )
        stamp(run, actor)
        save_tracked(run, reason=f"起案（{len(chosen)}件）")
        for candidate in chosen:
            line = WriteOffLine(run=run, **candidate.recorded())
            stamp(line, actor)
            save_tracked(line, reason="起案")
    return run


def _as_drafted(line: WriteOffLine | Candidate) -> tuple:
    return (line.reason, line.extinguished_on, line.principal, line.demand_fee, line.late_charge)


def approve_writeoff_run(*, actor: Actor, run: WriteOffRun, on: date | None = None) -> WriteOffRun:
    """決裁 by a second person holding 滞納処分の決裁: each line's installment becomes 欠損 (one
    `WrittenOff` each, with its date and reason), and its balance is reconciled, so it leaves the
    outstanding ledger at once. Refused when a line no longer stands as drafted (a 執行停止 cancelled,
    a payment received, already written off): withdraw and draft again."""
    from taxpayers.reconciliation import reconcile

    with transaction.atomic(), acting_as(actor):
        run = WriteOffRun.objects.select_for_update().get(pk=run.pk)
        if not run.is_draft:
            raise WriteOffError(f"この決議は{run.get_status_display()}のため決裁できません。")
        if actor.staff is not None and not actor.staff.has_perm("accounts.approve_dispositions"):
            raise WriteOffError("不納欠損の決裁には滞納処分の決裁の権限が必要です。")
        if actor.staff_number == run.drafted_by:
            raise WriteOffError(
                "起案した職員は自分の起案を決裁できません。他の監督者に決裁を依頼してください。"
            )
        day = on or timezone.localdate()
        if not date(run.fiscal_year, 4, 1) <= day <= closing_day(run.fiscal_year):
            raise WriteOffError(
                f"{fiscal_year_label(run.fiscal_year)}の不納欠損は{format_date(closing_day(run.fiscal_year))}"
                "（出納閉鎖）までに決裁してください。取り下げて、今年度の決議として起案し直してください。"
            )
        lines = list(run.lines.select_related("assessment"))
        now = {
            c.assessment.pk: c
            for c in writeoff_candidates(
                on=run.as_of, assessment_ids=[x.assessment_id for x in lines], for_run=run
            )
        }
        changed = [
            line
            for line in lines
            if line.assessment_id not in now or _as_drafted(line) != _as_drafted(now[line.assessment_id])
        ]
        if changed:
            raise WriteOffError(
                "起案の後に状況が変わった期別があります（"
                + "、".join(str(line.assessment) for line in changed[:5])
                + (" ほか" if len(changed) > 5 else "")
                + "）。この決議を取り下げて、起案し直してください。"
            )
        run.status = WriteOffRun.Status.APPROVED
        run.approved_by = actor.staff_number
        run.approved_terminal = actor.terminal_number
        run.approved_at = timezone.now()
        run.written_off_on = day
        save_tracked(
            run,
            reason=f"決裁（起案 {run.drafted_by}、決裁 {actor.staff_number}）",
            update_fields=[
                "status",
                "approved_by",
                "approved_terminal",
                "approved_at",
                "written_off_on",
                *stamp(run, actor),
            ],
        )
        cancelled = {
            fact.assessment_id: fact
            for fact in WrittenOff.objects.select_for_update().filter(
                assessment_id__in=[line.assessment_id for line in lines], cancelled_on__isnull=False
            )
        }
        for line in lines:
            # an earlier 欠損 of the same installment, cancelled, is written over (its history keeps it)
            fact = cancelled.get(line.assessment_id) or WrittenOff(assessment=line.assessment)
            fact.written_off_on = day
            fact.fiscal_year = run.fiscal_year
            fact.reason = line.reason
            fact.article = line.article
            fact.extinguished_on = line.extinguished_on
            fact.principal, fact.demand_fee, fact.late_charge = (
                line.principal,
                line.demand_fee,
                line.late_charge,
            )
            fact.source = run.number
            fact.cancelled_on, fact.cancellation_source = None, ""
            stamp(fact, actor)
            save_tracked(fact, reason=f"不納欠損 {run.number}（{line.get_reason_display()}・{line.article}）")
        reconcile(assessment_ids=[line.assessment_id for line in lines])
    return run


def reject_writeoff_run(*, actor: Actor, run: WriteOffRun, note: str) -> WriteOffRun:
    """却下 by a second person holding 滞納処分の決裁, with the reason: nothing is written off, and the
    installments may be drafted again."""
    if not note.strip():
        raise WriteOffError("却下の理由を入力してください。")
    with transaction.atomic(), acting_as(actor):
        run = WriteOffRun.objects.select_for_update().get(pk=run.pk)
        if not run.is_draft:
            raise WriteOffError(f"この決議は{run.get_status_display()}のため却下できません。")
        if actor.staff is not None and not actor.staff.has_perm("accounts.approve_dispositions"):
            raise WriteOffError("不納欠損の却下には滞納処分の決裁の権限が必要です。")
        if actor.staff_number == run.drafted_by:
            raise WriteOffError("起案した職員は自分の起案を却下できません。取り下げてください。")
        run.status = WriteOffRun.Status.REJECTED
        run.approved_by = actor.staff_number
        run.approved_terminal = actor.terminal_number
        run.approved_at = timezone.now()
        run.decision_note = note.strip()
        save_tracked(
            run,
            reason=f"却下: {note.strip()}",
            update_fields=[
                "status",
                "approved_by",
                "approved_terminal",
                "approved_at",
                "decision_note",
                *stamp(run, actor),
            ],
        )
    return run


def withdraw_writeoff_run(*, actor: Actor, run: WriteOffRun, note: str = "") -> WriteOffRun:
    """取下げ by its drafter while it waits: the run and its lines stay, as 取下げ."""
    with transaction.atomic(), acting_as(actor):
        run = WriteOffRun.objects.select_for_update().get(pk=run.pk)
        if not run.is_draft:
            raise WriteOffError(f"この決議は{run.get_status_display()}のため取り下げられません。")
        if actor.staff_number != run.drafted_by:
            raise WriteOffError("決議を取り下げられるのは起案した職員だけです。")
        run.status = WriteOffRun.Status.WITHDRAWN
        run.decision_note = note.strip()
        save_tracked(
            run,
            reason=f"取下げ{': ' + note.strip() if note.strip() else ''}",
            update_fields=["status", "decision_note", *stamp(run, actor)],
        )
    return run


@dataclass
class Sum:
    label: str
    count: int = 0
    principal: int = 0
    demand_fee: int = 0
    late_charge: int = 0

    @property
    def total(self) -> int:
        return self.principal + self.demand_fee + self.late_charge

    def add(self, line) -> None:
        self.count += 1
        self.principal += line.principal
        self.demand_fee += line.demand_fee
        self.late_charge += line.late_charge


@dataclass
class Resolution:
    run: WriteOffRun
    lines: list[WriteOffLine]
    by_reason: list[Sum] = field(default_factory=list)
    by_subject: list[Sum] = field(default_factory=list)
    by_year: list[Sum] = field(default_factory=list)
    total: Sum = field(default_factory=lambda: Sum("合計"))


def resolution(run: WriteOffRun) -> Resolution:
    """不納欠損決議書's figures: the lines, and their totals by 事由, 科目 and 年度分. Two queries."""
    lines = list(run.lines.select_related("assessment", "assessment__taxpayer"))
    reasons: dict[str, Sum] = {}
    subjects: dict[str, Sum] = {}
    years: dict[int, Sum] = {}
    result = Resolution(run, lines)
    for line in lines:
        reasons.setdefault(line.reason, Sum(f"{line.get_reason_display()}（{line.article}）")).add(line)
        code = line.assessment.subject_code
        subjects.setdefault(code, Sum(Subject(code).label)).add(line)
        years.setdefault(
            line.assessment.tax_year, Sum(f"{fiscal_year_label(line.assessment.tax_year)}分")
        ).add(line)
        result.total.add(line)
    result.by_reason = [reasons[r] for r in WriteOffReason.values if r in reasons]
    result.by_subject = [subjects[c] for c in sorted(subjects)]
    result.by_year = [years[y] for y in sorted(years)]
    return result


# --- 不納欠損の取消 -----------------------------------------------------------------------------


def why_still_owed(written_off: WrittenOff, *, on: date) -> str:
    """Why the claim of a written-off installment was in fact not extinguished, as the records stand
    on `on` — or "" when it was: its 時効 has completed (地方税法第18条第1項; never revived, 同条第2項),
    or an approved, uncancelled 執行停止 has lasted three years (第15条の7第4項) or 即時消滅 was decided (同条
    第5項). Reads the installment's 時効 chain and its dispositions (a few queries)."""
    assessment = Assessment.objects.prefetch_related("prescription_events", "payments").get(
        pk=written_off.assessment_id
    )
    barred = time_barred_on(assessment, on=on)
    if barred:
        return ""
    rows = DispositionRow.objects.filter(
        assessment_id=assessment.pk,
        disposition__status=Disposition.Status.APPROVED,
        disposition_code__in=[DispositionCode.SUSPENSION, DispositionCode.IMMEDIATE_EXTINCTION],
        cancelled_on__isnull=True,
        disposed_on__isnull=False,
        disposed_on__lte=on,
    )
    for row in rows:
        if row.disposition_code == DispositionCode.IMMEDIATE_EXTINCTION:
            return ""
        if row.disposed_on is not None and suspension_ends_on(row.disposed_on) < on:
            return ""
    return (
        f"記録された消滅日（{format_date(written_off.extinguished_on)}、{written_off.get_reason_display()}）に"
        f"徴収権は消滅していません。{format_date(on)}現在、時効は完成しておらず（時効の経過による）、"
        "3年を経過した執行停止も即時消滅もありません。"
    )


def _extinguished_message() -> str:
    return (
        "この期別の徴収権は法律により消滅しています（時効の完成: 地方税法第18条第1項・第2項、執行停止3年: "
        "第15条の7第4項、即時消滅: 同条第5項）。消滅した徴収権は復活しないため、不納欠損を取り消すことはできません。"
    )


def draft_writeoff_cancellation(
    *, actor: Actor, written_off: WrittenOff, reason: str
) -> WriteOffCancellation:
    """起案 of a 不納欠損の取消: only for a 欠損 whose claim was in fact not extinguished (`why_still_owed`);
    nothing changes until a second person approves it."""
    if not reason.strip():
        raise WriteOffError("取消の理由（誤りの内容）を入力してください。")
    today = timezone.localdate()
    with transaction.atomic(), acting_as(actor):
        written_off = WrittenOff.objects.select_for_update().get(pk=written_off.pk)
        if written_off.cancelled_on is not None:
            raise WriteOffError("この不納欠損はすでに取り消されています。")
        if written_off.cancellations.filter(status=WriteOffCancellation.Status.DRAFT).exists():
            raise WriteOffError("この不納欠損には決裁待ちの取消があります。")
        finding = why_still_owed(written_off, on=today)
        if not finding:
            raise WriteOffError(_extinguished_message())
        cancellation = WriteOffCancellation(
            number=next_number(
                WriteOffCancellation, "number", NumberKind.WRITE_OFF_CANCELLATION.prefix(today)
            ),
            written_off=written_off,
            reason=reason.strip(),
            finding=finding,
            drafted_by=actor.staff_number,
            drafted_terminal=actor.terminal_number,
            drafted_at=timezone.now(),
        )
        stamp(cancellation, actor)
        save_tracked(cancellation, reason=f"不納欠損の取消の起案（{written_off.source}）")
    return cancellation


def _locked_pending_cancellation(actor: Actor, cancellation: WriteOffCancellation, what: str):
    cancellation = WriteOffCancellation.objects.select_for_update().get(pk=cancellation.pk)
    if not cancellation.is_draft:
        raise WriteOffError(f"この取消は{cancellation.get_status_display()}のため{what}できません。")
    if actor.staff is not None and not actor.staff.has_perm("accounts.approve_dispositions"):
        raise WriteOffError(f"不納欠損の取消の{what}には滞納処分の決裁の権限が必要です。")
    if actor.staff_number == cancellation.drafted_by:
        raise WriteOffError("起案した職員は自分の起案を決裁できません。他の監督者に依頼してください。")
    return cancellation


def approve_writeoff_cancellation(
    *, actor: Actor, cancellation: WriteOffCancellation
) -> WriteOffCancellation:
    """決裁 by a second person holding 滞納処分の決裁: the claim is checked again, the `WrittenOff` gets its
    取消日 and 取消番号 (never deleted), and the installment is reconciled: it is owed again, in the
    滞納者一覧 and the queues. The closed 年度's 決算 is not touched: the 取消 counts in the year it is made."""
    from taxpayers.reconciliation import reconcile

    today = timezone.localdate()
    with transaction.atomic(), acting_as(actor):
        cancellation = _locked_pending_cancellation(actor, cancellation, "決裁")
        written_off = WrittenOff.objects.select_for_update().get(pk=cancellation.written_off_id)
        if not why_still_owed(written_off, on=today):
            raise WriteOffError(_extinguished_message())
        cancellation.status = WriteOffCancellation.Status.APPROVED
        cancellation.approved_by = actor.staff_number
        cancellation.approved_terminal = actor.terminal_number
        cancellation.approved_at = timezone.now()
        stamp(cancellation, actor)
        save_tracked(
            cancellation, reason=f"決裁（起案 {cancellation.drafted_by}、決裁 {actor.staff_number}）"
        )
        written_off.cancelled_on = max(today, written_off.written_off_on)
        written_off.cancellation_source = cancellation.number
        save_tracked(
            written_off,
            reason=f"不納欠損の取消 {cancellation.number}: {cancellation.reason}",
            update_fields=["cancelled_on", "cancellation_source", *stamp(written_off, actor)],
        )
        reconcile(assessment_ids=[written_off.assessment_id])
    return cancellation


def reject_writeoff_cancellation(
    *, actor: Actor, cancellation: WriteOffCancellation, note: str
) -> WriteOffCancellation:
    """却下 by a second person holding 滞納処分の決裁, with the reason: the 欠損 stands."""
    if not note.strip():
        raise WriteOffError("却下の理由を入力してください。")
    with transaction.atomic(), acting_as(actor):
        cancellation = _locked_pending_cancellation(actor, cancellation, "却下")
        cancellation.status = WriteOffCancellation.Status.REJECTED
        cancellation.approved_by = actor.staff_number
        cancellation.approved_terminal = actor.terminal_number
        cancellation.approved_at = timezone.now()
        cancellation.decision_note = note.strip()
        stamp(cancellation, actor)
        save_tracked(cancellation, reason=f"却下: {note.strip()}")
    return cancellation
