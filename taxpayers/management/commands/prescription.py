"""時効 chain of one installment, for staff and scripts, like `entaikin`. The chain is printed in
words, step by step; the last line is the 時効予定日 alone (YYYY-MM-DD)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from taxpayers.prescription import (
    ACKNOWLEDGEMENT,
    DELIVERY_REQUEST,
    DELIVERY_REQUEST_ENDED,
    DEMAND,
    NOTICE,
    POSTPONEMENT,
    POSTPONEMENT_ENDED,
    SEIZURE,
    SEIZURE_ENDED,
    Event,
    chain,
)
from taxpayers.subjects import Subject, rule_for

# 種類: (始まりの事象, 終わりの事象 — 期間で指定するもの)
KINDS = {
    "督促": (DEMAND, None),
    "承認": (ACKNOWLEDGEMENT, None),
    "催告": (NOTICE, None),
    "差押": (SEIZURE, SEIZURE_ENDED),
    "交付要求": (DELIVERY_REQUEST, DELIVERY_REQUEST_ENDED),
    "猶予": (POSTPONEMENT, POSTPONEMENT_ENDED),
}
USAGE = "督促:YYYY-MM-DD、承認:YYYY-MM-DD、催告:YYYY-MM-DD、差押:開始日:終了日、交付要求:開始日:終了日、猶予:開始日:終了日"


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} の日付 {text!r} は YYYY-MM-DD で指定してください。") from None


def events_from(text: str) -> list[Event]:
    """One --event: a single day (督促, 承認, 催告) or a span with both ends (差押, 交付要求, 猶予)."""
    kind, _, rest = text.partition(":")
    if kind not in KINDS or not rest:
        raise CommandError(f"--event {text!r} の形式が違います。{USAGE} のいずれかで指定してください。")
    begins, ends = KINDS[kind]
    parts = rest.split(":")
    if ends is None:
        if len(parts) != 1:
            raise CommandError(
                f"--event {text!r}: {kind}は日付を1つだけ指定してください（{kind}:YYYY-MM-DD）。"
            )
        return [Event(begins, _date(parts[0], "--event"))]
    if len(parts) != 2:
        raise CommandError(
            f"--event {text!r}: {kind}は開始日と終了日を指定してください（{kind}:開始日:終了日）。"
        )
    first, last = _date(parts[0], "--event"), _date(parts[1], "--event")
    if last < first:
        raise CommandError(f"--event {text!r}: 終了日が開始日より前です。")
    return [Event(begins, first), Event(ends, last)]


class Command(BaseCommand):
    help = "時効の進行を説明する（最終行に時効予定日のみを YYYY-MM-DD で出力）"

    def add_arguments(self, parser):
        parser.add_argument("--legal-due", required=True, help="法定納期限（保険料は納期限） YYYY-MM-DD")
        parser.add_argument(
            "--event", action="append", default=[], help=f"時効に関する事象（複数指定可）: {USAGE}"
        )
        parser.add_argument(
            "--premium",
            action="store_true",
            help="国民健康保険料（納期限の翌日から2年、国民健康保険法第110条）",
        )

    def handle(self, *args, legal_due, event, premium, **options):
        rule = rule_for(Subject.NHI_PREMIUM if premium else Subject.RESIDENT_TAX)
        events = [item for text in event for item in events_from(text)]
        result = chain(
            base_date=_date(legal_due, "--legal-due"),
            years=rule.prescription_years,
            events=events,
            is_premium=rule.is_premium,
        )
        self.stdout.write(f"根拠: {rule.prescription_source}")
        for step in result.steps:
            self.stdout.write(step)
        if result.expires_on is None:  # every span has its end, so this is not expected
            raise CommandError("時効予定日を定められませんでした（完成猶予中）。")
        self.stdout.write(result.expires_on.isoformat())
