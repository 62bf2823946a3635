"""Background work of the 逆連携, run by the task worker (`manage.py db_worker`): a run started from
the page is written here, not inside the request (a full run reads every record's history)."""

from django_tasks import task

from exchange import services
from exchange.models import ExportRun


class ExportFailed(RuntimeError):
    """The task's result carries only this; the run's log (ExportRun.error) has the reason."""


@task()
def write_export(*, run_id: int) -> str:
    """Writes the files of the run `services.start_run` logged; its page shows the progress."""
    run = services.write_run(ExportRun.objects.get(pk=run_id))
    if run.status == ExportRun.Status.FAILED:
        raise ExportFailed(f"逆連携 {run.pk} が異常終了しました（実行記録をご覧ください）。")
    return f"逆連携 {run.pk}: {run.total_rows}行"
