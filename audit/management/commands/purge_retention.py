from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from audit.retention import purge
from wako_collections.actors import Actor


class Command(BaseCommand):
    help = "保存期間を過ぎた照会記録・認証ログと、完結した案件の個人番号を削除し、その記録を残します。"

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=settings.RETENTION_YEARS, help="保存年数（既定 7）")
        parser.add_argument("--dry-run", action="store_true", help="件数だけを数え、何も削除しない")
        parser.add_argument("--operator", default="SYSTEM", help="実行者として記録する職員番号")

    def handle(self, *args, years, dry_run, operator, **options):
        run = purge(actor=Actor.batch(operator), today=timezone.localdate(), years=years, dry_run=dry_run)
        verb = "削除対象" if dry_run else "削除しました"
        self.stdout.write(
            f"基準日 {run.cutoff}（{years}年）: 照会記録 {run.access_logs_deleted}件・認証ログ "
            f"{run.security_events_deleted}件・個人番号 {len(run.numbers_cleared)}人を{verb}。"
        )
