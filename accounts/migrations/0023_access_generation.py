"""The access generation (accounts/access_cache.py): a sequence every change to terminals, roles and
permissions moves on, so each process knows when to re-read them."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0022_grant_export_data")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE accounts_access_generation; "
            "COMMENT ON SEQUENCE accounts_access_generation IS "
            "'アクセス世代: 端末・ロール・権限の変更ごとに進む（各プロセスのキャッシュの破棄）'",
            "DROP SEQUENCE accounts_access_generation",
        )
    ]
