"""Grants 帳票の発行 (督促状・催告書 and the documents that follow) to 徴収担当 and 監督者."""

from django.db import migrations


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    menu_type, _ = ContentType.objects.get_or_create(app_label="accounts", model="menu")
    permission, _ = Permission.objects.get_or_create(
        content_type=menu_type, codename="documents", defaults={"name": "帳票の発行"}
    )
    for role in ("徴収担当", "監督者"):
        Group.objects.get(name=role).permissions.add(permission)


def revoke(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="accounts", codename="documents"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_add_documents_permission")]

    operations = [migrations.RunPython(grant, revoke)]
