"""The case page: its summary is the installments' standing on the same day, its actions follow the
role, its timeline opens on today; the memo and 付箋 pages write through the services."""

import re
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import CaseFlag, CaseMemo
from negotiations import services as negotiation_services
from negotiations.schedules import build_schedule
from taxpayers.models import Assessment, Taxpayer, TaxpayerAccess
from taxpayers.standing import standings_for
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

DAY = date(2026, 6, 1)  # the 2021 固定資産税 is still within its 時効 (it completes on 2026-09-30)
URL = reverse("cases:case", args=["000000101"])


# a call that found no one (交渉記録's fields as the form posts them)
CONTACT = {
    "content": "架電。不在。",
    "result": "3",
    "contact_kind": "11",
    "subject_group_code": "00",
    "collection_category": "2",
    "importance": "2",
}


def taxpayer():
    return Taxpayer.objects.get(atena_number="000000101")


def figure(html: str, name: str) -> str:
    return re.search(rf'data-figure="{name}">([^<]+)<', html).group(1)


def test_the_summary_figures_are_the_standing_of_the_same_day(client, officer, ledger):
    with time_machine.travel(DAY):
        sign_in(client, officer)
        response = client.get(URL)
        standings = standings_for(Assessment.objects.filter(taxpayer=taxpayer()), as_of=DAY)
    owed = response.context["owed"]
    principal = sum(s.outstanding_principal for s in standings)
    late_charge = sum(s.late_charge for s in standings)
    fee = sum(s.outstanding_fee for s in standings)
    assert (owed.principal, owed.late_charge, owed.fee) == (principal, late_charge, fee)
    assert principal == 35_000 and late_charge > 0  # 65,000 − 30,100 paid, 督促手数料 none
    html = response.content.decode()
    assert figure(html, "owed-principal") == f"{principal:,}"
    assert figure(html, "owed-late-charge") == f"{late_charge:,}"
    assert figure(html, "owed-fee") == f"{fee:,}"
    assert figure(html, "owed-total").rstrip("円") == f"{principal + late_charge + fee:,}"
    nearest = min(s.prescription_date for s in standings if s.outstanding_total and s.prescription_date)
    assert owed.nearest_prescription.prescription_date == nearest
    assert figure(html, "nearest-prescription") == "令和8年9月30日"
    assert TaxpayerAccess.objects.filter(page="カルテ", atena_numbers=["000000101"]).exists()


def test_read_only_sees_the_case_memo_and_flags_but_no_action(client, read_only, officer_actor, ledger):
    services.save_case_memo(
        actor=officer_actor, taxpayer=taxpayer(), expected_version=0, values={"cautions": "暴言注意"}
    )
    services.add_case_flag(actor=officer_actor, taxpayer=taxpayer(), kind="abusive", text="大声")
    negotiation_services.record_negotiation(actor=officer_actor, taxpayer=taxpayer(), values=CONTACT)
    sign_in(client, read_only)
    html = client.get(URL).content.decode()
    assert "暴言注意" in html and "大声" in html and "架電。不在。" in html
    for refused in (
        reverse("negotiations:case", args=["000000101"]),
        reverse("negotiations:pledge_new", args=["000000101"]),
        reverse("documents:issue", args=["000000101"]),
        reverse("dispositions:inquiry_new", args=["000000101"]),
        reverse("dispositions:draft", args=["000000101"]),
        reverse("cases:memo_edit", args=["000000101"]),
        reverse("cases:flag_create", args=["000000101"]),
        "/negotiations/records/",  # the timeline's 修正・取消 need 交渉記録
    ):
        assert refused not in html, refused
    assert reverse("taxpayers:detail", args=["000000101"]) in html  # 収納状況照会 is the role's own menu


def test_an_officer_gets_every_action_of_the_role(client, officer, ledger):
    sign_in(client, officer)
    html = client.get(URL).content.decode()
    for action in (
        reverse("negotiations:case", args=["000000101"]),
        reverse("negotiations:pledge_new", args=["000000101"]),
        reverse("documents:issue", args=["000000101"]) + "?form=01",
        reverse("documents:issue", args=["000000101"]) + "?form=03",
        reverse("dispositions:inquiry_new", args=["000000101"]),
        reverse("dispositions:draft", args=["000000101"]),
        reverse("cases:memo_edit", args=["000000101"]),
        reverse("cases:flag_create", args=["000000101"]),
    ):
        assert action in html, action
    assert "data-print" in html


