import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from taxpayers.demo import generate
from taxpayers.models import Taxpayer
from taxpayers.reconciliation import reconcile


class Command(BaseCommand):
    help = "架空の宛名・調定・収納を生成する（デモ・性能測定用。本番環境では実行できない）"

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, required=True, help="生成する宛名の数")
        parser.add_argument("--seed", type=int, default=2026, help="乱数の種（同じ種なら同じデータ）")
        parser.add_argument(
            "--delinquent-percent",
            type=int,
            default=3,
            help="滞納者になる宛名の割合（%%、0〜95。デモの事務所は scripts/start が 60 を指定）",
        )
        parser.add_argument("--no-reconcile", action="store_true", help="生成後の消込を行わない")
        parser.add_argument(
            "--only-if-empty", action="store_true", help="宛名が1件でもあれば何もしない（デモ起動用）"
        )

    def handle(self, *args, persons, seed, delinquent_percent, no_reconcile, only_if_empty, **options):
        if settings.IS_PRODUCTION:
            raise CommandError("本番環境（WAKO_ENV=production）ではデモデータを生成できません。")
        if persons < 1:
            raise CommandError("--persons は1以上で指定してください。")
        if not 0 <= delinquent_percent <= 95:
            raise CommandError("--delinquent-percent は0から95までで指定してください。")
        if only_if_empty and Taxpayer.objects.exists():
            self.stdout.write("宛名が登録済みのため、デモデータは生成しませんでした。")
            return
        started = time.monotonic()

        def progress(counters):
            self.stdout.write(f"  {counters.persons:,}/{persons:,}人 …", ending="\r")
            self.stdout.flush()

        counters = generate(
            persons=persons,
            seed=seed,
            progress=progress if persons >= 10_000 else None,
            delinquent_percent=delinquent_percent,
        )
        generated = time.monotonic() - started
        message = (
            f"宛名 {counters.persons:,}人、調定 {counters.assessments:,}期別、収納 {counters.payments:,}件を"
            f"{generated:.0f}秒で生成しました"
        )
        if not no_reconcile:
            summary = reconcile()
            message += f"。消込: 滞納 {summary.delinquent_taxpayers:,}人（{time.monotonic() - started - generated:.0f}秒）"
        self.stdout.write(message + "。")
