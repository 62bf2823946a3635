"""Commands the README and the start banner tell a person to type work as printed, in a new terminal.

A new terminal has none of the variables scripts/start exported (WAKO_ENV, DATABASE_URL): each
command is run with exactly that environment.
"""

import base64
import os
import re
import shlex
import subprocess
from pathlib import Path

from django_otp.oath import totp

from wako_collections import demo

ROOT = Path(__file__).resolve().parent.parent


def fresh_terminal_environment() -> dict[str, str]:
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("WAKO_", "DJANGO_")) and name not in {"DATABASE_URL", "SECRET_KEY"}
    }


def printed_one_time_code_commands() -> list[str]:
    """The one-time-code command as the banner of scripts/start and the README's quickstart print it."""
    banner = (ROOT / "scripts" / "start").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    from_banner = [line.strip() for line in banner.splitlines() if "demo" in line and "otp" in line.lower()]
    from_banner = [line for line in from_banner if not line.startswith(("#", "echo", "printf"))]
    from_readme = re.findall(r"`([^`]*demo[-_]otp[^`]*)`", readme)
    return [command for command in from_banner + from_readme if not command.startswith("manage.py")]


def test_the_banner_and_the_readme_print_the_one_time_code_command():
    assert printed_one_time_code_commands(), "the banner and README name no command for the one-time code"


def test_the_printed_one_time_code_command_works_in_a_new_terminal():
    for command in set(printed_one_time_code_commands()):
        result = subprocess.run(
            shlex.split(command),
            cwd=ROOT,
            env=fresh_terminal_environment(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, f"{command!r} failed as printed: {result.stderr[-500:]}"
        number, name, *_rest, secret = demo.DEMO_STAFF[0]
        match = re.fullmatch(rf"{number} {name}（.+）: (\d{{6}})", result.stdout.strip())
        assert match, result.stdout
        key = base64.b32decode(secret)
        # The command may have run in the previous 30-second step.
        assert int(match.group(1)) in {totp(key, drift=-1), totp(key)}, command
