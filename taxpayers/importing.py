"""Running an import (庁内連携): read the file as a stream, check every row, then write
everything or nothing, log it, and delete the file whatever happened (Part III: 取込用にデータ化
したものについては、利用後にすぐ削除).

The file is never held whole: its encoding is found in one pass over its bytes, then it is read
line by line (`Layout.scan`). 調定 go through PostgreSQL: every valid row is COPY'd into a temporary
staging table (dropped at the end of the run, never committed anywhere else), the cross-row checks
are queries over it (same lines, columns and messages as the checks in Python were), and the write
is set-based — UPDATE … FROM for the 更正 and INSERT … SELECT for the new rows, each with its
django-simple-history rows written by the same statement. 宛名 and 収納 are checked and written
in Python, from the streamed rows. Re-importing a file changes nothing: rows are matched on their
natural keys (宛名番号; the nine 調定 keys; 収納番号) and only real differences are written.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import IO

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from taxpayers import individual_numbers
from taxpayers.csv_layouts import LAYOUTS, ErrorList, RowError, shown
from taxpayers.models import ASSESSMENT_KEY_FIELDS, Assessment, ImportLog, MailingAddress, Payment, Taxpayer
from taxpayers.ordinance import demand_fee_on
from taxpayers.search import search_keys
from taxpayers.signals import payments_imported
from wako_collections.actors import Actor, acting_as
from wako_collections.records import (
    StampedModel,
    analyze,
    bulk_create_tracked,
    copy_tracked,
    history_insert_sql,
    history_values,
    save_tracked,
    stamp,
    stamp_values,
)

CHUNK = 5_000


class ImportRejected(Exception):
    """The file had errors; nothing was written. `log.errors` lists them."""

    def __init__(self, log: ImportLog):
        super().__init__(f"{log.error_count}件のエラーがあるため取り込みませんでした。")
        self.log = log


ENCODINGS = ("utf-8-sig", "cp932")
READ_BYTES = 1 << 20


def decode(raw: bytes) -> tuple[str, list[RowError]]:
    """UTF-8 (with or without BOM), else CP932 (Shift_JIS); else an error naming the line where
    the more likely of the two encodings (the one that read further) broke. For bytes in memory;
    a file is checked with `detect_encoding` without reading it whole."""
    failures = []
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), []
        except UnicodeDecodeError as error:
            failures.append(error.start)
    line = raw[: max(failures)].count(b"\n") + 1
    return "", [
        RowError(line, "", "文字コードを判別できません。UTF-8 または Shift_JIS（CP932）で保存してください。")
    ]


def detect_encoding(path: Path) -> tuple[str, int, RowError | None]:
    """The file's encoding as `decode` would find it, and its number of line breaks, read in
    1 MiB pieces (memory does not grow with the file): (encoding, newlines, None), or
    ("", 0, the error naming the line where the encoding that read further broke)."""
    failures: list[tuple[int, int]] = []  # (byte offset, line) where each encoding broke
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        offset = newlines = 0
        with path.open("rb") as source:
            try:
                while chunk := source.read(READ_BYTES):
                    pending = len(decoder.getstate()[0])  # bytes of a character cut at the last piece
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError as error:
                        start = max(error.start - pending, 0)
                        failures.append((offset + start, newlines + chunk[:start].count(b"\n") + 1))
                        raise
                    offset += len(chunk)
                    newlines += chunk.count(b"\n")
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    failures.append((offset, newlines + 1))
                    raise
            except UnicodeDecodeError:
                continue
        return encoding, newlines, None
    line = max(failures)[1]
    return (
        "",
        0,
        RowError(line, "", "文字コードを判別できません。UTF-8 または Shift_JIS（CP932）で保存してください。"),
    )


@contextmanager
def open_text(path: Path, encoding: str) -> Iterator[IO[str]]:
    """The file as text lines for the csv module, decoded as it is read."""
    with io.TextIOWrapper(path.open("rb"), encoding=encoding, newline="") as text:
        yield text


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _differs(record, values: dict) -> bool:
    return any(getattr(record, name) != value for name, value in values.items())


def _apply(record, values: dict, actor: Actor, reason: str) -> None:
    for name, value in values.items():
        setattr(record, name, value)
    save_tracked(record, reason=reason, update_fields=[*values, *stamp(record, actor)])


# --- persons ---------------------------------------------------------------------------


def _person_values(row: dict) -> dict:
    return {
        "person_type": row["person_type"],
        "name": row["name"],
        "name_kana": row["name_kana"],
        "sex": row["sex"] or "",
        "birth_date": row["birth_date"],
        "postal_code": row["postal_code"] or "",
        "address": row["address"],
        "address_extra": row["address_extra"] or "",
        "phone": row["phone"] or "",
        "residence_status": row["residence_status"],
        "district": row["district"] or "",
        **search_keys(
            name=row["name"], name_kana=row["name_kana"], address=row["address"], phone=row["phone"] or ""
        ),
    }


def _write_persons(rows: list[dict], actor: Actor, counts: dict) -> None:
    stamped = stamp_values(actor)
    for chunk in _chunks(rows):
        existing = {
            t.atena_number: t
            for t in Taxpayer.objects.filter(atena_number__in=[r["atena_number"] for r in chunk])
        }
        new = []
        for row in chunk:
            values = _person_values(row)
            if "support_measure" in row:  # a file without the column leaves the flag as it is
                values["support_measure"] = bool(row["support_measure"])
            number = row["individual_number"]
            taxpayer = existing.get(row["atena_number"])
            if taxpayer is None:
                new.append(
                    {
                        **stamped,
                        "atena_number": row["atena_number"],
                        **values,
                        "assigned_officer_id": None,
                        "support_measure": values.get("support_measure", False),
                        "individual_number_ciphertext": (
                            individual_numbers.encrypt(number, atena_number=row["atena_number"])
                            if number
                            else ""
                        ),
                        "individual_number_digest": individual_numbers.digest(number) if number else "",
                    }
                )
                continue
            if number and taxpayer.individual_number_digest != individual_numbers.digest(number):
                values["individual_number_ciphertext"] = individual_numbers.encrypt(
                    number, atena_number=row["atena_number"]
                )
                values["individual_number_digest"] = individual_numbers.digest(number)
            if _differs(taxpayer, values):
                _apply(taxpayer, values, actor, "宛名の取込（更新）")
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        copy_tracked(Taxpayer, new, actor=actor, reason="宛名の取込（新規）")
        counts["created"] += len(new)
        ids = {record["atena_number"]: record["id"] for record in new}
        ids.update({number: taxpayer.pk for number, taxpayer in existing.items()})
        _write_mailing_addresses(chunk, ids, actor)


def _write_mailing_addresses(rows: list[dict], taxpayer_ids: dict, actor: Actor) -> None:
    wanted = [row for row in rows if row.get("mailing_from")]
    if not wanted:
        return
    existing = {
        (m.taxpayer_id, m.valid_from): m
        for m in MailingAddress.objects.filter(
            taxpayer_id__in=[taxpayer_ids[r["atena_number"]] for r in wanted]
        )
    }
    new = []
    for row in wanted:
        taxpayer_id = taxpayer_ids[row["atena_number"]]
        values = {
            "recipient_name": row["mailing_name"],
            "postal_code": row["mailing_postal_code"] or "",
            "address": row["mailing_address"],
            "address_extra": row["mailing_address_extra"] or "",
            "valid_to": row["mailing_to"],
        }
        current = existing.get((taxpayer_id, row["mailing_from"]))
        if current is None:
            mailing = MailingAddress(taxpayer_id=taxpayer_id, valid_from=row["mailing_from"], **values)
            stamp(mailing, actor)
            new.append(mailing)
        elif _differs(current, values):
            _apply(current, values, actor, "送付先の取込（更新）")
    bulk_create_tracked(new, actor=actor, reason="送付先の取込（新規）")


def _check_persons(rows: list[dict]) -> list[RowError]:
    seen: dict[str, int] = {}
    errors = []
    for row in rows:
        first = seen.setdefault(row["atena_number"], row["_line"])
        if first != row["_line"]:
            errors.append(
                RowError(
                    row["_line"],
                    "宛名番号",
                    f"宛名番号 {row['atena_number']} が{first}行目と重複しています。",
                )
            )
    return errors


# --- assessments -----------------------------------------------------------------------


STAGING = "import_staging"
TOUCHED = "import_touched"
STAGE_ROWS = 10_000  # rows per COPY: the log's progress is written between two
_STAGED_COLUMNS = (
    ("line", "integer"),
    ("atena_number", "varchar(15)"),
    ("subject_code", "varchar(2)"),
    ("subject_detail_code", "varchar(4)"),
    ("calculating_body_code", "varchar(6)"),
    ("installment_body_code", "varchar(6)"),
    ("inside_outside_code", "varchar(1)"),
    ("assessment_year", "smallint"),
    ("tax_year", "smallint"),
    ("notice_number", "varchar(20)"),
    ("logical_period", "smallint"),
    ("due_date", "date"),
    ("statutory_due_date", "date"),
    ("principal", "bigint"),
    ("demand_issued_on", "date"),
    ("demand_fee", "bigint"),
    ("filing_deadline_extended", "boolean"),  # NULL: the file has no such column (leave it as stored)
)
# The values an import sets on an installment (the natural keys stay as they are).
_WRITTEN = (
    "taxpayer_id",
    "due_date",
    "statutory_due_date",
    "principal",
    "demand_issued_on",
    "demand_fee",
    "filing_deadline_extended",
)
_KEYS_MATCH = " AND ".join(f"a.{name} = s.{name}" for name in ASSESSMENT_KEY_FIELDS)


def _drop_staging(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
    cursor.execute(f"DROP TABLE IF EXISTS {TOUCHED}")


def _stage(rows: Iterable[dict], spec: tuple[tuple[str, str], ...], prepare=None) -> int:
    """COPYs the valid rows into the session's staging table (columns `spec`), STAGE_ROWS at a
    time: the rows are read from the file while the previous COPY is done, never all at once.
    `prepare(row)` completes a row first. Returns the rows staged."""
    columns = [name for name, _ in spec]
    staged = 0
    rows = iter(rows)
    with connection.cursor() as cursor:
        _drop_staging(cursor)
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGING} (" + ", ".join(f"{n} {kind}" for n, kind in spec) + ")"
        )
        while batch := list(islice(rows, STAGE_ROWS)):
            with cursor.cursor.copy(f"COPY {STAGING} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in batch:
                    if prepare:
                        prepare(row)
                    row["line"] = row["_line"]
                    copy.write_row([row.get(name) for name in columns])
            staged += len(batch)
        cursor.execute(f"ANALYZE {STAGING}")
    return staged


def _stage_assessments(rows: Iterable[dict]) -> int:
    """The 調定 rows staged; 督促手数料 left blank is taken from the dated schedule
    (ordinance.demand_fee_on) here."""
    fees: dict = {}

    def prepare(row: dict) -> None:
        if row["demand_fee"] is None:
            issued = row["demand_issued_on"]
            if issued not in fees:
                fees[issued] = demand_fee_on(issued) if issued else 0
            row["demand_fee"] = fees[issued]

    return _stage(rows, _STAGED_COLUMNS, prepare)


_CHECK_ASSESSMENTS = f"""
WITH problems AS (
    SELECT s.line, 0 AS position, s.atena_number AS atena_number, NULL::integer AS first
    FROM {STAGING} s
    WHERE NOT EXISTS (SELECT 1 FROM taxpayers_taxpayer t WHERE t.atena_number = s.atena_number)
  UNION ALL
    SELECT line, 1, NULL, first FROM (
        SELECT line, min(line) OVER (PARTITION BY {", ".join(ASSESSMENT_KEY_FIELDS)}) AS first FROM {STAGING}
    ) keyed
    WHERE line <> first
)
SELECT line, position, atena_number, first, count(*) OVER () FROM problems
ORDER BY line, position LIMIT %s
"""  # noqa: S608


def _check_assessments_staged(errors: ErrorList) -> None:
    """The cross-row checks, as queries over the staging table: every 宛名番号 must be registered,
    and no two rows may carry the same nine keys (the later one names the line of the first)."""
    with connection.cursor() as cursor:
        cursor.execute(_CHECK_ASSESSMENTS, [errors.keep])
        found = cursor.fetchall()
    for line, position, atena_number, first, _total in found:
        if position == 0:
            error = RowError(
                line,
                "宛名番号",
                f"宛名番号 {atena_number} が登録されていません。先に宛名を取り込んでください。",
            )
        else:
            error = RowError(
                line, "通知書番号", f"同じ調定（科目・年度・通知書番号・期別）が{first}行目にもあります。"
            )
        errors.add(error)
    if found:  # the kept ones were added one by one; the rest are only counted
        errors.count += found[0][4] - len(found)


_STAMPS_UPDATED = ", ".join(
    f"{name} = %({name})s" for name in StampedModel.STAMP_FIELDS if name not in ("created_on", "version")
)


def _write_assessments_staged(actor: Actor, counts: dict, staged: int) -> None:
    """The 更正 (UPDATE … FROM the staging table, only rows whose values differ) and the new rows
    (INSERT … SELECT), each statement writing its history rows ('~' 調定の取込（更正）, '+'
    調定の取込（新規）) naming `actor` — staff number, terminal and user — and the touched ids into
    a temporary table for reconcile. Counts go to `counts`."""
    stamped, at = stamp_values(actor), timezone.now()  # one moment for the import's history rows
    table = Assessment._meta.db_table
    new_value = {
        "taxpayer_id": "t.id",
        "filing_deadline_extended": "coalesce(s.filing_deadline_extended, a.filing_deadline_extended)",
    }
    assigned = ", ".join(f"{name} = {new_value.get(name, 's.' + name)}" for name in _WRITTEN)
    differs = (
        "("
        + ", ".join(f"a.{name}" for name in _WRITTEN)
        + ") IS DISTINCT FROM ("
        + ", ".join(new_value.get(name, "s." + name) for name in _WRITTEN)
        + ")"
    )
    stamps = _STAMPS_UPDATED
    inserted_columns = [*StampedModel.STAMP_FIELDS, *ASSESSMENT_KEY_FIELDS, *_WRITTEN]
    inserted_values = [
        *(f"%({name})s" for name in StampedModel.STAMP_FIELDS),
        *(f"s.{name}" for name in ASSESSMENT_KEY_FIELDS),
        *(
            "t.id"
            if name == "taxpayer_id"
            else f"coalesce(s.{name}, false)"
            if name == "filing_deadline_extended"
            else f"s.{name}"
            for name in _WRITTEN
        ),
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {TOUCHED} (id bigint)")
        cursor.execute(
            f"WITH changed AS (UPDATE {table} a SET {assigned}, {stamps}, version = a.version + 1 "  # noqa: S608
            f"FROM {STAGING} s JOIN taxpayers_taxpayer t ON t.atena_number = s.atena_number "
            f"WHERE {_KEYS_MATCH} AND {differs} RETURNING a.*), "
            f"touched AS (INSERT INTO {TOUCHED} SELECT id FROM changed) "
            + history_insert_sql(Assessment, "changed"),
            {**stamped, **history_values(actor, reason="調定の取込（更正）", history_type="~", at=at)},
        )
        counts["updated"] += cursor.rowcount
        cursor.execute(
            f"WITH created AS (INSERT INTO {table} ({', '.join(inserted_columns)}) "  # noqa: S608
            f"SELECT {', '.join(inserted_values)} "
            f"FROM {STAGING} s JOIN taxpayers_taxpayer t ON t.atena_number = s.atena_number "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} a WHERE {_KEYS_MATCH}) ORDER BY s.line RETURNING *), "
            f"touched AS (INSERT INTO {TOUCHED} SELECT id FROM created) "
            + history_insert_sql(Assessment, "created"),
            {**stamped, **history_values(actor, reason="調定の取込（新規）", history_type="+", at=at)},
        )
        counts["created"] += cursor.rowcount
    counts["unchanged"] += staged - counts["created"] - counts["updated"]


_STAGED_PAYMENT_COLUMNS = (
    ("line", "integer"),
    ("receipt_number", "varchar(30)"),
    *(column for column in _STAGED_COLUMNS if column[0] in ASSESSMENT_KEY_FIELDS),
    ("received_on", "date"),
    ("accounted_on", "date"),
    ("amount", "bigint"),
    ("channel", "varchar(1)"),
)
_PAYMENT_WRITTEN = ("assessment_id", "received_on", "accounted_on", "amount", "channel")

_CHECK_PAYMENTS = f"""
WITH problems AS (
    SELECT s.line, 0 AS position, NULL AS receipt_number, NULL::integer AS first
    FROM {STAGING} s
    WHERE NOT EXISTS (SELECT 1 FROM taxpayers_assessment a WHERE {_KEYS_MATCH})
  UNION ALL
    SELECT line, 1, receipt_number, first FROM (
        SELECT line, receipt_number, min(line) OVER (PARTITION BY receipt_number) AS first FROM {STAGING}
    ) keyed
    WHERE line <> first
)
SELECT line, position, receipt_number, first, count(*) OVER () FROM problems
ORDER BY line, position LIMIT %s
"""  # noqa: S608


def _check_payments_staged(errors: ErrorList) -> None:
    """The cross-row checks of a 収納 file over the staging table: each row's installment (the
    nine keys) must be stored, and no 収納番号 may come twice (the later one names the first)."""
    with connection.cursor() as cursor:
        cursor.execute(_CHECK_PAYMENTS, [errors.keep])
        found = cursor.fetchall()
    for line, position, receipt_number, first, _total in found:
        if position == 0:
            error = RowError(
                line,
                "通知書番号",
                "この収納に対応する調定（科目・年度・通知書番号・期別）が登録されていません。",
            )
        else:
            error = RowError(line, "収納番号", f"収納番号 {receipt_number} が{first}行目と重複しています。")
        errors.add(error)
    if found:
        errors.count += found[0][4] - len(found)


def _write_payments_staged(actor: Actor, counts: dict, staged: int) -> None:
    """The 訂正 (UPDATE … FROM the staging table, only payments whose values differ; both the
    installment it left and the one it goes to are touched) and the new payments (INSERT …
    SELECT), each statement writing its history rows ('~' 収納の取込（訂正）, '+' 収納の取込（新規）)."""
    stamped, at = stamp_values(actor), timezone.now()  # one moment for the import's history rows
    table = Payment._meta.db_table
    new_value = {"assessment_id": "a.id"}
    assigned = ", ".join(f"{name} = {new_value.get(name, 's.' + name)}" for name in _PAYMENT_WRITTEN)
    differs = (
        "("
        + ", ".join(f"p.{name}" for name in _PAYMENT_WRITTEN)
        + ") IS DISTINCT FROM ("
        + ", ".join(new_value.get(name, "s." + name) for name in _PAYMENT_WRITTEN)
        + ")"
    )
    inserted_columns = [*StampedModel.STAMP_FIELDS, "receipt_number", *_PAYMENT_WRITTEN]
    inserted_values = [
        *(f"%({name})s" for name in StampedModel.STAMP_FIELDS),
        "s.receipt_number",
        *(new_value.get(name, "s." + name) for name in _PAYMENT_WRITTEN),
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {TOUCHED} (id bigint)")
        # `before` is the payment as it was (the statement's snapshot): the installment it leaves.
        cursor.execute(
            f"WITH changed AS (UPDATE {table} p SET {assigned}, {_STAMPS_UPDATED}, version = p.version + 1 "  # noqa: S608
            f"FROM {STAGING} s JOIN taxpayers_assessment a ON {_KEYS_MATCH} "
            f"JOIN {table} before ON before.receipt_number = s.receipt_number "
            f"WHERE p.id = before.id AND {differs} RETURNING p.*, before.assessment_id AS left_assessment_id), "
            f"touched AS (INSERT INTO {TOUCHED} SELECT assessment_id FROM changed "
            "UNION SELECT left_assessment_id FROM changed) " + history_insert_sql(Payment, "changed"),
            {**stamped, **history_values(actor, reason="収納の取込（訂正）", history_type="~", at=at)},
        )
        counts["updated"] += cursor.rowcount
        cursor.execute(
            f"WITH created AS (INSERT INTO {table} ({', '.join(inserted_columns)}) "  # noqa: S608
            f"SELECT {', '.join(inserted_values)} FROM {STAGING} s JOIN taxpayers_assessment a ON {_KEYS_MATCH} "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} p WHERE p.receipt_number = s.receipt_number) "
            "ORDER BY s.line RETURNING *), "
            f"touched AS (INSERT INTO {TOUCHED} SELECT assessment_id FROM created) "
            + history_insert_sql(Payment, "created"),
            {**stamped, **history_values(actor, reason="収納の取込（新規）", history_type="+", at=at)},
        )
        counts["created"] += cursor.rowcount
    counts["unchanged"] += staged - counts["created"] - counts["updated"]


def _touched_taxpayers() -> set[int]:
    """The taxpayers of the installments an import touched (for payments_imported)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT taxpayer_id FROM taxpayers_assessment WHERE id IN (SELECT id FROM {TOUCHED})"  # noqa: S608
        )
        return {row[0] for row in cursor.fetchall()}


