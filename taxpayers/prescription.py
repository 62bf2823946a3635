"""The 時効 chain of one installment, explained. Pure: no database.

Rules and sources (local taxes; 国民健康保険料 differ only where noted):
* Start. 法定納期限の翌日から起算して5年 (地方税法第18条第1項); 保険料: 納期限の翌日から2年
  (国民健康保険法第110条第1項). Periods end by 民法第143条 (the day before the corresponding day).
* 督促 renews: the period runs anew from the day after the day on which 10 days, counted from
  the day the 督促状 was sent, have passed (地方税法第18条の2第1項第2号).
* 承認 (分納誓約, 一部納付) renews: a new period from the day after (民法第152条第1項, 地方税法
  第18条第2項により民法を適用).
* 差押 and 交付要求 suspend completion while they last and renew when they end: a new period from
  the day after the end (民法第148条; 国税徴収法による交付要求も同旨).
* 催告 postpones completion until six months after it (民法第150条第1項); a 催告 made while an
  earlier 催告's postponement runs has no effect (同条第2項).
* 徴収の猶予 and 換価の猶予 stop the period running while they last (地方税法第18条の2第4項): the
  days from the 猶予's first to its last day move the day the period counts from (a renewal during it starts
  a fresh period, which also does not run until the 猶予 ends).
* An event after 時効 has completed does not revive it (the chain stops there).
* 送達. A 督促状 or 催告書 takes effect when it reaches the taxpayer (地方税法第20条 on sending
  documents; 到達主義, 民法第97条第1項; 時効 is renewed 「その処分の効力が生じた時」). One returned undelivered (返戻,
  `NOT_DELIVERED`, with the source of the document's own 督促・催告 event) has no effect: its 督促 renews
  nothing and its 催告 postpones nothing. When the city then serves it by 公示送達 (地方税法第20条の2:
  掲示を始めた日から起算して7日を経過したときは、書類の送達があつたものとみなす), the deemed-service day
  (`DEEMED_SERVED`, 掲示開始日 + 7 days) is the day it takes effect. 時効 is renewed 「その処分の効力が
  生じた時に」 and runs anew after 「督促状…を発した日から起算して十日を経過した日までの期間」
  (地方税法第18条の2第1項本文・第2号): so a 督促 served by 公示送達 renews on the deemed-service day and
  its new period starts the day after the later of that day and the tenth day from sending. (The
  reading that counts ten more days from the deemed day would put the 時効予定日 later than the
  statute's words; this one never does.) A 催告 so served postpones completion six months from the
  deemed-service day (民法第150条). The 差押 gate, by contrast, counts its ten days (第331条第1項)
  from the deemed-service day (`demand_service`): no seizure before the taxpayer could have paid.
  `served` applies this before the chain runs; `demand_service` tells the 差押 gate.

Order. Events are read in the order of the day they happened (that decides whether one came
after completion), but a renewal takes effect on the day its new period starts, which is not
the same for all of them: a 督促 sent on 7月19日 starts its period on 7月30日, a part payment
on 7月24日 on 7月25日. The period that starts last governs — a renewal whose period would start
before the current one changes nothing. So the 時効予定日 never moves earlier when a renewal, a
差押・交付要求, or a 猶予 is added, and it does not depend on the order the events are given in.
Overlapping 差押・交付要求 (or 猶予) hold the period until the last of them ends.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from wako_collections.eras import format_date

DEMAND = "demand"
ACKNOWLEDGEMENT = "acknowledgement"
SEIZURE = "seizure"
SEIZURE_ENDED = "seizure_ended"
DELIVERY_REQUEST = "delivery_request"
DELIVERY_REQUEST_ENDED = "delivery_request_ended"
# 民法第148条第2項ただし書 (第1項第1号・第2号 and 第149条 alike): a 差押 or 交付要求 withdrawn, or
# cancelled because it did not follow the law (処分取消区分 誤り), renews nothing; completion is only
# postponed until six months after it ended (同条第1項).
SEIZURE_VOIDED = "seizure_voided"
DELIVERY_REQUEST_VOIDED = "delivery_request_voided"
NOTICE = "notice"
POSTPONEMENT = "postponement"
POSTPONEMENT_ENDED = "postponement_ended"
# 送達 of the document behind a 督促 or 催告 (same `source`): returned undelivered, or served by 公示送達.
NOT_DELIVERED = "not_delivered"
DEEMED_SERVED = "deemed_served"
PUBLIC_NOTICE_DAYS = 7  # 地方税法第20条の2第3項: 掲示を始めた日から起算して7日を経過したとき

LABELS = {
    DEMAND: "督促",
    ACKNOWLEDGEMENT: "承認",
    SEIZURE: "差押",
    SEIZURE_ENDED: "差押の終了",
    DELIVERY_REQUEST: "交付要求",
    DELIVERY_REQUEST_ENDED: "交付要求の終了",
    SEIZURE_VOIDED: "差押の取消（誤り）",
    DELIVERY_REQUEST_VOIDED: "交付要求の取消（誤り）",
    NOTICE: "催告",
    POSTPONEMENT: "徴収・換価の猶予",
    POSTPONEMENT_ENDED: "猶予の終了",
    NOT_DELIVERED: "返戻（不送達）",
    DEEMED_SERVED: "公示送達（送達とみなす日）",
}


@dataclass(frozen=True)
class Event:
    kind: str
    on: date
    source: str = ""
    sent_on: date | None = None  # a 督促 served by 公示送達: the day its 督促状 was sent (発した日)


@lru_cache(maxsize=16384)
def period_end(start: date, years: int) -> date:
    """The last day of `years` years counted from `start` (民法第143条). Cached: a reconcile asks it
    for the same few thousand days again and again."""
    year = start.year + years
    if start.month == 2 and start.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, start.month, start.day) - timedelta(days=1)


def six_months_after(day: date) -> date:
    """The last day of six months counted from the day after `day` (民法第140条・第143条)."""
    start = day + timedelta(days=1)
    month_index = start.month - 1 + 6
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    if start.day > last:
        return date(year, month, last)
    return date(year, month, start.day) - timedelta(days=1)


def deemed_served_on(posting_started_on: date) -> date:
    """The day a document served by 公示送達 is deemed served: 掲示を始めた日から起算して7日を経過
    したとき (地方税法第20条の2第3項) — the 掲示開始日 is day one (民法第140条ただし書 does not
    apply: the statute counts from it), so a posting begun on 4月1日 serves on 4月8日."""
    return posting_started_on + timedelta(days=PUBLIC_NOTICE_DAYS)


def served(events: Iterable[Event]) -> tuple[list[Event], list[str]]:
    """The events as they took effect, and the words for what was dropped or moved: a 督促 or
    催告 whose document came back undelivered (`NOT_DELIVERED` with the same source) is dropped
    unless it was served by 公示送達 (`DEEMED_SERVED`), in which case it is made on the
    deemed-service day. The 送達 events themselves are not chain events. Pure; linear."""
    items = list(events)
    if not any(e.kind in (NOT_DELIVERED, DEEMED_SERVED) for e in items):
        return items, []  # nothing returned or served by 公示送達 (nearly every installment)
    returned = {e.source for e in items if e.kind == NOT_DELIVERED}
    deemed: dict[str, date] = {}
    for e in items:
        if e.kind == DEEMED_SERVED:
            deemed[e.source] = min(deemed.get(e.source, e.on), e.on)
    effective: list[Event] = []
    notes: list[str] = []
    for e in items:
        if e.kind in (NOT_DELIVERED, DEEMED_SERVED):
            continue
        if e.kind in (DEMAND, NOTICE) and e.source in returned:
            if e.source in deemed:
                effective.append(Event(e.kind, deemed[e.source], e.source, sent_on=e.on))
                notes.append(
                    f"{LABELS[e.kind]} {format_date(e.on)}（{e.source}）は返戻、公示送達により"
                    f"{format_date(deemed[e.source])}に送達とみなす"
                )
            else:
                notes.append(
                    f"{LABELS[e.kind]} {format_date(e.on)}（{e.source}）は返戻され送達されていないため効力なし"
                )
            continue
        effective.append(e)
    return effective, notes


@dataclass(frozen=True)
class DemandService:
    """Whether the installment has a 督促 that took effect, and from which day (for the 差押 gate:
    督促状を発した日から起算して10日を経過した日, 地方税法第331条第1項); `unserved`: the sources of
    督促状 that came back undelivered and were not served by 公示送達 (the reason the gate shows)."""

    effective_on: date | None
    unserved: tuple[str, ...] = ()


def demand_service(events: Iterable[Event]) -> DemandService:
    """The first 督促 that took effect (after `served`), and the returned, unserved ones."""
    items = list(events)
    if not any(e.kind == NOT_DELIVERED for e in items):  # every 督促 took effect on its own day
        days = [e.on for e in items if e.kind == DEMAND]
        return DemandService(min(days) if days else None)
    effective, _ = served(items)
    days = [e.on for e in effective if e.kind == DEMAND]
    returned = {e.source for e in items if e.kind == NOT_DELIVERED}
    deemed = {e.source for e in items if e.kind == DEEMED_SERVED}
    unserved = tuple(
        sorted(
            {e.source for e in items if e.kind == DEMAND and e.source in returned and e.source not in deemed}
        )
    )
    return DemandService(min(days) if days else None, unserved)


@dataclass
class Chain:
    start: date
    steps: list[str] = field(default_factory=list)
    expires_on: date | None = None  # None while suspended (差押中・交付要求中)
    completed_on: date | None = None  # set when an event came too late: 時効 had completed
    suspended_by: str = ""

    def explained(self) -> str:
        return " → ".join(self.steps)


DEMAND_DAYS = 10  # 地方税法第18条の2第1項第2号・第331条第1項第1号ほか: 「起算して十日を経過した日」


def demand_matured_on(issued_on: date) -> date:
    """「督促状を発した日から起算して十日を経過した日」: the day the 督促状 was sent is day 1
    (起算して: the first day counts), the 10th day is `issued_on + 9`, and the day on which those ten
    days *have passed* (経過した日, not 経過する日) is the 11th, `issued_on + 10`. Sent 2024-07-19 →
    2024-07-29. Two rules read it: 時効 runs anew from the next day (地方税法第18条の2第1項第2号), and
    an installment not paid in full by it must be seized — from the next day (第331条第1項第1号, and
    the like articles of each tax). It is the day a fact is judged by, not a 期限 for paying, so it
    does not move off a holiday (地方税法第20条の5第2項 does not apply; 国税通則法基本通達第10条関係3(3)
    for the same words of 国税徴収法第47条)."""
    return issued_on + timedelta(days=DEMAND_DAYS)


def chain(
    *,
    base_date: date,
    years: int,
    events: Iterable[Event],
    is_premium: bool = False,
    today: date | None = None,
) -> Chain:
    """Applies the events, in the order of the day they happened, to the period counted from the
    day after `base_date` (法定納期限, or 納期限 for 保険料). Each renewal starts its period on its
    own day (督促: after ten days; 承認: the next day; 差押・交付要求: the day after it ends) and the
    latest start governs. Returns the 時効予定日 and the chain in words. Cost: linear in the events."""
    start = base_date + timedelta(days=1)
    label = "納期限" if is_premium else "法定納期限"
    result = Chain(
        start=start, steps=[f"{label} {format_date(base_date)}（{format_date(start)}から{years}年）"]
    )
    events, unserved_notes = served(events)
    result.steps += unserved_notes
    suspensions: dict[str, int] = {SEIZURE: 0, DELIVERY_REQUEST: 0}  # 差押・交付要求 in force
    first_suspension: Event | None = None
    notice_until: date | None = None
    held_until: date | None = None  # 民法第148条第1項: six months after a voided 差押・交付要求
    paused_from: date | None = None  # a 猶予 in force since this day
    postponements = 0  # 猶予 in force (they may overlap)
    paused_days = 0  # days of ended 猶予 within the current period

    def current_deadline() -> date:
        # the days of 猶予 move the day the period counts from (so that a 猶予 covering the
        # period's first day gives the same end as a period starting after it, leap days included)
        deadline = period_end(start + timedelta(days=paused_days) if paused_days else start, years)
        if notice_until is not None and notice_until > deadline:
            deadline = notice_until
        if held_until is not None and held_until > deadline:
            deadline = held_until
        return deadline

    def renew(new_start: date) -> bool:
        """A renewal: the new period governs only if it starts later than the current one."""
        nonlocal start, paused_days, notice_until, held_until
        if new_start <= start:
            return False
        start, paused_days, notice_until, held_until = new_start, 0, None, None
        return True

    def renewed_words(new_start: date, moved: bool) -> str:
        if moved:
            return f"{format_date(new_start)}から新たに進行"
        return f"起算日{format_date(new_start)}は既にある起算日{format_date(start)}より前のため変わらない"

    ended = {SEIZURE_ENDED: SEIZURE, DELIVERY_REQUEST_ENDED: DELIVERY_REQUEST}
    voided = {SEIZURE_VOIDED: SEIZURE, DELIVERY_REQUEST_VOIDED: DELIVERY_REQUEST}
    for event in sorted(events, key=lambda e: (e.on, e.kind, e.source)):
        suspended = any(suspensions.values())
        if not suspended and paused_from is None:
            deadline = current_deadline()
            if event.on > deadline:
                result.completed_on = deadline
                result.steps.append(
                    f"{LABELS[event.kind]} {format_date(event.on)}は時効完成（{format_date(deadline)}）の後のため効力なし"
                )
                result.expires_on = deadline
                return result
        source = f"（{event.source}）" if event.source else ""
        if event.kind == POSTPONEMENT:
            if paused_from is None:
                paused_from = event.on
            postponements += 1
            result.steps.append(
                f"{LABELS[POSTPONEMENT]} {format_date(event.on)}{source}（猶予の間は進行しない）"
            )
        elif event.kind == POSTPONEMENT_ENDED:
            if postponements:
                postponements -= 1
            if paused_from is not None and postponements == 0:
                # a period renewed during the 猶予 starts running only after it ends
                stopped_from = max(paused_from, start)
                paused_days += max(0, (event.on - stopped_from).days + 1)
                paused_from = None
                result.steps.append(
                    f"猶予の終了 {format_date(event.on)}{source}（猶予期間は進行せず、{format_date(current_deadline())}まで）"
                )
        elif event.kind == DEMAND:
            # 発した日から起算して10日を経過した日の翌日から新たに進行; served by 公示送達, not
            # before the day after it took effect (第18条の2第1項本文)
            sent = event.sent_on or event.on
            new_start = max(event.on, demand_matured_on(sent)) + timedelta(days=1)
            moved = renew(new_start)
            result.steps.append(f"督促 {format_date(event.on)}{source}（{renewed_words(new_start, moved)}）")
        elif event.kind == ACKNOWLEDGEMENT:
            new_start = event.on + timedelta(days=1)
            moved = renew(new_start)
            result.steps.append(f"承認 {format_date(event.on)}{source}（{renewed_words(new_start, moved)}）")
        elif event.kind in (SEIZURE, DELIVERY_REQUEST):
            if not suspended:
                first_suspension = event
            suspensions[event.kind] += 1
            result.steps.append(f"{LABELS[event.kind]} {format_date(event.on)}{source}（完成猶予）")
        elif event.kind in ended:
            if suspensions[ended[event.kind]]:
                suspensions[ended[event.kind]] -= 1
                new_start = event.on + timedelta(days=1)
                moved = renew(new_start)
                still = "、なお完成猶予中" if any(suspensions.values()) else ""
                result.steps.append(
                    f"{LABELS[event.kind]} {format_date(event.on)}{source}（{renewed_words(new_start, moved)}{still}）"
                )
        elif event.kind in voided:
            if suspensions[voided[event.kind]]:
                suspensions[voided[event.kind]] -= 1
                held_until = max(held_until or event.on, six_months_after(event.on))
                still = "、なお完成猶予中" if any(suspensions.values()) else ""
                result.steps.append(
                    f"{LABELS[event.kind]} {format_date(event.on)}{source}（更新なし、"
                    f"{format_date(held_until)}まで完成猶予{still}）"
                )
        elif event.kind == NOTICE:
            # 民法第150条第2項: a 催告 made within six months of the 催告 that postpones completion
            # has no effect; a renewal since then ends that postponement (`renew`).
            if not suspended and (notice_until is None or event.on > notice_until):
                notice_until = six_months_after(event.on)
                result.steps.append(
                    f"催告 {format_date(event.on)}{source}（{format_date(notice_until)}まで完成猶予）"
                )
            else:
                result.steps.append(f"催告 {format_date(event.on)}{source}（再度の催告のため効力なし）")
    if any(suspensions.values()):
        held_by = first_suspension.kind if first_suspension and suspensions[first_suspension.kind] else None
        kind = held_by or next(kind for kind, count in suspensions.items() if count)
        result.suspended_by = LABELS[kind]
        result.steps.append(f"{LABELS[kind]}中のため時効は完成しない")
        return result
    if paused_from is not None:
        result.suspended_by = LABELS[POSTPONEMENT]
        result.steps.append("猶予中のため時効は進行しない")
        return result
    deadline = current_deadline()
    result.expires_on = deadline
    result.steps.append(f"時効予定日 {format_date(deadline)}")
    if today and deadline < today:
        result.completed_on = deadline
    return result
