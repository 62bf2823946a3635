"""Background work of the ledger, run by the task worker (`manage.py run_worker`)."""

import contextlib
import logging

from django_tasks import task

from accounts.models import Staff
from taxpayers import spool
from taxpayers.importing import ImportRejected, run_import
from taxpayers.models import ImportLog
from wako_collections.actors import Actor

logger = logging.getLogger(__name__)


class ImportFailed(RuntimeError):
    """Raised instead of the real error, whose text may quote the file; the worker's log has it
    (redacted), the task result only this."""


@task()
def import_uploaded_file(*, log_id: int, staff_id: int, terminal_number: str) -> str:
    """Imports a file uploaded on the import page from the spool; the page follows `ImportLog`.
    Whatever happens here, the spool file is gone and the log finished when this returns."""
    log = ImportLog.objects.get(pk=log_id)
    try:
        if log.result != ImportLog.Result.RUNNING:
            return log.result  # closed by the sweep while it waited; its file is already gone
        actor = Actor.for_staff(Staff.objects.get(pk=staff_id), terminal_number)
        with contextlib.suppress(ImportRejected):  # the errors are in the log, which the page shows
            run_import(log=log, path=spool.path_for(log_id), actor=actor)
    except Exception:
        logger.exception("取込記録 %s が異常終了しました。", log_id)
        raise ImportFailed(f"取込記録 {log_id} が異常終了しました（詳細はワーカーのログ）。") from None
    finally:
        spool.discard(log, message="取込を実行できませんでした。" + spool.NOTHING_IMPORTED)
    return ImportLog.objects.get(pk=log_id).result


@task()
def sweep_import_spool() -> str:
    """Deletes spool files without a live import and fails imports stuck past the timeout."""
    result = spool.sweep()
    return f"削除 {result.files_deleted}件、異常終了 {result.imports_failed}件"
