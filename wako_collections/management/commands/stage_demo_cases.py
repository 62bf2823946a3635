import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from wako_collections import demo_cases

LABELS = {
    "inquiry_targets": "照会先",
    "promise_pending": "約束（期日前）",
    "promise_kept": "約束（履行）",
    "promise_broken": "約束（不履行）",
    "pledge_current": "分納誓約（履行中）",
    "pledge_broken": "分納誓約（不履行）",
    "seized_collected": "差押（取立済）",
    "seized_pending": "差押（取立前）",
    "stopped": "執行停止",
    "postponed": "徴収の猶予",
    "reduced": "延滞金の減免",
    "inquired": "照会（回答あり）",
    "notified": "督促状・催告書",
    "contacted": "接触のみ",
    "overpaid": "過誤納金",
    "written_off": "不納欠損",
    "writeoff_candidates": "不納欠損の候補",
    "near_prescription": "時効が近い期別",
    "demanded": "督促済の期別",
}


class Command(BaseCommand):
    help = (
        "デモの滞納整理（交渉・約束・分納誓約・照会・催告・差押・取立・執行停止・猶予・減免・過誤納・不納欠損）を"
        "各アプリのサービスで登録する。交渉記録が1件でもあれば何もしない。本番環境では実行できない。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="乱数の種（同じ種なら同じデータ）")

    def handle(self, *args, seed, **options):
        if settings.IS_PRODUCTION:
            raise CommandError("本番環境（WAKO_ENV=production）ではデモデータを登録できません。")
        started = time.monotonic()
        try:
            counts = demo_cases.stage_cases(seed=seed)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if not counts:
            self.stdout.write("交渉記録が登録済みのため、デモの滞納整理は登録しませんでした。")
            return
        details = "、".join(f"{LABELS.get(key, key)} {value:,}" for key, value in counts.items())
        self.stdout.write(f"デモの滞納整理を{time.monotonic() - started:.0f}秒で登録しました: {details}。")
