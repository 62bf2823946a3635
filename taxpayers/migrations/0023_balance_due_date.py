from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("taxpayers", "0022_balance_taxpayer"),
    ]

    # The 納期限 of each stored balance, as reconcile now writes it: filled from the 調定 in one
    # UPDATE … FROM (3.7M rows at 100,000 persons; docs/performance.md gives its time), then made
    # NOT NULL, and indexed with the status for the 督促 window of 督促状の一括発行.
    operations = [
        migrations.AddField(
            model_name="installmentbalance",
            name="due_date",
            field=models.DateField(
                db_comment="調定の納期限（reconcile が調定から写す。督促状の一括発行の索引用）",
                null=True,
                verbose_name="納期限",
            ),
        ),
        migrations.RunSQL(
            "UPDATE taxpayers_installmentbalance b SET due_date = a.due_date"
            " FROM taxpayers_assessment a WHERE a.id = b.assessment_id",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="installmentbalance",
            name="due_date",
            field=models.DateField(
                db_comment="調定の納期限（reconcile が調定から写す。督促状の一括発行の索引用）",
                verbose_name="納期限",
            ),
        ),
        migrations.AddIndex(
            model_name="installmentbalance",
            index=models.Index(fields=["status", "due_date"], name="taxpayers_balance_due"),
        ),
    ]
