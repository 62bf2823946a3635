"""The columns of a history row besides the record's own have one home (records.HISTORY_COLUMNS,
records.history_values), which the set-based writers (copy_tracked, the importer) use."""

import pytest

from taxpayers.models import Assessment, Payment, Taxpayer
from wako_collections.actors import Actor
from wako_collections.records import HISTORY_COLUMNS, history_insert_sql, history_values


@pytest.mark.parametrize("model", [Taxpayer, Assessment, Payment])
def test_history_columns_are_every_column_a_history_row_adds_to_its_record(model):
    record = {field.column for field in model._meta.concrete_fields}
    history = {field.column for field in model.history.model._meta.concrete_fields}
    assert set(HISTORY_COLUMNS) == history - record - {"history_id"}


def test_a_set_based_history_insert_takes_those_columns_as_parameters_and_the_rest_from_its_source():
    sql = history_insert_sql(Payment, "created")
    assert sql.startswith(f"INSERT INTO {Payment.history.model._meta.db_table} (")
    for column in HISTORY_COLUMNS:
        assert f"%({column})s" in sql
    assert "created.amount" in sql and "created.history_date" not in sql


def test_history_values_name_the_actor_and_the_change():
    actor = Actor.batch("S1234")
    values = history_values(actor, reason="調定の取込（新規）", history_type="+")
    assert tuple(values) == HISTORY_COLUMNS
    assert (
        values["history_staff_number"] == "S1234"
        and values["history_terminal_number"] == actor.terminal_number
    )
    assert (values["history_type"], values["history_change_reason"], values["history_user_id"]) == (
        "+",
        "調定の取込（新規）",
        None,
    )
