"""Backup and restore of the whole database with PostgreSQL's own pg_dump / pg_restore.

A backup is PostgreSQL's custom format (compressed, restorable table by table), written with a
sha256 beside it. 個人番号 stay encrypted in it: restoring needs the same INDIVIDUAL_NUMBER_KEYS
to read them, and the keys are never in the backup. Making a backup is a bulk export of
特定個人情報, so each one is logged (who, where, file, sha256); so is each restore.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


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


def _run(command: list[str], target: Target) -> None:
    done = subprocess.run(command, env=target.env(), capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} が失敗しました: {done.stderr.strip()[:500]}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(output: Path, *, target: Target | None = None) -> str:
    """Writes the database to `output` (custom format) and `output`.sha256; returns the sha256."""
    target = target or Target.configured()
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    _run(
        [
            _tool("pg_dump"),
            *target.args(),
            "--format=custom",
            "--no-owner",
            "--file",
            str(partial),
            target.name,
        ],
        target,
    )
    partial.rename(output)  # never a half-written file under the final name
    digest = sha256_of(output)
    output.with_name(output.name + ".sha256").write_text(f"{digest}  {output.name}\n", encoding="utf-8")
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
