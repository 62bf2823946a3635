from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.events import record_event
from accounts.identity import console_operator
from accounts.models import SecurityEvent
from wako_collections.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "データベース全体を pg_dump（カスタム形式）でバックアップし、sha256 を横に書きます"
        "（所有者だけが読める 0600、フォルダーは 0700。ログイン中のセッションは含めません）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="出力ファイル（既定 .data/backups/wako-日時.dump）")
        parser.add_argument(
            "--operator", default="SYSTEM", help="実行者として記録する職員番号（有効な職員、または SYSTEM）"
        )

    def handle(self, *args, output, operator, **options):
        try:
            operator = console_operator(operator)
        except ValueError as error:
            raise CommandError(str(error)) from None
        path = Path(output or f".data/backups/wako-{timezone.localtime():%Y%m%d-%H%M%S}.dump")
        try:
            digest = backup(path, tighten_directory=not output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        record_event(
            SecurityEvent.Kind.BACKUP_MADE,
            staff_number=operator,
            terminal_number="BATCH",
            detail=f"{path.name} sha256 {digest}",
        )
        self.stdout.write(f"{path}（{path.stat().st_size:,} バイト）sha256 {digest}")
