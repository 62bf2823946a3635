"""Re-encrypts every 個人番号, and every staff member's authenticator-app secret, not yet under the
current key (the first of INDIVIDUAL_NUMBER_KEYS). Run after putting a new key first; remove the old
key from the list only once this reports none left."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import AuthenticatorApp
from taxpayers import individual_numbers
from taxpayers.models import Taxpayer
from wako_collections.actors import Actor, acting_as
from wako_collections.records import save_tracked, stamp


class Command(BaseCommand):
    help = "個人番号を現在の鍵で暗号化し直す（鍵の更新）"

    def add_arguments(self, parser):
        parser.add_argument("--operator", default="SYSTEM", help="実行者として記録する職員番号")
        parser.add_argument("--batch", type=int, default=1_000, help="1トランザクションで処理する件数")

    def handle(self, *args, operator, batch, **options):
        current = settings.INDIVIDUAL_NUMBER_KEYS[0][0]
        actor = Actor.batch(operator)
        prefix = f"{individual_numbers.FORMAT_VERSION}.{current}."
        done = 0
        while True:
            with transaction.atomic(), acting_as(actor):
                stale = list(
                    Taxpayer.objects.exclude(individual_number_ciphertext="")
                    .exclude(individual_number_ciphertext__startswith=prefix)
                    .select_for_update()[:batch]
                )
                for taxpayer in stale:
                    number = individual_numbers.decrypt(
                        taxpayer.individual_number_ciphertext, atena_number=taxpayer.atena_number
                    )
                    taxpayer.individual_number_ciphertext = individual_numbers.encrypt(
                        number, atena_number=taxpayer.atena_number
                    )
                    save_tracked(
                        taxpayer,
                        reason="個人番号の鍵の更新",
                        update_fields=["individual_number_ciphertext", *stamp(taxpayer, actor)],
                    )
            done += len(stale)
            if len(stale) < batch:
                break
        with transaction.atomic():
            apps = list(
                AuthenticatorApp.objects.exclude(key_ciphertext__startswith=prefix).select_for_update()
            )
            for app in apps:
                app.key = app.key  # opened with its old key, sealed again with the current one
                app.save(update_fields=["key_ciphertext"])
        self.stdout.write(
            f"鍵 {current} で暗号化し直した個人番号: {done:,}件・認証アプリの秘密鍵: {len(apps):,}件（残り 0件）"
        )
