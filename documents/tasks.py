"""Background work of documents, run by the task worker (`manage.py db_worker`)."""

from django_tasks import task

from accounts.models import Staff
from documents import batches
from documents.models import Batch
from wako_collections.actors import Actor


@task()
def run_batch(*, batch_id: int, staff_id: int | None, terminal_number: str) -> str:
    """Renders and records one batch; the batch page follows its progress."""
    batch = Batch.objects.get(pk=batch_id)
    actor = Actor.for_staff(Staff.objects.get(pk=staff_id), terminal_number)
    return batches.run(batch, actor).status
