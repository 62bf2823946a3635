"""ホーム's 今日の仕事: for the signed-in member of staff, what needs doing today, each a count with
the list it comes from. Each count is asked of the app that owns the list (the same function the
list uses), one panel per app, and only for the menus the user holds:

* 交渉記録 (negotiations.queues): promises whose 予実日 is today, promises judged 不履行 and not
  followed up, broken 分納誓約 — the officer's own; a supervisor (担当の割当) sees the office's;
* 収納状況照会 (taxpayers.working_list): delinquent taxpayers whose renewed 時効予定日 falls within
  PRESCRIPTION_WARNING_DAYS — the officer's own; 閲覧専用 and supervisors the office's;
* 照会文書 (dispositions.inquiries): answers recorded in the last seven days;
* 監査 (supervisors) and 利用者管理 (administrators): scheduled jobs whose last run failed
  (jobs.status); administrators also the 権限変更 awaiting a second person.

Each count is one indexed scan; all of them are asked in one statement (wako_collections/counts.py),
and the failed jobs, which ホーム lists anyway, are passed in rather than read twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from wako_collections.access import has_menu
from wako_collections.counts import count_together


@dataclass(frozen=True)
class WorkItem:
    label: str
    count: int
    url: str | None  # None: the user cannot open the list; `note` says whom to ask
    note: str = ""
    urgent: bool = False


def todays_work(user, *, today: date, failed_jobs: list | None = None) -> list[WorkItem]:
    """The panel for `user`. `failed_jobs`: jobs.status.failed_jobs() when the caller has it."""
    items: list[WorkItem] = []
    to_count: dict[str, QuerySet] = {}  # by label (unique on the panel): counted together at the end

    def counted(label: str, queryset: QuerySet, url: str | None, **extra) -> WorkItem:
        to_count[label] = queryset
        return WorkItem(label, 0, url, **extra)

    everyone = has_menu(user, "assign_cases")
    if has_menu(user, "negotiations"):
        from negotiations import queues

        officer = None if everyone else user
        base = reverse("negotiations:queues") if everyone else reverse("negotiations:my_work")
        scope = "（全職員）" if everyone else ""
        items += [
            counted(
                f"本日が予実日の約束{scope}",
                queues.promises_due(officer=officer, today=today),
                f"{base}#promises-due",
            ),
            counted(
                f"不履行の約束（未対応）{scope}",
                queues.broken_promises(officer=officer),
                f"{base}#broken-promises",
                urgent=True,
            ),
            counted(
                f"不履行の分納誓約{scope}",
                queues.broken_pledges(officer=officer),
                f"{base}#broken-pledges",
                urgent=True,
            ),
        ]
    if has_menu(user, "payment_status"):
        from taxpayers.working_list import prescription_soon_payers

        mine = has_menu(user, "negotiations") and not everyone  # 閲覧専用 has no cases of its own
        horizon = today + timedelta(days=settings.PRESCRIPTION_WARNING_DAYS)
        query = urlencode(
            {
                "officer": "mine" if mine else "all",
                "prescription_from": today.isoformat(),
                "prescription_by": horizon.isoformat(),
                "sort": "prescription",
            }
        )
        items.append(
            counted(
                f"時効予定日が{settings.PRESCRIPTION_WARNING_DAYS}日以内の滞納者{'' if mine else '（全体）'}",
                prescription_soon_payers(officer=user if mine else None, today=today, until=horizon),
                f"{reverse('taxpayers:delinquent')}?{query}",
                urgent=True,
            )
        )
    if has_menu(user, "inquiries"):
        from dispositions.inquiries import ANSWERS_RECENT_DAYS, answered_recently

        items.append(
            counted(
                f"照会の回答（直近{ANSWERS_RECENT_DAYS}日）{'（全職員）' if everyone else ''}",
                answered_recently(today=today, officer=None if everyone else user),
                f"{reverse('dispositions:inquiry_list')}?view=answered{'' if everyone else '&officer=mine'}",
            )
        )
    if has_menu(user, "dispositions"):
        from dispositions.writeoffs import newest_open_candidates

        # the nightly job's newest list: what is not yet written off nor on a 決議 awaiting 決裁 —
        # the page the count opens lists the same (0 before the job first ran)
        items.append(
            counted(
                "不納欠損の候補（決議の起案待ち）",
                newest_open_candidates(),
                reverse("dispositions:writeoff_candidates"),
            )
        )
    if has_menu(user, "audit") or has_menu(user, "user_admin"):
        if failed_jobs is None:
            from jobs.status import failed_jobs as read_failed_jobs

            failed_jobs = read_failed_jobs()
        can_open = has_menu(user, "audit")
        items.append(
            WorkItem(
                "異常終了した定期処理",
                len(failed_jobs),
                reverse("jobs:runs") if can_open else None,
                "" if can_open else "実行状況は監督者が確認します。",
                urgent=True,
            )
        )
    if has_menu(user, "user_admin"):
        from accounts.models import PrivilegeChange

        items.append(
            counted(
                "確認待ちの権限変更・端末登録",
                PrivilegeChange.objects.pending(),
                reverse("accounts:privilege_change_list"),
            )
        )
    counts = dict(zip(to_count, count_together(list(to_count.values())), strict=True))
    return [replace(item, count=counts[item.label]) if item.label in counts else item for item in items]
