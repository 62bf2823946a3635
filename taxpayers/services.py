"""Writes of the taxpayers app that other apps call. Today: the ONE service that records a 時効
event (督促, 承認, 差押, 交付要求, 催告, 猶予 and their ends); dispositions, negotiations and documents
no longer build PrescriptionEvent rows by hand. Recording an event refreshes the stored renewed
時効予定日 of its installments (`reconciliation.refresh_prescription_dates`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from taxpayers.models import Assessment, PrescriptionEvent, SavedListFilter
from taxpayers.reconciliation import refresh_prescription_dates
from wako_collections.actors import Actor, acting_as
from wako_collections.records import bulk_create_tracked, save_tracked, stamp


class PrescriptionEventError(Exception):
    """A 時効 event that cannot be recorded; the message is shown to staff."""


SOURCE_MAX_LENGTH = 100  # PrescriptionEvent.source (max_length; a test checks they agree)


def new_prescription_event(
    *, actor: Actor, assessment: Assessment, kind: str, on: date, source: str
) -> PrescriptionEvent:
    """A stamped, unsaved 時効 event (for callers that save many at once with
    `record_prescription_events(..., bulk=True)`)."""
    if kind not in PrescriptionEvent.Kind.values:
        raise PrescriptionEventError(f"時効の事由「{kind}」は登録できません。")
    if not source.strip():
        raise PrescriptionEventError("時効の事由には根拠となった記録を記入してください。")
    if len(source) > SOURCE_MAX_LENGTH:
        raise PrescriptionEventError("根拠記録が長すぎます（100文字まで）。")
    event = PrescriptionEvent(assessment=assessment, kind=kind, occurred_on=on, source=source)
    stamp(event, actor)
    return event


def record_prescription_event(
    *, actor: Actor, assessment: Assessment, kind: str, on: date, source: str, reason: str = ""
) -> PrescriptionEvent:
    """Records one 時効 event, with its history (reason: the event and its record by default)."""
    with transaction.atomic(), acting_as(actor):
        event = new_prescription_event(actor=actor, assessment=assessment, kind=kind, on=on, source=source)
        save_tracked(event, reason=reason or f"{event.get_kind_display()}（{source}）")
        refresh_prescription_dates(assessment_ids=[assessment.pk])
    return event


def record_prescription_events(
    *, actor: Actor, events: Iterable[PrescriptionEvent], reason: str
) -> list[PrescriptionEvent]:
    """Saves events made by `new_prescription_event` together (one insert and its history)."""
    events = list(events)
    with transaction.atomic(), acting_as(actor):
        if events:
            bulk_create_tracked(events, actor=actor, reason=reason)
            refresh_prescription_dates(assessment_ids=[e.assessment_id for e in events])
    return events


class SavedFilterError(Exception):
    """A 滞納者一覧 filter that cannot be saved; the message is shown to staff."""


def save_list_filter(*, actor: Actor, owner, name: str, query: str) -> SavedListFilter:
    """Saves (or, under a name the officer already uses, replaces) a named 滞納者一覧 filter: the
    query string it was on, already read by `WorkingListForm` in the view. History."""
    name = " ".join(name.split())
    if not name:
        raise SavedFilterError("検索条件の名前を入力してください。")
    with transaction.atomic(), acting_as(actor):
        saved = SavedListFilter.objects.select_for_update().filter(owner=owner, name=name).first()
        if saved is None:
            saved = SavedListFilter(owner=owner, name=name, query=query)
            stamp(saved, actor)
            save_tracked(saved, reason=f"検索条件「{name}」を保存")
        else:
            saved.query = query
            fields = ["query", *stamp(saved, actor)]
            save_tracked(saved, reason=f"検索条件「{name}」を上書き", update_fields=fields)
    return saved


def delete_list_filter(*, actor: Actor, saved: SavedListFilter) -> None:
    """Deletes an officer's own saved filter; its history keeps what it was and who deleted it."""
    with transaction.atomic(), acting_as(actor):
        saved._change_reason = f"検索条件「{saved.name}」を削除"  # type: ignore[attr-defined]
        saved.delete()
