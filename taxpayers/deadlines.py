"""期限の特例: a 納期限 that falls on a day the offices and banks are shut moves to the next open day.

地方税法第20条の5第2項: when a 期限 falls on a 休日 of 民法第142条 (日曜日, 国民の祝日に関する法律の休日
— `jpholiday` — and the other customary holidays, 1月2日・3日), a 土曜日, or 12月29日・30日・31日,
the next day that is none of these is the 期限. The city's 税務システム sends 納期限 already moved;
this is for dates the app makes itself (the demo's assessment calendar).
"""

from datetime import date, timedelta

import jpholiday

YEAR_END_AND_NEW_YEAR = frozenset({(12, 29), (12, 30), (12, 31), (1, 2), (1, 3)})


def is_closed(day: date) -> bool:
    """Whether `day` is a day the city's offices and the banks are shut (土曜日・日曜日, 祝日, 12月29日〜
    1月3日: 地方税法第20条の5第2項 and the city's 休日条例 under 地方自治法第4条の2). The one definition:
    期限 (below) and the access-log analysis's 開庁時間外 (audit/findings.py) both read it."""
    return day.weekday() >= 5 or jpholiday.is_holiday(day) or (day.month, day.day) in YEAR_END_AND_NEW_YEAR


def deadline(day: date) -> date:
    """The 期限 that a nominal `day` becomes (itself when it is an open day)."""
    while is_closed(day):
        day += timedelta(days=1)
    return day
