"""What every business record carries: who wrote it, from which terminal, and its history.

`StampedModel` holds 作成日, 更新日, 更新時間, the updating staff member's number and 宛名番号,
更新端末番号 and a version for optimistic locking. Services set them with `stamp()` from the
current Actor, never from client input. `tracked_history()` gives a model its
django-simple-history table whose every row names the staff member and the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from types import SimpleNamespace

from django.db import models
from django.dispatch import receiver
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from wako_collections.actors import Actor, current_actor


class StampedModel(models.Model):
    """Abstract base. Appendix-1 models redeclare these fields with the file's own item names."""

    created_on = models.DateField("作成日", db_comment="作成日")
    updated_on = models.DateField("更新日", db_comment="更新日")
    updated_time = models.TimeField("更新時間", db_comment="更新時間")
    updated_staff_number = models.CharField("更新職員番号", max_length=20, db_comment="更新職員番号")
    updated_staff_atena_number = models.CharField(
        "更新職員宛名番号", max_length=20, blank=True, db_comment="更新職員宛名番号"
    )
    updated_terminal_number = models.CharField("更新端末番号", max_length=20, db_comment="更新端末番号")
    version = models.PositiveIntegerField(
        "版", default=0, db_comment="版（楽観的排他制御。保存のたびに1増える）"
    )

    STAMP_FIELDS = (
        "created_on",
        "updated_on",
        "updated_time",
        "updated_staff_number",
        "updated_staff_atena_number",
        "updated_terminal_number",
        "version",
    )

    class Meta:
        abstract = True


class FourEyesRecord(StampedModel):
    """Abstract base of a record drafted (起案) by one person and approved (決裁) by another: who and
    from which terminal on each side, and when it was approved. A subclass has a `status` field
    whose draft value is DRAFT_STATUS, and puts `four_eyes_constraint(...)` in its constraints so
    that the database itself refuses an approval by the drafter."""

    DRAFT_STATUS = "draft"
    status: str  # each subclass's own field (its choices and comment differ)

    drafted_by = models.CharField("起案者", max_length=20, db_comment="起案した職員番号")
    drafted_terminal = models.CharField("起案端末", max_length=20, db_comment="起案した端末番号")
    approved_by = models.CharField("決裁者", max_length=20, blank=True, db_comment="決裁した職員番号")
    approved_terminal = models.CharField("決裁端末", max_length=20, blank=True, db_comment="決裁した端末番号")
    approved_at = models.DateTimeField("決裁日時", null=True, blank=True, db_comment="決裁日時")

    class Meta:
        abstract = True

    @property
    def is_draft(self) -> bool:
        return self.status == self.DRAFT_STATUS

    def can_be_approved_by(self, staff_number: str) -> bool:
        """Whether `staff_number` may decide it now: still a draft, and not its drafter."""
        return self.is_draft and staff_number != self.drafted_by


def four_eyes_constraint(name: str, *, decided: tuple[str, ...] = ("approved",)) -> models.CheckConstraint:
    """The database's four-eyes rule: a record in a `decided` status (決裁, and 却下 where a rejection is
    also a decision) names its decider, who is not its drafter, and when it was decided. `name` is the
    constraint's `<app>_<model>_four_eyes`."""
    in_decided = models.Q(status__in=list(decided)) if len(decided) > 1 else models.Q(status=decided[0])
    return models.CheckConstraint(
        condition=~in_decided
        | (
            ~models.Q(approved_by="")
            & ~models.Q(approved_by=models.F("drafted_by"))
            & models.Q(approved_at__isnull=False)
        ),
        name=name,
    )


def stamp_values(actor: Actor) -> dict:
    """The stamp of a new record written now by `actor`, as column values (for COPY)."""
    now = timezone.localtime()
    return {
        "created_on": now.date(),
        "updated_on": now.date(),
        "updated_time": now.time().replace(microsecond=0),
        "updated_staff_number": actor.staff_number,
        "updated_staff_atena_number": actor.staff_atena_number,
        "updated_terminal_number": actor.terminal_number,
        "version": 1,
    }


