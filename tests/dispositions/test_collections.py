"""取立 and its posting (国税徴収法第67条), 差押解除 when the seized installments are paid, the
配当計算書 when a 交付要求 waits (第129条〜第133条), and the 給与 seizure limited by the 禁止額
(第76条). Taxpayer 000000101's 2021 installment: 本税 65,000円, 督促手数料 100円, 納期限 2021-05-31,
30,100円 paid on 2021-09-30."""

from datetime import date

import pytest
import time_machine
from django.db import IntegrityError, transaction

from dispositions import collections, services
from dispositions.distribution import Claim, delivery_date, distribute
from dispositions.models import Collection, Disposition, DistributionStatement
from taxpayers.ledger import ledger_for
from taxpayers.models import Assessment, Payment, Taxpayer
from tests.dispositions.test_dispositions import seize
from wako_collections.actors import Actor

pytestmark = pytest.mark.django_db

SEIZED_ON = date(2021, 7, 5)


@pytest.fixture
def seizure(officer, supervisor, ledger):
    draft = seize(Actor.for_staff(officer, "T0001"))
    return services.approve_disposition(
        actor=Actor.for_staff(supervisor, "T0001"), disposition=draft, disposed_on=SEIZED_ON
    )


def collect(staff, seizure, *, on=date(2022, 3, 1), amount=40_000, others=False):
    return collections.record_collection(
        actor=Actor.for_staff(staff, "T0001"),
        disposition=seizure,
        collected_on=on,
        amount=amount,
        method=Collection.Method.TRANSFER,
        other_claimants=others,
    )


def installment():
    return Assessment.objects.get(notice_number="210000101")


def line_on(day):
    ledger = ledger_for(Taxpayer.objects.get(atena_number="000000101"), as_of=day)
    return next(line for line in ledger.lines if line.assessment == installment())


def test_collection_is_posted_in_the_legal_order_and_the_surplus_kept(officer, seizure):
    # Owed on 2022-03-01: 本税 35,000 and 延滞金 to that day (fixed as the 本税 is cleared):
    # 65,000 × 2.5% × 30/365 = 133 (6/1–6/30), 65,000 × 8.8% × 92/365 = 1,441 (7/1–9/30),
    # 35,000 × 8.8% × 92/365 = 776 (10/1–12/31), 35,000 × 8.7% × 60/365 = 500 (2022/1/1–3/1)
    # = 2,850 → 2,800円. 40,000 − 37,800 = 2,200円 過誤納.
    with time_machine.travel(date(2022, 3, 2)):
        collection = collect(officer, seizure)
    assert (collection.status, collection.posted_amount, collection.surplus) == ("posted", 37_800, 2_200)
    payment = Payment.objects.get(channel=Payment.Channel.COLLECTION)
    assert (payment.amount, payment.received_on, payment.assessment) == (
        37_800,
        date(2022, 3, 1),
        installment(),
    )
    assert payment.history.first().history_change_reason.startswith("取立による収納")
    settled = line_on(date(2022, 6, 1)).settlement
    assert settled.outstanding_total == 0 and settled.late_charge_fixed
    allocation = next(a for a in settled.allocations if a.payment.key == payment)
    assert (allocation.fee, allocation.principal, allocation.late_charge) == (0, 35_000, 2_800)


def test_a_paid_off_seizure_prompts_its_release(officer, supervisor, seizure):
    assert not collections.release_due(seizure, on=date(2022, 3, 1))
    with time_machine.travel(date(2022, 3, 2)):
        collect(officer, seizure)
        assert collections.release_due(seizure)
        release = services.draft_cancellation(
            actor=Actor.for_staff(officer, "T0001"),
            disposition=seizure,
            category="1",
            reason="取立により完納",
            cancelled_on=date(2022, 3, 2),
        )
        assert not collections.release_due(seizure)  # a release is already waiting
        services.approve_cancellation(actor=Actor.for_staff(supervisor, "T0001"), cancellation=release)
    seizure.refresh_from_db()
    assert seizure.status == Disposition.Status.CANCELLED
    from documents.services import forms_for_disposition

    assert forms_for_disposition(seizure) == ["33"]  # 差押解除通知書


