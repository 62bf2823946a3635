"""Background work of the ledger, run by the task worker (`manage.py db_worker`)."""

import contextlib
from pathlib import Path

from django_tasks import task

from accounts.models import Staff
from taxpayers.importing import ImportRejected, run_import
from taxpayers.models import ImportLog
from wako_collections.actors import Actor


@task()
def import_uploaded_file(*, log_id: int, path: str, staff_id: int, terminal_number: str) -> str:
    """Imports a file uploaded on the import page; the page follows `ImportLog` for progress."""
    log = ImportLog.objects.get(pk=log_id)
    actor = Actor.for_staff(Staff.objects.get(pk=staff_id), terminal_number)
    with contextlib.suppress(ImportRejected):  # the errors are in the log, which the page shows
        run_import(log=log, path=Path(path), actor=actor)
    return ImportLog.objects.get(pk=log_id).result
