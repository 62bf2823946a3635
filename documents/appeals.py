"""教示 — what a 処分 must tell the person it reaches about review and suit, as data with its source.

行政不服審査法第82条第1項: a 処分庁 that makes a 処分 open to 審査請求 in writing tells the person
that 審査請求 can be made, to whom, and within what period. 行政事件訴訟法第46条第1項: it tells the
defendant of the 取消訴訟 and its period, and, where the law requires the 裁決 first (地方税法第19条の12,
審査請求前置), that the suit can only be brought after the 裁決.

Periods: 行政不服審査法第18条 (3 months from the day after the person learns of the 処分; not after one
year from the 処分); 地方税法第19条の4 (a 督促 cannot be appealed after 3 months from the 差押 notice; a
差押 of 不動産等 not after the 公売期日等); 行政事件訴訟法第14条 (6 months from knowing of the 裁決,
not after a year); 行政事件訴訟法第8条第2項 (when suit is allowed without the 裁決).

The texts follow the wording municipalities print (e.g. 文京区「督促状とは」, 加古川市「市税のしおり」
審査請求・取消しの訴え); `{mayor}` and `{city}` are the 処分庁 and the defendant, filled from settings.
Each text is one numbered paragraph list; forms print them under 「教示」.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class AppealNotice:
    """One 教示: the paragraphs printed and the provisions they rest on."""

    key: str
    title: str
    paragraphs: tuple[str, ...]
    sources: tuple[str, ...]

    def render(self) -> dict:
        names = {"city": settings.CITY_NAME, "mayor": f"{settings.CITY_NAME}長"}
        return {
            "key": self.key,
            "title": self.title,
            "paragraphs": [p.format(**names) for p in self.paragraphs],
            "sources": list(self.sources),
        }


_SUIT_AFTER_REVIEW = (
    "この処分の取消しの訴えは、審査請求に対する裁決を経た後でなければ提起することができません（地方税法第19条の12）。"
    "取消しの訴えは、裁決があったことを知った日の翌日から起算して6か月以内に、{city}を被告として"
    "（訴訟において{city}を代表する者は{mayor}となります。）提起することができます。"
    "ただし、裁決があった日の翌日から起算して1年を経過したときは、正当な理由がある場合を除き、提起することができません。"
)
_WITHOUT_REVIEW = (
    "なお、次のいずれかに該当するときは、裁決を経ないで取消しの訴えを提起することができます。"
    "（1）審査請求があった日から3か月を経過しても裁決がないとき"
    "（2）処分、処分の執行又は手続の続行により生ずる著しい損害を避けるため緊急の必要があるとき"
    "（3）その他裁決を経ないことにつき正当な理由があるとき"
)
_REVIEW_PERIOD = (
    "この処分に不服がある場合は、この処分があったことを知った日の翌日から起算して3か月以内に、"
    "{mayor}に対して審査請求をすることができます（処分があった日の翌日から起算して1年を経過したときは、"
    "正当な理由がある場合を除き、することができません。）。"
)

_COMMON_SOURCES = (
    "行政不服審査法第82条第1項（教示）・第18条（審査請求期間）",
    "行政事件訴訟法第46条第1項（取消訴訟の教示）・第14条（出訴期間）・第8条第2項",
    "地方税法第19条の12（審査請求前置）",
)

APPEALS: dict[str, AppealNotice] = {
    notice.key: notice
    for notice in (
        AppealNotice(
            key="demand",
            title="教示（督促）",
            paragraphs=(
                _REVIEW_PERIOD,
                "ただし、督促についての審査請求は、差押えに係る通知を受けた日（その通知がないときは、差押えがあったことを知った日）"
                "から起算して3か月を経過した日より後にはすることができません（地方税法第19条の4第1号）。",
                _SUIT_AFTER_REVIEW,
                _WITHOUT_REVIEW,
            ),
            sources=(*_COMMON_SOURCES, "地方税法第19条の4第1号（督促の審査請求期間の特例）"),
        ),
        AppealNotice(
            key="seizure",
            title="教示（差押え）",
            paragraphs=(
                _REVIEW_PERIOD,
                "ただし、不動産等についての差押えに関する審査請求は、その公売期日等以後はすることができません（地方税法第19条の4第2号）。",
                _SUIT_AFTER_REVIEW,
                _WITHOUT_REVIEW,
            ),
            sources=(*_COMMON_SOURCES, "地方税法第19条の4第2号（不動産等の差押えの審査請求期間の特例）"),
        ),
        AppealNotice(
            # Any other 処分 under 地方税法第19条 (執行停止とその取消し, 充当, 還付, 猶予の取消し …).
            key="tax_procedure",
            title="教示",
            paragraphs=(_REVIEW_PERIOD, _SUIT_AFTER_REVIEW, _WITHOUT_REVIEW),
            sources=_COMMON_SOURCES,
        ),
        AppealNotice(
            # A 処分 outside 地方税法第19条 (e.g. 条例による減免の決定): no 審査請求前置, so suit is free.
            key="general",
            title="教示",
            paragraphs=(
                _REVIEW_PERIOD,
                "この処分の取消しの訴えは、この処分があったことを知った日の翌日から起算して6か月以内に、{city}を被告として"
                "（訴訟において{city}を代表する者は{mayor}となります。）提起することができます（処分があった日の翌日から起算して"
                "1年を経過したときは、正当な理由がある場合を除き、提起することができません。）。"
                "また、審査請求をした場合には、この処分の取消しの訴えは、その審査請求に対する裁決があったことを知った日の翌日から"
                "起算して6か月以内に提起することができます。",
            ),
            sources=(
                "行政不服審査法第82条第1項（教示）・第18条（審査請求期間）",
                "行政事件訴訟法第46条第1項（取消訴訟の教示）・第14条（出訴期間）",
            ),
        ),
    )
}
