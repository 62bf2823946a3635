"""manage.py export_results [--full] [--since 2026-11-30T00:00] [--until …] [--operator S9001]"""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.identity import console_operator
from exchange.models import ExportRun
from exchange.services import ExportError, run_export
from wako_collections.actors import BATCH_TERMINAL_NUMBER


def moment(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"日時「{text}」が読めません（例: 2026-11-30 または 2026-11-30T17:00）。"
        ) from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


class Command(BaseCommand):
    help = "税務システムへの逆連携ファイルを送信フォルダに書き出す（既定は前回の正常終了からの差分）"

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="全件（差分でなく、終了日時現在のすべて）")
        parser.add_argument(
            "--since", type=moment, help="この日時より後の変更（既定: 前回の正常終了の終了日時）"
        )
        parser.add_argument("--until", type=moment, help="この日時までの変更（既定: 今）")
        parser.add_argument(
            "--operator", default="SYSTEM", help="実行者として記録する職員番号（有効な職員、または SYSTEM）"
        )

    def handle(self, *args, full, since, until, operator, **options):
        if full and since:
            raise CommandError("--full と --since は同時に指定できません。")
        try:
            operator = console_operator(operator)
            run = run_export(
                staff_number=operator,
                terminal_number=BATCH_TERMINAL_NUMBER,
                full=full,
                since=since,
                until=until,
            )
        except (ValueError, ExportError) as error:
            raise CommandError(str(error)) from None
        if run.status != ExportRun.Status.SUCCEEDED:
            raise CommandError(f"逆連携 {run.pk} は異常終了しました（何も書き出していません）: {run.error}")
        total = run.total_rows
        self.stdout.write(
            f"逆連携 {run.pk}（{run.get_mode_display()}）: {len(run.files)}ファイル・{total:,}行を {run.folder} に書き出しました"
        )
