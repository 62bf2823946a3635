"""manage.py refold_search_keys — recompute every 宛名's search keys (氏名・カナ・住所・電話) with the key
functions and the 異体字 table now in the code; stored names are never changed. Idempotent: a second
run changes nothing. Run it after regenerating taxpayers/data/kanji_variant_folds.tsv without a
migration (a migration that ships a new table calls the same function)."""

from django.core.management.base import BaseCommand

from taxpayers.search import refold_search_keys


class Command(BaseCommand):
    help = "宛名の検索キー（氏名・カナ・住所・電話）を現在の正規化・異体字表で計算し直す（登録された氏名は変えない）"

    def handle(self, *args, **options):
        changed = refold_search_keys()
        self.stdout.write(f"検索キーを更新した宛名: {changed:,}件")
