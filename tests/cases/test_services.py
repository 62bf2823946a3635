"""The case memo (versions, a stale edit refused) and 付箋 (kinds, end dates, taken off, never deleted)."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from cases import services
from cases.models import CaseFlag, CaseMemo
from taxpayers.models import Taxpayer

pytestmark = pytest.mark.django_db

MEMO = {
    "workplace": "和光運送（白子）",
    "reachable_hours": "平日18時以降",
    "cautions": "暴言注意。訪問は2名で。",
}


def taxpayer():
    return Taxpayer.objects.get(atena_number="000000101")


def test_the_first_memo_is_version_1_and_names_who_wrote_it_from_where(officer_actor, ledger):
    memo = services.save_case_memo(actor=officer_actor, taxpayer=taxpayer(), expected_version=0, values=MEMO)
    assert (memo.version, memo.cautions) == (1, "暴言注意。訪問は2名で。")
    assert (memo.updated_staff_number, memo.updated_terminal_number) == ("S1001", "T0001")
    [row] = memo.history.all()
    assert (row.history_staff_number, row.history_terminal_number, row.history_change_reason) == (
        "S1001",
        "T0001",
        "案件メモの作成",
    )


def test_each_save_is_a_new_version_kept_in_history(officer_actor, supervisor_actor, ledger):
    services.save_case_memo(actor=officer_actor, taxpayer=taxpayer(), expected_version=0, values=MEMO)
    memo = services.save_case_memo(
        actor=supervisor_actor,
        taxpayer=taxpayer(),
        expected_version=1,
        values={**MEMO, "reachable_hours": "土曜午前"},
    )
    assert memo.version == 2 and memo.updated_staff_number == "S2001"
    assert [h.reachable_hours for h in memo.history.order_by("history_date")] == ["平日18時以降", "土曜午前"]
    assert [h.history_staff_number for h in memo.history.order_by("history_date")] == ["S1001", "S2001"]


def test_a_stale_memo_edit_is_refused_and_writes_nothing(officer_actor, supervisor_actor, ledger):
    services.save_case_memo(actor=officer_actor, taxpayer=taxpayer(), expected_version=0, values=MEMO)
    # both opened version 1; the supervisor saves first
    services.save_case_memo(
        actor=supervisor_actor,
        taxpayer=taxpayer(),
        expected_version=1,
        values={**MEMO, "workplace": "転職済み"},
    )
    with pytest.raises(services.StaleMemoError, match="開いた後に") as refused:
        services.save_case_memo(
            actor=officer_actor,
            taxpayer=taxpayer(),
            expected_version=1,
            values={**MEMO, "cautions": "上書き"},
        )
    assert refused.value.current.version == 2 and refused.value.current.updated_staff_number == "S2001"
    memo = CaseMemo.objects.get()
    assert (memo.version, memo.workplace, memo.cautions) == (2, "転職済み", MEMO["cautions"])
    assert memo.history.count() == 2


def test_two_first_memos_the_second_is_refused(officer_actor, supervisor_actor, ledger):
    services.save_case_memo(actor=officer_actor, taxpayer=taxpayer(), expected_version=0, values=MEMO)
    with pytest.raises(services.StaleMemoError):
        services.save_case_memo(actor=supervisor_actor, taxpayer=taxpayer(), expected_version=0, values=MEMO)
    assert CaseMemo.objects.count() == 1


def test_a_save_without_a_change_makes_no_version(officer_actor, ledger):
    services.save_case_memo(actor=officer_actor, taxpayer=taxpayer(), expected_version=0, values=MEMO)
    memo = services.save_case_memo(actor=officer_actor, taxpayer=taxpayer(), expected_version=1, values=MEMO)
    assert memo.version == 1 and memo.history.count() == 1


def test_a_flag_shows_through_its_end_date_and_is_hidden_after_it(officer_actor, ledger):
    today = timezone.localdate()
    flag = services.add_case_flag(
        actor=officer_actor,
        taxpayer=taxpayer(),
        kind="counter_visit",
        text="来週来庁",
        ends_on=today + timedelta(days=2),
    )
    lasting = services.add_case_flag(actor=officer_actor, taxpayer=taxpayer(), kind="abusive")
    shown = CaseFlag.objects.filter(taxpayer=taxpayer()).shown_on
    assert set(shown(today)) == {flag, lasting}
    assert set(shown(today + timedelta(days=2))) == {flag, lasting}  # the end date is included
    assert list(shown(today + timedelta(days=3))) == [lasting]
    assert CaseFlag.objects.count() == 2  # expired, not deleted
    assert flag.history.first().history_staff_number == "S1001"


def test_a_flag_ending_in_the_past_or_of_an_unlisted_kind_is_refused(officer_actor, ledger):
    with time_machine.travel(date(2026, 12, 1)):
        with pytest.raises(services.CaseError, match="終了日が過去"):
            services.add_case_flag(
                actor=officer_actor, taxpayer=taxpayer(), kind="abusive", ends_on=date(2026, 11, 30)
            )
        with pytest.raises(services.CaseError, match="種類"):
            services.add_case_flag(actor=officer_actor, taxpayer=taxpayer(), kind="vip")
    assert CaseFlag.objects.count() == 0


def test_a_flag_taken_off_is_kept_with_its_reason_and_hidden(officer_actor, supervisor_actor, ledger):
    flag = services.add_case_flag(actor=officer_actor, taxpayer=taxpayer(), kind="abusive", text="大声")
    with pytest.raises(services.CaseError, match="理由"):
        services.remove_case_flag(actor=supervisor_actor, flag_id=flag.pk, reason=" ")
    services.remove_case_flag(actor=supervisor_actor, flag_id=flag.pk, reason="本人と落ち着いて話ができた")
    flag.refresh_from_db()
    assert flag.removed_at is not None and flag.removed_reason == "本人と落ち着いて話ができた"
    assert flag.updated_staff_number == "S2001" and flag.version == 2
    assert not CaseFlag.objects.shown_on(timezone.localdate()).exists()
    with pytest.raises(services.CaseError, match="既に外されて"):
        services.remove_case_flag(actor=supervisor_actor, flag_id=flag.pk, reason="再度")


def test_the_database_refuses_a_kind_not_in_the_list(officer_actor, ledger):
    from django.db import IntegrityError, transaction

    flag = services.add_case_flag(actor=officer_actor, taxpayer=taxpayer(), kind="abusive")
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFlag.objects.filter(pk=flag.pk).update(kind="vip")
