"""Names as registered, search keys folded (issue 15, items 3 and 5).

From now on 氏名・住所・方書・送付先 are stored exactly as the 住基・宛名 system sends them; only the
search keys are folded. Existing rows: their stored values were NFKC-folded on import, and what was
registered before the folding (塚 U+FA10 or 塚 U+585A, ㈱ or (株)) cannot be known from them, so this
migration changes no stored name or address. It only computes the keys: search_address (new) and
search_name (now with 異体字 folded) for every 宛名. The next 宛名 file brings each person's registered
form back through the ordinary import, which records the change in the history.

Reversing restores the previous search_name key (NFKC, no spaces, hiragana → katakana) and drops
search_address.
"""

import re
import unicodedata

import django.contrib.postgres.indexes
from django.conf import settings
from django.db import migrations, models

BATCH = 2_000


def compute_search_keys(apps, schema_editor):
    # The key functions are the ones the import uses, so a row migrated here and a row imported
    # tomorrow hold the same key for the same text.
    from taxpayers.search import address_key, name_key

    Taxpayer = apps.get_model("taxpayers", "Taxpayer")
    batch = []
    for taxpayer in Taxpayer.objects.only("id", "name", "address").order_by("id").iterator(chunk_size=BATCH):
        taxpayer.search_name = name_key(taxpayer.name)
        taxpayer.search_address = address_key(taxpayer.address)
        batch.append(taxpayer)
        if len(batch) == BATCH:
            Taxpayer.objects.bulk_update(batch, ["search_name", "search_address"])
            batch = []
    Taxpayer.objects.bulk_update(batch, ["search_name", "search_address"])


def restore_previous_name_keys(apps, schema_editor):
    hiragana = {chr(code): chr(code + 0x60) for code in range(ord("ぁ"), ord("ゖ") + 1)}
    Taxpayer = apps.get_model("taxpayers", "Taxpayer")
    batch = []
    for taxpayer in Taxpayer.objects.only("id", "name").order_by("id").iterator(chunk_size=BATCH):
        folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", taxpayer.name))
        taxpayer.search_name = "".join(hiragana.get(char, char) for char in folded)[:100]
        batch.append(taxpayer)
        if len(batch) == BATCH:
            Taxpayer.objects.bulk_update(batch, ["search_name"])
            batch = []
    Taxpayer.objects.bulk_update(batch, ["search_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("taxpayers", "0006_postponements"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="taxpayer",
            name="taxpayers_address_trgm",
        ),
        migrations.AddField(
            model_name="taxpayer",
            name="search_address",
            field=models.TextField(
                blank=True,
                db_comment="検索用に正規化した住所（漢数字・丁目番号の表記と異体字をそろえたもの）",
                verbose_name="検索用住所",
            ),
        ),
        migrations.AlterField(
            model_name="taxpayer",
            name="search_name",
            field=models.TextField(
                db_comment="検索用に正規化した氏名（異体字をそろえたもの）", verbose_name="検索用氏名"
            ),
        ),
        migrations.RunPython(compute_search_keys, restore_previous_name_keys, elidable=False),
        migrations.AddIndex(
            model_name="taxpayer",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_address"], name="taxpayers_search_address_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
    ]
