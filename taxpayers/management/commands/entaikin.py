"""延滞金 for one installment, for staff and scripts. The last line is the amount in yen alone."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from taxpayers.late_charges import (
    EXEMPT,
    POSTPONED,
    PartialPayment,
    RateMissingError,
    ReliefPeriod,
    compute_late_charge,
    describe,
)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日付 {text!r} は YYYY-MM-DD で指定してください。") from None


def _payment(text: str) -> PartialPayment:
    day, _, amount = text.partition(":")
    if not amount.isdigit():
        raise CommandError(f"--payment {text!r} は YYYY-MM-DD:金額 で指定してください。")
    return PartialPayment(_date(day), int(amount))


def _period(text: str, *, option: str, kind: str, label: str) -> ReliefPeriod:
    start, separator, end = text.partition(":")
    if not separator:
        raise CommandError(
            f"{option} {text!r} は YYYY-MM-DD:YYYY-MM-DD（初日:末日、両日を含む）で指定してください。"
        )
    first, last = _date(start), _date(end)
    if last < first:
        raise CommandError(f"{option} {text!r} の末日が初日より前です。")
    return ReliefPeriod(first, last, kind, label)


class Command(BaseCommand):
    help = "延滞金を計算する（最終行に金額のみを出力）"

    def add_arguments(self, parser):
        parser.add_argument("--amount", type=int, required=True, help="本税額（円）")
        parser.add_argument(
            "--due", required=True, help="納期限（申告期限の延長があるときは法定納期限） YYYY-MM-DD"
        )
        parser.add_argument("--paid", required=True, help="完納日（または計算する日）YYYY-MM-DD")
        parser.add_argument(
            "--payment", action="append", default=[], help="一部納付 YYYY-MM-DD:金額（複数指定可）"
        )
        parser.add_argument(
            "--first-band-months",
            type=int,
            default=1,
            help="低い割合の期間（月数）。保険料は条例の定めによる",
        )
        parser.add_argument(
            "--extension-until",
            help="延長された申告期限 YYYY-MM-DD（法人市民税。法定納期限の翌日からこの日までは延長期間の割合、"
            "地方税法第327条）",
        )

        parser.add_argument(
            "--exempt",
            action="append",
            default=[],
            metavar="FROM:TO",
            help="延滞金を全額免除する期間（両日を含む、複数指定可）: 滞納処分の執行停止、災害・盗難・病気等による"
            "徴収の猶予（地方税法第15条の9第1項）",
        )
        parser.add_argument(
            "--postponement",
            action="append",
            default=[],
            metavar="FROM:TO",
            help="換価の猶予又はその他の徴収の猶予の期間（両日を含む、複数指定可）: 猶予特例基準割合で計算し、"
            "残りを免除（地方税法第15条の9第1項、附則第3条の2第2項）",
        )

    def handle(
        self,
        *args,
        amount,
        due,
        paid,
        payment,
        first_band_months,
        extension_until,
        exempt,
        postponement,
        **options,
    ):
        if amount < 0 or first_band_months < 1:
            raise CommandError("本税額は0以上、--first-band-months は1以上で指定してください。")
        statutory_due = _date(due)
        extended = _date(extension_until) if extension_until else None
        if extended is not None and extended <= statutory_due:
            raise CommandError(
                "--extension-until（延長された申告期限）は --due（法定納期限）より後の日付にしてください。"
            )
        try:
            result = compute_late_charge(
                principal=amount,
                due_date=extended or statutory_due,
                until=_date(paid),
                payments=[_payment(text) for text in payment],
                first_band_months=first_band_months,
                extended_from=statutory_due if extended else None,
                reliefs=[
                    *(_period(t, option="--exempt", kind=EXEMPT, label="全額免除") for t in exempt),
                    *(
                        _period(t, option="--postponement", kind=POSTPONED, label="猶予（一部免除）")
                        for t in postponement
                    ),
                ],
            )
        except RateMissingError as error:
            raise CommandError(str(error)) from None
        for line in describe(result):
            self.stdout.write(line)
        if extended is not None:
            self.stdout.write(
                f"延長期間の延滞金 {result.extension_unrounded:,}円 → {result.extension_amount:,}円、"
                f"延長された申告期限後の延滞金 {result.ordinary_unrounded:,}円 → {result.ordinary_amount:,}円"
            )
        if result.exempted:
            self.stdout.write(f"免除額 合計 {result.exempted:,}円（免除前 {result.full_unrounded:,}円）")
        self.stdout.write(f"合計 {result.unrounded:,}円 → 延滞金 {result.amount:,}円")
        self.stdout.write(str(result.amount))
