"""The one home of an installment's standing (taxpayers/standing.py): every page that shows a
時効予定日 or a 延滞金 agrees with it for the same installment and day; the stored renewed date is
what the standing says; the near-時効 lists cost the same number of queries however many cases."""

from __future__ import annotations

import inspect
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from taxpayers import prescription, reconciliation, settlement, standing
from taxpayers.chains import prescriptions_due
from taxpayers.models import (
    Assessment,
    InstallmentBalance,
    Payment,
    PrescriptionEvent,
    Taxpayer,
    TaxpayerBalance,
)
from taxpayers.reconciliation import reconcile
from taxpayers.services import PrescriptionEventError, record_prescription_event
from taxpayers.standing import (
    DELINQUENT_STATUS,
    PAID,
    SEIZED,
    STATUS_LABELS,
    TIME_BARRED,
    WRITTEN_OFF,
    base_prescription_date,
    standing_of,
)
from tests.conftest import sign_in
from wako_collections.actors import Actor, acting_as
from wako_collections.eras import format_date

pytestmark = pytest.mark.django_db

DAY = date(2026, 6, 10)
NOTICE = "210000101"  # 固定資産税 2021 第1期: 督促 2021-06-18, 一部納付 2021-09-30 → 2026-09-30


def the_installment() -> Assessment:
    return Assessment.objects.get(notice_number=NOTICE)


@pytest.mark.parametrize(
    ("subject", "statutory", "due"),
    [
        ("01", date(2024, 2, 28), date(2024, 2, 28)),  # starts 29 Feb, no counterpart five years on
        ("06", date(2023, 12, 31), date(2024, 2, 28)),  # premium: counted from 納期限
        ("02", date(2020, 2, 28), date(2020, 2, 28)),
        ("01", date(2025, 3, 31), date(2025, 3, 31)),
    ],
)
def test_one_period_end_gives_every_base_date(subject, statutory, due):
    from taxpayers.subjects import rule_for

    rule = rule_for(subject)
    base = due if rule.is_premium else statutory
    expected = prescription.period_end(
        base + __import__("datetime").timedelta(days=1), rule.prescription_years
    )
    assert (
        base_prescription_date(subject_code=subject, statutory_due_date=statutory, due_date=due) == expected
    )
    assert (
        settlement.prescription_date(
            statutory_due_date=statutory,
            due_date=due,
            is_premium=rule.is_premium,
            years=rule.prescription_years,
        )
        == expected
    )


def test_no_period_arithmetic_outside_the_one_period_end():
    # 民法第143条 is written once: no SQL interval arithmetic in reconcile, no `replace(year=` elsewhere.
    assert "make_interval" not in inspect.getsource(reconciliation)
    for module in (reconciliation, settlement, standing):
        assert "replace(year=" not in inspect.getsource(module)


def test_the_stored_dates_are_the_standings(ledger):
    reconcile(as_of=DAY)
    for assessment in Assessment.objects.select_related("balance"):
        held = standing_of(assessment, as_of=DAY)
        balance = assessment.balance
        assert balance.base_prescription_date == held.base_prescription_date
        assert balance.prescription_date == held.prescription_date
        assert (balance.late_charge, balance.outstanding_principal, balance.status) == (
            held.late_charge,
            held.outstanding_principal,
            held.payment_status,
        )
    assert the_installment().balance.prescription_date == date(2026, 9, 30)
    assert the_installment().balance.base_prescription_date == date(2026, 5, 31)


def test_every_page_agrees_with_the_standing(client, officer, supervisor, ledger):
    from negotiations import services as negotiations

    negotiations.assign_officer(
        actor=Actor.for_staff(supervisor, "T0001"), taxpayers=Taxpayer.objects.all(), officer=officer
    )
    reconcile(as_of=DAY)
    assessment = the_installment()
    held = standing_of(assessment, as_of=DAY)
    atena = assessment.taxpayer.atena_number
    assert held.prescription_date == date(2026, 9, 30) and held.late_charge > 0
    with time_machine.travel(DAY, tick=False):
        sign_in(client, officer)
        ledger_page = client.get(reverse("taxpayers:detail", args=[atena]))
        line = next(x for x in ledger_page.context["ledger"].lines if x.assessment.pk == assessment.pk)
        assert line.chain.expires_on == held.prescription_date
        assert line.prescription_date == held.base_prescription_date
        assert line.settlement.late_charge == held.late_charge
        assert "令和8年9月30日" in ledger_page.content.decode()

        chains_page = client.get(reverse("dispositions:prescriptions", args=[atena]))
        chained = dict((a.pk, c) for a, c in chains_page.context["lines"])
        assert chained[assessment.pk].expires_on == held.prescription_date

        due_page = client.get(reverse("dispositions:prescriptions_due"))
        assert [(a.pk, c.expires_on) for a, c in due_page.context["due"]] == [
            (assessment.pk, held.prescription_date)
        ]

        queue = client.get(reverse("negotiations:my_work")).context["queue"]
        soon = {s.taxpayer.atena_number: s.expires_on for s in queue.prescription_soon}
        assert soon[atena] == held.prescription_date  # within PRESCRIPTION_WARNING_DAYS (180)

        pledge_page = client.get(reverse("negotiations:pledge_new", args=[atena])).content.decode()
        assert (
            f"延滞金見込 {held.late_charge:,}円、時効予定日 {format_date(held.prescription_date)}"
            in pledge_page
        )

        sign_in(client, supervisor)
        delinquent = client.get(reverse("taxpayers:delinquent"), {"officer": "all"})
        balance = next(b for b in delinquent.context["page"] if b.taxpayer.atena_number == atena)
        assert balance.earliest_prescription_date == held.prescription_date
        assert balance.late_charge == held.late_charge


