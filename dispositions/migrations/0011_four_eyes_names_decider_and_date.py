"""four_eyes_constraint (issue 22): a 決裁 (or 却下) names its decider, who is not the drafter, and its
date; WriteOffCancellation on FourEyesRecord (its columns were already the shared ones)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dispositions", "0010_writeoff_cancellation"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="disposition",
            name="dispositions_disposition_four_eyes",
        ),
        migrations.RemoveConstraint(
            model_name="distributionstatement",
            name="dispositions_distributionstatement_four_eyes",
        ),
        migrations.RemoveConstraint(
            model_name="writeoffcancellation",
            name="dispositions_writeoffcancellation_four_eyes",
        ),
        migrations.RemoveConstraint(
            model_name="writeoffrun",
            name="dispositions_writeoffrun_four_eyes",
        ),
        migrations.AlterField(
            model_name="historicalwriteoffcancellation",
            name="approved_at",
            field=models.DateTimeField(blank=True, db_comment="決裁日時", null=True, verbose_name="決裁日時"),
        ),
        migrations.AlterField(
            model_name="historicalwriteoffcancellation",
            name="approved_by",
            field=models.CharField(
                blank=True, db_comment="決裁した職員番号", max_length=20, verbose_name="決裁者"
            ),
        ),
        migrations.AlterField(
            model_name="historicalwriteoffcancellation",
            name="approved_terminal",
            field=models.CharField(
                blank=True, db_comment="決裁した端末番号", max_length=20, verbose_name="決裁端末"
            ),
        ),
        migrations.AlterField(
            model_name="writeoffcancellation",
            name="approved_at",
            field=models.DateTimeField(blank=True, db_comment="決裁日時", null=True, verbose_name="決裁日時"),
        ),
        migrations.AlterField(
            model_name="writeoffcancellation",
            name="approved_by",
            field=models.CharField(
                blank=True, db_comment="決裁した職員番号", max_length=20, verbose_name="決裁者"
            ),
        ),
        migrations.AlterField(
            model_name="writeoffcancellation",
            name="approved_terminal",
            field=models.CharField(
                blank=True, db_comment="決裁した端末番号", max_length=20, verbose_name="決裁端末"
            ),
        ),
        migrations.AddConstraint(
            model_name="disposition",
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
                name="dispositions_disposition_four_eyes",
            ),
        ),
        migrations.AddConstraint(
            model_name="distributionstatement",
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
                name="dispositions_distributionstatement_four_eyes",
            ),
        ),
        migrations.AddConstraint(
            model_name="writeoffcancellation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status__in", ["approved", "rejected"]), _negated=True),
                    models.Q(
                        models.Q(("approved_by", ""), _negated=True),
                        models.Q(("approved_by", models.F("drafted_by")), _negated=True),
                        ("approved_at__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="dispositions_writeoffcancellation_four_eyes",
            ),
        ),
        migrations.AddConstraint(
            model_name="writeoffrun",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status__in", ["approved", "rejected"]), _negated=True),
                    models.Q(
                        models.Q(("approved_by", ""), _negated=True),
                        models.Q(("approved_by", models.F("drafted_by")), _negated=True),
                        ("approved_at__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="dispositions_writeoffrun_four_eyes",
            ),
        ),
    ]