STAGED = {
    "assessments": (_stage_assessments, _check_assessments_staged, _write_assessments_staged),
    "payments": (
        lambda rows: _stage(rows, _STAGED_PAYMENT_COLUMNS),
        _check_payments_staged,
        _write_payments_staged,
    ),
}


# --- payments --------------------------------------------------------------------------


BULK_ROWS = 10_000  # from this many new rows on, refresh the planner's statistics
MODELS = {
    "persons": (Taxpayer, MailingAddress),
    "assessments": (Assessment,),
    "payments": (Payment,),
}
# 宛名 in Python; 調定 and 収納 through the staging table (STAGED)
CHECKS = {"persons": _check_persons}
WRITERS = {"persons": _write_persons}


# --- the run ---------------------------------------------------------------------------


def start_log(*, kind: str, path: Path, file_name: str, actor: Actor) -> ImportLog:
    """A log for a file already at `path` (tests, the browser tests' fixtures). Uploads and the
    commands go through taxpayers/spool.py, which creates the log before the file exists."""
    with path.open("rb") as source:
        digest = hashlib.file_digest(source, "sha256").hexdigest()
    return ImportLog.objects.create(
        kind=kind,
        file_name=shown(file_name)[:255],
        sha256=digest,
        staff_number=actor.staff_number,
        terminal_number=actor.terminal_number,
        phase="検証中",
    )


