"""The surplus of a 取立 or a 配当計算書 joins the 過誤納金 queue (refunds) once, with history, and
goes to the person's other arrears first (地方税法第17条の2), else back to them.

Taxpayer 000000101: the seized 2021 installment (本税 65,000円, 督促手数料 100円, 納期限 2021-05-31,
30,100円 paid 2021-09-30) owes 37,800円 on 2022-03-01 (the worked example of test_collections:
本税 35,000 + 延滞金 2,800). A 2022 installment of 40,000円 (納期限 2022-01-31), not seized, is
unpaid: the other year's arrear the surplus is appropriated to."""

from datetime import date

import pytest
import time_machine
from django.db import IntegrityError, transaction

from dispositions import collections, services
from dispositions.distribution import Claim
from dispositions.models import Collection
from refunds.models import Disposal, Overpayment
from refunds.services import (
    RefundError,
    approve_disposal,
    propose_appropriations,
    propose_refund,
    record_collection_surplus,
)
from taxpayers.ledger import ledger_for
from taxpayers.models import Assessment, Payment, Taxpayer
from tests.dispositions.test_collections import SEIZED_ON, collect
from tests.dispositions.test_dispositions import seize
from tests.refunds.test_services import ACCOUNT, installment
from wako_collections.actors import Actor, acting_as
from wako_collections.records import stamp

pytestmark = pytest.mark.django_db


@pytest.fixture
def seizure(officer, supervisor, ledger):
    return services.approve_disposition(
        actor=Actor.for_staff(supervisor, "T0001"),
        disposition=seize(Actor.for_staff(officer, "T0001")),
        disposed_on=SEIZED_ON,
    )


@pytest.fixture
def arrear_2022(ledger, batch_actor):
    return installment(
        Taxpayer.objects.get(atena_number="000000101"),
        actor=batch_actor,
        tax_year=2022,
        assessment_year=2022,
        notice_number="220000101",
        due_date=date(2022, 1, 31),
        statutory_due_date=date(2022, 1, 31),
        principal=40_000,
    )


def owed(assessment, on):
    ledger = ledger_for(assessment.taxpayer, as_of=on)
    return next(line for line in ledger.lines if line.assessment == assessment).settlement


def test_a_collection_larger_than_owed_is_appropriated_to_another_years_arrears(
    officer, supervisor, seizure, arrear_2022
):
    # seizure (approved 2021-07-05) → 取立 50,000円 on 2022-03-01 → 37,800円 posted, 12,200円 surplus
    with time_machine.travel(date(2022, 3, 2)):
        collection = collect(officer, seizure, amount=50_000)
    assert (collection.posted_amount, collection.surplus) == (37_800, 12_200)
    assert collections.release_due(seizure, on=date(2022, 3, 2))  # → 差押解除

    [surplus] = Overpayment.objects.filter(cause=Overpayment.Cause.COLLECTION_SURPLUS)
    assert (surplus.taxpayer, surplus.amount, surplus.arose_on, surplus.interest_from, surplus.is_open) == (
        seizure.taxpayer,
        12_200,
        date(2022, 3, 1),
        None,  # 残余: no 還付加算金
        True,
    )
    assert surplus.source_reference == f"取立 {collection.number}（滞納処分 {seizure.number}）"
    [created] = surplus.history.all()
    assert (created.history_change_reason, created.history_staff_number) == (
        "過誤納金の発生（取立・配当の残余）",
        officer.staff_number,
    )

    # the queue proposes 充当 to the 2022 installment (the seized one owes nothing now)
    with time_machine.travel(date(2022, 3, 10)):
        [draft] = propose_appropriations(
            actor=Actor.for_staff(officer, "T0001"), overpayment=surplus, as_of=date(2022, 3, 10)
        )
        assert (draft.target_assessment, draft.amount, draft.fit_on) == (
            arrear_2022,
            12_200,
            date(2022, 3, 1),
        )
        approved = approve_disposal(
            actor=Actor.for_staff(supervisor, "T0001"), disposal=draft, decided_on=date(2022, 3, 10)
        )
    assert (approved.status, approved.interest) == (Disposal.Status.APPROVED, 0)
    assert (approved.payment.channel, approved.payment.assessment, approved.payment.amount) == (
        Payment.Channel.APPROPRIATION,
        arrear_2022,
        12_200,
    )
    surplus.refresh_from_db()
    assert surplus.status == Overpayment.Status.SETTLED
    # the 充当 is deemed paid on the 充当適状日 and applied to 本税 before 延滞金: 27,800円 of 本税 left
    assert owed(arrear_2022, date(2022, 3, 10)).outstanding_principal == 27_800


