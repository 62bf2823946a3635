import pytest
from django.core.exceptions import ImproperlyConfigured

from wako_collections.env import env_bool, env_choice, env_int, env_networks, env_str


def test_bad_values_fail_loudly_naming_the_variable(monkeypatch):
    monkeypatch.setenv("WAKO_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="WAKO_X"):
        env_bool("WAKO_X", default=False)
    monkeypatch.setenv("WAKO_X", "15分")
    with pytest.raises(ImproperlyConfigured, match="WAKO_X"):
        env_int("WAKO_X", 15)
    monkeypatch.setenv("WAKO_X", "staging")
    with pytest.raises(ImproperlyConfigured, match="WAKO_X"):
        env_choice("WAKO_X", ("production", "development"), "production")
    monkeypatch.setenv("WAKO_X", "10.0.0.1, 10.0.0.300")
    with pytest.raises(ImproperlyConfigured, match=r"10\.0\.0\.300"):
        env_networks("WAKO_X")


def test_a_required_value_without_default_is_demanded(monkeypatch):
    monkeypatch.delenv("WAKO_SECRET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="WAKO_SECRET is required"):
        env_str("WAKO_SECRET")


def test_good_values_are_read(monkeypatch):
    monkeypatch.setenv("WAKO_X", "Yes")
    assert env_bool("WAKO_X", default=False) is True
    monkeypatch.setenv("WAKO_X", "0")
    assert env_int("WAKO_X", 5) == 0


def test_production_settings_demand_a_secret_key():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | {"WAKO_ENV": "production"}
    result = subprocess.run(
        [sys.executable, "-c", "import wako_collections.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "SECRET_KEY is required" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("PRIVILEGE_CONFIRMER_ROLES", " , ", "PRIVILEGE_CONFIRMER_ROLES"),
        ("TERMINAL_WIDEST_PREFIX_IPV4", "0", "TERMINAL_WIDEST_PREFIX_IPV4"),
        ("TERMINAL_WIDEST_PREFIX_IPV4", "33", "TERMINAL_WIDEST_PREFIX_IPV4"),
        ("TERMINAL_WIDEST_PREFIX_IPV6", "129", "TERMINAL_WIDEST_PREFIX_IPV6"),
    ],
)
def test_four_eyes_and_terminal_range_settings_refuse_bad_values(variable, value, said):
    import os
    import subprocess
    import sys

    env = os.environ | {"WAKO_ENV": "test", variable: value}
    result = subprocess.run(
        [sys.executable, "-c", "import wako_collections.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and said in result.stderr