def test_the_collection_and_its_posting_are_on_the_timeline(officer, seizure):
    from cases.timeline import case_timeline

    with time_machine.travel(date(2022, 3, 2)):
        collect(officer, seizure)
    timeline = case_timeline(seizure.taxpayer, today=date(2022, 3, 2))
    entries = [(e.kind, e.title, e.detail) for e in timeline.past]
    assert any(kind == "取立" and "過誤納 2,200円" in detail for kind, _, detail in entries)
    assert any("37,800円（取立）" in title for _, title, _ in entries)


def pension_seizure(officer, monthly):
    # 年金 150,000 − 社会保険料 10,000 − 100,000 = 40,000; 20% = 8,000 → 禁止額 118,000, 差押可能額 32,000
    return services.draft_disposition(
        actor=Actor.for_staff(officer, "T0001"),
        taxpayer=Taxpayer.objects.get(atena_number="000000101"),
        assessment_ids=[installment().pk],
        code="01",
        category="16",
        reason="年金照会で受給を確認",
        planned_on=date(2022, 10, 3),
        wage=services.WageTerms(
            paid=150_000,
            income_tax=0,
            resident_tax=0,
            social_insurance=10_000,
            dependants=0,
            seized_monthly_amount=monthly,
        ),
    )


def test_a_pension_seizure_is_limited_like_a_salary(officer, ledger):
    with time_machine.travel(date(2022, 10, 3)):
        with pytest.raises(services.DispositionError, match="差押可能額（32,000円）を超えています"):
            pension_seizure(officer, 32_001)
        assert pension_seizure(officer, 32_000).is_wage_seizure


def test_a_partial_collection_leaves_the_rest_owed(officer, seizure):
    with time_machine.travel(date(2022, 3, 2)):
        collection = collect(officer, seizure, amount=10_000)
        assert (collection.posted_amount, collection.surplus) == (10_000, 0)
        assert not collections.release_due(seizure)
    assert line_on(date(2022, 3, 1)).settlement.outstanding_principal == 25_000


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"amount": 0}, "1円以上"),
        ({"on": date(2021, 7, 1)}, "処分日"),
        ({"on": date(2030, 1, 1)}, "本日より後"),
    ],
)
def test_collection_entries_are_checked(officer, seizure, kwargs, message):
    with time_machine.travel(date(2022, 3, 2)), pytest.raises(collections.CollectionError, match=message):
        collect(officer, seizure, **kwargs)
    assert not Collection.objects.exists() and not Payment.objects.filter(channel="6").exists()


def test_no_collection_on_a_draft_or_a_property_seizure(officer, supervisor, ledger):
    draft = seize(Actor.for_staff(officer, "T0001"))
    with pytest.raises(collections.CollectionError, match="決裁済の差押に限ります"):
        collect(officer, draft, on=date(2021, 7, 20))
    vehicle = seize(Actor.for_staff(officer, "T0001"), category="31")
    with pytest.raises(collections.CollectionError, match="債権"):
        collect(officer, vehicle, on=date(2021, 7, 20))


def test_the_database_refuses_a_split_beyond_the_amount(officer, seizure):
    with time_machine.travel(date(2022, 3, 2)):
        collection = collect(officer, seizure)
    with pytest.raises(IntegrityError), transaction.atomic():
        Collection.objects.filter(pk=collection.pk).update(surplus=10_000)


# 配当 ------------------------------------------------------------------------------------------


