"""Shared body of import_persons, import_assessments and import_payments."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from taxpayers import individual_numbers, spool
from taxpayers.importing import ImportRejected, run_import
from wako_collections.actors import Actor


class ImportCommand(BaseCommand):
    kind = ""
    label = ""

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSVファイル（UTF-8 または Shift_JIS）。取込後に削除されます")
        parser.add_argument("--operator", default="SYSTEM", help="実行者として記録する職員番号")

    def handle(self, *args, path, operator, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"ファイル {individual_numbers.redact(path)} がありません。")
        actor = Actor.batch(operator)
        # The file moves into the import spool under its log first, so that a killed command
        # leaves it where the sweep deletes it (taxpayers/spool.py).
        log = spool.take_file(kind=self.kind, source=source, actor=actor)
        try:
            run_import(log=log, path=spool.path_for(log.pk), actor=actor)
        except ImportRejected as rejected:
            for error in rejected.log.errors:
                self.stderr.write(f"{error['line']}行目 {error['column']}: {error['message']}")
            raise CommandError(
                f"{self.label}: {rejected.log.error_count}件のエラーがあるため、1件も取り込みませんでした（ファイルは削除済み）。"
            ) from None
        finally:
            spool.discard(log, message="取込を実行できませんでした。" + spool.NOTHING_IMPORTED)
        log.refresh_from_db()
        self.stdout.write(
            f"{self.label}: {log.rows_total}行 — 新規 {log.rows_created}、更新 {log.rows_updated}、"
            f"変更なし {log.rows_unchanged}（ファイルは削除済み）"
        )
