"""Every environment variable settings.py reads is validated at start-up, naming itself.

The variables are found in settings.py's source (every env_*("NAME", …) call), so a new variable
must be given a bad value below or be listed as free text with the reason.
"""

import ast
import runpy
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

SETTINGS = Path(__file__).resolve().parents[2] / "wako_collections" / "settings.py"

# A value each variable must refuse at start-up.
BAD = {
    "WAKO_ENV": "staging",
    "DEBUG": "maybe",
    "BEHIND_TLS_PROXY": "2",
    "SECURE_COOKIES": "oui",
    "SECURE_SSL_REDIRECT": "yes please",
    "ACCESS_BASELINE_DAYS": "3",
    "ACCESS_VOLUME_FACTOR": "三",
    "ACCESS_VOLUME_MINIMUM": "0",
    "DATABASE_CONN_MAX_AGE": "60s",
    "DOCUMENT_BATCH_CHUNK": "0",
    "DOCUMENT_RENDER_PROCESSES": "two",
    "HSTS_SECONDS": "-1",
    "IMPORT_MAX_UPLOAD_MB": "200MB",
    "LOCKOUT_FAILURES": "0",
    "PLEDGE_GRACE_DAYS": "1週間",
    "PRESCRIPTION_WARNING_DAYS": "0",
    "PROMISE_GRACE_DAYS": "3.5",
    "NO_CONTACT_DAYS": "0",
    "RETENTION_MINIMUM_YEARS": "4",
    "RETENTION_YEARS": "x",
    "TERMINAL_WIDEST_PREFIX_IPV4": "33",
    "TERMINAL_WIDEST_PREFIX_IPV6": "7",
    "IMPORT_STUCK_MINUTES": "0",
    "LOCKOUT_MINUTES": "30分",
    "SESSION_ABSOLUTE_MINUTES": "eight hours",
    "SESSION_IDLE_MINUTES": "0",
    "TRUSTED_PROXIES": "10.0.0.300",
    "CSRF_TRUSTED_ORIGINS": "collections.example.lg.jp",
    "WEBAUTHN_ORIGINS": "ftp://collections.example.lg.jp",
    "WEBAUTHN_RP_ID": "https://collections.example.lg.jp",
    "PRIVILEGE_CONFIRMER_ROLES": "部長",
    "PAYMENT_ALLOCATION_ORDER": "late_charge,principal,fee",
    "OFFICE_HOURS": "17:15-08:30",
    "CONVENIENCE_COMPANY_CODE": "12345",
    "DATABASE_URL": "mysql://root@localhost/wako",
    "INDIVIDUAL_NUMBER_KEYS": "k1:not-base64!,hmac:also-not",
    "INDIVIDUAL_NUMBER_KEYS_FILE": "/nonexistent/wako-keys",
    "LOG_LEVEL": "VERBOSE",
    "TASKS_BACKEND": "not a path",
    "EXCHANGE_OUTBOUND_DIR": "outbound",
    "FILE_STORAGE_DIR": "files",
    "EXCHANGE_ENCODING": "latin-1",
    "EXPORT_LARGE_ROWS": "0",
}
# Free text: any value is a valid value.
FREE_TEXT = {
    "SECRET_KEY": "any string (required in production)",
    "ALLOWED_HOSTS": "host names or patterns, as Django takes them",
    "CITY_NAME": "printed as written",
    "CITY_DEPARTMENT": "printed as written",
    "CITY_ADDRESS": "printed as written",
    "CITY_PHONE": "printed as written",
    "OTP_ISSUER": "shown in the authenticator app",
    "IMPORT_SPOOL_DIR": "a directory, created when first used",
    "BACKUP_DIR": "a directory (empty: no scheduled backup)",
    "RETENTION_REPORT_OPERATOR": "a 職員番号, checked against the staff when the job runs (jobs/schedule.py)",
}
# Checked when the apps are ready (they need an app's vocabulary), not while settings.py is read.
AT_APP_READY = {"PRIVILEGE_CONFIRMER_ROLES": "accounts", "PAYMENT_ALLOCATION_ORDER": "taxpayers"}


def variables_read_by_settings() -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(SETTINGS.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id.startswith("env_")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(node.args[0].value)
    return names


def test_every_variable_has_a_bad_value_or_is_free_text():
    read = variables_read_by_settings()
    assert read, "no env_* call found in settings.py"
    assert read - BAD.keys() - FREE_TEXT.keys() == set(), "give each new variable a bad value in BAD"
    assert (BAD.keys() | FREE_TEXT.keys()) - read == set(), "a listed variable is no longer read"


def run_settings(monkeypatch, **environment):
    monkeypatch.setenv("WAKO_ENV", "test")
    for name in (*BAD, *FREE_TEXT):
        if name not in ("WAKO_ENV",):
            monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_the_settings_read_cleanly_without_any_variable(monkeypatch):
    values = run_settings(monkeypatch)
    assert values["OFFICE_HOURS"][0].hour == 8


@pytest.mark.parametrize("name", sorted(set(BAD) - set(AT_APP_READY)))
def test_a_bad_value_stops_start_up_naming_the_variable(monkeypatch, name):
    with pytest.raises(ImproperlyConfigured, match=name):
        run_settings(monkeypatch, **{name: BAD[name]})


@pytest.mark.parametrize("name", sorted(AT_APP_READY))
def test_app_level_values_stop_start_up_naming_the_variable(monkeypatch, name):
    values = run_settings(monkeypatch, **{name: BAD[name]})  # read, not yet checked
    with override_settings(**{name: values[name]}), pytest.raises(ImproperlyConfigured, match=name):
        apps.get_app_config(AT_APP_READY[name]).ready()


def test_a_bad_ordinance_file_stops_start_up_naming_the_file_and_line(tmp_path, monkeypatch):
    from taxpayers import ordinance

    bad = tmp_path / "demand_fees.csv"
    bad.write_text("starts_on,amount,source\n2000-04-01,100,条例\n2027-04-01,百円,条例\n", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match=r"demand_fees\.csv 3行目"):
        ordinance.read_schedule(bad, "amount", minimum=0)
    bad.write_text("starts_on,amount,source\n2000-04-01,100,\n", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match="出典"):
        ordinance.read_schedule(bad, "amount", minimum=0)
