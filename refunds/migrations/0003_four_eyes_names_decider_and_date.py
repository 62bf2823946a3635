"""four_eyes_constraint (issue 22): a 決裁 names its decider, who is not the drafter, and its date."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("refunds", "0002_overpayment_once_per_collection"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="disposal",
            name="refunds_disposal_four_eyes",
        ),
        migrations.AddConstraint(
            model_name="disposal",
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
                name="refunds_disposal_four_eyes",
            ),
        ),
    ]
