"""Import logs written before redaction may hold a 個人番号 typed into another column (an error
that echoed the cell) or in a file name: replace it in place, as new logs are written. There is
nothing to restore on the way back."""

from django.db import migrations


def redact_import_logs(apps, schema_editor):
    from taxpayers.individual_numbers import redact

    ImportLog = apps.get_model("taxpayers", "ImportLog")
    for log in ImportLog.objects.only("id", "file_name", "errors").iterator(chunk_size=500):
        errors = [
            {
                **error,
                "column": redact(str(error.get("column", ""))),
                "message": redact(str(error.get("message", ""))),
            }
            for error in log.errors or []
        ]
        file_name = redact(log.file_name)
        if errors != (log.errors or []) or file_name != log.file_name:
            log.errors, log.file_name = errors, file_name
            log.save(update_fields=["errors", "file_name"])


class Migration(migrations.Migration):
    dependencies = [("taxpayers", "0008_add_assessment_filing_deadline_extension")]

    operations = [migrations.RunPython(redact_import_logs, migrations.RunPython.noop, elidable=True)]
