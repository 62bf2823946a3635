"""Grants the taxpayer-ledger permissions: showing a 個人番号 in full (徴収担当, 監督者, always
with a reason that is logged) and importing data from the city's systems (監督者)."""

from django.db import migrations

NEW = {
    "reveal_individual_number": ("個人番号の表示", ["徴収担当", "監督者"]),
    "import_data": ("庁内連携データの取込", ["監督者"]),
}


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    menu_type, _ = ContentType.objects.get_or_create(app_label="accounts", model="menu")
    for codename, (name, roles) in NEW.items():
        permission, _ = Permission.objects.get_or_create(
            content_type=menu_type, codename=codename, defaults={"name": name}
        )
        for role in roles:
            Group.objects.get(name=role).permissions.add(permission)


def revoke(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="accounts", codename__in=NEW
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_add_ledger_permissions")]

    operations = [migrations.RunPython(grant, revoke)]
