"""WriteOffCandidate and WriteOffLine share their columns through the abstract WriteOffAmounts: the
candidate's four columns take the line's comments (欠損額…, 消滅の根拠となった記録（…）). No column
changes type or data: the database side is four COMMENT ON COLUMN statements (catalogue only; the
ALTER COLUMN … TYPE Django would emit beside them is left out), reversible to the old comments."""

from django.db import migrations, models

TABLE = "dispositions_writeoffcandidate"
COMMENTS = {  # column: (new, old)
    "basis": ("消滅の根拠となった記録（時効の経過、執行停止の処分番号など）", "消滅の根拠となった記録"),
    "principal": ("欠損額（本税、円）", "消滅した日の未納本税（円）"),
    "demand_fee": ("欠損額（督促手数料、円）", "消滅した日の未納督促手数料（円）"),
    "late_charge": ("欠損額（延滞金、円）", "消滅した日までの延滞金（円）"),
}


def comment(column: str, text: str) -> str:
    return f"COMMENT ON COLUMN {TABLE}.{column} IS '{text}'"


class Migration(migrations.Migration):
    dependencies = [
        ("dispositions", "0012_writeoff_candidate_list"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(comment(column, new), reverse_sql=comment(column, old))
                for column, (new, old) in COMMENTS.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="writeoffcandidate",
                    name="basis",
                    field=models.CharField(
                        db_comment=COMMENTS["basis"][0], max_length=100, verbose_name="消滅の根拠"
                    ),
                ),
                migrations.AlterField(
                    model_name="writeoffcandidate",
                    name="demand_fee",
                    field=models.BigIntegerField(
                        db_comment=COMMENTS["demand_fee"][0], verbose_name="督促手数料"
                    ),
                ),
                migrations.AlterField(
                    model_name="writeoffcandidate",
                    name="late_charge",
                    field=models.BigIntegerField(
                        db_comment=COMMENTS["late_charge"][0], verbose_name="延滞金"
                    ),
                ),
                migrations.AlterField(
                    model_name="writeoffcandidate",
                    name="principal",
                    field=models.BigIntegerField(db_comment=COMMENTS["principal"][0], verbose_name="本税"),
                ),
            ],
        ),
    ]
