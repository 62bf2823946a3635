import base64

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from wako_collections import demo


class Command(BaseCommand):
    help = "デモ職員の現在のワンタイムパスワードを表示する（デモ専用。本番環境では実行できない）"

    def add_arguments(self, parser):
        parser.add_argument("staff_number", nargs="?", help="職員番号（省略時は全デモ職員）")

    def handle(self, *args, staff_number=None, **options):
        if settings.IS_PRODUCTION:
            raise CommandError("本番環境（WAKO_ENV=production）では実行できません。")
        rows = [row for row in demo.DEMO_STAFF if staff_number in (None, row[0])]
        if not rows:
            raise CommandError(f"{staff_number} はデモ職員ではありません。")
        for number, name, _atena, _dept, role, secret in rows:
            code = totp(base64.b32decode(secret))
            self.stdout.write(f"{number} {name}（{role.label}）: {code:06d}")
