from datetime import date

from django.core.management.base import BaseCommand, CommandError

from taxpayers.reconciliation import reconcile
from wako_collections.eras import format_date


class Command(BaseCommand):
    help = "調定と収納を突合し、期別ごとの未納額・延滞金・状態と宛名別の滞納額を作り直す"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="基準日 YYYY-MM-DD（省略時は今日）")
        parser.add_argument(
            "--full",
            action="store_true",
            help="全期別を計算する（省略時は、可能な日は変更のあった期別と、延滞金・状態が日々変わる期別だけを計算する日次実行）",
        )

    def handle(self, *args, as_of=None, full=False, **options):
        try:
            day = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise CommandError("--as-of は YYYY-MM-DD で指定してください。") from None
        summary = reconcile(as_of=day, full=full)
        scope = "全件" if summary.scope == "all" else "日次"
        self.stdout.write(
            f"消込完了（基準日 {format_date(summary.as_of)}、{scope}）: 期別 {summary.installments:,}件を計算"
            f"（変更 {summary.changed:,}件）、"
            f"滞納 {summary.delinquent_installments:,}期別・{summary.delinquent_taxpayers:,}人、"
            f"滞納本税 {summary.outstanding_principal:,}円"
            + (
                f"（時効完成を除く。ほかに時効完成 {summary.time_barred_installments:,}期別・本税 "
                f"{summary.time_barred_principal:,}円、時効完成の期別のみの宛名 {summary.time_barred_taxpayers:,}人）"
                if summary.time_barred_installments
                else ""
            )
        )
