"""Grants 担当の割当 (seeing every officer's queue and reassigning cases) to 監督者."""

from django.db import migrations


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    menu_type, _ = ContentType.objects.get_or_create(app_label="accounts", model="menu")
    permission, _ = Permission.objects.get_or_create(
        content_type=menu_type, codename="assign_cases", defaults={"name": "担当の割当"}
    )
    Group.objects.get(name="監督者").permissions.add(permission)


def revoke(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="accounts", codename="assign_cases"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_add_assign_cases_permission")]

    operations = [migrations.RunPython(grant, revoke)]
