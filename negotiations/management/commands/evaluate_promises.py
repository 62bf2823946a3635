from datetime import date

from django.core.management.base import BaseCommand, CommandError

from negotiations.services import evaluate_pledges, evaluate_promises


class Command(BaseCommand):
    help = "期限を過ぎた約束（入金予定）と分納誓約を、収納に照らして判定する"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="判定する日 YYYY-MM-DD（省略時は今日）")

    def handle(self, *args, as_of=None, **options):
        try:
            day = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise CommandError("--as-of は YYYY-MM-DD で指定してください。") from None
        promises = evaluate_promises(as_of=day)
        pledges = evaluate_pledges(as_of=day)
        self.stdout.write(
            f"約束: 履行 {promises.kept}件、一部履行 {promises.partly_kept}件、不履行 {promises.broken}件 ／ "
            f"分納誓約: 完了 {pledges.kept}件、不履行 {pledges.broken}件"
        )
