"""Demo data: the terminals of this machine and one staff member per role, with fixed
passwords and authenticator keys so that anyone trying the system can sign in.

Never for production: load_demo and demo_otp refuse to run when WAKO_ENV=production.
"""

import base64

from django.db import transaction

from accounts import services
from accounts.models import AuthenticatorApp, Staff, Terminal
from accounts.roles import Role
from wako_collections.actors import Actor, acting_as
from wako_collections.records import save_tracked

DEMO_PASSWORD = "wako-demo-2026"  # noqa: S105  (demo only; load_demo refuses production)

DEMO_TERMINALS = [
    ("T0001", "開発用端末（IPv4）", "この機械", "127.0.0.1/32"),
    ("T0002", "開発用端末（IPv6）", "この機械", "::1/128"),
]

# (職員番号, 氏名, 宛名番号, 所属, ロール, 認証アプリの鍵 base32)
DEMO_STAFF = [
    (
        "S1001",
        "山田 太郎",
        "900000001",
        "総務部収納課 徴収第一係",
        Role.COLLECTIONS_OFFICER,
        "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
    ),
    (
        "S1002",
        "佐藤 美咲",
        "900000002",
        "総務部収納課 徴収第二係",
        Role.COLLECTIONS_OFFICER,
        "KRSXG5BAMFZW4IDUMVZXIIDLMV4TAMBS",
    ),
    ("S2001", "鈴木 一郎", "900000003", "総務部収納課", Role.SUPERVISOR, "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"),
    ("S3001", "高橋 花子", "900000004", "総務部収納課", Role.READ_ONLY, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
    (
        "S9001",
        "田中 健",
        "900000005",
        "総務部情報推進課",
        Role.SYSTEM_ADMINISTRATOR,
        "ONSWG4TFORZWK3TUNFXW4ZLTMVZXIZLS",
    ),
]


def load_demo_accounts() -> tuple[int, int]:
    """Idempotent: returns (terminals created, staff created)."""
    actor = Actor.batch("DEMO")
    terminals_created = staff_created = 0
    with transaction.atomic(), acting_as(actor):
        for number, name, location, network in DEMO_TERMINALS:
            if not Terminal.objects.filter(terminal_number=number).exists():
                services.register_terminal(
                    actor=actor, terminal_number=number, name=name, location=location, network=network
                )
                terminals_created += 1
        for number, full_name, atena, department, role, secret in DEMO_STAFF:
            if Staff.objects.filter(staff_number=number).exists():
                continue
            staff, _ = services.create_staff(
                actor=actor,
                staff_number=number,
                full_name=full_name,
                atena_number=atena,
                department=department,
                role=role,
                initial_password=DEMO_PASSWORD,
            )
            staff.must_change_password = False
            save_tracked(staff, reason="デモデータ", update_fields=["must_change_password"])
            AuthenticatorApp.objects.create(
                user=staff, name="デモ用認証アプリ", confirmed=True, key=base64.b32decode(secret).hex()
            )
            staff_created += 1
    return terminals_created, staff_created