def test_worked_distribution_example_by_rank():
    # 1,000,000円 from a sale: 滞納処分費 20,000; 抵当権 set before the 法定納期限等 600,000;
    # the city's seizure 300,000; 税務署's 交付要求 250,000; a later 抵当権 100,000.
    result = distribute(
        total=1_000_000,
        claims=[
            Claim("junior_security", "B銀行", 100_000, date(2024, 1, 1)),
            Claim("delivery_request", "和光税務署", 250_000, date(2024, 5, 1)),
            Claim("city_seizure", "和光市", 300_000),
            Claim("senior_security", "A銀行", 600_000, date(2019, 1, 1)),
            Claim("disposition_cost", "滞納処分費", 20_000),
        ],
    )
    assert [(a.claim.claimant, a.rank, a.allotted) for a in result.allotments] == [
        ("滞納処分費", 1, 20_000),
        ("A銀行", 2, 600_000),
        ("和光市", 3, 300_000),
        ("和光税務署", 4, 80_000),
        ("B銀行", 5, 0),  # receives nothing, still on the statement (and sent a copy)
    ]
    assert (result.city_share, result.residue) == (300_000, 0)


def test_delivery_requests_rank_by_receipt_and_the_residue_goes_back():
    result = distribute(
        total=500_000,
        claims=[
            Claim("delivery_request", "埼玉県", 100_000, date(2024, 6, 2)),
            Claim("delivery_request", "和光税務署", 150_000, date(2024, 6, 1)),
            Claim("city_seizure", "和光市", 200_000),
        ],
    )
    assert [a.claim.claimant for a in result.allotments] == ["和光市", "和光税務署", "埼玉県"]
    assert result.residue == 50_000


def test_the_delivery_date_is_seven_days_counted_from_sending():
    assert delivery_date(date(2022, 3, 3)) == date(2022, 3, 10)


@pytest.mark.parametrize(
    ("received", "deadline", "sent", "delivery"),
    [
        # 取立 on 4/1: copies by 4/4 (3 days, the first day not counted); sent 4/4, 交付期日 4/11 —
        # 4/10 is the 7th day counted from the sending day, the next day has "passed" it.
        (date(2022, 4, 1), date(2022, 4, 4), date(2022, 4, 4), date(2022, 4, 11)),
        # 取立 on 2014-12-25 (木): 12/28 is a Sunday, then 12/29–1/3 and Sunday 1/4: the deadline is
        # 2015-01-05 (月) (通則法第10条第2項); sent 12/25 the 交付期日 is 1/1, not moved for the holiday.
        (date(2014, 12, 25), date(2015, 1, 5), date(2014, 12, 25), date(2015, 1, 1)),
        (date(2014, 12, 25), date(2015, 1, 5), date(2015, 1, 5), date(2015, 1, 12)),
    ],
)
def test_published_worked_examples_of_the_sending_deadline_and_the_delivery_date(
    received, deadline, sent, delivery
):
    # 国税徴収法第131条・施行令第49条第2項 (3日以内), 第132条第2項 (7日を経過した日); 徴収基本通達
    # 第131条関係4 (初日不算入, 休日等は翌日). Examples: taru-masaki.hatenablog.com「配当計算書の作成日と
    # 配当日の定め方」(2015-01-06), its 例1 and 例2.
    from dispositions.distribution import sending_deadline

    assert sending_deadline(received) == deadline
    assert delivery_date(sent) == delivery


def test_copies_may_be_sent_after_the_year_end_holidays(officer, seizure):
    # 取立 on 2022-12-28 (水): three days end on 12/31, closed, as are 1/1–1/3: the copies may go
    # on 2023-01-04, not on 1/5.
    with time_machine.travel(date(2023, 1, 5)):
        collection = collect(officer, seizure, on=date(2022, 12, 28), amount=50_000, others=True)
        claims = [Claim("delivery_request", "和光税務署", 30_000, date(2022, 11, 1))]
        with pytest.raises(collections.CollectionError, match="令和5年1月4日まで"):
            collections.draft_distribution(
                actor=Actor.for_staff(officer, "T0001"),
                collection=collection,
                claims=claims,
                sent_on=date(2023, 1, 5),
            )
        statement = collections.draft_distribution(
            actor=Actor.for_staff(officer, "T0001"),
            collection=collection,
            claims=claims,
            sent_on=date(2023, 1, 4),
        )
    assert (statement.sent_on, statement.delivery_on) == (date(2023, 1, 4), date(2023, 1, 11))


