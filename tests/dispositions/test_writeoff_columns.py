"""A stored 不納欠損 candidate and a 決議's line share their columns (dispositions.WriteOffAmounts):
the same fields, and in the database the same comments the models declare."""

import pytest
from django.db import connection

from dispositions.models import WriteOffAmounts, WriteOffCandidate, WriteOffLine

SHARED = [field.name for field in WriteOffAmounts._meta.get_fields()]


def test_the_shared_columns_are_the_candidate_and_the_line_alike():
    assert SHARED == [
        "reason",
        "article",
        "extinguished_on",
        "basis",
        "principal",
        "demand_fee",
        "late_charge",
    ]
    for name in SHARED:
        line, candidate = WriteOffLine._meta.get_field(name), WriteOffCandidate._meta.get_field(name)
        assert line.deconstruct()[1:] == candidate.deconstruct()[1:], name


@pytest.mark.django_db
@pytest.mark.parametrize("model", [WriteOffLine, WriteOffCandidate])
def test_each_shared_column_carries_its_declared_comment_in_the_database(model):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname, col_description(a.attrelid, a.attnum) FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname = %s AND a.attnum > 0",
            [model._meta.db_table],
        )
        comments = dict(cursor.fetchall())
    for name in SHARED:
        field = model._meta.get_field(name)
        assert comments[field.column] == field.db_comment, name