def test_status_vocabulary_and_extension_points(ledger):
    assessment = the_installment()
    assert standing_of(assessment, as_of=DAY).status == DELINQUENT_STATUS
    assert standing_of(assessment, as_of=date(2026, 10, 1)).status == TIME_BARRED
    assert standing_of(assessment, as_of=date(2026, 10, 1)).time_barred_on == date(2026, 9, 30)
    assert standing_of(assessment, as_of=DAY, written_off_on=date(2026, 6, 1)).status == WRITTEN_OFF
    assert standing_of(assessment, as_of=DAY, stopped=True).status_label == "停止中"
    assert standing_of(assessment, as_of=DAY, pledged=True).status_label == "分納中"
    assert STATUS_LABELS[PAID] == "完納" and STATUS_LABELS[WRITTEN_OFF] == "欠損"
    assert standing_of(assessment, as_of=DAY, exemptions=()).exemptions == ()


def test_the_event_service_records_with_history_and_moves_the_stored_date(ledger, officer):
    reconcile(as_of=DAY)
    assessment = the_installment()
    actor = Actor.for_staff(officer, "T0001")
    with time_machine.travel(DAY, tick=False):
        event = record_prescription_event(
            actor=actor, assessment=assessment, kind="seizure", on=date(2026, 6, 1), source="滞納処分 テスト1"
        )
    assert event.history.first().history_staff_number == officer.staff_number
    assert event.updated_terminal_number == "T0001"
    balance = InstallmentBalance.objects.get(pk=assessment.pk)
    assert balance.prescription_date is None  # suspended by the 差押
    payer = TaxpayerBalance.objects.get(taxpayer=assessment.taxpayer)
    assert payer.earliest_prescription_date is None  # its one delinquent installment is held
    reconcile(as_of=DAY)  # the nightly run agrees with the refresh
    assert InstallmentBalance.objects.get(pk=assessment.pk).prescription_date is None
    assert InstallmentBalance.objects.get(pk=assessment.pk).base_prescription_date == date(2026, 5, 31)
    assert standing_of(the_installment(), as_of=DAY).status == SEIZED
    assert prescriptions_due(today=DAY) == []
    with pytest.raises(PrescriptionEventError, match="登録できません"):
        record_prescription_event(actor=actor, assessment=assessment, kind="bogus", on=DAY, source="x")
    with pytest.raises(PrescriptionEventError, match="根拠"):
        record_prescription_event(actor=actor, assessment=assessment, kind="notice", on=DAY, source=" ")


def test_no_app_builds_prescription_events_by_hand():
    import dispositions.services
    import documents.services
    import negotiations.services

    for module in (dispositions.services, negotiations.services, documents.services):
        assert "PrescriptionEvent(" not in inspect.getsource(module)


def _copies(count: int, actor) -> None:
    """`count` more delinquent installments like the 2021 one, each with its payment."""
    with acting_as(actor):
        _copy(count)


def _copy(count: int) -> None:
    original = the_installment()
    payments = list(original.payments.all())
    for n in range(count):
        copy = Assessment.objects.get(pk=original.pk)
        copy.pk = None
        copy.id = None
        copy._state.adding = True
        copy.notice_number = f"2800{n:05d}"
        copy.save()
        for p in payments:
            Payment.objects.create(
                receipt_number=f"COPY{n}-{p.pk}",
                assessment=copy,
                received_on=p.received_on,
                accounted_on=p.accounted_on,
                amount=p.amount,
                channel=p.channel,
                **{
                    f: getattr(p, f)
                    for f in ("created_on", "updated_on", "updated_time", "updated_staff_number")
                },
            )


def _queries(**kwargs) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        found = prescriptions_due(today=DAY, **kwargs)
    return len(captured), len(found)


def test_near_prescription_queries_do_not_grow_with_the_cases(ledger, batch_actor):
    reconcile(as_of=DAY)
    few, found_few = _queries()
    _copies(6, batch_actor)
    reconcile(as_of=DAY)
    many, found_many = _queries()
    assert found_many == found_few + 6
    assert many == few
    assert PrescriptionEvent.objects.count() == 0  # the renewals here are the 督促 and the payments


def _queue_queries(officer) -> tuple[int, int]:
    from negotiations.queues import work_queue

    with CaptureQueriesContext(connection) as captured:
        queue = work_queue(officer=officer, today=DAY)
    return len(captured), len(queue.prescription_soon)


