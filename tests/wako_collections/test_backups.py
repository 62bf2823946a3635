"""backup → restore into a scratch database: the same rows, and 個人番号 that still decrypt."""

import base64
import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import SecurityEvent
from taxpayers import individual_numbers
from wako_collections.backups import Target, _query, restore, row_counts
from wako_collections.management.commands.restore import CHECKED_TABLES

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scratch_database():
    name = f"wako_restore_check_{os.getpid()}"
    yield name
    _query(Target.configured("postgres"), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', [])


def test_a_backup_restores_with_every_row_and_readable_individual_numbers(
    ledger, administrator, tmp_path, scratch_database
):
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


def _script_of(dump) -> str:
    """The dump as the SQL pg_restore would run (the custom format itself is compressed, so a search
    of its bytes would prove nothing)."""
    import subprocess

    done = subprocess.run(["pg_restore", "--file=-", str(dump)], capture_output=True, check=True)  # noqa: S607
    return done.stdout.decode("utf-8", errors="replace")


def test_the_dump_its_checksum_and_a_new_folder_are_readable_by_the_owner_only(ledger, tmp_path):
    from wako_collections import backups

    seen = {}
    real_run = backups._run

    def watching(command, target, **kwargs):
        partial = tmp_path / "new" / "wako.dump.partial"
        seen["partial"] = partial.stat().st_mode & 0o777  # before pg_dump writes a byte
        return real_run(command, target, **kwargs)

    backups._run = watching
    try:
        dump = tmp_path / "new" / "wako.dump"
        backups.backup(dump)
    finally:
        backups._run = real_run
    assert seen["partial"] == 0o600
    assert dump.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "new" / "wako.dump.sha256").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("mode", [0o755, 0o750, 0o705, 0o777])
def test_a_chosen_folder_others_can_open_is_refused_and_left_as_it_is(ledger, tmp_path, mode):
    from wako_collections.backups import BackupError, backup

    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(mode)
    with pytest.raises(BackupError, match="chmod 700"):
        backup(folder / "wako.dump")
    assert folder.stat().st_mode & 0o777 == mode
    assert not list(folder.iterdir())


def test_the_default_folder_is_tightened_to_the_owner_only(tmp_path):
    from wako_collections.backups import private_directory

    folder = tmp_path / "backups"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    private_directory(folder, tighten=True)
    assert folder.stat().st_mode & 0o777 == 0o700


def test_a_backup_never_overwrites_an_existing_file(ledger, tmp_path):
    from wako_collections.backups import BackupError, backup

    dump = tmp_path / "wako.dump"
    dump.write_bytes(b"someone else's")
    with pytest.raises(BackupError, match="既にあります"):
        backup(dump)
    assert dump.read_bytes() == b"someone else's"


def test_live_sessions_are_not_in_the_dump_and_nobody_is_signed_in_after_a_restore(
    ledger, tmp_path, scratch_database
):
    from django.contrib.sessions.backends.db import SessionStore

    from wako_collections.backups import backup

    session = SessionStore()
    session["_auth_user_id"] = "1"
    session.create()
    dump = tmp_path / "wako.dump"
    backup(dump)
    script = _script_of(dump)
    assert "CREATE TABLE public.django_session" in script
    assert session.session_key not in script
    restore(dump, into=scratch_database)
    assert row_counts(scratch_database, ["django_session"]) == {"django_session": 0}


def test_a_restore_signs_out_the_sessions_an_older_dump_still_holds(ledger, tmp_path, scratch_database):
    import subprocess

    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session["_auth_user_id"] = "1"
    session.create()
    target = Target.configured()
    old_style = tmp_path / "old.dump"
    subprocess.run(
        ["pg_dump", *target.args(), "--format=custom", "--no-owner", "--file", str(old_style), target.name],  # noqa: S607
        env=target.env(),
        check=True,
    )
    assert session.session_key in _script_of(old_style)
    restore(old_style, into=scratch_database)
    assert row_counts(scratch_database, ["django_session"]) == {"django_session": 0}


def test_a_dump_holds_no_authenticator_secret_in_a_form_that_gives_codes(ledger, officer, tmp_path):
    from accounts.models import AuthenticatorApp
    from wako_collections.backups import backup

    device = AuthenticatorApp.objects.get(user=officer)
    secret = device.key
    dump = tmp_path / "wako.dump"
    backup(dump)
    script = _script_of(dump)
    assert "accounts_authenticatorapp" in script
    assert device.key_ciphertext in script  # the row is there, sealed
    assert secret not in script
    assert base64.b32encode(bytes.fromhex(secret)).decode() not in script
    assert secret.encode() not in dump.read_bytes()
