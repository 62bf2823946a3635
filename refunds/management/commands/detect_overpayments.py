"""Adds to the 過誤納金 queue what the payments reveal (run after `reconcile`)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from refunds.detection import detect_overpayments
from wako_collections.actors import Actor, acting_as


class Command(BaseCommand):
    help = "収納から過誤納金（二重納付・完納後・時効完成後の納付、減額更正）を見つけて処理待ちに加える"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="基準日 YYYY-MM-DD（省略時は今日）")
        parser.add_argument("--operator", default="SYSTEM", help="実行者として記録する職員番号")

    def handle(self, *args, as_of=None, operator="SYSTEM", **options):
        try:
            day = date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError("--as-of は YYYY-MM-DD で指定してください。") from None
        actor = Actor.batch(operator)
        with acting_as(actor):
            found = detect_overpayments(actor=actor, as_of=day)
        self.stdout.write(
            f"過誤納金の検出完了（基準日 {day}）: 新規 {len(found):,}件、{sum(o.amount for o in found):,}円"
        )
