"""Deletes import files no live import owns and fails imports stuck past IMPORT_STUCK_MINUTES."""

import time

from django.core.management.base import BaseCommand

from taxpayers import spool


class Command(BaseCommand):
    help = (
        "取込用の場所（IMPORT_SPOOL_DIR）から実行中の取込のないファイルを削除し、"
        "IMPORT_STUCK_MINUTES を過ぎても終わらない取込を異常終了にする"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            metavar="MINUTES",
            help="この分数ごとに繰り返す（docker-compose と scripts/start の定期実行用。止めるまで続く）",
        )

    def handle(self, *args, every, **options):
        while True:
            result = spool.sweep()
            self.stdout.write(
                f"取込ファイルの掃除: 削除したファイル {result.files_deleted}件、"
                f"異常終了とした取込 {result.imports_failed}件"
            )
            if not every:
                return
            time.sleep(every * 60)