def _progress(log: ImportLog, **fields) -> None:
    # ImportLog has no history; a direct update keeps progress visible while the run goes on.
    ImportLog.objects.filter(pk=log.pk).update(**fields)


def run_import(*, log: ImportLog, path: Path, actor: Actor) -> ImportLog:
    """Imports the file at `path` for `log`, then deletes the file. Raises ImportRejected
    when any row is invalid (nothing written); any other failure is logged and re-raised.
    The seconds of each phase are left on `log.timings` (not stored; for the benchmark)."""
    from taxpayers.reconciliation import reconcile

    counts = {"created": 0, "updated": 0, "unchanged": 0}
    errors = ErrorList()
    timings: dict[str, float] = {}
    log.timings = timings  # type: ignore[attr-defined]
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now

    staged_kind = log.kind in STAGED
    try:
        layout = LAYOUTS[log.kind]
        _progress(log, phase="検証中")
        encoding, newlines, broken = detect_encoding(path)
        rows: list[dict] = []
        seen = staged = 0
        if broken:
            errors.add(broken)
        else:
            _progress(log, rows_total=max(newlines - 1, 0))
            with open_text(path, encoding) as text:
                scan = layout.scan(text, errors=errors, progress=lambda n: _progress(log, rows_checked=n))
                if staged_kind:
                    staged = STAGED[log.kind][0](scan)
                else:
                    rows = list(scan)
                seen = scan.seen
        lap("read")
        if not errors:
            if staged_kind:
                STAGED[log.kind][1](errors)
            else:
                for error in CHECKS[log.kind](rows):
                    errors.add(error)
        lap("check")
        log.rows_total = seen
        if errors:
            log.result = ImportLog.Result.REJECTED
            log.error_count = errors.count
            log.errors = [error.as_dict() for error in errors.kept]
        else:
            _progress(log, phase="書込中", rows_checked=staged or len(rows))
            with transaction.atomic(), acting_as(actor):
                if staged_kind:
                    STAGED[log.kind][2](actor, counts, staged)
                else:
                    WRITERS[log.kind](rows, actor, counts)
                del rows
                lap("write")
                if counts["created"] >= BULK_ROWS:
                    analyze(*MODELS[log.kind])
                if staged_kind and counts["created"] + counts["updated"]:
                    with connection.cursor() as cursor:
                        cursor.execute(f"ANALYZE {TOUCHED}")
                    reconcile(ids_table=TOUCHED)  # the ids stay in PostgreSQL
                    if log.kind == "payments":
                        payments_imported.send(sender=ImportLog, taxpayer_ids=_touched_taxpayers())
                lap("reconcile")
            lap("commit")  # the deferred foreign-key checks run here
            log.result = ImportLog.Result.SUCCEEDED
    except BaseException:  # a worker told to stop (SystemExit) fails the import too
        log.result = ImportLog.Result.FAILED
        log.errors = [
            {"line": 0, "column": "", "message": "予期しないエラーで中断しました。何も取り込まれていません。"}
        ]
        log.error_count = 1
        raise
    finally:
        path.unlink(missing_ok=True)
        if staged_kind:
            try:
                with connection.cursor() as cursor:
                    _drop_staging(cursor)
            except DatabaseError:  # a broken transaction or connection: the table goes with it
                pass
        log.file_deleted_at = timezone.now()
        log.finished_at = timezone.now()
        log.phase = ""
        log.rows_checked = log.rows_total
        log.rows_created, log.rows_updated, log.rows_unchanged = (
            counts["created"],
            counts["updated"],
            counts["unchanged"],
        )
        if log.result != ImportLog.Result.SUCCEEDED:
            log.rows_created = log.rows_updated = log.rows_unchanged = 0
        log.save()
    if log.result == ImportLog.Result.REJECTED:
        raise ImportRejected(log)
    return log
