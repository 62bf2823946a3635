"""Writing the security event log. Append-only: nothing here deletes a row, and the one update
is the repeat counter of a refusal row (`record_refused_request`)."""

import ipaddress

from django.db import connection
from django.utils import timezone

from accounts.models import SecurityEvent


def record_event(
    kind: SecurityEvent.Kind,
    *,
    staff_number: str = "",
    target_staff_number: str = "",
    terminal_number: str = "",
    ip_address: str | None = None,
    detail: str = "",
) -> SecurityEvent:
    return SecurityEvent.objects.create(
        kind=kind,
        staff_number=staff_number[:150],
        target_staff_number=target_staff_number,
        terminal_number=terminal_number,
        ip_address=ip_address or None,
        detail=detail[:500],
    )


def record_request_event(
    request, kind: SecurityEvent.Kind, *, staff_number: str = "", **fields
) -> SecurityEvent:
    terminal = getattr(request, "terminal", None)
    return record_event(
        kind,
        staff_number=staff_number,
        terminal_number=terminal.terminal_number if terminal else "",
        ip_address=getattr(request, "client_ip", None),
        **fields,
    )


def _valid_address(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def record_refused_request(*, address: str, path: str) -> None:
    """Logs a request refused because `address` is no registered terminal: one row per address
    and minute, counting repeats in `repeat_count`, so a flood adds a row a minute, not a row a
    request. The row keeps the first path of its minute.

    One statement (INSERT … ON CONFLICT DO UPDATE on the partial unique index
    accounts_securityevent_one_refusal_row_per_address_minute): parallel refusals of the same
    minute add to one row without a lost count. An address that is not an IP address (a
    forwarded header from a trusted proxy can say anything) is logged with none, and is named
    in the detail.
    """
    now = timezone.now()
    ip_address = _valid_address(address)
    detail = path if ip_address or not address else f"{path} （アドレス: {address[:100]}）"
    table = SecurityEvent._meta.db_table
    refused = SecurityEvent.Kind.TERMINAL_REFUSED.value  # a literal: the index is inferred from it
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table}
                (occurred_at, kind, staff_number, target_staff_number, terminal_number,
                 ip_address, detail, minute, repeat_count)
            VALUES (%s, '{refused}', '', '', '', %s, %s, %s, 1)
            ON CONFLICT (ip_address, minute) WHERE kind = '{refused}' AND minute IS NOT NULL
            DO UPDATE SET repeat_count = {table}.repeat_count + 1
            """,  # noqa: S608  (table and kind are the model's own, not input)
            [now, ip_address, detail[:500], now.replace(second=0, microsecond=0)],
        )