def stamp(record: StampedModel, actor: Actor) -> list[str]:
    """Marks `record` as written now by `actor`; returns the field names for update_fields."""
    now = timezone.localtime()
    if record._state.adding:
        record.created_on = now.date()
    record.updated_on = now.date()
    record.updated_time = now.time().replace(microsecond=0)
    record.updated_staff_number = actor.staff_number
    record.updated_staff_atena_number = actor.staff_atena_number
    record.updated_terminal_number = actor.terminal_number
    record.version = (record.version or 0) + 1 if not record._state.adding else 1
    return list(StampedModel.STAMP_FIELDS)


class HistoryActor(models.Model):
    """Base of every historical table: the staff member and terminal behind each change."""

    history_staff_number = models.CharField("変更職員番号", max_length=20)
    history_terminal_number = models.CharField("変更端末番号", max_length=20)

    class Meta:
        abstract = True


def tracked_history(**options) -> HistoricalRecords:
    return HistoricalRecords(bases=[HistoryActor], **options)


@receiver(pre_create_historical_record)
def _record_actor_on_history(sender, instance, history_instance, **kwargs):
    # A change nobody can be named for is refused, not recorded anonymously.
    actor = current_actor()
    history_instance.history_staff_number = actor.staff_number
    history_instance.history_terminal_number = actor.terminal_number
    history_instance.history_user = actor.staff


def save_tracked(record: models.Model, *, reason: str, update_fields: list[str] | None = None) -> None:
    """Saves a tracked record one by one (so history sees it) with its change reason."""
    record._change_reason = reason  # type: ignore[attr-defined]  # read by django-simple-history
    record.save(update_fields=update_fields)


def bulk_create_tracked(records: list, *, actor: Actor, reason: str, batch_size: int = 2_000) -> list:
    """Inserts many new records of one model and their history rows together (django-simple-history's
    bulk_create_with_history), each history row naming `actor`'s staff number and terminal."""
    from simple_history.utils import bulk_create_with_history

    if not records:
        return []
    return bulk_create_with_history(
        records,
        type(records[0]),
        batch_size=batch_size,
        default_user=actor.staff,
        default_change_reason=reason,
        custom_historical_attrs={
            "history_staff_number": actor.staff_number,
            "history_terminal_number": actor.terminal_number,
        },
    )


# The columns of a history row besides the record's own: when, why, what kind of change ('+' new,
# '~' changed, '-' deleted) and who — the user, their staff number and terminal.
HISTORY_COLUMNS = (
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user_id",
    "history_staff_number",
    "history_terminal_number",
)


def history_values(actor: Actor, *, reason: str, history_type: str, at: datetime | None = None) -> dict:
    """HISTORY_COLUMNS of a change by `actor`, as a save through django-simple-history writes them
    (`_record_actor_on_history`): the one home of these values for the set-based writers
    (copy_tracked, history_insert_sql and the importer)."""
    return dict(
        zip(
            HISTORY_COLUMNS,
            (
                at or timezone.now(),
                reason,
                history_type,
                actor.staff.pk if actor.staff else None,
                actor.staff_number,
                actor.terminal_number,
            ),
            strict=True,
        )
    )


def history_insert_sql(model, source: str) -> str:
    """INSERT of one history row of `model` per row of `source` (a CTE or table holding the records
    as written, e.g. `RETURNING *` of an UPDATE or INSERT): the record's columns from `source`, the
    columns of `history_values` as named parameters (`%(history_date)s` …) — pass them with the
    statement's other parameters."""
    history = model.history.model
    columns = [field.column for field in history._meta.concrete_fields if field.attname != "history_id"]
    values = [f"%({name})s" if name in HISTORY_COLUMNS else f"{source}.{name}" for name in columns]
    return (
        f"INSERT INTO {history._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 (names from the model)
        f"SELECT {', '.join(values)} FROM {source}"
    )