def pledge_monthly(actor, *, payments):
    """A 分納誓約 made on DAY over 210000101: 35,000 yen in `payments` monthly payments from 2026-06-30."""
    return negotiation_services.make_pledge(
        actor=actor,
        taxpayer=taxpayer(),
        assessments=[Assessment.objects.get(notice_number="210000101")],
        schedule=build_schedule(total=35_000, first_date=date(2026, 6, 30), count=payments),
        pledged_on=DAY,
        interval="monthly",
    )


def test_the_timeline_opens_on_today_with_the_scheduled_payments_folded_above(
    client, officer, officer_actor, ledger
):
    with time_machine.travel(DAY):
        pledge_monthly(officer_actor, payments=2)
        sign_in(client, officer)
        response = client.get(URL)
    upcoming = [entry for entry, _ in response.context["upcoming"]]
    past = [entry for entry, _ in response.context["past"]]
    # the next dates, soonest first: the two payments, then the nearest 時効予定日 (renewed by the 承認)
    assert [e.kind for e in upcoming] == ["分納予定", "分納予定", "時効予定日"]
    nearest = response.context["owed"].nearest_prescription.prescription_date
    assert DAY < upcoming[0].day < upcoming[1].day < upcoming[2].day == nearest
    assert all(e.day <= DAY for e in past) and past[0].kind in ("分納誓約", "時効")
    assert [e.day for e in past] == sorted((e.day for e in past), reverse=True)
    html = response.content.decode()
    assert html.index('<details class="timeline-upcoming">') < html.index("今日（令和8年6月1日）以前")
    summary = response.context["pledge"]
    assert summary.next_payment.due_date == upcoming[0].day  # the pledge's next payment is the nearest one


def test_the_next_dates_are_the_head_of_the_planned_list_and_name_the_nearest_prescription(
    client, officer, officer_actor, ledger
):
    """次の予定 (the summary) and 今後の予定 (folded above the timeline) are one list: an officer's trial
    found 「次の予定 なし」 above 「今後の予定 3件」 — the payments of a pledge no longer 履行中 — and the
    nearest 時効予定日 in neither. Variants: a 履行中 pledge, the same pledge 不履行, a planned visit
    whose day has passed, and a taxpayer with nothing planned."""
    from negotiations.models import InstallmentPledge
    from wako_collections.eras import format_date

    def dates(response):
        html = response.content.decode()
        cell = html.split('data-figure="next-dates">')[1].split("</dd>")[0]
        upcoming = [entry for entry, _ in response.context["upcoming"]]
        assert [entry for entry, _ in response.context["next_dates"]] == upcoming[:5]
        return cell, upcoming, html

    with time_machine.travel(DAY):
        pledge = pledge_monthly(officer_actor, payments=3)
        sign_in(client, officer)
        response = client.get(URL)
        cell, upcoming, html = dates(response)
        assert [e.kind for e in upcoming] == ["分納予定", "分納予定", "分納予定", "時効予定日"]
        nearest = format_date(response.context["owed"].nearest_prescription.prescription_date)
        assert "今後の予定 4件" in html and f"{nearest} 時効予定日" in cell
        assert cell.index("令和8年6月30日 分納予定") < cell.index("時効予定日")

        InstallmentPledge.objects.filter(pk=pledge.pk).update(status=InstallmentPledge.Status.BROKEN)
        cell, upcoming, html = dates(client.get(URL))
        assert [e.kind for e in upcoming] == ["時効予定日"]  # a broken pledge's payments are no plan
        assert "なし" not in cell and "今後の予定 1件" in html

        negotiation_services.record_negotiation(
            actor=officer_actor,
            taxpayer=taxpayer(),
            values={
                "content": "自宅を訪問する。",
                "result": "1",  # 予定
                "contact_kind": "22",  # 臨戸
                "scheduled_date": date(2026, 5, 25),
                "subject_group_code": "00",
                "collection_category": "2",
                "importance": "2",
            },
        )
        cell, upcoming, html = dates(client.get(URL))
        assert [e.kind for e in upcoming] == ["予定", "時効予定日"]
        assert "期日経過" in cell and "今後の予定 2件" in html

        nothing = client.get(reverse("cases:case", args=["000000103"]))
    cell, upcoming, html = dates(nothing)
    assert cell == "なし" and upcoming == [] and "今後の予定" not in html


