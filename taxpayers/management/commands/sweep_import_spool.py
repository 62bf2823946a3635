"""Deletes import files no live import owns and fails imports stuck past IMPORT_STUCK_MINUTES.
Run once by hand; on a schedule it runs as the job `sweep_import_spool` of jobs/schedule.py."""

from django.core.management.base import BaseCommand

from taxpayers import spool


class Command(BaseCommand):
    help = (
        "取込用の場所（IMPORT_SPOOL_DIR）から実行中の取込のないファイルを削除し、"
        "IMPORT_STUCK_MINUTES を過ぎても終わらない取込を異常終了にする"
        "（定期実行は run_scheduler の定期処理）"
    )

    def handle(self, *args, **options):
        result = spool.sweep()
        self.stdout.write(
            f"取込ファイルの掃除: 削除したファイル {result.files_deleted}件、"
            f"異常終了とした取込 {result.imports_failed}件"
        )
