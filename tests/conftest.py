"""Shared fixtures: named personas, one per role, and helpers to sign them in.

Personas (the URL × role test uses all of them):
  anonymous      — nobody signed in
  password_only  — an officer who has given the password but not yet the one-time code
  officer        — 徴収担当 (collections staff)
  supervisor     — 監督者
  read_only      — 閲覧専用
  administrator  — システム管理者 (accounts and terminals only)
"""

import time

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp

from accounts import services
from accounts.middleware import SESSION_SEEN_KEY, SESSION_STARTED_KEY
from accounts.models import AuthenticatorApp
from accounts.roles import Role
from wako_collections.actors import Actor, acting_as

PASSWORD = "correct-horse-battery-staple"
SETUP = Actor.batch("TEST")


@pytest.fixture
def terminal(db):
    """The registered terminal every test client talks from (127.0.0.1)."""
    with acting_as(SETUP):
        return services.register_terminal(
            actor=SETUP,
            terminal_number="T0001",
            name="収納課 1番",
            location="本庁舎2階",
            network="127.0.0.1/32",
        )


def make_staff(
    staff_number: str, role: Role, *, full_name: str = "", enrolled: bool = True, changed_password=True
):
    staff, _ = services.create_staff(
        actor=SETUP,
        staff_number=staff_number,
        full_name=full_name or f"職員 {staff_number}",
        atena_number=staff_number[-4:].rjust(9, "9") if staff_number[-4:].isdigit() else "900000000",
        department="総務部収納課",
        role=role,
        initial_password=PASSWORD,
    )
    if changed_password:
        with acting_as(SETUP):
            staff.must_change_password = False
            staff.save(update_fields=["must_change_password"])
    if enrolled:
        AuthenticatorApp.objects.create(user=staff, name="テスト", confirmed=True)
    return staff


def current_code(staff) -> str:
    device = AuthenticatorApp.objects.get(user=staff)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def sign_in(client, staff, *, verified: bool = True):
    """Signs `staff` in as the login view would, without typing: password, then the second factor."""
    client.force_login(staff)
    session = client.session
    session[SESSION_STARTED_KEY] = session[SESSION_SEEN_KEY] = time.time()
    if verified:
        session[DEVICE_ID_SESSION_KEY] = AuthenticatorApp.objects.get(user=staff).persistent_id
    session.save()
    return client


@pytest.fixture
def officer(terminal):
    return make_staff("S1001", Role.COLLECTIONS_OFFICER, full_name="山田 太郎")


@pytest.fixture
def supervisor(terminal):
    return make_staff("S2001", Role.SUPERVISOR, full_name="鈴木 一郎")


@pytest.fixture
def read_only(terminal):
    return make_staff("S3001", Role.READ_ONLY, full_name="高橋 花子")


@pytest.fixture
def administrator(terminal):
    return make_staff("S9001", Role.SYSTEM_ADMINISTRATOR, full_name="田中 健")


@pytest.fixture
def persona_client(client, terminal, officer, supervisor, read_only, administrator):
    """persona_client(name) → a Django test client signed in as that persona."""
    from django.test import Client

    def build(name: str):
        fresh = Client()
        if name == "anonymous":
            return fresh
        if name == "password_only":
            return sign_in(fresh, officer, verified=False)
        staff = {
            "officer": officer,
            "supervisor": supervisor,
            "read_only": read_only,
            "administrator": administrator,
        }[name]
        return sign_in(fresh, staff)

    return build


def pytest_collection_modifyitems(items):
    """Every transactional test (`django_db(transaction=True)`) runs with serialized_rollback: it
    starts from the migrated database and leaves it so for the next one.

    Why every one, not a choice per test: after a transactional test Django flushes every table. Without
    serialized_rollback the flush re-runs post_migrate, which recreates the content types and permissions
    under new ids (and not the roles the data migrations made); the next test with serialized_rollback
    then reloads the migrated rows and fails on django_content_type's unique (app_label, model). With it,
    the flush leaves the tables empty and only the test that reloads them finds its content types. So the
    two kinds cannot follow each other; one kind for all is the only order-proof rule."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker is not None
            and marker.kwargs.get("transaction")
            and "serialized_rollback" not in marker.kwargs
        ):
            item.add_marker(
                pytest.mark.django_db(*marker.args, **{**marker.kwargs, "serialized_rollback": True}),
                append=False,
            )


@pytest.fixture(autouse=True)
def exchange_outbound(settings, tmp_path_factory):
    """Every test writes 逆連携 files into a folder of its own, never the checkout's .data."""
    settings.EXCHANGE_OUTBOUND_DIR = tmp_path_factory.mktemp("exchange-outbound")
    return settings.EXCHANGE_OUTBOUND_DIR


@pytest.fixture(autouse=True)
def file_storage(settings, tmp_path_factory):
    """Every test keeps its files (batch PDFs) in a folder of its own, never the checkout's .data."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("files")
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_access_cache():
    """Each test starts with this process's access cache empty: a rolled-back test moves no
    generation, so what it cached (its terminal, its roles) must not reach the next test."""
    from accounts import access_cache

    access_cache.clear()
    yield
    access_cache.clear()
