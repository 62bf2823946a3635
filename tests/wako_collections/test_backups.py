"""backup → restore into a scratch database: the same rows, and 個人番号 that still decrypt."""

import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import SecurityEvent
from taxpayers import individual_numbers
from wako_collections.backups import Target, _query, restore, row_counts
from wako_collections.management.commands.restore import CHECKED_TABLES

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def scratch_database():
    name = f"wako_restore_check_{os.getpid()}"
    yield name
    _query(Target.configured("postgres"), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', [])


def test_a_backup_restores_with_every_row_and_readable_individual_numbers(ledger, tmp_path, scratch_database):
    dump = tmp_path / "wako.dump"
    call_command("backup", "--output", str(dump), "--operator", "S9001", stdout=StringIO())
    assert dump.exists() and (tmp_path / "wako.dump.sha256").exists()
    assert SecurityEvent.objects.filter(kind="backup_made", staff_number="S9001").exists()

    out = StringIO()
    call_command("restore", str(dump), "--into", scratch_database, stdout=out)
    assert f"{scratch_database} へ復元しました。" in out.getvalue()
    assert row_counts(scratch_database, CHECKED_TABLES) == row_counts(
        connection.settings_dict["NAME"], CHECKED_TABLES
    )
    assert row_counts(scratch_database, ["taxpayers_taxpayer"])["taxpayers_taxpayer"] == 3
    (ciphertext,) = _query(
        Target.configured(scratch_database),
        "SELECT individual_number_ciphertext FROM taxpayers_taxpayer WHERE atena_number = %s",
        ["000000101"],
    )[0]
    assert individual_numbers.decrypt(ciphertext, atena_number="000000101") == "123456789018"


def test_restore_refuses_a_tampered_file_and_an_existing_database(ledger, tmp_path, scratch_database):
    from wako_collections.backups import BackupError, backup

    dump = tmp_path / "wako.dump"
    backup(dump)
    restore(dump, into=scratch_database)
    with pytest.raises(BackupError, match="既にあります"):
        restore(dump, into=scratch_database)
    with dump.open("ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(BackupError, match="sha256"):
        restore(dump, into=scratch_database, replace=True)
