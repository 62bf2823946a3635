"""A 催告書 during an active 分納誓約, a second 督促状 for installments already 督促'd, a batch
re-notifying someone notified that morning: left out, with the reason shown (issue 18)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from documents import batches
from documents.models import Extraction
from negotiations import services as negotiation_services
from negotiations.schedules import build_schedule
from taxpayers.models import Assessment, Taxpayer
from tests.conftest import sign_in
from tests.documents import test_batches
from tests.documents.test_batches import actor

pytestmark = pytest.mark.django_db
overdue = test_batches.overdue  # the fixture: two installments overdue five days, no 督促 yet


def run_demand_batch(officer, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        return batches.freeze(
            actor=actor(officer),
            kind="demand",
            candidates=batches.demand_candidates(today),
            issued_on=today,
            deadline=None,
        )


def notice_extraction(officer):
    extraction = Extraction(name="全員", form_code="03")
    batches.save_extraction(extraction, actor(officer))
    return extraction


def test_someone_notified_this_morning_is_left_out_of_another_batch_with_the_reason(
    officer, overdue, django_capture_on_commit_callbacks
):
    run_demand_batch(officer, django_capture_on_commit_callbacks)
    today = timezone.localdate()
    found = batches.extraction_candidates(notice_extraction(officer), today)
    kept, excluded = batches.screen(found, form_code="03", issued_on=today)
    assert {"000000101", "000000102"} <= {e.atena_number for e in excluded}
    assert all(
        "本日すでに督促状（文書番号 D" in e.reason
        for e in excluded
        if e.atena_number in ("000000101", "000000102")
    )
    assert not {"000000101", "000000102"} & {c.atena_number for c in kept}
    # tomorrow they may be sent a 催告書 again
    kept, _ = batches.screen(found, form_code="03", issued_on=today + timedelta(days=1))
    assert {"000000101", "000000102"} <= {c.atena_number for c in kept}


def test_a_notice_is_not_sent_during_an_active_pledge_even_if_the_extraction_includes_pledges(
    officer, overdue
):
    today = timezone.localdate()
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    assessment = Assessment.objects.get(notice_number="260000101")
    pledge = negotiation_services.make_pledge(
        actor=actor(officer),
        taxpayer=taxpayer,
        assessments=[assessment],
        schedule=build_schedule(total=41_000, first_date=today + timedelta(days=7), count=2),
        pledged_on=today,
        interval="monthly",
    )
    # a candidate by another installment of the same taxpayer (an extraction that includes pledges)
    found = [batches.Candidate(taxpayer.pk, taxpayer.atena_number, taxpayer.name, [assessment.pk], 41_000)]
    kept, excluded = batches.screen(found, form_code="03", issued_on=today)
    assert "000000101" not in {c.atena_number for c in kept}
    assert [e.reason for e in excluded if e.atena_number == "000000101"] == [
        f"分納誓約 {pledge.pledge_number} を履行中"
    ]
    # a 納付書 is no demand: a pledged taxpayer may be sent one
    kept, _ = batches.screen(found, form_code="01", issued_on=today)
    assert "000000101" in {c.atena_number for c in kept}


def test_the_demand_preview_lists_installments_already_demanded_as_left_out(
    client, officer, overdue, django_capture_on_commit_callbacks
):
    run_demand_batch(officer, django_capture_on_commit_callbacks)
    sign_in(client, officer)
    page = client.get(reverse("documents:demand_batch")).content.decode()
    assert "対象から除いた人" in page
    assert "督促状を発付済みの期別 1件（二度目の督促はしません）" in page or "本日すでに督促状" in page
    assert "000000101" in page and "000000102" in page
