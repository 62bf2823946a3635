"""Grants データの出力 (exports/: 滞納者一覧, 抽出結果, 仕事の一覧, ダッシュボードの表 as CSV/XLSX) to
徴収担当 and 監督者. 閲覧専用 does not get it (Part III: 持ち出し禁止 — no bulk export except by a
permission); an administrator may grant it to a role through the ordinary four-eyes change."""

from django.db import migrations


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    menu_type, _ = ContentType.objects.get_or_create(app_label="accounts", model="menu")
    permission, _ = Permission.objects.get_or_create(
        content_type=menu_type, codename="export_data", defaults={"name": "データの出力"}
    )
    for role in ("徴収担当", "監督者"):
        Group.objects.get(name=role).permissions.add(permission)


def revoke(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="accounts", codename="export_data"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0021_add_export_data_permission")]

    operations = [migrations.RunPython(grant, revoke)]
