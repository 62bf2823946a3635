from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dispositions.writeoffs import (
    NothingToWriteOff,
    WriteOffError,
    closing_day,
    draft_writeoff_run,
    writeoff_candidates,
)
from wako_collections.actors import Actor
from wako_collections.eras import fiscal_year_label


class Command(BaseCommand):
    help = (
        "出納閉鎖（翌年度の5月31日）前の年次処理: 徴収権が消滅した期別（時効完成・執行停止3年・即時消滅）の"
        "不納欠損決議を起案する。決裁は画面で監督者が行う。決裁待ちの決議にある期別は重ねて起案しない。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--fiscal-year", type=int, required=True, help="欠損年度（西暦。例: 2026）")
        parser.add_argument("--as-of", help="消滅を判定する基準日 YYYY-MM-DD（省略時は今日）")
        parser.add_argument("--operator", default="SYSTEM", help="起案者として記録する職員番号")
        parser.add_argument("--dry-run", action="store_true", help="対象の件数と金額だけを表示し、起案しない")

    def handle(self, *args, fiscal_year, as_of=None, operator="SYSTEM", dry_run=False, **options):
        try:
            day = date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError("--as-of は YYYY-MM-DD で指定してください。") from None
        label = fiscal_year_label(fiscal_year)
        if dry_run:
            candidates = writeoff_candidates(on=day)
            total = sum(c.total for c in candidates)
            self.stdout.write(f"{label} 不納欠損の対象: {len(candidates)}件 {total:,}円（起案していません）")
            return
        try:
            run = draft_writeoff_run(
                actor=Actor.batch(operator),
                as_of=day,
                fiscal_year=fiscal_year,
                note=f"{label} 出納閉鎖（{closing_day(fiscal_year):%Y-%m-%d}）前の年次処理",
            )
        except NothingToWriteOff:
            self.stdout.write(f"{label} 不納欠損の新たな対象はありません（起案していません）。")
            return
        except WriteOffError as refused:
            raise CommandError(str(refused)) from None
        lines = run.lines.all()
        total = sum(line.total for line in lines)
        self.stdout.write(
            f"{label} 不納欠損決議 {run.number} を起案しました: {len(lines)}件 {total:,}円（決裁待ち）"
        )
