"""PublicNotice on FourEyesRecord (issue 22): its 起案・決裁 columns take the shared names (renamed, data
kept) and its four-eyes check is the shared `four_eyes_constraint`."""

from django.db import migrations, models

RENAMED = [
    ("drafted_staff_number", "drafted_by"),
    ("drafted_terminal_number", "drafted_terminal"),
    ("approved_staff_number", "approved_by"),
    ("approved_terminal_number", "approved_terminal"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0006_returned_mail_and_public_notice"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="publicnotice", name="documents_publicnotice_four_eyes"),
        *[
            migrations.RenameField(model_name=model, old_name=old, new_name=new)
            for model in ("publicnotice", "historicalpublicnotice")
            for old, new in RENAMED
        ],
        migrations.AlterField(
            model_name="historicalpublicnotice",
            name="approved_by",
            field=models.CharField(
                blank=True, db_comment="決裁した職員番号", max_length=20, verbose_name="決裁者"
            ),
        ),
        migrations.AlterField(
            model_name="historicalpublicnotice",
            name="approved_terminal",
            field=models.CharField(
                blank=True, db_comment="決裁した端末番号", max_length=20, verbose_name="決裁端末"
            ),
        ),
        migrations.AlterField(
            model_name="historicalpublicnotice",
            name="drafted_by",
            field=models.CharField(db_comment="起案した職員番号", max_length=20, verbose_name="起案者"),
        ),
        migrations.AlterField(
            model_name="historicalpublicnotice",
            name="drafted_terminal",
            field=models.CharField(db_comment="起案した端末番号", max_length=20, verbose_name="起案端末"),
        ),
        migrations.AlterField(
            model_name="publicnotice",
            name="approved_by",
            field=models.CharField(
                blank=True, db_comment="決裁した職員番号", max_length=20, verbose_name="決裁者"
            ),
        ),
        migrations.AlterField(
            model_name="publicnotice",
            name="approved_terminal",
            field=models.CharField(
                blank=True, db_comment="決裁した端末番号", max_length=20, verbose_name="決裁端末"
            ),
        ),
        migrations.AlterField(
            model_name="publicnotice",
            name="drafted_by",
            field=models.CharField(db_comment="起案した職員番号", max_length=20, verbose_name="起案者"),
        ),
        migrations.AlterField(
            model_name="publicnotice",
            name="drafted_terminal",
            field=models.CharField(db_comment="起案した端末番号", max_length=20, verbose_name="起案端末"),
        ),
        migrations.AddConstraint(
            model_name="publicnotice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "approved"), _negated=True),
                    models.Q(
                        models.Q(("approved_by", ""), _negated=True),
                        models.Q(("approved_by", models.F("drafted_by")), _negated=True),
                        ("approved_at__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="documents_publicnotice_four_eyes",
            ),
        ),
    ]
