"""The demo office (`stage_demo_cases`): every state of a case is there, built through the
services, nothing that happened is dated after today, and running it again adds nothing."""

from datetime import date, datetime, time
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import models

from dispositions.models import Collection, Disposition, Inquiry, InquiryTarget, WriteOffRun
from documents.models import Document
from negotiations.models import InstallmentPledge, NegotiationRecord
from reductions.models import LateChargeReduction
from refunds.models import Overpayment
from taxpayers.demo import generate
from taxpayers.models import InstallmentBalance, Payment, PrescriptionEvent, WrittenOff
from wako_collections.demo import load_demo_accounts

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 1)
NOW = datetime.combine(TODAY, time(9, 0), tzinfo=ZoneInfo("Asia/Tokyo"))

# Dates that may lie ahead: what is scheduled or due, not what happened.
FUTURE_ALLOWED = {
    ("taxpayers", "assessment", "due_date"),  # this year's later installments
    ("taxpayers", "assessment", "statutory_due_date"),
    ("taxpayers", "installmentbalance", "base_prescription_date"),
    ("taxpayers", "installmentbalance", "prescription_date"),
    ("taxpayers", "installmentbalance", "due_date"),  # the 調定's 納期限, copied by reconcile
    ("taxpayers", "installmentbalance", "steady_through"),  # reconcile: the day the balance may move
    ("taxpayers", "taxpayerbalance", "earliest_prescription_date"),
    ("negotiations", "negotiationrecord", "scheduled_date"),  # a promise still to be kept
    ("negotiations", "scheduledpayment", "due_date"),  # a pledge's later scheduled payments
    ("dispositions", "inquiry", "answer_due"),
    ("dispositions", "disposition", "postponed_until"),  # the end of a 猶予
    ("documents", "document", "deadline"),  # a 催告書's 指定期限
    ("refunds", "overpayment", "interest_from"),  # 還付加算金 runs from a day the law sets
    ("taxpayers", "prescriptionevent", "occurred_on"),  # only the end of a 猶予: checked below
    ("taxpayers", "changedinputs", "effective_on"),  # reconcile: the day a dated change counts
}


@pytest.fixture
def office():
    with time_machine.travel(NOW, tick=False):
        load_demo_accounts()
        generate(persons=90, seed=7, delinquent_percent=60)
        from taxpayers.reconciliation import reconcile

        reconcile()
        out = StringIO()
        call_command("stage_demo_cases", "--seed", "7", stdout=out)
    return out.getvalue()


def test_the_demo_office_has_every_state_nothing_after_today_and_runs_once(office):
    assert office.startswith("デモの滞納整理を")
    promises = NegotiationRecord.objects.promises()
    assert promises.filter(result="4", scheduled_date__gt=TODAY).exists()  # promised, not yet due
    assert promises.filter(result="5").exists()  # kept
    assert promises.filter(result="7", broken=True).exists()  # broken
    assert InstallmentPledge.objects.filter(status="active").exists()
    assert InstallmentPledge.objects.filter(status="broken").exists()
    seizures = Disposition.objects.filter(code="01", status="approved")
    assert seizures.filter(collections__isnull=False).exists()
    assert seizures.filter(collections__isnull=True).exists()
    assert Collection.objects.filter(status="posted").exists()
    assert Disposition.objects.filter(code="07", status="approved").exists()  # 執行停止
    assert Disposition.objects.filter(code="10", status="approved").exists()  # 徴収の猶予
    assert LateChargeReduction.objects.filter(status="decided").exists()
    assert Overpayment.objects.filter(status="open").count() >= 5  # the refunds queue
    assert InquiryTarget.objects.count() >= 5
    assert Inquiry.objects.filter(answered_on__isnull=False).exists()
    assert Inquiry.objects.filter(sent_on__isnull=False, answered_on__isnull=True).exists()
    assert Document.objects.filter(form_code="03").exists()  # 催告書
    assert WriteOffRun.objects.filter(status="approved").exists() and WrittenOff.objects.exists()
    # the 不納欠損の候補 job ran once: ホーム and the candidates page show those not yet resolved
    from dispositions.writeoffs import stored_candidates

    extraction, candidates = stored_candidates()
    assert extraction is not None and extraction.as_of == TODAY and candidates.exists()
    # near 時効: delinquent installments whose renewed 時効 completes within the warning window
    assert InstallmentBalance.objects.filter(
        status="delinquent", prescription_date__gte=TODAY, prescription_date__lte=date(2027, 5, 30)
    ).exists()
    # the lists show them: reconciled after the last payment
    assert InstallmentBalance.objects.filter(status="delinquent").count() > 30
    # built through the services: numbered, and with history naming the officer and the terminal
    record = NegotiationRecord.objects.order_by("record_number").first()
    assert record.history.first().history_terminal_number == "T0001"
    assert all(d.number.startswith("S") and d.approved_by == "S2001" for d in seizures)
    assert_nothing_that_happened_is_dated_after_today()
    assert_running_it_again_adds_nothing()


def assert_nothing_that_happened_is_dated_after_today():
    checked = 0
    for model in apps.get_models():
        if model._meta.app_label not in {
            "taxpayers",
            "negotiations",
            "dispositions",
            "documents",
            "reductions",
            "refunds",
        }:
            continue
        for field in model._meta.get_fields():
            key = (model._meta.app_label, model._meta.model_name, field.name)
            if not isinstance(field, models.DateField) or key in FUTURE_ALLOWED:
                continue
            if model._meta.model_name.startswith("historical") and (
                (model._meta.app_label, model._meta.model_name.removeprefix("historical"), field.name)
                in FUTURE_ALLOWED
            ):
                continue
            bound = NOW if isinstance(field, models.DateTimeField) else TODAY
            late = model._default_manager.filter(**{f"{field.name}__gt": bound})
            assert not late.exists(), (key, list(late.values_list(field.name, flat=True)[:3]))
            checked += 1
    assert checked > 50
    assert not Payment.objects.filter(received_on__gt=TODAY).exists()
    assert not Payment.objects.filter(accounted_on__gt=TODAY).exists()
    ahead = PrescriptionEvent.objects.filter(occurred_on__gt=TODAY)
    assert set(ahead.values_list("kind", flat=True)) <= {PrescriptionEvent.Kind.POSTPONEMENT_ENDED}


def assert_running_it_again_adds_nothing():
    before = (NegotiationRecord.objects.count(), Disposition.objects.count(), Payment.objects.count())
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("stage_demo_cases", "--seed", "7", stdout=out)
    assert "登録しませんでした" in out.getvalue()
    assert (NegotiationRecord.objects.count(), Disposition.objects.count(), Payment.objects.count()) == before
