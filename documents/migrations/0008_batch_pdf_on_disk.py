"""The combined PDF of a batch moves from a bytea column to a file (bytea holds at most 1 GiB; a
60,000-letter batch is ~1.4 GiB, and a download should stream). Existing PDFs are written out."""

from django.core.files.base import ContentFile
from django.db import migrations, models


def to_files(apps, schema_editor):
    Batch = apps.get_model("documents", "Batch")
    for batch in Batch.objects.exclude(pdf=None).only("pk", "number", "issued_on", "pdf").iterator():
        batch.pdf_file.save(f"{batch.number}.pdf", ContentFile(bytes(batch.pdf)), save=False)
        Batch.objects.filter(pk=batch.pk).update(pdf_file=batch.pdf_file.name)


def to_bytes(apps, schema_editor):
    Batch = apps.get_model("documents", "Batch")
    for batch in Batch.objects.exclude(pdf_file="").only("pk", "pdf_file").iterator():
        with batch.pdf_file.open("rb") as handle:
            Batch.objects.filter(pk=batch.pk).update(pdf=handle.read())


class Migration(migrations.Migration):
    dependencies = [("documents", "0007_public_notice_four_eyes_record")]

    operations = [
        migrations.AddField(
            model_name="batch",
            name="pdf_file",
            field=models.FileField(
                blank=True,
                db_comment="印刷用の一括PDFのファイル名",
                upload_to="batches/%Y/",
                verbose_name="一括PDF",
            ),
        ),
        migrations.RunPython(to_files, to_bytes),
        migrations.RemoveField(model_name="batch", name="pdf"),
    ]
