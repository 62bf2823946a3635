"""The four roles. Each is a Group holding menu permissions (accounts.Menu), created and granted
by the migrations 0002_create_roles, 0004_grant_ledger_permissions, 0007_grant_assign_cases,
0009_grant_documents and 0020_grant_export_data (閲覧専用 does not get データの出力: 持ち出し禁止).
ROLE_MENUS is what they grant (a test checks that the database agrees)."""

from django.db import models


class Role(models.TextChoices):
    COLLECTIONS_OFFICER = "徴収担当", "徴収担当"
    SUPERVISOR = "監督者", "監督者"
    READ_ONLY = "閲覧専用", "閲覧専用"
    SYSTEM_ADMINISTRATOR = "システム管理者", "システム管理者"


BUSINESS_MENUS = [
    "payment_status",
    "negotiations",
    "pledges",
    "inquiries",
    "dispositions",
]

ROLE_MENUS = {
    Role.COLLECTIONS_OFFICER: [*BUSINESS_MENUS, "reveal_individual_number", "documents", "export_data"],
    Role.SUPERVISOR: [
        *BUSINESS_MENUS,
        "audit",
        "approve_dispositions",
        "reveal_individual_number",
        "import_data",
        "assign_cases",
        "documents",
        "export_data",
    ],
    Role.READ_ONLY: ["payment_status"],
    # Accounts and terminals only: an administrator never reaches taxpayer data.
    Role.SYSTEM_ADMINISTRATOR: ["user_admin"],
}


# Menus that administer the system itself. Every other menu permission (accounts.Menu) is taken to
# reach taxpayer data — deny by default: a menu added later counts as reaching it until listed here.
ADMINISTRATION_MENUS = frozenset({"user_admin"})


def reaches_taxpayer_data(role) -> bool:
    """Whether the role (a Group) holds any menu beyond administration, read from its permissions
    in the database, not from the role's name (one query)."""
    return (
        role.permissions.filter(content_type__app_label="accounts", content_type__model="menu")
        .exclude(codename__in=ADMINISTRATION_MENUS)
        .exists()
    )
