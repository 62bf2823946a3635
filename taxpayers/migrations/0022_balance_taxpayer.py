import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("taxpayers", "0021_delinquent_subjects_and_years"),
    ]

    # The taxpayer of each stored balance, as reconcile now writes it: filled from the 調定 in one
    # UPDATE … FROM (3.7M rows at 100,000 persons; docs/performance.md gives its time), then made
    # NOT NULL. The near-時効 index gains the 調定 (the page's order) and the taxpayer (INCLUDE).
    operations = [
        migrations.AddField(
            model_name="installmentbalance",
            name="taxpayer",
            field=models.ForeignKey(
                db_comment="調定の宛名（reconcile が調定から写す。時効が近い一覧の索引用）",
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="taxpayers.taxpayer",
                verbose_name="宛名",
            ),
        ),
        migrations.RunSQL(
            "UPDATE taxpayers_installmentbalance b SET taxpayer_id = a.taxpayer_id"
            " FROM taxpayers_assessment a WHERE a.id = b.assessment_id",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="installmentbalance",
            name="taxpayer",
            field=models.ForeignKey(
                db_comment="調定の宛名（reconcile が調定から写す。時効が近い一覧の索引用）",
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="taxpayers.taxpayer",
                verbose_name="宛名",
            ),
        ),
        migrations.RemoveIndex(
            model_name="installmentbalance",
            name="taxpayers_balance_renewed",
        ),
        migrations.AddIndex(
            model_name="installmentbalance",
            index=models.Index(
                fields=["status", "prescription_date", "assessment"],
                include=("taxpayer",),
                name="taxpayers_balance_renewed",
            ),
        ),
    ]
