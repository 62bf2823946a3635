"""reconcile's daily run (issue 21): ChangedInputs, the record of the installments whose inputs changed,
written by statement-level PostgreSQL triggers on the 調定, its 収納, its 時効 events and its 欠損 (the
relief tables get theirs in their own apps' migrations), so that every write counts — an ORM save,
QuerySet.update(), bulk writes and the imports' set-based SQL alike — at one INSERT … SELECT per
statement over its transition table. ReconcileRun.rules keeps the digest of the rules a run computed
by: the daily run computes only the changed and the moving installments while the rules are those of
the last run over every installment. The rows already dated ahead (a 収納 received tomorrow) are
marked for their day, as the triggers mark them from now on."""

from django.db import migrations, models

# TG_ARGV[0]: the column naming the installment ('id' on the 調定, 'assessment_id' elsewhere); the
# further arguments: date columns of the row (a 収納's 領収日, a 欠損's day and its cancellation's): the
# change is marked for now (effective_on empty) and for each of those days, so a run whose 基準日 is
# before a day leaves that day's mark for the run that reaches it (a 収納 dated ahead). A mark for a
# day already past is taken with the one for now. No clock of the server's is read.
MARK_CHANGED = """
CREATE OR REPLACE FUNCTION taxpayers_mark_changed() RETURNS trigger LANGUAGE plpgsql AS $function$
DECLARE
    installment text := TG_ARGV[0];
    changed_rows text;
    parts text[];
BEGIN
    FOREACH changed_rows IN ARRAY CASE TG_OP WHEN 'INSERT' THEN ARRAY['new_rows']
                                             WHEN 'DELETE' THEN ARRAY['old_rows']
                                             ELSE ARRAY['new_rows', 'old_rows'] END LOOP
        parts := parts || format('SELECT %I, NULL::date FROM %I WHERE %I IS NOT NULL',
                                 installment, changed_rows, installment);
        FOR argument IN 1 .. TG_NARGS - 1 LOOP
            parts := parts || format('SELECT %I, %I FROM %I WHERE %I IS NOT NULL AND %I IS NOT NULL',
                                     installment, TG_ARGV[argument], changed_rows, TG_ARGV[argument], installment);
        END LOOP;
    END LOOP;
    EXECUTE 'INSERT INTO taxpayers_changedinputs (assessment_id, effective_on) SELECT DISTINCT * FROM ('
            || array_to_string(parts, ' UNION ALL ') || ') changed';
    RETURN NULL;
END
$function$
"""


def triggers(table: str, *arguments: str) -> list[str]:
    """The three statement-level triggers (INSERT, UPDATE, DELETE) that mark `table`'s changes."""
    quoted = ", ".join(f"'{argument}'" for argument in arguments)
    return [
        f"CREATE TRIGGER {table}_changed_{event[:3].lower()} AFTER {event} ON {table} "
        f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION taxpayers_mark_changed({quoted})"
        for event, transition in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        )
    ]


MARKED = {  # table: (installment column, date columns)
    "taxpayers_assessment": ("id",),
    "taxpayers_payment": ("assessment_id", "received_on"),
    "taxpayers_prescriptionevent": ("assessment_id", "occurred_on"),
    "taxpayers_writtenoff": ("assessment_id", "written_off_on", "cancelled_on"),
}
FORWARD = [MARK_CHANGED] + [
    statement for table, arguments in MARKED.items() for statement in triggers(table, *arguments)
]
FORWARD.append(
    "INSERT INTO taxpayers_changedinputs (assessment_id, effective_on)"
    " SELECT assessment_id, received_on FROM taxpayers_payment WHERE received_on > current_date - 1"
    " UNION SELECT assessment_id, occurred_on FROM taxpayers_prescriptionevent WHERE occurred_on > current_date - 1"
    " UNION SELECT assessment_id, written_off_on FROM taxpayers_writtenoff WHERE written_off_on > current_date - 1"
    " UNION SELECT assessment_id, cancelled_on FROM taxpayers_writtenoff WHERE cancelled_on > current_date - 1"
)
BACKWARD = [
    f"DROP TRIGGER {table}_changed_{event} ON {table}" for table in MARKED for event in ("ins", "upd", "del")
] + ["DROP FUNCTION taxpayers_mark_changed()"]


class Migration(migrations.Migration):
    dependencies = [
        ("taxpayers", "0024_settled_inputs"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChangedInputs",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "assessment_id",
                    models.BigIntegerField(db_comment="入力が変わった調定（期別）の id", verbose_name="調定"),
                ),
                (
                    "effective_on",
                    models.DateField(
                        db_comment="変更が効力を持つ日（空欄: 直ちに。先日付の収納などはその日）",
                        null=True,
                        verbose_name="効力発生日",
                    ),
                ),
            ],
            options={
                "verbose_name": "入力が変わった期別",
                "verbose_name_plural": "入力が変わった期別",
                "db_table_comment": "消込の日次実行が再計算する期別（調定・収納・時効事由・欠損・減免の変更をトリガーが記録）",
            },
        ),
        migrations.AddField(
            model_name="reconcilerun",
            name="rules",
            field=models.CharField(
                blank=True,
                db_comment="この実行が期別を計算した規則（計算するモジュール・率表・最新の移行）の要約",
                default="",
                max_length=80,
                verbose_name="計算規則の要約",
            ),
        ),
        migrations.AlterField(
            model_name="reconcilerun",
            name="scope",
            field=models.CharField(
                choices=[
                    ("all", "全件"),
                    ("diff", "日次（入力が変わった期別と日々動く期別）"),
                    ("some", "取込分"),
                ],
                db_comment="全件、日次の差分、または取込で変わった期別",
                max_length=4,
                verbose_name="範囲",
            ),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