def test_collection_with_a_delivery_request_goes_through_a_distribution(officer, supervisor, seizure):
    with time_machine.travel(date(2022, 3, 2)):
        collection = collect(officer, seizure, amount=50_000, others=True)
        assert collection.status == "awaiting" and not Payment.objects.filter(channel="6").exists()
        with pytest.raises(collections.CollectionError, match="3日以内"):
            collections.draft_distribution(
                actor=Actor.for_staff(officer, "T0001"),
                collection=collection,
                claims=[Claim("delivery_request", "和光税務署", 30_000, date(2021, 12, 1))],
                sent_on=date(2022, 3, 5),
            )
        statement = collections.draft_distribution(
            actor=Actor.for_staff(officer, "T0001"),
            collection=collection,
            claims=[Claim("delivery_request", "和光税務署", 30_000, date(2021, 12, 1))],
            sent_on=date(2022, 3, 2),
        )
        # The city (差押先着手) first: 37,800; the 交付要求 the remaining 12,200 of its 30,000.
        assert [(c.is_city, c.claimant_name, c.rank, c.allotted) for c in statement.claims.all()] == [
            (True, f"{seizure.taxpayer.name} に係る本市の徴収金（滞納処分 {seizure.number}）", 3, 37_800),
            (False, "和光税務署", 4, 12_200),
        ]
        assert (statement.city_share, statement.residue, statement.delivery_on) == (
            37_800,
            0,
            date(2022, 3, 9),
        )
        with pytest.raises(collections.CollectionError, match="決裁の権限"):
            collections.approve_distribution(actor=Actor.for_staff(officer, "T0001"), statement=statement)
        collections.approve_distribution(actor=Actor.for_staff(supervisor, "T0001"), statement=statement)
    payment = Payment.objects.get(channel=Payment.Channel.DISTRIBUTION)
    assert (payment.amount, payment.received_on) == (37_800, date(2022, 3, 1))
    collection.refresh_from_db()
    assert (collection.status, collection.posted_amount) == ("distributed", 37_800)
    assert DistributionStatement.objects.get().status == "approved"
    assert line_on(date(2022, 6, 1)).settlement.outstanding_total == 0


