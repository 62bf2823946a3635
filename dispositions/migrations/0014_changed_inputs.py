"""reconcile's daily run (issue 21): a change to 差押・交付要求・執行停止・猶予の期別の行 (dispositions_dispositionrow) marks its installment in
taxpayers' ChangedInputs, by the triggers of taxpayers' migration 0025_changed_inputs. The daily run
computes every installment that has such a row (its 延滞金 relief depends on the day); the mark makes it
compute the one whose row was deleted or moved to another installment, too."""

from django.db import migrations

TABLE = "dispositions_dispositionrow"
FORWARD = [
    f"CREATE TRIGGER {TABLE}_changed_{event[:3].lower()} AFTER {event} ON {TABLE} "
    f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION taxpayers_mark_changed('assessment_id')"
    for event, transition in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    )
]
BACKWARD = [f"DROP TRIGGER {TABLE}_changed_{event} ON {TABLE}" for event in ("ins", "upd", "del")]


class Migration(migrations.Migration):
    dependencies = [
        ("dispositions", "0013_writeoff_amounts_shared_comments"),
        ("taxpayers", "0025_changed_inputs"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
