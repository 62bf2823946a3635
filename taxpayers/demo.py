"""Synthetic taxpayers for the demo and the city-scale benchmark: Japanese names with kana,
addresses in Wako's districts, ten years of assessments across the subjects, payments with a
few percent of delinquency, and test-only 個人番号 with valid check digits.

Written with COPY in batches (see wako_collections.records.copy_tracked), history included.
Deterministic for a given seed. Nothing here is anyone's real data.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from taxpayers import individual_numbers
from taxpayers.deadlines import deadline
from taxpayers.late_charges import compute_late_charge
from taxpayers.models import Assessment, Payment, Taxpayer
from taxpayers.ordinance import demand_fee_on
from taxpayers.search import search_keys
from taxpayers.subjects import Subject
from wako_collections.actors import Actor
from wako_collections.records import analyze, copy_tracked, stamp_values

SURNAMES = [
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("佐々木", "ササキ"),
    ("山口", "ヤマグチ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("林", "ハヤシ"),
    ("斎藤", "サイトウ"),
    ("清水", "シミズ"),
    ("山崎", "ヤマザキ"),
    ("森", "モリ"),
    ("池田", "イケダ"),
    ("橋本", "ハシモト"),
    ("阿部", "アベ"),
    ("石川", "イシカワ"),
    ("山下", "ヤマシタ"),
    ("中島", "ナカジマ"),
    ("石井", "イシイ"),
    ("小川", "オガワ"),
    ("前田", "マエダ"),
    ("岡田", "オカダ"),
    ("長谷川", "ハセガワ"),
    ("藤田", "フジタ"),
    ("後藤", "ゴトウ"),
    ("近藤", "コンドウ"),
    ("村上", "ムラカミ"),
    ("遠藤", "エンドウ"),
    ("青木", "アオキ"),
    ("坂本", "サカモト"),
    ("新倉", "ニイクラ"),
    ("白子", "シラコ"),
    ("冨澤", "トミザワ"),
    ("柳下", "ヤギシタ"),
    ("富岡", "トミオカ"),
]
MALE_NAMES = [
    ("太郎", "タロウ"),
    ("一郎", "イチロウ"),
    ("健", "ケン"),
    ("大輔", "ダイスケ"),
    ("翔太", "ショウタ"),
    ("拓也", "タクヤ"),
    ("直樹", "ナオキ"),
    ("誠", "マコト"),
    ("浩", "ヒロシ"),
    ("茂", "シゲル"),
    ("隆", "タカシ"),
    ("修", "オサム"),
    ("蓮", "レン"),
    ("悠真", "ユウマ"),
    ("大翔", "ヒロト"),
    ("和夫", "カズオ"),
    ("正雄", "マサオ"),
    ("健一", "ケンイチ"),
    ("秀樹", "ヒデキ"),
    ("勇気", "ユウキ"),
]
FEMALE_NAMES = [
    ("花子", "ハナコ"),
    ("美咲", "ミサキ"),
    ("陽子", "ヨウコ"),
    ("恵子", "ケイコ"),
    ("裕子", "ユウコ"),
    ("直美", "ナオミ"),
    ("由美", "ユミ"),
    ("真由美", "マユミ"),
    ("さくら", "サクラ"),
    ("結衣", "ユイ"),
    ("葵", "アオイ"),
    ("陽菜", "ヒナ"),
    ("幸子", "サチコ"),
    ("和子", "カズコ"),
    ("明美", "アケミ"),
    ("千尋", "チヒロ"),
    ("彩", "アヤ"),
    ("麻衣", "マイ"),
    ("美穂", "ミホ"),
    ("智子", "トモコ"),
]
CORPORATE_FORMS = [
    ("株式会社", "カブシキガイシャ"),
    ("有限会社", "ユウゲンガイシャ"),
    ("合同会社", "ゴウドウガイシャ"),
]
CORPORATE_TRADES = [
    ("商事", "ショウジ"),
    ("工業", "コウギョウ"),
    ("建設", "ケンセツ"),
    ("製作所", "セイサクショ"),
    ("運輸", "ウンユ"),
]
# 和光市の町名（地区）と、このデモで使う郵便番号。
DISTRICTS = [
    ("白子", "3510101"),
    ("下新倉", "3510111"),
    ("新倉", "3510115"),
    ("中央", "3510113"),
    ("本町", "3510114"),
    ("丸山台", "3510112"),
    ("南", "3510104"),
    ("広沢", "3510106"),
    ("諏訪", "3510105"),
    ("諏訪原団地", "3510107"),
    ("西大和団地", "3510102"),
    ("牛房", "3510103"),
]
CHANNELS = [("3", 40), ("4", 25), ("2", 20), ("5", 10), ("1", 5)]
CITY_CODE = "112291"
HISTORY_YEARS = 10
BATCH = 2_000


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def due_dates(subject: Subject, year: int) -> list[date]:
    """The 納期限 of each 期 of `subject` for fiscal year `year`: the usual municipal calendar, each
    day moved past weekends, holidays and the year-end closure (地方税法第20条の5第2項)."""
    return [deadline(day) for day in _nominal_due_dates(subject, year)]


def _nominal_due_dates(subject: Subject, year: int) -> list[date]:
    if subject == Subject.RESIDENT_TAX:
        return [_month_end(year, 6), _month_end(year, 8), _month_end(year, 10), _month_end(year + 1, 1)]
    if subject == Subject.FIXED_ASSET_TAX:
        return [_month_end(year, 4), _month_end(year, 7), date(year, 12, 25), _month_end(year + 1, 2)]
    if subject == Subject.LIGHT_VEHICLE_TAX:
        return [_month_end(year, 5)]
    if subject == Subject.CORPORATE_TAX:
        return [_month_end(year, 5)]
    months = [
        (year, 7),
        (year, 8),
        (year, 9),
        (year, 10),
        (year, 11),
        (year, 12),
        (year + 1, 1),
        (year + 1, 2),
    ]
    return [date(y, m, 25) if m == 12 else _month_end(y, m) for y, m in months]


def test_individual_number(rng: random.Random) -> str:
    first = "".join(str(rng.randrange(10)) for _ in range(11))
    return first + str(individual_numbers.check_digit(first))


@dataclass
class Counters:
    persons: int = 0
    assessments: int = 0
    payments: int = 0


class Generator:
    def __init__(self, *, seed: int, today: date, actor: Actor, officers: list):
        self.rng = random.Random(seed)  # noqa: S311  (synthetic data, reproducible by seed)
        self.today = today
        self.actor = actor
        self.officers = officers
        self.stamp = stamp_values(actor)
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM taxpayers_taxpayer")
            self.next_taxpayer = cursor.fetchone()[0] + 1
            cursor.execute("SELECT coalesce(max(id), 0) FROM taxpayers_assessment")
            self.next_assessment = cursor.fetchone()[0] + 1
            cursor.execute("SELECT coalesce(max(id), 0) FROM taxpayers_payment")
            self.next_payment = cursor.fetchone()[0] + 1
            cursor.execute("SELECT coalesce(max(atena_number::bigint), 100000000) FROM taxpayers_taxpayer")
            self.next_atena = cursor.fetchone()[0] + 1

    # --- people ---

    def person(self) -> dict:
        rng = self.rng
        atena = f"{self.next_atena:010d}"
        self.next_atena += 1
        district, postal = rng.choice(DISTRICTS)
        surname, surname_kana = rng.choice(SURNAMES)
        corporation = rng.random() < 0.03
        if corporation:
            form, form_kana = rng.choice(CORPORATE_FORMS)
            trade, trade_kana = rng.choice(CORPORATE_TRADES)
            name, kana = f"{form}{surname}{trade}", f"{form_kana}{surname_kana}{trade_kana}"
            sex, birth, person_type, residence = "", None, "2", "2"
        else:
            male = rng.random() < 0.5
            given, given_kana = rng.choice(MALE_NAMES if male else FEMALE_NAMES)
            name, kana = f"{surname} {given}", f"{surname_kana} {given_kana}"
            sex = "1" if male else "2"
            birth = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 66))
            person_type = "1"
            residence = rng.choices(["1", "2", "3", "4"], weights=[90, 5, 4, 1])[0]
        address = f"埼玉県和光市{district}{rng.randint(1, 5)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}"
        phone = (
            f"048-{rng.randint(400, 499)}-{rng.randint(0, 9999):04d}"
            if rng.random() < 0.6
            else (f"090-{rng.randint(1000, 9999)}-{rng.randint(0, 9999):04d}")
        )
        number = test_individual_number(rng) if not corporation else ""
        row = {
            **self.stamp,
            "id": self.next_taxpayer,
            "atena_number": atena,
            "person_type": person_type,
            "name": name,
            "name_kana": kana,
            "sex": sex,
            "birth_date": birth,
            "postal_code": postal,
            "address": address,
            "address_extra": f"{district}ハイツ{rng.randint(1, 5)}0{rng.randint(1, 9)}"
            if rng.random() < 0.25
            else "",
            "phone": phone,
            "residence_status": residence,
            "district": district,
            "assigned_officer_id": rng.choice(self.officers) if self.officers else None,
            "individual_number_ciphertext": individual_numbers.encrypt(number, atena_number=atena)
            if number
            else "",
            "individual_number_digest": individual_numbers.digest(number) if number else "",
            **search_keys(name=name, name_kana=kana, address=address, phone=phone),
        }
        self.next_taxpayer += 1
        return row

    def subjects_for(self, person: dict) -> list[tuple[Subject, int]]:
        """Which subjects this person is assessed, with a typical amount per installment."""
        rng = self.rng
        if person["person_type"] == "2":
            return [(Subject.CORPORATE_TAX, rng.choice([50_000, 120_000, 160_000, 410_000]))]
        subjects = []
        if rng.random() < 0.30:
            subjects.append((Subject.RESIDENT_TAX, rng.randrange(5_000, 120_000, 100)))
        if rng.random() < 0.30:
            subjects.append((Subject.FIXED_ASSET_TAX, rng.randrange(8_000, 150_000, 100)))
        if rng.random() < 0.25:
            subjects.append((Subject.LIGHT_VEHICLE_TAX, rng.choice([3_900, 7_200, 10_800, 12_900])))
        if rng.random() < 0.10:
            subjects.append((Subject.NHI_TAX, rng.randrange(4_000, 60_000, 100)))
        return subjects

    # --- money ---

    def installments(self, person: dict, behaviour: str) -> tuple[list[dict], list[dict]]:
        rng = self.rng
        assessments, payments = [], []
        first_year = self.today.year - HISTORY_YEARS + (1 if self.today.month < 4 else 0)
        for subject, amount in self.subjects_for(person):
            for year in range(first_year, self.today.year + (1 if self.today.month >= 4 else 0)):
                notice = f"{year % 100:02d}{subject.value}{person['id']:07d}"
                yearly = max(int(amount * rng.uniform(0.9, 1.1)) // 100 * 100, 1_000)
                for period, due in enumerate(due_dates(subject, year), start=1):
                    assessment_id = self.next_assessment
                    self.next_assessment += 1
                    row = {
                        **self.stamp,
                        "id": assessment_id,
                        "taxpayer_id": person["id"],
                        "subject_code": subject.value,
                        "subject_detail_code": "0000",
                        "calculating_body_code": CITY_CODE,
                        "installment_body_code": CITY_CODE,
                        "inside_outside_code": "1",
                        "assessment_year": year,
                        "tax_year": year,
                        "notice_number": notice,
                        "logical_period": period,
                        "due_date": due,
                        "statutory_due_date": due,
                        "principal": yearly,
                        "demand_issued_on": None,
                        "demand_fee": 0,
                    }
                    assessments.append(row)
                    payments.extend(self.pay(row, behaviour))
        return assessments, payments

    def pay(self, installment: dict, behaviour: str) -> list[dict]:
        rng, due, today = self.rng, installment["due_date"], self.today
        owed = installment["principal"]
        years_back = today.year - due.year
        if behaviour == "delinquent" and years_back <= 3 and rng.random() < 0.8:
            paid_on = None if rng.random() < 0.7 else due + timedelta(days=rng.randint(30, 400))
        elif behaviour == "delinquent" and 4 <= years_back <= 6 and rng.random() < 0.25:
            # old arrears: some near their 時効, some past it (the 不納欠損 candidates)
            paid_on = None
        elif behaviour == "late" and rng.random() < 0.3:
            paid_on = due + timedelta(days=rng.randint(5, 200))
        else:
            paid_on = due - timedelta(days=rng.randint(0, 25))
        if paid_on is not None and paid_on > today:
            paid_on = None
        demand_day = due + timedelta(days=20)
        if (paid_on is None or paid_on > demand_day) and demand_day <= today:
            installment["demand_issued_on"] = demand_day
            installment["demand_fee"] = demand_fee_on(demand_day)
        if paid_on is None:
            part_paid_on = due + timedelta(days=rng.randint(40, 200))
            if behaviour == "delinquent" and part_paid_on <= today and rng.random() < 0.3:  # a part paid
                return [self.payment(installment, part_paid_on, owed // 3)]
            return []
        rows = [self.payment(installment, paid_on, owed + installment["demand_fee"])]
        late = compute_late_charge(principal=owed, due_date=due, until=paid_on).amount
        late_paid_on = paid_on + timedelta(days=rng.randint(20, 60))
        if late and late_paid_on <= today and rng.random() < 0.7:
            rows.append(self.payment(installment, late_paid_on, late))
        return [row for row in rows if row["received_on"] <= today]

    def payment(self, installment: dict, day: date, amount: int) -> dict:
        payment_id = self.next_payment
        self.next_payment += 1
        channel = self.rng.choices([c for c, _ in CHANNELS], weights=[w for _, w in CHANNELS])[0]
        return {
            **self.stamp,
            "id": payment_id,
            "receipt_number": f"D{payment_id:011d}",
            "assessment_id": installment["id"],
            "received_on": day,
            # never after today: a payment received today may not be accounted tomorrow in the demo
            "accounted_on": min(day + timedelta(days=1 if channel != "1" else 0), self.today),
            "amount": amount,
            "channel": channel,
        }

    def batch(self, size: int, counters: Counters, delinquent_percent: int = 3) -> None:
        persons, assessments, payments = [], [], []
        good = max(0, 95 - delinquent_percent)
        for _ in range(size):
            person = self.person()
            behaviour = self.rng.choices(
                ["good", "late", "delinquent"], weights=[good, 5, delinquent_percent]
            )[0]
            rows, paid = self.installments(person, behaviour)
            persons.append(person)
            assessments.extend(rows)
            payments.extend(paid)
        copy_tracked(Taxpayer, persons, actor=self.actor, reason="デモデータ生成")
        copy_tracked(Assessment, assessments, actor=self.actor, reason="デモデータ生成")
        copy_tracked(Payment, payments, actor=self.actor, reason="デモデータ生成")
        counters.persons += len(persons)
        counters.assessments += len(assessments)
        counters.payments += len(payments)


def generate(
    *,
    persons: int,
    seed: int = 2026,
    today: date | None = None,
    progress=None,
    delinquent_percent: int = 3,
) -> Counters:
    """Adds `persons` synthetic taxpayers with their ledgers; returns what was written. About
    `delinquent_percent` % of them (0–95) leave installments unpaid; no payment is dated after
    `today` (received or accounted)."""
    from accounts.models import Staff

    actor = Actor.batch("DEMO")
    officers = list(
        Staff.objects.filter(groups__name="徴収担当", is_active=True).values_list("id", flat=True)
    )
    counters = Counters()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "LOCK TABLE taxpayers_taxpayer, taxpayers_assessment, taxpayers_payment IN EXCLUSIVE MODE"
            )
        generator = Generator(seed=seed, today=today or timezone.localdate(), actor=actor, officers=officers)
        remaining = persons
        while remaining:
            size = min(BATCH, remaining)
            generator.batch(size, counters, delinquent_percent)
            remaining -= size
            if progress:
                progress(counters)
        with connection.cursor() as cursor:
            for table in ("taxpayers_taxpayer", "taxpayers_assessment", "taxpayers_payment"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608  (fixed names)
                )
    analyze(
        Taxpayer, Taxpayer.history.model, Assessment, Assessment.history.model, Payment, Payment.history.model
    )
    return counters
