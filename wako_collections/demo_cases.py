"""A realistic demo office: on top of the synthetic ledger (`taxpayers.demo`), the casework of a
collections office over the last months — contacts and promises (kept, broken, pending),
分納誓約 (current and broken), 照会先 and inquiries with answers, 督促状・催告書, 差押 with 取立
done and pending, 執行停止, 徴収の猶予, 延滞金の減免, 過誤納金 in the refunds queue and an approved
不納欠損決議 — each written through its app's service, so numbering, history and the standing are
what an office using the system would have.

Every step is replayed on its own day (the clock is set to that day with time-machine, as the
tests do), so 入力日, 処分日, history dates and 時効 events read as if the office had done it then;
nothing is dated after `today` except the future scheduled payments of a pledge and the
予実日 of a pending promise. Deterministic for a seed; `stage_cases` does nothing when the ledger
already has casework (a negotiation record), so running it again adds nothing.

Never for production: the commands that call it refuse WAKO_ENV=production, and time-machine is a
development dependency.
"""

from __future__ import annotations

import contextlib
import random
from collections import Counter
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Staff
from dispositions import inquiries as inquiry_services
from dispositions import services as disposition_services
from dispositions.collections import record_collection
from dispositions.models import Disposition, DispositionCode, Inquiry, InquiryTarget
from dispositions.writeoffs import (
    approve_writeoff_run,
    draft_writeoff_run,
    fiscal_year_for,
    store_writeoff_candidates,
    writeoff_candidates,
)
from documents import services as document_services
from documents.catalogue import FormCode
from negotiations import services as negotiation_services
from negotiations.models import InstallmentPledge, NegotiationRecord
from negotiations.schedules import build_schedule
from reductions import services as reduction_services
from refunds import services as refund_services
from refunds.models import Overpayment
from taxpayers.models import Assessment, InstallmentBalance, Payment, Taxpayer
from taxpayers.reconciliation import reconcile
from wako_collections.actors import Actor, acting_as
from wako_collections.records import save_tracked, stamp

# The states a case is staged in, in the order taxpayers are dealt to them (after shuffling).
STATES = (
    "promise_pending",
    "promise_kept",
    "promise_broken",
    "pledge_current",
    "pledge_broken",
    "seized_collected",
    "seized_pending",
    "stopped",
    "postponed",
    "reduced",
    "inquired",
    "notified",
    "contacted",
)

TARGETS = [
    ("bank", "埼玉りそな銀行", "和光支店", "3510113", "埼玉県和光市中央1-2-3", "048-461-0000"),
    ("bank", "武蔵野銀行", "和光支店", "3510112", "埼玉県和光市丸山台1-9-3", "048-462-0000"),
    ("bank", "ゆうちょ銀行", "さいたま店", "3308799", "埼玉県さいたま市大宮区桜木町1-1", ""),
    ("bank", "みずほ銀行", "成増支店", "1750094", "東京都板橋区成増2-1-1", ""),
    ("employer", "株式会社和光精機", "総務部", "3510115", "埼玉県和光市新倉3-1-1", "048-465-0000"),
    ("employer", "白子運輸株式会社", "経理課", "3510101", "埼玉県和光市白子2-5-8", ""),
    ("municipality", "朝霞市", "市民課", "3518501", "埼玉県朝霞市本町1-1-1", "048-463-1111"),
    ("municipality", "板橋区", "戸籍住民課", "1738501", "東京都板橋区板橋2-66-1", ""),
    ("insurer", "日本生命保険相互会社", "お客様サービス部", "5418501", "大阪府大阪市中央区今橋3-5-12", ""),
]

# A disposition covers at most this many installments (each is a 時効 event and a re-check).
MOST_INSTALLMENTS = 3
# A pledge covers the taxpayer's latest installments, at most this many (each is a 時効 event).
PLEDGED_INSTALLMENTS = 4
# How many time-barred installments the demo's 不納欠損決議 writes off (the rest stay candidates).
WRITE_OFF_LINES = 40

CONTACT = {
    "subject_group_code": "00",
    "place": "",
    "interviewee": "本人",
    "collection_category": "2",
    "importance": "2",
}


def _at(day: date):
    """A time-machine destination: 10:00 (Japan) on `day`."""
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


