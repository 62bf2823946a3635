"""Typed readers for environment variables.

Each reader fails loudly (ImproperlyConfigured naming the variable) on a value it cannot read,
so a typo in a deployment stops the app at start-up instead of running with a silent default.
"""

import ipaddress
import os
import re
from datetime import time, timedelta

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str | None = None, *, pattern: str | None = None, shape: str = "") -> str:
    """The value, or `default`. With `pattern` (a regular expression the whole value must match;
    `shape` says in words what is expected) a value that does not match stops start-up."""
    value = _raw(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"environment variable {name} is required")
        return default
    if pattern is not None and not re.fullmatch(pattern, value):
        raise ImproperlyConfigured(f"{name}={value!r} is not {shape or 'in the expected form'}")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true/false)")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below its minimum {minimum}")
    return number


def env_minutes(name: str, default: int) -> timedelta:
    return timedelta(minutes=env_int(name, default, minimum=1))


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_origins(name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated list of origins, each scheme://host[:port] (http or https, no path)."""
    origins = env_list(name, default)
    for origin in origins:
        if not re.fullmatch(r"https?://(\*\.)?[A-Za-z0-9.\-\[\]:]+(:\d{1,5})?", origin):
            raise ImproperlyConfigured(
                f"{name}: {origin!r} is not an origin like https://collections.example.lg.jp"
            )
    return origins


def env_database_url(name: str, default: str, **options) -> dj_database_url.DBConfig:
    """A DATABASES entry from a postgres:// URL (dj-database-url), naming `name` when unreadable."""
    value = env_str(name, default=default)
    try:
        config = dj_database_url.parse(value, **options)
    except (ValueError, KeyError) as error:
        raise ImproperlyConfigured(f"{name} is not a database URL ({error})") from None
    if config.get("ENGINE") != "django.db.backends.postgresql" or not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} must be a postgres://user@host:port/name URL")
    return config


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = _raw(name) or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of {', '.join(choices)}")
    return value


def env_time_range(name: str, default: str) -> tuple[time, time]:
    """A "HH:MM-HH:MM" range within one day, the first before the second (e.g. 開庁時間)."""
    value = _raw(name) or default
    opens, separator, closes = value.partition("-")
    try:
        if not separator:
            raise ValueError
        start, end = time.fromisoformat(opens.strip()), time.fromisoformat(closes.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a time range like 08:30-17:15") from None
    if start >= end:
        raise ImproperlyConfigured(f"{name}={value!r}: the start must be before the end")
    return start, end


def env_networks(name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated list of IP addresses or CIDR networks, each checked."""
    networks = env_list(name, default)
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {network!r} is not an IP address or network") from None
    return networks


def database_url(database: dict) -> str:
    """The DATABASE_URL that names `database` (a DATABASES entry), for a child process — a worker,
    or gunicorn in the load run — that must use the same database as this one (a test database
    included)."""
    from urllib.parse import quote

    user = quote(database.get("USER") or "", safe="")
    password = f":{quote(database['PASSWORD'], safe='')}" if database.get("PASSWORD") else ""
    host = quote(database.get("HOST") or "127.0.0.1", safe="")
    return f"postgres://{user}{password}@{host}:{database.get('PORT') or 5432}/{database['NAME']}"
