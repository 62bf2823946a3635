"""The 逆連携 settings are checked at start-up: a bad value stops the app and names the variable."""

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("EXCHANGE_ENCODING", "shift_jis"),
        ("EXCHANGE_ENCODING", "UTF8"),
        ("EXCHANGE_OUTBOUND_DIR", "relative/outbound"),
    ],
)
def test_a_bad_exchange_setting_stops_start_up_naming_it(variable, value):
    env = os.environ | {"WAKO_ENV": "test", variable: value}
    result = subprocess.run(
        [sys.executable, "-c", "import wako_collections.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and variable in result.stderr


def test_cp932_is_accepted():
    env = os.environ | {"WAKO_ENV": "test", "EXCHANGE_ENCODING": "cp932"}
    code = "import wako_collections.settings as s; print(s.EXCHANGE_ENCODING)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "cp932", result.stderr
