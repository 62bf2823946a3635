"""Running an import (庁内連携): read the whole file, check every row, then write everything or
nothing, log it, and delete the file whatever happened (Part III: 取込用にデータ化したもの
については、利用後にすぐ削除).

No staging table is used: rows are checked in memory, so nothing but the ImportLog outlives
the run. Re-importing a file changes nothing: rows are matched on their natural keys
(宛名番号; the nine 調定 keys; 収納番号) and only real differences are written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from taxpayers import individual_numbers
from taxpayers.csv_layouts import LAYOUTS, MAX_ERRORS_KEPT, RowError, shown
from taxpayers.models import ASSESSMENT_KEY_FIELDS, Assessment, ImportLog, MailingAddress, Payment, Taxpayer
from taxpayers.ordinance import demand_fee_on
from taxpayers.search import search_keys
from taxpayers.signals import payments_imported
from wako_collections.actors import Actor, acting_as
from wako_collections.records import (
    analyze,
    bulk_create_tracked,
    copy_tracked,
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


def decode(raw: bytes) -> tuple[str, list[RowError]]:
    """UTF-8 (with or without BOM), else CP932 (Shift_JIS); else an error naming the line where
    the more likely of the two encodings (the one that read further) broke."""
    failures = []
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return raw.decode(encoding), []
        except UnicodeDecodeError as error:
            failures.append(error.start)
    line = raw[: max(failures)].count(b"\n") + 1
    return "", [
        RowError(line, "", "文字コードを判別できません。UTF-8 または Shift_JIS（CP932）で保存してください。")
    ]


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


def _taxpayer_ids(atena_numbers: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(atena_numbers)):
        found.update(Taxpayer.objects.filter(atena_number__in=chunk).values_list("atena_number", "id"))
    return found


def _key(row: dict) -> tuple:
    return tuple(row[name] for name in ASSESSMENT_KEY_FIELDS)


def _check_assessments(rows: list[dict]) -> list[RowError]:
    errors = []
    ids = _taxpayer_ids({row["atena_number"] for row in rows})
    seen: dict[tuple, int] = {}
    for row in rows:
        if row["atena_number"] not in ids:
            errors.append(
                RowError(
                    row["_line"],
                    "宛名番号",
                    f"宛名番号 {row['atena_number']} が登録されていません。先に宛名を取り込んでください。",
                )
            )
        first = seen.setdefault(_key(row), row["_line"])
        if first != row["_line"]:
            errors.append(
                RowError(
                    row["_line"],
                    "通知書番号",
                    f"同じ調定（科目・年度・通知書番号・期別）が{first}行目にもあります。",
                )
            )
        row["taxpayer_id"] = ids.get(row["atena_number"])
    return errors


def _existing_assessments(notice_numbers: list[str]) -> dict[tuple, Assessment]:
    found = {}
    for chunk in _chunks(sorted(set(notice_numbers))):
        for assessment in Assessment.objects.filter(notice_number__in=chunk):
            found[assessment.key] = assessment
    return found


def _write_assessments(rows: list[dict], actor: Actor, counts: dict) -> set[int]:
    touched: set[int] = set()
    existing = _existing_assessments([row["notice_number"] for row in rows])
    stamped = stamp_values(actor)
    new = []
    for row in rows:
        fee = row["demand_fee"]
        if fee is None:
            fee = demand_fee_on(row["demand_issued_on"]) if row["demand_issued_on"] else 0
        values = {
            "taxpayer_id": row["taxpayer_id"],
            "due_date": row["due_date"],
            "statutory_due_date": row["statutory_due_date"],
            "principal": row["principal"],
            "demand_issued_on": row["demand_issued_on"],
            "demand_fee": fee,
        }
        if "filing_deadline_extended" in row:  # a file without the column leaves it as it is
            values["filing_deadline_extended"] = bool(row["filing_deadline_extended"])
        current = existing.get(_key(row))
        if current is None:
            new.append(
                {
                    **stamped,
                    **{name: row[name] for name in ASSESSMENT_KEY_FIELDS},
                    "filing_deadline_extended": False,
                    **values,
                }
            )
        elif _differs(current, values):
            _apply(current, values, actor, "調定の取込（更正）")
            touched.add(current.pk)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    copy_tracked(Assessment, new, actor=actor, reason="調定の取込（新規）")
    touched.update(record["id"] for record in new)
    counts["created"] += len(new)
    return touched


# --- payments --------------------------------------------------------------------------


def _check_payments(rows: list[dict]) -> list[RowError]:
    errors = []
    existing = _existing_assessments([row["notice_number"] for row in rows])
    seen: dict[str, int] = {}
    for row in rows:
        assessment = existing.get(_key(row))
        if assessment is None:
            errors.append(
                RowError(
                    row["_line"],
                    "通知書番号",
                    "この収納に対応する調定（科目・年度・通知書番号・期別）が登録されていません。",
                )
            )
        row["assessment_id"] = assessment.pk if assessment else None
        first = seen.setdefault(row["receipt_number"], row["_line"])
        if first != row["_line"]:
            errors.append(
                RowError(
                    row["_line"],
                    "収納番号",
                    f"収納番号 {row['receipt_number']} が{first}行目と重複しています。",
                )
            )
    return errors


def _write_payments(rows: list[dict], actor: Actor, counts: dict) -> set[int]:
    touched: set[int] = set()
    stamped = stamp_values(actor)
    new = []
    for chunk in _chunks(rows):
        existing = {
            p.receipt_number: p
            for p in Payment.objects.filter(receipt_number__in=[r["receipt_number"] for r in chunk])
        }
        for row in chunk:
            values = {
                "assessment_id": row["assessment_id"],
                "received_on": row["received_on"],
                "accounted_on": row["accounted_on"],
                "amount": row["amount"],
                "channel": row["channel"],
            }
            current = existing.get(row["receipt_number"])
            if current is None:
                new.append({**stamped, "receipt_number": row["receipt_number"], **values})
                touched.add(row["assessment_id"])
            elif _differs(current, values):
                touched.update({current.assessment_id, row["assessment_id"]})
                _apply(current, values, actor, "収納の取込（訂正）")
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
    copy_tracked(Payment, new, actor=actor, reason="収納の取込（新規）")
    counts["created"] += len(new)
    return touched


BULK_ROWS = 10_000  # from this many new rows on, refresh the planner's statistics
MODELS = {
    "persons": (Taxpayer, MailingAddress),
    "assessments": (Assessment,),
    "payments": (Payment,),
}
CHECKS = {"persons": _check_persons, "assessments": _check_assessments, "payments": _check_payments}
WRITERS = {"persons": _write_persons, "assessments": _write_assessments, "payments": _write_payments}


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
    when any row is invalid (nothing written); any other failure is logged and re-raised."""
    from taxpayers.reconciliation import reconcile

    counts = {"created": 0, "updated": 0, "unchanged": 0}
    try:
        layout = LAYOUTS[log.kind]
        _progress(log, phase="検証中")
        content, errors = decode(path.read_bytes())
        rows: list[dict] = []
        seen = 0
        if not errors:
            total = max(content.count("\n") - 1, 0)
            _progress(log, rows_total=total)
            rows, errors, seen = layout.read(content, progress=lambda n: _progress(log, rows_checked=n))
        if not errors:
            errors = CHECKS[log.kind](rows)
        log.rows_total = seen
        if errors:
            log.result = ImportLog.Result.REJECTED
            log.error_count = len(errors)
            log.errors = [error.as_dict() for error in errors[:MAX_ERRORS_KEPT]]
        else:
            _progress(log, phase="書込中", rows_checked=len(rows))
            with transaction.atomic(), acting_as(actor):
                touched = WRITERS[log.kind](rows, actor, counts)
                if counts["created"] >= BULK_ROWS:
                    analyze(*MODELS[log.kind])
                if touched:
                    reconcile(assessment_ids=touched)
                if touched and log.kind == "payments":
                    payers = set(
                        Assessment.objects.filter(id__in=touched).values_list("taxpayer_id", flat=True)
                    )
                    payments_imported.send(sender=ImportLog, taxpayer_ids=payers)
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
