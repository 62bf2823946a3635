from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from accounts.events import record_event
from accounts.identity import console_operator
from accounts.models import SecurityEvent
from wako_collections.backups import BackupError, restore, row_counts

CHECKED_TABLES = ["accounts_staff", "taxpayers_taxpayer", "taxpayers_assessment", "taxpayers_payment"]


class Command(BaseCommand):
    help = "バックアップを別のデータベースへ（--replace で同名のデータベースを置き換えて）復元します。"

    def add_arguments(self, parser):
        parser.add_argument("source", help="backup が作ったファイル")
        parser.add_argument("--into", required=True, help="復元先のデータベース名")
        parser.add_argument("--replace", action="store_true", help="復元先が既にあれば削除して置き換える")
        parser.add_argument(
            "--operator", default="SYSTEM", help="実行者として記録する職員番号（有効な職員、または SYSTEM）"
        )

    def handle(self, *args, source, into, replace, operator, **options):
        try:
            operator = console_operator(operator)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if into == settings.DATABASES["default"]["NAME"] and not replace:
            raise CommandError(
                "稼働中のデータベースへ復元するには --replace が必要です（現在の内容は失われます）。"
            )
        connections.close_all()  # a live database being replaced must have no session of ours
        try:
            restore(Path(source), into=into, replace=replace)
        except BackupError as error:
            raise CommandError(str(error)) from None
        counts = row_counts(into, CHECKED_TABLES)
        record_event(
            SecurityEvent.Kind.DATABASE_RESTORED,
            staff_number=operator,
            terminal_number="BATCH",
            detail=f"{Path(source).name} → {into}",
        )
        for table, count in counts.items():
            self.stdout.write(f"{table}: {count:,}行")
        self.stdout.write(f"{into} へ復元しました。")
