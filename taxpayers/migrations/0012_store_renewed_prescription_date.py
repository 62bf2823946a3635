"""InstallmentBalance keeps the 時効予定日 before renewals as base_prescription_date and stores the
renewed one (the installment's standing) as prescription_date, indexed for the near-時効 lists.
The renewed date starts as the base date; the next `reconcile` writes the renewed one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("taxpayers", "0011_record_written_off_installments"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="installmentbalance", name="taxpayers_balance_status"),
        migrations.RenameField(
            model_name="installmentbalance", old_name="prescription_date", new_name="base_prescription_date"
        ),
        migrations.AlterField(
            model_name="installmentbalance",
            name="base_prescription_date",
            field=models.DateField(
                db_comment="更新・完成猶予の前の時効予定日（法定納期限の翌日から起算）",
                verbose_name="時効予定日（更新前）",
            ),
        ),
        migrations.AddField(
            model_name="installmentbalance",
            name="prescription_date",
            field=models.DateField(
                db_comment="督促・承認・差押等による更新後の時効予定日（taxpayers.standing）。差押・交付要求・猶予の間は空",
                null=True,
                verbose_name="時効予定日",
            ),
        ),
        migrations.RunSQL(
            "UPDATE taxpayers_installmentbalance SET prescription_date = base_prescription_date",
            migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name="installmentbalance",
            index=models.Index(fields=["status", "base_prescription_date"], name="taxpayers_balance_status"),
        ),
        migrations.AddIndex(
            model_name="installmentbalance",
            index=models.Index(fields=["status", "prescription_date"], name="taxpayers_balance_renewed"),
        ),
    ]
