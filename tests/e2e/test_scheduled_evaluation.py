"""不履行の約束 stayed empty because nothing ran evaluate_promises (issue 18): the scheduled job
judges a promise whose day has passed, the officer sees it in わたしの仕事, and the supervisor sees
the run on 定期処理."""

from datetime import date, timedelta

import pytest
import time_machine

from jobs.tasks import run_job
from negotiations import services
from taxpayers.models import Taxpayer
from tests.negotiations.conftest import CONTACT
from wako_collections.actors import Actor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_broken_promise_is_judged_by_the_scheduled_job_and_shown(
    steps, ledger, officer, supervisor, settings
):
    settings.PROMISE_GRACE_DAYS = 3
    made = date.today() - timedelta(days=20)
    with time_machine.travel(made, tick=False):
        services.record_negotiation(
            actor=Actor.for_staff(officer, "T0001"),
            taxpayer=Taxpayer.objects.get(atena_number="000000101"),
            values={
                **CONTACT,
                "result": "4",
                "promised_amount": 30_000,
                "scheduled_date": made + timedelta(days=5),
            },
        )
    Taxpayer.objects.filter(atena_number="000000101").update(assigned_officer=officer)
    run_job.enqueue(name="evaluate_promises")  # what run_scheduler enqueues at 05:30

    page = steps.page
    steps.sign_in(officer)
    steps.arrive("/")
    steps.go("/negotiations/my-work/")
    heading = page.get_by_role("heading", name="不履行の約束（1件）")
    assert heading.is_visible()
    steps.shot("broken-promise")
    steps.sign_out()

    steps.sign_in(supervisor)
    steps.arrive("/")
    steps.go("/jobs/")
    assert "約束・分納誓約の判定" in page.content() and "不履行 1件" in page.content()
    steps.shot("jobs")