def copy_tracked(model, rows, *, actor: Actor, reason: str, connection=None) -> int:
    """Writes new records of `model` (dicts by attname, each with its own "id") and their history
    rows with PostgreSQL COPY: the bulk path for generated city-scale data, where model
    instances would cost minutes. Every history row names `actor`, as a save would."""
    from django.db import connection as default_connection

    connection = connection or default_connection
    rows = list(rows)
    if not rows:
        return 0
    if any("id" not in row for row in rows):
        ids = reserve_ids(model, sum("id" not in row for row in rows), connection=connection)
        for row in rows:
            if "id" not in row:
                row["id"] = next(ids)
    # Generated columns (GeneratedField) are computed by PostgreSQL and cannot be COPY'd.
    main_columns = [field.attname for field in model._meta.concrete_fields if not field.generated]
    # A column a row does not name gets the field's default, as a save would (a field added to
    # the model later must not arrive as NULL through COPY).
    defaults = {
        field.attname: field.get_default() for field in model._meta.concrete_fields if field.has_default()
    }
    history_model = model.history.model
    history_only = history_values(actor, reason=reason, history_type="+")
    history_columns = [
        field.attname for field in history_model._meta.concrete_fields if field.attname != "history_id"
    ]
    quoted = ", ".join
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {model._meta.db_table} ({quoted(main_columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row.get(column, defaults.get(column)) for column in main_columns])
        with raw.copy(f"COPY {history_model._meta.db_table} ({quoted(history_columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [
                        history_only[c] if c in history_only else row.get(c, defaults.get(c))
                        for c in history_columns
                    ]
                )
    return len(rows)


def reserve_ids(model, count: int, *, connection=None):
    """`count` fresh primary keys from the model's sequence, for rows written with COPY."""
    from django.db import connection as default_connection

    connection = connection or default_connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return iter([row[0] for row in cursor.fetchall()])


def analyze(*models, connection=None) -> None:
    """Refreshes the planner's statistics after a bulk load (autovacuum may take minutes to)."""
    from django.db import connection as default_connection

    connection = connection or default_connection
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def next_number(model, field: str, prefix: str, width: int = 6) -> str:
    """The next serial after the highest `prefix`-numbered value of `field` (e.g. D2026000042).
    Two writers racing for the same number meet the field's unique constraint; the loser retries
    by resubmitting. Cost: one indexed query."""
    last = (
        model.objects.filter(**{f"{field}__startswith": prefix})
        .order_by(f"-{field}")
        .values_list(field, flat=True)
        .first()
    )
    return f"{prefix}{int(last[len(prefix) :]) + 1 if last else 1:0{width}d}"


def states_at(
    model: type[models.Model], moment: datetime, *, ids: Iterable[int] | None = None, **filters
) -> dict[int, SimpleNamespace]:
    """Each record of `model` as it stood at `moment`: its last history row dated on or before it,
    by id, as plain column values (attribute names as the model's: `disposition_id`, `history_date`,
    `history_type` …). A record whose last row is a deletion ("-") is kept (`history_type`); one not
    yet written at `moment` is absent. `ids` None reads every record; `filters` narrow the history
    rows (e.g. assessment_id__in=…). One query (DISTINCT ON over the history table, indexed by
    django-simple-history on the original id and on history_date). A later write cannot change
    the answer: what the 逆連携 (exchange) and the standing "as known at" a moment rely on."""
    history = model.history.model  # type: ignore[attr-defined]
    rows = history.objects.filter(history_date__lte=moment, **filters)
    if ids is not None:
        ids = list(ids)
        if not ids:
            return {}
        rows = rows.filter(id__in=ids)
    rows = rows.order_by("id", "-history_date", "-history_id").distinct("id")
    return {row["id"]: SimpleNamespace(**row) for row in rows.values()}