class Office:
    """Stages the cases. `counts` says how many cases reached each state."""

    def __init__(self, *, seed: int, today: date):
        import time_machine  # a development dependency, like the demo itself

        self.travel = time_machine.travel
        self.rng = random.Random(seed)  # noqa: S311  (synthetic data, reproducible by seed)
        self.today = today
        officers = list(
            Staff.objects.filter(groups__name="徴収担当", is_active=True).order_by("staff_number")
        )
        supervisors = list(
            Staff.objects.filter(groups__name="監督者", is_active=True).order_by("staff_number")
        )
        if not officers or not supervisors:
            raise ValueError("デモの職員（徴収担当と監督者）がいません。先に load_demo を実行してください。")
        self.officers = {staff.pk: Actor.for_staff(staff, "T0001") for staff in officers}
        self.officer_list = list(self.officers.values())
        self.supervisor = Actor.for_staff(supervisors[0], "T0002")
        self.batch = Actor.batch("DEMO")
        self.counts: Counter[str] = Counter()
        self.next_receipt = Payment.objects.count() + 1

    def on(self, day: date):
        """The clock set to `day` for the step; today's steps run on the real clock, so that
        nothing is stamped later than now."""
        if day > self.today:
            raise ValueError(f"デモの出来事を今日より後（{day}）に記録しようとしました。")
        if day == self.today:
            return contextlib.nullcontext()
        return self.travel(_at(day), tick=False)

    def officer_for(self, taxpayer: Taxpayer) -> Actor:
        return self.officers.get(taxpayer.assigned_officer_id) or self.officer_list[0]

    def days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    # --- money ---

    def pay(self, assessment: Assessment, day: date, amount: int) -> None:
        """A payment as the 収納 import would bring it (received and accounted on `day`)."""
        with acting_as(self.batch):
            payment = Payment(
                receipt_number=f"DEMO{self.next_receipt:08d}",
                assessment=assessment,
                received_on=day,
                accounted_on=day,
                amount=amount,
                channel="2",
            )
            self.next_receipt += 1
            stamp(payment, self.batch)
            save_tracked(payment, reason="デモデータ生成（収納）")

    # --- the steps ---

    def contact(self, taxpayer, day, *, kind="11", content, result="2", promised=None, scheduled=None):
        with self.on(day):
            return negotiation_services.record_negotiation(
                actor=self.officer_for(taxpayer),
                taxpayer=taxpayer,
                values={
                    **CONTACT,
                    "contact_kind": kind,
                    "content": content,
                    "result": result,
                    "promised_amount": promised,
                    "scheduled_date": scheduled,
                },
            )

    def promise(self, taxpayer, owed, *, state):
        amount = max(1_000, min(sum(b.outstanding_principal for b in owed), 30_000) // 1000 * 1000)
        if state == "promise_pending":
            made = self.days_ago(1, 6)
            when = made + timedelta(days=self.rng.randint(7, 20))
        else:
            made = self.days_ago(35, 60)
            when = made + timedelta(days=self.rng.randint(7, 14))
        self.contact(
            taxpayer,
            made,
            content=f"架電。本人と話す。{when.month}月{when.day}日までに{amount:,}円を納めると約束。",
            result="4",
            promised=amount,
            scheduled=when,
        )
        if state == "promise_kept":
            self.pay(owed[0].assessment, when - timedelta(days=1), amount)
        return True

    def pledge(self, taxpayer, owed, *, state):
        owed = owed[-PLEDGED_INSTALLMENTS:]
        assessments = [b.assessment for b in owed]
        total = sum(b.outstanding_principal + b.outstanding_fee for b in owed)
        count = max(2, min(12, total // 10_000))
        pledged = self.days_ago(70, 120) if state == "pledge_current" else self.days_ago(90, 150)
        schedule = build_schedule(total=total, first_date=pledged + timedelta(days=20), count=count)
        actor = self.officer_for(taxpayer)
        self.contact(
            taxpayer,
            pledged,
            kind="41",
            content=f"来庁。分納の相談。月{schedule[0].amount:,}円で{count}回の分納を誓約。",
        )
        with self.on(pledged):
            negotiation_services.make_pledge(
                actor=actor,
                taxpayer=taxpayer,
                assessments=assessments,
                schedule=schedule,
                pledged_on=pledged,
                interval=InstallmentPledge.Interval.MONTHLY,
            )
        paid_until = self.today if state == "pledge_current" else pledged + timedelta(days=40)
        for line in schedule:
            if line.due_date <= paid_until and line.due_date <= self.today:
                self.pay(assessments[0], line.due_date, line.amount)
        return True

    def seize(self, taxpayer, owed, *, state):
        planned = self.days_ago(50, 90)
        eligible = [
            e.assessment.pk
            for e in disposition_services.eligibility(taxpayer, code=DispositionCode.SEIZURE, on=planned)
            if e.eligible
        ][:MOST_INSTALLMENTS]
        if not eligible:
            return False
        bank = self.rng.choice(self.targets_of("bank"))
        account = f"普通預金 口座番号{self.rng.randint(1_000_000, 9_999_999)}"
        actor = self.officer_for(taxpayer)
        self.contact(
            taxpayer, planned - timedelta(days=7), kind="61", content="差押予告の電話。応答なし。", result="3"
        )
        with self.on(planned):
            disposition = disposition_services.draft_disposition(
                actor=actor,
                taxpayer=taxpayer,
                assessment_ids=eligible,
                code=DispositionCode.SEIZURE,
                category="11",
                reason="再三の催告に応じず、預貯金の照会で残高が判明したため",
                planned_on=planned,
                property_description=f"{bank.name} {bank.branch} {account}",
                third_party_name=bank.name,
                third_party_branch=bank.branch,
                third_party_postal_code=bank.postal_code,
                third_party_address=bank.address,
            )
        approved = planned + timedelta(days=1)
        with self.on(approved):
            disposition_services.approve_disposition(
                actor=self.supervisor, disposition=disposition, disposed_on=approved
            )
        if state == "seized_collected":
            owed_total = sum(b.outstanding_principal + b.outstanding_fee for b in owed)
            collected = approved + timedelta(days=self.rng.randint(7, 20))
            with self.on(collected):
                record_collection(
                    actor=actor,
                    disposition=disposition,
                    collected_on=collected,
                    amount=max(1, owed_total // 2),
                    method="transfer",
                    payer_name=bank.name,
                )
        return True

    def stop_or_postpone(self, taxpayer, owed, *, state):
        planned = self.days_ago(30, 200)
        code = DispositionCode.SUSPENSION if state == "stopped" else DispositionCode.COLLECTION_POSTPONED
        eligible = [
            e.assessment.pk
            for e in disposition_services.eligibility(taxpayer, code=code, on=planned)
            if e.eligible
        ][:MOST_INSTALLMENTS]
        if not eligible:
            return False
        with self.on(planned):
            disposition = disposition_services.draft_disposition(
                actor=self.officer_for(taxpayer),
                taxpayer=taxpayer,
                assessment_ids=eligible,
                code=code,
                category="72" if state == "stopped" else "82",
                reason="生活保護の受給が始まり、生活を著しく窮迫させるおそれがある"
                if state == "stopped"
                else "本人の入院（病気）により、一時に納付することができない",
                planned_on=planned,
                postponed_until=planned + timedelta(days=180) if state == "postponed" else None,
            )
        with self.on(planned + timedelta(days=1)):
            disposition_services.approve_disposition(
                actor=self.supervisor, disposition=disposition, disposed_on=planned + timedelta(days=1)
            )
        return True

    def reduce(self, taxpayer, owed, *, state):
        assessment = owed[0].assessment
        applied = self.days_ago(20, 60)
        if applied <= assessment.due_date:  # no 延滞金 yet to reduce
            return False
        with self.on(applied):
            reduction = reduction_services.apply_for_reduction(
                actor=self.officer_for(taxpayer),
                assessment=assessment,
                applied_on=applied,
                reason="災害（床上浸水）により納付が困難であった期間の延滞金の減免",
                requested_start=assessment.due_date + timedelta(days=1),
                requested_end=min(assessment.due_date + timedelta(days=90), applied),
            )
        with self.on(applied + timedelta(days=5)):
            reduction_services.decide_reduction(
                actor=self.supervisor,
                reduction=reduction,
                category="all",
                note="条例第○条による全額減免",
                start=assessment.due_date + timedelta(days=1),
                end=min(assessment.due_date + timedelta(days=90), applied),
            )
        return True

    def inquire(self, taxpayer, owed, *, state):
        made = self.days_ago(20, 60)
        targets = [*self.rng.sample(self.targets_of("bank"), 2), self.rng.choice(self.targets_of("employer"))]
        actor = self.officer_for(taxpayer)
        with self.on(made):
            created = inquiry_services.create_inquiries(
                actor=actor,
                taxpayer=taxpayer,
                targets=targets,
                purpose=Inquiry.Purpose.DEPOSITS,
                answer_due=made + timedelta(days=14),
                today=made,
            )
            inquiry_services.mark_sent(actor=actor, inquiries=created, sent_on=made)
        for inquiry in created[: self.rng.randint(1, len(created))]:
            answered = made + timedelta(days=self.rng.randint(5, 18))
            if answered > self.today:
                continue
            found = self.rng.random() < 0.5
            inquiry.refresh_from_db()
            with self.on(answered):
                inquiry_services.record_answer(
                    actor=actor,
                    inquiry=inquiry,
                    answered_on=answered,
                    values={
                        "answer": Inquiry.Answer.ACCOUNT_FOUND if found else Inquiry.Answer.NOTHING,
                        "account": f"普通預金 {self.rng.randint(1_000_000, 9_999_999)}" if found else "",
                        "balance": self.rng.randrange(5_000, 400_000, 1_000) if found else None,
                    },
                    expected_version=inquiry.version,
                )
        return True

    def notify(self, taxpayer, owed, *, state):
        issued = self.days_ago(10, 40)
        ids = [b.assessment.pk for b in owed]
        with self.on(issued):
            document_services.issue_document(
                actor=self.officer_for(taxpayer),
                form_code=FormCode.NOTICE_GENERAL,
                taxpayer=taxpayer,
                assessment_ids=ids,
                issued_on=issued,
                deadline=issued + timedelta(days=14),
            )
        return True

    def contacted(self, taxpayer, owed, *, state):
        self.contact(
            taxpayer,
            self.days_ago(3, 80),
            kind=self.rng.choice(["11", "12", "22"]),
            content=self.rng.choice(
                [
                    "架電。不在のため留守番電話に折り返しを依頼。",
                    "受電。本人より、来月中に相談に来庁するとのこと。",
                    "臨戸。不在のため差置き（催告書・連絡票）。",
                ]
            ),
            result="3",
        )
        return True

    def targets_of(self, kind: str) -> list[InquiryTarget]:
        return [t for t in self.targets if t.kind == kind]

    # --- the office ---

    def register_targets(self) -> None:
        self.targets = []
        with self.on(self.today - timedelta(days=365)), acting_as(self.supervisor):
            for kind, name, branch, postal, address, phone in TARGETS:
                target = InquiryTarget.objects.filter(kind=kind, name=name, branch=branch).first()
                if target is None:
                    target = InquiryTarget(
                        kind=kind, name=name, branch=branch, postal_code=postal, address=address, phone=phone
                    )
                    stamp(target, self.supervisor)
                    save_tracked(target, reason="照会先の登録")
                self.targets.append(target)
        self.counts["inquiry_targets"] = len(self.targets)

    def delinquent_cases(self) -> list[tuple[Taxpayer, list[InstallmentBalance]]]:
        """Taxpayers owing, with their recent delinquent installments (the last four years, so their
        時効 is still far off); older arrears are left as they are — near 時効 or past it."""
        since = self.today - timedelta(days=4 * 365)
        balances = (
            InstallmentBalance.objects.filter(
                status=InstallmentBalance.Status.DELINQUENT, due_date__gte=since
            )
            .filter(Q(outstanding_principal__gt=0) | Q(outstanding_fee__gt=0))
            .select_related("assessment__taxpayer")
            .order_by("assessment__taxpayer__atena_number", "due_date")
        )
        by_taxpayer: dict[int, tuple[Taxpayer, list[InstallmentBalance]]] = {}
        for balance in balances:
            taxpayer = balance.assessment.taxpayer
            by_taxpayer.setdefault(taxpayer.pk, (taxpayer, []))[1].append(balance)
        return list(by_taxpayer.values())

    def stage(self, cases) -> None:
        steps = {
            "promise_pending": self.promise,
            "promise_kept": self.promise,
            "promise_broken": self.promise,
            "pledge_current": self.pledge,
            "pledge_broken": self.pledge,
            "seized_collected": self.seize,
            "seized_pending": self.seize,
            "stopped": self.stop_or_postpone,
            "postponed": self.stop_or_postpone,
            "reduced": self.reduce,
            "inquired": self.inquire,
            "notified": self.notify,
            "contacted": self.contacted,
        }
        self.rng.shuffle(cases)
        for index, (taxpayer, owed) in enumerate(cases):
            state = STATES[index % len(STATES)]
            if steps[state](taxpayer, owed, state=state):
                self.counts[state] += 1

    def write_off(self) -> None:
        """An approved 不納欠損決議 for the installments whose 時効 completed before this fiscal year."""
        fiscal_year = fiscal_year_for(self.today)
        day = self.today - timedelta(days=1)
        barred = InstallmentBalance.objects.filter(
            status=InstallmentBalance.Status.DELINQUENT, prescription_date__lt=day - timedelta(days=30)
        ).order_by("assessment_id")
        ids = list(barred.values_list("assessment_id", flat=True)[: WRITE_OFF_LINES * 2])
        candidates = writeoff_candidates(on=day, assessment_ids=ids) if ids else []
        # a third left unresolved: the 不納欠損の候補 that ホーム and the candidates page show
        chosen = [c.assessment.pk for c in candidates][
            : min(WRITE_OFF_LINES, len(candidates) - len(candidates) // 3)
        ]
        if not chosen:
            return
        with self.on(day):
            run = draft_writeoff_run(
                actor=self.officer_list[0],
                as_of=day,
                fiscal_year=fiscal_year,
                assessment_ids=chosen,
                note="デモ: 時効完成分",
            )
        with self.on(self.today):
            approve_writeoff_run(actor=self.supervisor, run=run, on=self.today)
        self.counts["written_off"] = len(chosen)

    def overpay(self, count: int) -> None:
        """二重納付: a paid installment paid a second time, put in the refunds queue."""
        paid = list(
            InstallmentBalance.objects.filter(
                status=InstallmentBalance.Status.PAID, last_received_on__isnull=False
            )
            .filter(last_received_on__gte=self.today - timedelta(days=300))
            .select_related("assessment__taxpayer")
            .order_by("assessment_id")[: count * 20]
        )
        for balance in self.rng.sample(paid, min(count, len(paid))):
            assessment = balance.assessment
            day = min(balance.last_received_on + timedelta(days=self.rng.randint(1, 30)), self.today)
            amount = assessment.principal
            self.pay(assessment, day, amount)
            payment = Payment.objects.filter(assessment=assessment).order_by("-id").first()
            with self.on(day):
                refund_services.record_overpayment(
                    actor=self.batch,
                    taxpayer=assessment.taxpayer,
                    amount=amount,
                    cause=Overpayment.Cause.DOUBLE_PAYMENT,
                    arose_on=day,
                    source_reference=f"収納 {payment.receipt_number}",
                    source_assessment=assessment,
                    source_payment=payment,
                )
            self.counts["overpaid"] += 1


def already_staged() -> bool:
    return NegotiationRecord.objects.exists()


def stage_cases(
    *, seed: int = 2026, today: date | None = None, overpayments: int = 12, cases: int | None = None
) -> Counter[str]:
    """Stages the casework on the delinquent taxpayers of the ledger (see the module docstring);
    returns the number of cases per state, empty when casework already exists. `cases`: stage at
    most that many taxpayers (drawn by the seed, dealt round the states as all would be) — the
    benchmark's city of 100,000 persons has tens of thousands of delinquent taxpayers, more than an
    office works at once; None: every one. Reconciles at the end, so the lists (滞納者一覧, 時効が近い
    期別, queues) show it. Raises ValueError without the demo staff. Cost: a few service calls per
    case (about 0.1 s each), and the reconcile."""
    if already_staged():
        return Counter()
    today = today or timezone.localdate()
    office = Office(seed=seed, today=today)
    with transaction.atomic():
        office.register_targets()
        found = office.delinquent_cases()
        if cases is not None and cases < len(found):
            found = office.rng.sample(found, cases)
        office.stage(found)
        office.overpay(overpayments)
        office.write_off()  # old arrears, which the steps above leave as generate_demo reconciled them
        with office.on(today):
            negotiation_services.evaluate_promises(as_of=today, actor=office.batch)
            negotiation_services.evaluate_pledges(as_of=today, actor=office.batch)
    reconcile()
    # the nightly 不納欠損の候補 job (jobs.schedule), once: ホーム and the candidates page read its list
    office.counts["writeoff_candidates"] = store_writeoff_candidates(on=today).count
    office.counts["near_prescription"] = near_prescription_count(today)
    office.counts["demanded"] = Assessment.objects.filter(demand_issued_on__isnull=False).count()
    return office.counts


def near_prescription_count(today: date) -> int:
    from django.conf import settings

    return InstallmentBalance.objects.filter(
        status=InstallmentBalance.Status.DELINQUENT,
        prescription_date__gte=today,
        prescription_date__lte=today + timedelta(days=settings.PRESCRIPTION_WARNING_DAYS),
    ).count()


def disposition_summary() -> dict[str, int]:
    return {
        label: Disposition.objects.filter(code=code, status=Disposition.Status.APPROVED).count()
        for code, label in DispositionCode.choices
    }
