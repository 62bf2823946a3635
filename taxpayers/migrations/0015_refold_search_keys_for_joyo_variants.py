"""Search keys after the regenerated 異体字 table (issue 15 §5(b)): 斎 and its family now fold with
斉 (斉藤・斎藤・齊藤・齋藤 find one another), and 第1水準 characters that are not 常用漢字 fold to the
常用漢字 the 戸籍 relation gives them (嶋 → 島, 冨 → 富, 曾 → 曽, 瀧 → 滝, 龍 → 竜, 舘 → 館, 峯 → 峰,
薗 → 園 …). The keys of existing 宛名 are recomputed with the key functions now in the code
(`search.refold_search_keys`, the same as `manage.py refold_search_keys`); no stored name, カナ or
address changes. Reversing recomputes them again with whatever key functions and table are then
installed: roll the code back first, then migrate back (or run `refold_search_keys`)."""

from django.db import migrations


def refold(apps, schema_editor):
    from taxpayers.search import refold_search_keys

    refold_search_keys(apps.get_model("taxpayers", "Taxpayer"))


class Migration(migrations.Migration):
    dependencies = [
        ("taxpayers", "0014_voided_seizure_renews_nothing"),
    ]

    operations = [
        migrations.RunPython(refold, refold, elidable=False),
    ]
