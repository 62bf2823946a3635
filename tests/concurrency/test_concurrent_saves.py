"""Many staff saving the same record at once (real threads, real PostgreSQL transactions): exactly
one save wins per version, the others are told, and history keeps every accepted change."""

import threading
from datetime import date

import pytest
from django.db import connection

from accounts.roles import Role
from dispositions import services as dispositions
from dispositions.models import Disposition
from negotiations import services as negotiations
from negotiations.models import NegotiationRecord, RefusedEdit
from taxpayers.models import Assessment, Taxpayer
from tests.conftest import make_staff
from tests.negotiations.conftest import CONTACT
from wako_collections.actors import Actor

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


def run_together(work, count=THREADS):
    """Runs work(i) on `count` threads released at the same moment; returns each result or error."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:  # the refusal is the result under test
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def officers(terminal):
    return [
        make_staff(f"S15{i:02d}", Role.COLLECTIONS_OFFICER, full_name=f"職員 {i}") for i in range(THREADS)
    ]


def test_one_edit_wins_per_version_and_every_accepted_edit_is_in_history(officers, ledger):
    first = Actor.for_staff(officers[0], "T0001")
    record = negotiations.record_negotiation(
        actor=first, taxpayer=Taxpayer.objects.get(atena_number="000000101"), values=CONTACT
    )

    def edit(i, revision):
        return negotiations.update_negotiation(
            actor=Actor.for_staff(officers[i], "T0001"),
            record_number=record.record_number,
            expected_revision=revision,
            values={**CONTACT, "content": f"職員{i}の追記"},
        )

    results = run_together(lambda i: edit(i, 1))
    won = [r for r in results if isinstance(r, NegotiationRecord)]
    told = [r for r in results if isinstance(r, negotiations.StaleRecordError)]
    assert len(won) == 1 and len(told) == THREADS - 1
    assert RefusedEdit.objects.filter(record=record).count() == THREADS - 1  # what they typed is kept

    # each refused editor reloads and saves again, until everyone's change is in
    pending = [i for i, r in enumerate(results) if isinstance(r, negotiations.StaleRecordError)]
    while pending:
        current = NegotiationRecord.objects.get(pk=record.pk).revision
        outcome = run_together(
            lambda k, revision=current, waiting=tuple(pending): edit(waiting[k], revision), count=len(pending)
        )
        assert sum(isinstance(r, NegotiationRecord) for r in outcome) == 1
        pending = [pending[k] for k, r in enumerate(outcome) if isinstance(r, negotiations.StaleRecordError)]
    final = NegotiationRecord.objects.get(pk=record.pk)
    assert final.revision == THREADS + 1
    contents = {row.content for row in final.history.all()}
    assert {f"職員{i}の追記" for i in range(THREADS)} <= contents  # nothing lost
    assert final.history.count() == THREADS + 1  # the creation and one row per accepted edit


def test_one_approval_wins_and_the_other_supervisors_are_told(officers, ledger):
    supervisors = [
        make_staff(f"S25{i:02d}", Role.SUPERVISOR, full_name=f"監督者 {i}") for i in range(THREADS)
    ]
    draft = dispositions.draft_disposition(
        actor=Actor.for_staff(officers[0], "T0001"),
        taxpayer=Taxpayer.objects.get(atena_number="000000101"),
        assessment_ids=[Assessment.objects.get(notice_number="210000101").pk],
        code="01",
        category="11",
        reason="預貯金調査で残高を確認",
        planned_on=date(2026, 6, 1),  # before this installment's 時効 completes (2026-06-28)
        property_description="和光銀行 本店 普通 1234567",
        third_party_name="株式会社和光銀行",
    )
    results = run_together(
        lambda i: dispositions.approve_disposition(
            actor=Actor.for_staff(supervisors[i], "T0001"), disposition=draft
        )
    )
    assert sum(isinstance(r, Disposition) for r in results) == 1
    refusals = [r for r in results if isinstance(r, dispositions.DispositionError)]
    assert len(refusals) == THREADS - 1 and all("決裁済" in str(r) for r in refusals)
    approved = Disposition.objects.get(pk=draft.pk)
    winner = next(r for r in results if isinstance(r, Disposition))
    assert approved.approved_by == winner.approved_by
    assert [h.history_change_reason for h in approved.history.order_by("history_date")] == ["起案", "決裁"]
    assert approved.rows.get().assessment.prescription_events.filter(kind="seizure").count() == 1


def test_one_case_memo_save_wins_per_version_first_memo_included(officers, ledger):
    """Eight officers write the first 案件メモ of a case at once, then eight edit version 1: one
    wins each time, the others are told (StaleMemoError) and nothing is written for them."""
    from cases import services as cases
    from cases.models import CaseMemo

    taxpayer = Taxpayer.objects.get(atena_number="000000101")

    def save(i, version):
        return cases.save_case_memo(
            actor=Actor.for_staff(officers[i], "T0001"),
            taxpayer=taxpayer,
            expected_version=version,
            # each round's text differs from the last: the first round's winner saving its own
            # text again is a no-op that changes nothing (and was then counted as a second win)
            values={"cautions": f"職員{i}のメモ（版{version + 1}）"},
        )

    for version in (0, 1):
        results = run_together(lambda i, version=version: save(i, version))
        won = [r for r in results if isinstance(r, CaseMemo)]
        told = [r for r in results if isinstance(r, cases.StaleMemoError)]
        assert len(won) == 1 and len(told) == THREADS - 1, results
        memo = CaseMemo.objects.get()
        assert memo.version == version + 1 and memo.cautions == won[0].cautions
    assert CaseMemo.objects.count() == 1 and memo.history.count() == 2
