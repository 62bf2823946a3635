"""Backup and restore of the whole database with PostgreSQL's own pg_dump / pg_restore.

A backup is PostgreSQL's custom format (compressed, restorable table by table), written with a
sha256 beside it. 個人番号 and the staff's TOTP secrets stay encrypted in it: restoring needs the
same INDIVIDUAL_NUMBER_KEYS to read them, and the keys are never in the backup. Making a backup is
a bulk export of 特定個人情報, so each one is logged (who, where, file, sha256); so is each restore.

What a dump must never give its reader:
* live sign-ins — the rows of EXCLUDED_TABLE_DATA (the session table) are left out, their tables
  kept empty, so a restored database starts with everyone signed out;
* the file to anyone but its owner — the dump and its .sha256 are created 0600 before a byte is
  written (pg_dump writes into a descriptor we opened, under umask 077), the directory is 0700, and
  a directory that group or others can enter is refused rather than changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

# Tables whose rows are credentials in force, not records: their structure is dumped, their data
# is not. (axes' failed-attempt log is a record and stays.)
EXCLUDED_TABLE_DATA = ["django_session"]
PRIVATE_FILE = 0o600
PRIVATE_DIRECTORY = 0o700


class BackupError(Exception):
    """Shown to the operator as it is."""


@dataclass(frozen=True)
class Target:
    name: str
    host: str
    port: str
    user: str
    password: str

    @classmethod
    def configured(cls, name: str | None = None) -> Target:
        db = settings.DATABASES["default"]
        return cls(
            name=name or db["NAME"],
            host=db.get("HOST") or "",
            port=str(db.get("PORT") or ""),
            user=db.get("USER") or "",
            password=db.get("PASSWORD") or "",
        )

    def args(self) -> list[str]:
        out = []
        if self.host:
            out += ["--host", self.host]
        if self.port:
            out += ["--port", self.port]
        if self.user:
            out += ["--username", self.user]
        return out

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} が見つかりません。PostgreSQL のクライアント（postgresql-client）を入れてください。"
        )
    return found


def _run(command: list[str], target: Target, *, stdout: int | None = None) -> None:
    done = subprocess.run(  # noqa: S603
        command,
        env=target.env(),
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        umask=0o077,
    )
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} が失敗しました: {done.stderr.strip()[:500]}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def private_directory(directory: Path, *, tighten: bool = False) -> None:
    """Makes sure only the owner can enter `directory`: created 0700 when missing; an existing one
    open to group or others is tightened when `tighten` (the default backup folder, which is ours)
    and refused otherwise (a folder someone chose, e.g. /tmp, is not ours to change)."""
    if not directory.exists():
        old = os.umask(0o077)
        try:
            directory.mkdir(parents=True, mode=PRIVATE_DIRECTORY)
        finally:
            os.umask(old)
        return
    mode = stat.S_IMODE(directory.stat().st_mode)
    if mode & 0o077:
        if not tighten:
            raise BackupError(
                f"{directory} は所有者以外（グループ・その他）も開ける権限（{mode:o}）です。"
                f"バックアップは所有者だけが開けるフォルダー（chmod 700）に置いてください。"
            )
        directory.chmod(PRIVATE_DIRECTORY)


def _create_private(path: Path) -> int:
    """A new file, 0600 from its first moment (O_EXCL: never reuse a file someone left there)."""
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        raise BackupError(f"{path} は既にあります。別の出力先を指定してください。") from None


def backup(output: Path, *, target: Target | None = None, tighten_directory: bool = False) -> str:
    """Writes the database to `output` (custom format) and `output`.sha256, both 0600 in a 0700
    directory, without the rows of EXCLUDED_TABLE_DATA; returns the sha256."""
    target = target or Target.configured()
    private_directory(output.parent, tighten=tighten_directory)
    if output.exists():
        raise BackupError(f"{output} は既にあります。別の出力先を指定してください。")
    partial = output.with_name(output.name + ".partial")
    descriptor = _create_private(partial)
    try:
        _run(
            [
                _tool("pg_dump"),
                *target.args(),
                "--format=custom",
                "--no-owner",
                *(f"--exclude-table-data={table}" for table in EXCLUDED_TABLE_DATA),
                target.name,
            ],
            target,
            stdout=descriptor,
        )
    except BaseException:
        os.close(descriptor)
        partial.unlink(missing_ok=True)
        raise
    os.fsync(descriptor)
    os.close(descriptor)
    partial.rename(output)  # never a half-written file under the final name
    digest = sha256_of(output)
    checksum = output.with_name(output.name + ".sha256")
    checksum.unlink(missing_ok=True)
    with os.fdopen(_create_private(checksum), "w", encoding="utf-8") as handle:
        handle.write(f"{digest}  {output.name}\n")
    return digest


def restore(source: Path, *, into: str, replace: bool = False) -> None:
    """Restores `source` into the database `into` (created; an existing one only with replace=True).
    The file's sha256 must match the one written beside it."""
    if not source.exists():
        raise BackupError(f"{source} がありません。")
    checksum = source.with_name(source.name + ".sha256")
    if checksum.exists() and checksum.read_text(encoding="utf-8").split()[0] != sha256_of(source):
        raise BackupError(
            "バックアップファイルの sha256 が記録と一致しません。壊れているか、書き換えられています。"
        )
    target = Target.configured(into)
    admin = Target.configured("postgres")
    exists = _query(admin, "SELECT 1 FROM pg_database WHERE datname = %s", [into])
    if exists and not replace:
        raise BackupError(
            f"データベース {into} は既にあります。置き換える場合は --replace を付けてください。"
        )
    if exists:
        _run([_tool("dropdb"), *admin.args(), "--force", into], admin)
    _run([_tool("createdb"), *admin.args(), into], admin)
    _run(
        [_tool("pg_restore"), *target.args(), "--no-owner", "--exit-on-error", "--dbname", into, str(source)],
        target,
    )
    # A dump made before sessions were left out still holds them: nobody stays signed in across a
    # restore.
    from psycopg import sql

    for table in EXCLUDED_TABLE_DATA:
        _query(target, sql.SQL("TRUNCATE {}").format(sql.Identifier(table)).as_string(), [])


def _query(target: Target, sql: str, params: list) -> list[tuple]:
    import psycopg

    with psycopg.connect(
        dbname=target.name,
        host=target.host or None,
        port=target.port or None,
        user=target.user or None,
        password=target.password or None,
        autocommit=True,
    ) as connection:
        cursor = connection.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def row_counts(database: str, tables: list[str]) -> dict[str, int]:
    from psycopg import sql

    target = Target.configured(database)
    return {
        table: _query(
            target, sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)).as_string(), []
        )[0][0]
        for table in tables
    }
