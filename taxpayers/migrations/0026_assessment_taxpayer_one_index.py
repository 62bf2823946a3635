"""The 調定's own index on taxpayer_id goes: taxpayers_assessment_payer_due (taxpayer_id, due_date)
serves every lookup by taxpayer, and each imported or corrected (更正) row wrote both (issue 21). Only
the index is dropped — Django's own AlterField would drop and re-add the foreign key too, checking
every row again — and the reverse builds it as it was."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "taxpayers_assessment_taxpayer_id_34f9964b"


class Migration(migrations.Migration):
    dependencies = [
        ("taxpayers", "0025_changed_inputs"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="assessment",
                    name="taxpayer",
                    field=models.ForeignKey(
                        db_comment="宛名",
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assessments",
                        to="taxpayers.taxpayer",
                        verbose_name="宛名",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {INDEX}",
                    f"CREATE INDEX {INDEX} ON taxpayers_assessment (taxpayer_id)",
                ),
            ],
        ),
    ]