def test_work_queues_cost_the_same_queries_however_many_cases(
    ledger, batch_actor, officer, supervisor, settings
):
    from negotiations import services as negotiations

    settings.PRESCRIPTION_WARNING_DAYS = 180
    negotiations.assign_officer(
        actor=Actor.for_staff(supervisor, "T0001"), taxpayers=Taxpayer.objects.all(), officer=officer
    )
    reconcile(as_of=DAY)
    mine, soon = _queue_queries(officer)
    everyone, _ = _queue_queries(None)
    _copies(6, batch_actor)
    reconcile(as_of=DAY)
    assert _queue_queries(officer) == (mine, soon)  # the copies share the taxpayer: still one line
    assert _queue_queries(None)[0] == everyone
    assert soon == 1


def test_a_letter_prints_the_standings_amounts(ledger):
    from documents.content import ledger_content

    assessment = the_installment()
    deadline = date(2026, 6, 30)
    content = ledger_content("03", assessment.taxpayer, [assessment.pk], DAY, deadline)
    held = standing_of(assessment, as_of=deadline)
    [row] = content["rows"]
    assert (row["principal"], row["fee"], row["late_charge"], row["total"]) == (
        held.outstanding_principal,
        held.outstanding_fee,
        held.late_charge,
        held.outstanding_total,
    )


def test_the_near_prescription_lists_read_the_balances_alone_and_keep_the_officers_own(
    ledger, officer, supervisor, settings
):
    """The count and a page of 時効が近い期別 and the わたしの仕事 list come from the stored balance
    (status, renewed date, 調定 → taxpayer), not from a join of each installment to its 調定; the
    officer's list keeps their taxpayers, as the installment's taxpayer says."""
    from negotiations import services as negotiations
    from negotiations.queues import prescription_soon
    from taxpayers.chains import installments_near_prescription

    settings.PRESCRIPTION_WARNING_DAYS = 180
    reconcile(as_of=DAY)
    ids = installments_near_prescription(today=DAY)
    assert "taxpayers_assessment" not in str(ids.query)
    assert list(ids) == [the_installment().pk]
    assert list(installments_near_prescription(today=DAY, officer=officer)) == []
    assert prescription_soon(officer=officer, today=DAY, limit=50) == []
    negotiations.assign_officer(
        actor=Actor.for_staff(supervisor, "T0001"),
        taxpayers=Taxpayer.objects.filter(pk=the_installment().taxpayer_id),
        officer=officer,
    )
    assert list(installments_near_prescription(today=DAY, officer=officer)) == [the_installment().pk]
    [soon] = prescription_soon(officer=officer, today=DAY, limit=50)
    assert soon.taxpayer.pk == the_installment().taxpayer_id
    assert soon.expires_on == standing_of(the_installment(), as_of=DAY).prescription_date


def test_the_holds_statement_answers_as_the_queryset_of_hold_exists_compiled_once(
    officer, supervisor, ledger
):
    """holds_for_ids runs `hold_exists`'s statement compiled once per process with the call's ids and
    day: the same answer as the queryset built each time, before, during and after a 猶予 and a 差押."""
    from django.db.models import OuterRef

    from dispositions import services as dispositions
    from tests.dispositions.test_dispositions import postpone, seize

    def built_each_time(ids, day):
        rows = (
            Assessment.objects.filter(pk__in=ids)
            .annotate(
                **{s: standing.hold_exists(s, as_of=day, assessment=OuterRef("pk")) for s in standing.HOLDS}
            )
            .values_list("pk", *standing.HOLDS)
        )
        return {
            pk: frozenset(s for s, on in zip(standing.HOLDS, flags, strict=True) if on) for pk, *flags in rows
        }

    postponed = postpone(Actor.for_staff(officer, "T0001"), until=date(2023, 3, 31))
    dispositions.approve_disposition(
        actor=Actor.for_staff(supervisor, "T0001"), disposition=postponed, disposed_on=date(2022, 4, 1)
    )
    seizure = seize(Actor.for_staff(officer, "T0001"))
    dispositions.approve_disposition(
        actor=Actor.for_staff(supervisor, "T0001"), disposition=seizure, disposed_on=date(2021, 7, 5)
    )
    ids = list(Assessment.objects.values_list("pk", flat=True))
    statement = standing._holds_statement()
    answers = []
    for day in (date(2022, 3, 31), date(2023, 3, 31), date(2023, 4, 1)):
        answers.append(standing.holds_for_ids(ids, as_of=day))
        assert answers[-1] == built_each_time(ids, day)
        assert standing.holds_for_ids(ids[:1], as_of=day) == built_each_time(ids[:1], day)
    held = Assessment.objects.get(notice_number="210000101").pk
    assert [answer[held] for answer in answers] == [
        {standing.SEIZED, standing.POSTPONED},
        {standing.SEIZED, standing.POSTPONED},
        {standing.SEIZED},
    ]
    assert standing._holds_statement() is statement
