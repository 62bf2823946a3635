from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.retention import RetentionError, purge


class Command(BaseCommand):
    help = (
        "保存期間を過ぎた照会記録・認証ログと、完結した案件の個人番号を削除し、その記録を残します。"
        "先に --dry-run で件数を確認し、表示された確認コードを --confirm に指定して実行します。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--years",
            type=int,
            default=settings.RETENTION_YEARS,
            help=f"保存年数（既定 {settings.RETENTION_YEARS}、{settings.RETENTION_MINIMUM_YEARS}年以上）",
        )
        parser.add_argument("--dry-run", action="store_true", help="件数だけを数えて記録し、何も削除しない")
        parser.add_argument("--confirm", default="", help="試行（--dry-run）が表示した確認コード")
        parser.add_argument(
            "--operator", required=True, help="実行者の職員番号（監査の権限を持つ有効な職員）"
        )

    def handle(self, *args, years, dry_run, confirm, operator, **options):
        if dry_run and confirm:
            raise CommandError("--dry-run と --confirm は同時に指定できません。")
        try:
            run = purge(
                operator=operator,
                today=timezone.localdate(),
                years=years,
                dry_run=dry_run,
                confirmation=confirm,
            )
        except RetentionError as error:
            raise CommandError(str(error)) from None
        counts = (
            f"基準日 {run.cutoff}（{years}年）: 照会記録 {run.access_logs_deleted}件・認証ログ "
            f"{run.security_events_deleted}件・個人番号 {len(run.numbers_cleared)}人"
        )
        if dry_run:
            self.stdout.write(f"{counts}が削除対象です（試行。何も削除していません）。")
            self.stdout.write(
                f"削除するには本日中に: purge_retention --years {years} --operator {run.operator} "
                f"--confirm {run.confirmation}"
            )
        else:
            self.stdout.write(f"{counts}を削除しました（試行 {run.trial_id} で確認済み）。")
