"""Moves every django-otp TOTPDevice into accounts.AuthenticatorApp with its secret sealed under the
application's key store, and deletes the plaintext rows. Reversible: going back opens each secret
and writes it to otp_totp again (in plaintext, as that table holds it).

Signed-in sessions that named an otp_totp device lose their second factor and are asked for a code
again; the secrets themselves do not change, so nobody has to enrol again."""

from django.db import migrations

FIELDS = [
    "name",
    "confirmed",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "last_used_at",
    "step",
    "t0",
    "digits",
    "tolerance",
    "drift",
    "last_t",
]


def _associated(user_id) -> bytes:
    return f"otp-totp:{user_id}".encode()  # as AuthenticatorApp._associated


def seal_secrets(apps, schema_editor):
    from wako_collections.key_store import seal

    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    AuthenticatorApp = apps.get_model("accounts", "AuthenticatorApp")
    for device in TOTPDevice.objects.order_by("pk"):
        app = AuthenticatorApp.objects.create(
            user_id=device.user_id,
            key_ciphertext=seal(device.key.encode(), associated=_associated(device.user_id)),
            **{field: getattr(device, field) for field in FIELDS},
        )
        AuthenticatorApp.objects.filter(pk=app.pk).update(created_at=device.created_at)
        device.delete()


def open_secrets(apps, schema_editor):
    from wako_collections.key_store import unseal

    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    AuthenticatorApp = apps.get_model("accounts", "AuthenticatorApp")
    for app in AuthenticatorApp.objects.order_by("pk"):
        device = TOTPDevice.objects.create(
            user_id=app.user_id,
            key=unseal(
                app.key_ciphertext, associated=_associated(app.user_id), what="認証アプリの秘密鍵"
            ).decode(),
            **{field: getattr(app, field) for field in FIELDS},
        )
        TOTPDevice.objects.filter(pk=device.pk).update(created_at=app.created_at)
        app.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0015_authenticator_app_with_sealed_key"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(seal_secrets, open_secrets)]
