"""The authenticator-app (TOTP) secret is sealed at rest under the application's key store: the
table, a copied row or the wrong keys give no codes; the right keys verify as django-otp does."""

import base64
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuthenticatorApp
from tests.conftest import current_code
from wako_collections.key_store import KeyStoreError

SECRET = "3132333435363738393031323334353637383930"  # RFC 6238's test secret, as hex


def _raw_rows() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_authenticatorapp")
        return repr(cursor.fetchall())


def test_the_table_holds_neither_the_hex_nor_the_base32_secret(officer):
    device = AuthenticatorApp.objects.get(user=officer)
    device.key = SECRET
    device.save()
    raw = _raw_rows()
    assert SECRET not in raw
    assert base64.b32encode(bytes.fromhex(SECRET)).decode() not in raw
    assert bytes.fromhex(SECRET).decode() not in raw
    assert AuthenticatorApp.objects.get(user=officer).key == SECRET


def test_every_enrolled_secret_is_sealed_and_none_is_left_in_django_otps_table(officer, supervisor):
    assert not TOTPDevice.objects.exists()
    for device in AuthenticatorApp.objects.all():
        assert device.key_ciphertext.startswith("v1.")
        assert device.key not in _raw_rows()


def test_the_code_of_the_sealed_secret_verifies_once(officer):
    device = AuthenticatorApp.objects.get(user=officer)
    code = current_code(officer)
    assert device.verify_token(code)
    assert not AuthenticatorApp.objects.get(user=officer).verify_token(code)  # replay refused


def test_a_secret_copied_to_another_staff_members_row_does_not_open(officer, supervisor):
    mine = AuthenticatorApp.objects.get(user=officer)
    theirs = AuthenticatorApp.objects.get(user=supervisor)
    theirs.key_ciphertext = mine.key_ciphertext
    with pytest.raises(KeyStoreError, match="認証アプリの秘密鍵を復号できません"):
        theirs.key  # noqa: B018
    with pytest.raises(KeyStoreError):  # refused loudly, never verified
        theirs.verify_token(current_code(officer))


def test_without_the_key_store_a_dump_of_the_row_gives_no_codes(officer):
    device = AuthenticatorApp.objects.get(user=officer)
    other = [("other", bytes(32))]
    with override_settings(INDIVIDUAL_NUMBER_KEYS=other), pytest.raises(KeyStoreError):
        device.verify_token(current_code(officer))


def test_a_secret_is_set_only_as_hex(officer):
    from django.core.exceptions import ValidationError

    device = AuthenticatorApp.objects.get(user=officer)
    with pytest.raises(ValidationError):
        device.key = "not hex"


def test_rotating_the_key_seals_the_secrets_again_under_the_new_key(officer):
    from io import StringIO

    from django.conf import settings
    from django.core.management import call_command

    before = AuthenticatorApp.objects.get(user=officer)
    secret = before.key
    rotated = [("new1", b"\x01" * 32), *settings.INDIVIDUAL_NUMBER_KEYS]
    with override_settings(INDIVIDUAL_NUMBER_KEYS=rotated):
        out = StringIO()
        call_command("rotate_individual_number_key", "--operator", "S9001", stdout=out)
        assert "認証アプリの秘密鍵: 1件" in out.getvalue()
        after = AuthenticatorApp.objects.get(user=officer)
        assert after.key_ciphertext.startswith("v1.new1.")
        assert after.key == secret


def test_the_migration_seals_django_otps_plaintext_devices_and_can_go_back(terminal):
    from accounts.roles import Role
    from tests.conftest import make_staff

    staff = make_staff("S1009", Role.COLLECTIONS_OFFICER, enrolled=False)
    TOTPDevice.objects.create(user=staff, name="旧", confirmed=True, key=SECRET, last_t=7)
    migration = importlib.import_module("accounts.migrations.0016_seal_existing_totp_secrets")

    migration.seal_secrets(apps, None)
    assert not TOTPDevice.objects.exists()
    moved = AuthenticatorApp.objects.get(user=staff)
    assert (moved.key, moved.name, moved.confirmed, moved.last_t) == (SECRET, "旧", True, 7)
    assert SECRET not in _raw_rows()
    assert moved.verify_token(f"{totp(bytes.fromhex(SECRET)):06d}")

    migration.open_secrets(apps, None)
    assert not AuthenticatorApp.objects.exists()
    assert TOTPDevice.objects.get(user=staff).key == SECRET
