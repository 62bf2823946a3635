"""還付加算金 on one 過誤納金, for staff and scripts. The last line is the amount in yen alone."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from refunds.interest import compute_refund_interest, describe
from taxpayers.late_charges import RateMissingError


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日付 {text!r} は YYYY-MM-DD で指定してください。") from None


class Command(BaseCommand):
    help = "還付加算金を計算する（地方税法第17条の4。最終行に金額のみを出力）"

    def add_arguments(self, parser):
        parser.add_argument("--amount", type=int, required=True, help="過誤納金の額（円）")
        parser.add_argument(
            "--start", required=True, help="計算の初日 YYYY-MM-DD（第17条の4第1項各号の日の翌日）"
        )
        parser.add_argument(
            "--end", required=True, help="計算の末日 YYYY-MM-DD（充当日または還付の支出決定日）"
        )

    def handle(self, *args, amount, start, end, **options):
        if amount < 0:
            raise CommandError("過誤納金の額は0以上で指定してください。")
        first, last = _date(start), _date(end)
        if last < first:
            raise CommandError("--end（計算の末日）は --start（計算の初日）以後の日付にしてください。")
        try:
            result = compute_refund_interest(amount=amount, start=first, end=last)
        except RateMissingError as error:
            raise CommandError(str(error).replace("延滞金", "還付加算金")) from None
        for line in describe(result):
            self.stdout.write(line)
        self.stdout.write(f"合計 {result.unrounded:,}円 → 還付加算金 {result.amount:,}円")
        self.stdout.write(str(result.amount))
