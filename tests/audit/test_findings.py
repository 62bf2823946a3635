"""Access-log analysis: seeded logs in which each report flags exactly the planted rows."""

from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.events import record_event
from accounts.models import SecurityEvent
from accounts.roles import Role
from accounts.services import deactivate_staff
from audit import findings
from audit.findings import local_midnight
from negotiations import services as negotiation_services
from taxpayers.models import Taxpayer, TaxpayerAccess
from tests.conftest import SETUP, make_staff, sign_in
from tests.negotiations.conftest import CONTACT
from wako_collections.actors import Actor, acting_as
from wako_collections.records import save_tracked, stamp

pytestmark = pytest.mark.django_db

WINDOW = findings.Window.of_days(date(2026, 11, 16), date(2026, 11, 30))


def at(y, m, d, hh=10, mm=0):
    return timezone.make_aware(datetime(y, m, d, hh, mm))


def view(staff_number, when, *atena_numbers, page="収納状況照会"):
    return TaxpayerAccess.objects.create(
        occurred_at=when,
        staff_number=staff_number,
        terminal_number="T0001",
        page=page,
        atena_numbers=list(atena_numbers),
    ).pk


def person(atena_number, name, address, officer=None):
    with acting_as(SETUP):
        taxpayer = Taxpayer(
            atena_number=atena_number,
            name=name,
            name_kana="テスト",
            address=address,
            residence_status="1",
            search_name=name,
            search_kana="テスト",
            assigned_officer=officer,
        )
        stamp(taxpayer, SETUP)
        taxpayer.save()
    return taxpayer


def flagged(rule):
    return sorted(i for finding in findings.ANALYSES[rule](WINDOW) for i in finding.access_ids)


def test_views_outside_office_hours_weekends_holidays_and_year_end_are_flagged(supervisor):
    planted = [
        view("S2001", at(2026, 11, 18, 22, 0), "000000101"),  # Wednesday night
        view("S2001", at(2026, 11, 21), "000000101"),  # Saturday
        view("S2001", at(2026, 11, 23), "000000101"),  # 勤労感謝の日 (a Monday)
        view("S2001", at(2026, 11, 19, 8, 29), "000000101"),  # a minute before opening
        view("S2001", at(2026, 11, 19, 17, 15), "000000101"),  # closing time
    ]
    view("S2001", at(2026, 11, 19, 8, 30), "000000101")
    view("S2001", at(2026, 11, 19, 17, 14), "000000101")
    view("S2001", at(2026, 11, 20), "000000101")
    view("S2001", at(2026, 12, 1, 22, 0), "000000101")  # outside the window
    assert flagged("after_hours") == sorted(planted)
    assert not findings.office_open(at(2026, 12, 30)) and findings.office_open(at(2026, 12, 28))


def test_a_day_far_above_the_officers_usual_is_flagged(officer, supervisor):
    many = [f"{n:09d}" for n in range(1, 61)]
    for day in (10, 11, 12):  # S1001's usual: 5 taxpayers a day; S2001's: 40
        view("S1001", at(2026, 11, day), *many[:5], page="宛名検索")
        view("S2001", at(2026, 11, day), *many[:40], page="宛名検索")
    view("S1001", at(2026, 11, 17), *many[:40], page="宛名検索")  # 8 × usual: flagged
    view("S2001", at(2026, 11, 18), *many[:45], page="宛名検索")  # within 3 × usual
    view("S1001", at(2026, 11, 19), *many[:12], page="宛名検索")  # 2.4 × usual and under the minimum
    days = [(f.staff_number, f.day) for f in findings.volume(WINDOW)]
    assert days == [("S1001", date(2026, 11, 17))]


