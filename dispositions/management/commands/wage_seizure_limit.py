"""給与・年金の差押禁止額 for one month, for staff and scripts. The last line is the seizable amount
in yen alone."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dispositions.wage_limits import (
    BaseAmountMissingError,
    WageInputError,
    compute_wage_seizure_limit,
    describe,
)


class Command(BaseCommand):
    help = "給与・年金の差押禁止額と差押可能額を計算する（国税徴収法第76条。最終行に差押可能額のみを出力）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--paid",
            type=int,
            required=True,
            help="1月分の支給額（円。複数の支払者は合計、賞与は単独で1月分）",
        )
        parser.add_argument("--income-tax", type=int, required=True, help="源泉所得税（円）")
        parser.add_argument(
            "--resident-tax", type=int, required=True, help="特別徴収の住民税（森林環境税を含む。円）"
        )
        parser.add_argument("--social-insurance", type=int, required=True, help="社会保険料（円）")
        parser.add_argument("--dependants", type=int, required=True, help="生計を一にする親族の人数")
        parser.add_argument("--on", help="支給日 YYYY-MM-DD（基礎となる金額の適用日。省略時は本日）")

    def handle(self, *args, paid, income_tax, resident_tax, social_insurance, dependants, on, **options):
        try:
            day = date.fromisoformat(on) if on else timezone.localdate()
        except ValueError:
            raise CommandError(f"--on {on!r} は YYYY-MM-DD で指定してください。") from None
        try:
            limit = compute_wage_seizure_limit(
                paid=paid,
                income_tax=income_tax,
                resident_tax=resident_tax,
                social_insurance=social_insurance,
                dependants=dependants,
                on=day,
            )
        except (WageInputError, BaseAmountMissingError) as error:
            raise CommandError(str(error)) from None
        for line in describe(limit):
            self.stdout.write(line)
        self.stdout.write(str(limit.seizable))