def test_the_memo_page_refuses_a_stale_edit_and_keeps_what_was_typed(
    client, officer, supervisor_actor, ledger
):
    sign_in(client, officer)
    url = reverse("cases:memo_edit", args=["000000101"])
    assert client.get(url).context["form"].initial["expected_version"] == 0
    response = client.post(
        url, {"workplace": "和光運送", "reachable_hours": "", "cautions": "", "expected_version": 0}
    )
    assert response.status_code == 302 and response["Location"] == URL
    services.save_case_memo(
        actor=supervisor_actor, taxpayer=taxpayer(), expected_version=1, values={"workplace": "転職済み"}
    )
    response = client.post(
        url,
        {"workplace": "和光運送", "reachable_hours": "", "cautions": "訪問は2名で", "expected_version": 1},
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "転職済み" in html and "訪問は2名で" in html and "あなたの変更は保存していません" in html
    assert CaseMemo.objects.get().cautions == ""
    # sent again from the page shown (it carries the version now saved), it is written
    response = client.post(
        url,
        {"workplace": "転職済み", "reachable_hours": "", "cautions": "訪問は2名で", "expected_version": 2},
    )
    assert response.status_code == 302 and CaseMemo.objects.get().version == 3


def test_a_flag_added_on_its_page_shows_until_its_end_date(client, officer, ledger):
    with time_machine.travel(DAY):
        sign_in(client, officer)
        response = client.post(
            reverse("cases:flag_create", args=["000000101"]),
            {"kind": "counter_visit", "text": "6/3に来庁予定", "ends_on": "R8.6.3"},
        )
        assert response.status_code == 302
        assert "6/3に来庁予定" in client.get(URL).content.decode()
        refused = client.post(
            reverse("cases:flag_create", args=["000000101"]), {"kind": "vip", "text": "x", "ends_on": ""}
        )
        assert refused.status_code == 400 and "選択肢にない値です" in refused.content.decode()
    with time_machine.travel(date(2026, 6, 4)):
        sign_in(client, officer)
        assert "6/3に来庁予定" not in client.get(URL).content.decode()
    flag = CaseFlag.objects.get()
    assert (flag.updated_staff_number, flag.updated_terminal_number) == ("S1001", "T0001")


def test_taking_a_flag_off_asks_first_then_keeps_it(client, officer, officer_actor, ledger):
    flag = services.add_case_flag(actor=officer_actor, taxpayer=taxpayer(), kind="abusive", text="大声")
    sign_in(client, officer)
    url = reverse("cases:flag_remove", args=[flag.pk])
    assert "この付箋をカルテから外します" in client.get(url).content.decode()
    assert CaseFlag.objects.get().removed_at is None
    response = client.post(url, {"reason": "落ち着いて話ができた"})
    assert response.status_code == 302
    assert "大声" not in client.get(URL).content.decode()
    assert CaseFlag.objects.get().removed_reason == "落ち着いて話ができた"


def test_search_results_open_the_case(client, officer, ledger):
    sign_in(client, officer)
    html = client.get(reverse("taxpayers:search"), {"name": "和光"}).content.decode()
    assert f'href="{URL}"' in html


def test_an_installment_past_its_prescription_is_told_apart(client, officer, ledger):
    # the 2021 固定資産税's 時効 completed on 2026-09-30 with 35,000円 of 本税 unpaid
    with time_machine.travel(date(2026, 12, 1)):
        sign_in(client, officer)
        response = client.get(URL)
    owed = response.context["owed"]
    # extinguished (地方税法第18条): shown apart, not in what can still be collected
    assert owed.time_barred_count == 1 and owed.time_barred_amount > 35_000 and owed.total == 0
    assert owed.nearest_prescription is None
    assert "ほかに時効完成 1件" in response.content.decode()


def test_the_case_page_costs_the_same_queries_whatever_the_history(client, officer, officer_actor, ledger):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, officer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    negotiation_services.record_negotiation(actor=officer_actor, taxpayer=taxpayer(), values=CONTACT)
    services.add_case_flag(actor=officer_actor, taxpayer=taxpayer(), kind="abusive")
    queries()  # the frame's permissions are cached after the first request (accounts/access_cache)
    few = queries()
    for _ in range(15):
        negotiation_services.record_negotiation(actor=officer_actor, taxpayer=taxpayer(), values=CONTACT)
        services.add_case_flag(actor=officer_actor, taxpayer=taxpayer(), kind="other", text="x")
    assert queries() == few
    print(f"case page: {few} queries")


def test_a_supervisor_reviews_the_memos_history_with_who_and_which_terminal(
    client, supervisor, officer_actor, ledger
):
    memo = services.save_case_memo(
        actor=officer_actor, taxpayer=taxpayer(), expected_version=0, values={"cautions": "暴言注意"}
    )
    services.save_case_memo(
        actor=officer_actor,
        taxpayer=taxpayer(),
        expected_version=1,
        values={"cautions": "暴言注意。2名で訪問"},
    )
    sign_in(client, supervisor)
    review = reverse("audit:record_history", args=["case_memo", memo.pk])
    assert review in client.get(URL).content.decode()
    html = client.get(review).content.decode()
    assert "S1001" in html and "T0001" in html and "2名で訪問" in html


def test_the_timeline_gives_a_contact_its_time_and_every_other_row_its_day_alone(
    client, officer, officer_actor, ledger
):
    with time_machine.travel("2026-06-01 10:23:00+09:00", tick=False):
        negotiation_services.record_negotiation(
            actor=officer_actor,
            taxpayer=taxpayer(),
            values={
                "content": "架電。本人と話す。",
                "result": "3",
                "contact_kind": "11",
                "subject_group_code": "00",
                "collection_category": "2",
                "importance": "2",
            },
        )
    sign_in(client, officer)
    html = client.get(URL).content.decode()
    rows = re.findall(r'<tr>\s*<td class="nowrap">([^<]*)</td>\s*<td class="nowrap">([^<]*)</td>', html)
    kinds = {kind: day for day, kind in rows}
    assert kinds["交渉"].endswith(" 10:23"), rows
    assert "収納" in kinds and all(":" not in day for day, kind in rows if kind != "交渉"), rows


def test_a_long_history_opens_on_its_newest_rows_and_shows_every_row_on_request(
    client, officer, officer_actor, ledger
):
    from datetime import datetime, timedelta

    from django.utils import timezone

    from cases.timeline import PAST_SHOWN, case_timeline

    first_call = datetime(2026, 1, 5, 9, tzinfo=timezone.get_default_timezone())
    for n in range(PAST_SHOWN + 5):  # a call a day, the last one the newest
        with time_machine.travel(first_call + timedelta(days=n), tick=False):
            negotiation_services.record_negotiation(
                actor=officer_actor, taxpayer=taxpayer(), values={**CONTACT, "content": f"架電{n}回目"}
            )
    sign_in(client, officer)
    every = case_timeline(taxpayer(), today=timezone.localdate()).past
    assert len(every) > PAST_SHOWN + 5  # the contacts and the ledger's own rows (収納, 時効)

    opened = client.get(URL)
    shown = [entry for entry, _ in opened.context["past"]]
    assert shown == every[:PAST_SHOWN]  # the newest, in the same order as the whole timeline
    html = opened.content.decode()
    assert f"{len(every)}件のうち新しい{PAST_SHOWN}件" in html
    assert f"ほかに古い記録が{len(every) - PAST_SHOWN}件あります。" in html
    assert f"架電{PAST_SHOWN + 4}回目" in html and "架電0回目" not in html  # the oldest folded away

    everything = client.get(URL, {"timeline": "all"})
    assert [entry for entry, _ in everything.context["past"]] == every
    html = everything.content.decode()
    assert "架電0回目" in html and f"{len(every)}件すべて" in html and "ほかに古い記録" not in html
    assert f"新しい{PAST_SHOWN}件だけ表示" in html
