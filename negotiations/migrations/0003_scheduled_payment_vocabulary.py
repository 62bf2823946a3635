"""One vocabulary for "installment" (issue 22): it means a 期別 only. A 分納誓約's 回 is a
ScheduledPayment (was PledgeInstallment) and the pledge's 分納回数 is payment_count (was
installment_count). Renames keep every row and every history row; the two constraints take the
new model's name (`<app>_<model>_<rule>`)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("negotiations", "0002_residence_investigation_contact_kind"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="installmentpledge", name="negotiations_pledge_count_positive"
        ),
        migrations.RemoveConstraint(
            model_name="pledgeinstallment", name="negotiations_pledgeinstallment_one_per_sequence"
        ),
        migrations.RemoveConstraint(
            model_name="pledgeinstallment", name="negotiations_pledgeinstallment_amount_positive"
        ),
        migrations.RenameModel(old_name="PledgeInstallment", new_name="ScheduledPayment"),
        migrations.RenameModel(old_name="HistoricalPledgeInstallment", new_name="HistoricalScheduledPayment"),
        migrations.AddConstraint(
            model_name="scheduledpayment",
            constraint=models.UniqueConstraint(
                fields=("pledge", "sequence"), name="negotiations_scheduledpayment_one_per_sequence"
            ),
        ),
        migrations.AddConstraint(
            model_name="scheduledpayment",
            constraint=models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="negotiations_scheduledpayment_amount_positive"
            ),
        ),
        migrations.RenameField(
            model_name="installmentpledge", old_name="installment_count", new_name="payment_count"
        ),
        migrations.RenameField(
            model_name="historicalinstallmentpledge", old_name="installment_count", new_name="payment_count"
        ),
        migrations.AddConstraint(
            model_name="installmentpledge",
            constraint=models.CheckConstraint(
                condition=models.Q(payment_count__gte=1), name="negotiations_pledge_count_positive"
            ),
        ),
    ]
