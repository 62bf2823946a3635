"""Creates the four roles as groups of menu permissions (accounts.roles describes them).

The grants are written out here, not imported, so this migration keeps meaning what it meant
when it ran; a later change to a role is a new migration.
"""

from django.db import migrations

MENUS = {
    "payment_status": "収納状況照会",
    "negotiations": "交渉記録",
    "pledges": "分納誓約",
    "inquiries": "照会文書",
    "dispositions": "滞納処分",
    "payment_slips": "納付書",
    "audit": "監査",
    "user_admin": "利用者管理",
    "approve_dispositions": "滞納処分の決裁",
}
BUSINESS = ["payment_status", "negotiations", "pledges", "inquiries", "dispositions", "payment_slips"]
ROLES = {
    "徴収担当": BUSINESS,
    "監督者": [*BUSINESS, "audit", "approve_dispositions"],
    "閲覧専用": ["payment_status"],
    "システム管理者": ["user_admin"],
}


def create_roles(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    menu_type, _ = ContentType.objects.get_or_create(app_label="accounts", model="menu")
    permissions = {}
    for codename, name in MENUS.items():
        permissions[codename], _ = Permission.objects.get_or_create(
            content_type=menu_type, codename=codename, defaults={"name": name}
        )
    for role, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([permissions[codename] for codename in codenames])


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