def test_the_database_refuses_a_distribution_approved_by_its_drafter(officer, supervisor, seizure):
    with time_machine.travel(date(2022, 3, 2)):
        collection = collect(officer, seizure, amount=50_000, others=True)
        statement = collections.draft_distribution(
            actor=Actor.for_staff(officer, "T0001"),
            collection=collection,
            claims=[Claim("delivery_request", "和光税務署", 30_000)],
            sent_on=date(2022, 3, 2),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        DistributionStatement.objects.filter(pk=statement.pk).update(
            status="approved", approved_by=statement.drafted_by
        )


# 給与差押 ---------------------------------------------------------------------------------------


def wage_seizure(officer, monthly):
    return services.draft_disposition(
        actor=Actor.for_staff(officer, "T0001"),
        taxpayer=Taxpayer.objects.get(atena_number="000000101"),
        assessment_ids=[installment().pk],
        code="01",
        category="12",
        reason="給与照会で勤務先を確認",
        planned_on=date(2022, 10, 3),
        third_party_name="株式会社和光製作所",
        wage=None
        if monthly is None
        else services.WageTerms(
            paid=300_000,
            income_tax=8_000,
            resident_tax=12_000,
            social_insurance=42_000,
            dependants=2,
            seized_monthly_amount=monthly,
        ),
    )


def test_a_salary_seizure_above_the_seizable_amount_is_refused(officer, ledger):
    with time_machine.travel(date(2022, 10, 3)):
        with pytest.raises(services.DispositionError, match="差押可能額（38,400円）を超えています"):
            wage_seizure(officer, 38_401)
        with pytest.raises(services.DispositionError, match="支給額"):
            wage_seizure(officer, None)
        disposition = wage_seizure(officer, 38_400)
    assert (disposition.seized_monthly_amount, disposition.wage_dependants) == (38_400, 2)


def test_the_database_refuses_incomplete_wage_terms(officer, ledger):
    with time_machine.travel(date(2022, 10, 3)):
        disposition = wage_seizure(officer, 30_000)
    with pytest.raises(IntegrityError), transaction.atomic():
        Disposition.objects.filter(pk=disposition.pk).update(wage_dependants=None)


@pytest.mark.parametrize("channel", ["6", "7", "６"])
def test_a_payments_csv_cannot_carry_the_staff_posted_channels(ledger, write_csv, batch_actor, channel):
    from taxpayers.importing import ImportRejected, run_import, start_log
    from tests.taxpayers.conftest import PAYMENT_HEADER

    row = f"R0009,02,0000,112291,112291,1,2021,2021,210000101,1,2022-03-01,2022-03-02,1000,{channel}"
    path = write_csv("payments.csv", PAYMENT_HEADER, [row])
    log = start_log(kind="payments", path=path, file_name=path.name, actor=batch_actor)
    with pytest.raises(ImportRejected):
        run_import(log=log, path=path, actor=batch_actor)
    log.refresh_from_db()
    assert log.result == "rejected"
    assert "コード「6」はありません" in str(log.errors) or "コード「7」はありません" in str(log.errors)
    assert not Payment.objects.filter(receipt_number="R0009").exists()


@pytest.fixture
def land_seizure(officer, supervisor, ledger):
    draft = seize(Actor.for_staff(officer, "T0001"), category="21")
    return services.approve_disposition(
        actor=Actor.for_staff(supervisor, "T0001"), disposition=draft, disposed_on=SEIZED_ON
    )


def sale(staff, seizure, total, claims):
    return collections.draft_distribution(
        actor=Actor.for_staff(staff, "T0001"),
        disposition=seizure,
        total=total,
        received_on=date(2022, 3, 1),
        claims=claims,
        sent_on=date(2022, 3, 3),
    )


def test_the_proceeds_of_a_sale_are_distributed_after_a_senior_mortgage(officer, supervisor, land_seizure):
    mortgage = Claim("senior_security", "株式会社A銀行", 70_000, date(2019, 4, 1))
    with time_machine.travel(date(2022, 3, 3)):
        statement = sale(officer, land_seizure, 200_000, [mortgage])
        # A銀行 70,000 (第2順位); the city 37,800 (owed on the day the buyer paid); 残余金 92,200
        assert [(c.rank, c.allotted) for c in statement.claims.all()] == [(2, 70_000), (3, 37_800)]
        assert (statement.city_share, statement.residue) == (37_800, 92_200)
        collections.approve_distribution(actor=Actor.for_staff(supervisor, "T0001"), statement=statement)
    payment = Payment.objects.get(channel=Payment.Channel.DISTRIBUTION)
    assert (payment.amount, payment.received_on) == (37_800, date(2022, 3, 1))
    assert line_on(date(2022, 6, 1)).settlement.outstanding_total == 0


def test_a_sale_too_small_pays_the_city_only_what_is_left_and_needs_no_other_claimant(
    officer, supervisor, land_seizure
):
    with time_machine.travel(date(2022, 3, 3)):
        short = sale(
            officer,
            land_seizure,
            100_000,
            [Claim("senior_security", "株式会社A銀行", 70_000, date(2019, 4, 1))],
        )
        assert (short.city_share, short.residue) == (30_000, 0)
        alone = sale(officer, land_seizure, 10_000, [])  # a sale always has its 配当計算書 (第131条)
        assert [(c.is_city, c.allotted) for c in alone.claims.all()] == [(True, 10_000)]


def test_no_sale_distribution_for_a_claim_seizure(officer, seizure):
    with (
        time_machine.travel(date(2022, 3, 3)),
        pytest.raises(collections.CollectionError, match="不動産・自動車・動産"),
    ):
        sale(officer, seizure, 100_000, [])
