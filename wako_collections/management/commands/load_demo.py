from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from wako_collections import demo


class Command(BaseCommand):
    help = "デモデータ（この機械の端末、ロールごとのデモ職員）を登録する。本番環境では実行できない。"

    def handle(self, *args, **options):
        if settings.IS_PRODUCTION:
            raise CommandError("本番環境（WAKO_ENV=production）ではデモデータを登録できません。")
        terminals, staff = demo.load_demo_accounts()
        self.stdout.write(
            f"デモデータ: 端末 {terminals}件、職員 {staff}件を登録しました（登録済みのものは変更なし）。"
        )