def test_finished_days_are_counted_once_and_today_live(officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from audit.models import AccessDailyCount

    many = [f"{n:09d}" for n in range(1, 61)]
    view("S1001", at(2026, 11, 17), *many[:40], page="宛名検索")
    view("S1001", at(2026, 11, 17, 11), *many[20:50], page="宛名検索")  # 50 distinct that day
    view("S1001", at(2026, 11, 18), *many[:5], page="宛名検索")
    start, end = local_midnight(date(2026, 11, 16)), local_midnight(date(2026, 12, 2))
    with time_at(at(2026, 12, 1, 12)):
        view("S1001", at(2026, 12, 1, 9), *many[:7], page="宛名検索")  # today: counted live
        expected = findings._count_days(start, end)
        assert expected[("S1001", date(2026, 11, 17))] == 50
        assert findings.daily_taxpayer_counts(start, end) == expected
        assert AccessDailyCount.objects.filter(staff_number="").count() == 15  # 11/16 .. 11/30
        assert not AccessDailyCount.objects.filter(day=date(2026, 12, 1)).exists()
        with CaptureQueriesContext(connection) as again:
            assert findings.daily_taxpayer_counts(start, end) == expected
        log = [q["sql"] for q in again.captured_queries if "taxpayers_taxpayeraccess" in q["sql"]]
        assert len(log) == 1 and "unnest" in log[0]  # today's log alone; the finished days are stored
        view("S1001", at(2026, 12, 1, 10), *many[7:9], page="宛名検索")
        assert findings.daily_taxpayer_counts(start, end)[("S1001", date(2026, 12, 1))] == 9


def test_a_case_outside_ones_assignment_without_a_negotiation_record_is_flagged(officer, supervisor, ledger):
    actor = Actor.for_staff(officer, "T0001")
    with acting_as(SETUP):
        assigned = Taxpayer.objects.get(atena_number="000000103")
        assigned.assigned_officer = officer
        stamp(assigned, SETUP)
        save_tracked(assigned, reason="担当の変更")
    negotiation_services.record_negotiation(
        actor=actor, taxpayer=Taxpayer.objects.get(atena_number="000000102"), values=CONTACT
    )
    planted = [view("S1001", at(2026, 11, 17), "000000101"), view("S1001", at(2026, 11, 18), "000000101")]
    view("S1001", at(2026, 11, 17), "000000102")  # has written a negotiation record
    view("S1001", at(2026, 11, 17), "000000103")  # assigned to them
    view("S1001", at(2026, 11, 17), "000000101", "000000102", page="宛名検索")  # a list, not a case
    view("S2001", at(2026, 11, 17), "000000101")  # a supervisor, not a 徴収担当
    assert flagged("outside_cases") == sorted(planted)
    (finding,) = findings.outside_cases(WINDOW)
    assert finding.atena_numbers == ["000000101"] and "2回" in finding.detail


def test_a_taxpayer_sharing_the_officers_surname_and_address_is_flagged(officer):
    home = "埼玉県和光市本町9-9"
    person(officer.atena_number, "山田 太郎", home, officer)  # the officer's own 宛名
    person("000000555", "山田 花子", home, officer)
    person("000000556", "山田 次郎", "埼玉県和光市白子1-1", officer)
    person("000000557", "佐藤 花子", home, officer)
    planted = [
        view("S1001", at(2026, 11, 17), "000000555"),
        view("S1001", at(2026, 11, 17), officer.atena_number),
        view("S1001", at(2026, 11, 18), "000000101", "000000555", page="宛名検索"),
    ]
    view("S1001", at(2026, 11, 17), "000000556")
    view("S1001", at(2026, 11, 17), "000000557")
    assert flagged("relatives") == sorted(planted)


def test_any_use_of_a_deactivated_account_is_flagged(administrator, terminal):
    leaver = make_staff("S1009", Role.READ_ONLY, full_name="退職 者")
    view("S1009", at(2026, 11, 17), "000000101")
    with time_at(at(2026, 11, 18, 9, 0)):
        deactivate_staff(actor=Actor.for_staff(administrator, "T0001"), staff=leaver, reason="退職")
    planted = view("S1009", at(2026, 11, 18, 11, 0), "000000101")
    with time_at(at(2026, 11, 19)):
        record_event(SecurityEvent.Kind.PASSWORD_REJECTED, staff_number="S1009", terminal_number="T0001")
    found = findings.deactivated(WINDOW)
    assert [f.access_ids for f in found if f.access_ids] == [[planted]]
    assert [f.detail for f in found if f.event_ids] == ["無効化後のパスワード誤り"]


def time_at(moment):
    import time_machine

    return time_machine.travel(moment, tick=False)


def test_the_findings_page_links_each_row_to_its_evidence(client, supervisor):
    planted = view("S2001", at(2026, 11, 21), "000000101")
    sign_in(client, supervisor)
    html = client.get(
        reverse("audit:access_findings"), {"date_from": "R8.11.16", "date_to": "R8.11.30"}
    ).content.decode()
    assert "時間外・閉庁日の照会（1件）" in html
    assert f"?access_id={planted}" in html
    evidence = client.get(reverse("audit:access_log"), {"access_id": planted}).content.decode()
    assert "000000101" in evidence and "S2001" in evidence


def test_each_patterns_findings_are_paged_on_the_findings_page(client, supervisor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def findings_page(**extra):
        params = {"date_from": "R8.11.16", "date_to": "R8.11.30", **extra}
        with CaptureQueriesContext(connection) as captured:
            html = client.get(reverse("audit:access_findings"), params).content.decode()
        return len(captured.captured_queries), html.split('id="after_hours"')[1].split("</section>")[0]

    sign_in(client, supervisor)
    view("S2001", at(2026, 11, 18, 22, 0), "000000101")
    findings_page()  # the finished days' counts are stored the first time
    few, _ = findings_page()
    TaxpayerAccess.objects.bulk_create(
        TaxpayerAccess(
            occurred_at=at(2026, 11, 18, 22, n % 60),
            staff_number="S2001",
            terminal_number="T0001",
            page="収納状況照会",
            atena_numbers=[f"{n:09d}"],
        )
        for n in range(1, 60)
    )
    many, first = findings_page()
    assert few == many  # the same queries for 1 finding as for 60
    assert "時間外・閉庁日の照会（60件）" in first and first.count("?access_id=") == 50
    assert "1 / 2 ページ（1〜50件目）" in first and "after_hours_page=2" in first
    _, second = findings_page(after_hours_page="2")
    assert second.count("?access_id=") == 10 and "2 / 2 ページ（51〜60件目）" in second


def test_the_incident_list_names_every_taxpayer_an_officers_views_touched(client, supervisor, ledger):
    view("S1001", at(2026, 11, 17, 9, 0), "000000101")
    view("S1001", at(2026, 11, 17, 9, 30), "000000101", "000000102", page="宛名検索")
    view("S1001", at(2026, 11, 17, 18, 0), "000000103")  # after the window's end time
    view("S1002", at(2026, 11, 17, 9, 0), "000000103")  # someone else
    sign_in(client, supervisor)
    response = client.get(
        reverse("audit:incident"),
        {
            "staff_number": "S1001",
            "date_from": "R8.11.17",
            "time_from": "08:00",
            "date_to": "R8.11.17",
            "time_to": "17:00",
        },
    )
    affected = response.context["affected"]
    assert [(a.atena_number, a.views) for a in affected] == [("000000101", 2), ("000000102", 1)]
    assert "和光 太郎" in response.content.decode()
    logged = TaxpayerAccess.objects.get(page="監査：影響を受けた宛名")
    assert logged.staff_number == "S2001" and logged.atena_numbers == ["000000101", "000000102"]