def test_the_surplus_is_queued_once_per_collection(officer, seizure):
    with time_machine.travel(date(2022, 3, 2)):
        collection = collect(officer, seizure, amount=50_000)
    reference = f"取立 {collection.number}（滞納処分 {seizure.number}）"
    again, created = record_collection_surplus(
        actor=Actor.for_staff(officer, "T0001"),
        taxpayer=seizure.taxpayer,
        amount=12_200,
        arose_on=date(2022, 3, 1),
        source_reference=reference,
    )
    assert not created and Overpayment.objects.filter(source_reference=reference).count() == 1
    assert again.amount == 12_200
    second = Overpayment(
        taxpayer=seizure.taxpayer,
        amount=1,
        cause=Overpayment.Cause.COLLECTION_SURPLUS,
        arose_on=date(2022, 3, 1),
        source_reference=reference,
    )
    actor = Actor.for_staff(officer, "T0001")
    stamp(second, actor)
    with (
        pytest.raises(IntegrityError, match="refunds_overpayment_once_per_collection"),
        transaction.atomic(),
        acting_as(actor),
    ):
        second.save()


def test_a_collection_that_leaves_nothing_over_queues_nothing(officer, seizure):
    with time_machine.travel(date(2022, 3, 2)):
        collect(officer, seizure, amount=37_800)
    assert not Overpayment.objects.exists()


def test_the_residue_of_a_distribution_is_queued_when_it_is_approved(officer, supervisor, seizure):
    # 取立 100,000円 with a 交付要求 of 30,000円: the city 37,800, 和光税務署 30,000, 残余金 32,200
    with time_machine.travel(date(2022, 3, 2)):
        collection = collect(officer, seizure, amount=100_000, others=True)
        statement = collections.draft_distribution(
            actor=Actor.for_staff(officer, "T0001"),
            collection=collection,
            claims=[Claim("delivery_request", "和光税務署", 30_000, date(2021, 12, 1))],
            sent_on=date(2022, 3, 2),
        )
        assert (statement.city_share, statement.residue) == (37_800, 32_200)
        assert not Overpayment.objects.exists()  # nothing until the 決裁
        collections.approve_distribution(actor=Actor.for_staff(supervisor, "T0001"), statement=statement)
    collection.refresh_from_db()
    assert (collection.status, collection.posted_amount, collection.surplus) == (
        Collection.Status.DISTRIBUTED,
        37_800,
        32_200,
    )
    [residue] = Overpayment.objects.all()
    assert (residue.amount, residue.cause, residue.arose_on, residue.interest_from) == (
        32_200,
        Overpayment.Cause.COLLECTION_SURPLUS,
        date(2022, 3, 1),
        None,
    )
    assert residue.source_reference.startswith(f"配当 {statement.number}")
    # no other arrear in 2022: 充当 is refused and the 残余金 goes back to the 滞納者 (還付)
    with time_machine.travel(date(2022, 3, 10)):
        with pytest.raises(RefundError, match="充当できる未納"):
            propose_appropriations(
                actor=Actor.for_staff(officer, "T0001"), overpayment=residue, as_of=date(2022, 3, 10)
            )
        refund = propose_refund(
            actor=Actor.for_staff(officer, "T0001"),
            overpayment=residue,
            account=ACCOUNT,
            as_of=date(2022, 3, 10),
        )
    assert (refund.kind, refund.amount) == (Disposal.Kind.REFUND, 32_200)


def test_the_residue_of_a_sale_is_queued_too(officer, supervisor, ledger):
    land = services.approve_disposition(
        actor=Actor.for_staff(supervisor, "T0001"),
        disposition=seize(Actor.for_staff(officer, "T0001"), category="21"),
        disposed_on=SEIZED_ON,
    )
    with time_machine.travel(date(2022, 3, 3)):
        statement = collections.draft_distribution(
            actor=Actor.for_staff(officer, "T0001"),
            disposition=land,
            total=200_000,
            received_on=date(2022, 3, 1),
            claims=[Claim("senior_security", "株式会社A銀行", 70_000, date(2019, 4, 1))],
            sent_on=date(2022, 3, 3),
        )
        collections.approve_distribution(actor=Actor.for_staff(supervisor, "T0001"), statement=statement)
    [residue] = Overpayment.objects.all()
    assert (residue.amount, residue.source_reference) == (
        92_200,
        f"配当 {statement.number}（滞納処分 {land.number}）",
    )
    assert owed(Assessment.objects.get(notice_number="210000101"), date(2022, 3, 1)).outstanding_total == 0
