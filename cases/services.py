"""Writing the case memo and its flags. Each function checks the state, then writes in one
transaction under the actor (職員番号・端末番号 on the record and on its history row), one record at
a time with a change reason. Nothing is deleted: a memo changes by versions, a flag is taken off."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from cases.models import CaseFlag, CaseMemo
from taxpayers.models import Taxpayer
from wako_collections.actors import Actor, acting_as
from wako_collections.eras import format_date
from wako_collections.records import save_tracked, stamp

MEMO_FIELDS = ("workplace", "reachable_hours", "cautions")


class CaseError(Exception):
    """A refused change; the message is shown to the officer."""


class StaleMemoError(CaseError):
    """Someone saved the memo after this editor opened it. `current` is the memo as saved; the
    editor's text is not written, and the page shows both so nothing typed is lost."""

    def __init__(self, current: CaseMemo):
        from accounts.models import Staff

        editor = (
            Staff.objects.filter(staff_number=current.updated_staff_number)
            .values_list("full_name", flat=True)
            .first()
        )
        super().__init__(
            f"この案件メモは、開いた後に {editor or ''}（職員番号 {current.updated_staff_number}）が "
            f"{format_date(current.updated_on)} {current.updated_time:%H:%M} に更新しています（版 {current.version}）。"
            "あなたの変更は保存していません。相手の変更を確認してから、もう一度入力してください。"
        )
        self.current = current


def _require_staff(actor: Actor) -> None:
    if actor.staff is None:
        raise CaseError("案件メモと付箋は職員本人が入力してください。")


def save_case_memo(*, actor: Actor, taxpayer: Taxpayer, expected_version: int, values: dict) -> CaseMemo:
    """Writes the memo's 勤務先・連絡可能時間・注意事項 (`values`, any of MEMO_FIELDS) as version
    `expected_version + 1`. `expected_version` is the version the editor started from: 0 for a
    taxpayer with no memo yet. Raises StaleMemoError if the memo has moved on since (two editors:
    one wins, the other is told and keeps their text on the page). One row lock."""
    _require_staff(actor)
    with transaction.atomic(), acting_as(actor):
        # Lock the taxpayer so that two first memos cannot race past the version check either.
        Taxpayer.objects.select_for_update().only("pk").get(pk=taxpayer.pk)
        memo = CaseMemo.objects.select_for_update().filter(taxpayer=taxpayer).first()
        if memo is None:
            if expected_version != 0:
                raise CaseError("案件メモが見つかりません。画面を開き直してください。")
            memo = CaseMemo(taxpayer=taxpayer, version=0)
        elif memo.version != expected_version:
            raise StaleMemoError(memo)
        changed = [
            name for name in MEMO_FIELDS if name in values and getattr(memo, name) != values[name].strip()
        ]
        if not changed and not memo._state.adding:
            return memo
        for name in changed:
            setattr(memo, name, values[name].strip())
        adding = memo._state.adding
        fields = stamp(memo, actor)
        memo.full_clean()
        save_tracked(
            memo,
            reason="案件メモの作成" if adding else "案件メモの更新",
            update_fields=None if adding else [*changed, *fields],
        )
    return memo


def add_case_flag(
    *, actor: Actor, taxpayer: Taxpayer, kind: str, text: str = "", ends_on: date | None = None
) -> CaseFlag:
    """A new 付箋. `kind` is one of CaseFlag.Kind; `ends_on` (inclusive, optional) may not be in
    the past — a flag that would never show is refused."""
    _require_staff(actor)
    if kind not in CaseFlag.Kind.values:
        raise CaseError("付箋の種類を一覧から選んでください。")
    if ends_on is not None and ends_on < timezone.localdate():
        raise CaseError("付箋の終了日が過去の日付です。今日以後の日付を入力するか、空欄にしてください。")
    with transaction.atomic(), acting_as(actor):
        flag = CaseFlag(taxpayer=taxpayer, kind=kind, text=text.strip(), ends_on=ends_on)
        stamp(flag, actor)
        flag.full_clean()
        save_tracked(flag, reason=f"付箋の追加: {flag.get_kind_display()}")
    return flag


def remove_case_flag(*, actor: Actor, flag_id: int, reason: str) -> CaseFlag:
    """Takes a flag off (外した日時・理由); the row and its history stay."""
    _require_staff(actor)
    if not reason.strip():
        raise CaseError("付箋を外す理由を入力してください。")
    with transaction.atomic(), acting_as(actor):
        flag = CaseFlag.objects.select_for_update().get(pk=flag_id)
        if flag.removed_at is not None:
            raise CaseError("この付箋は既に外されています。")
        flag.removed_at = timezone.now()
        flag.removed_reason = reason.strip()
        save_tracked(
            flag,
            reason=f"付箋を外す: {reason.strip()}",
            update_fields=["removed_at", "removed_reason", *stamp(flag, actor)],
        )
    return flag
