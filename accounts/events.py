"""Writing the security event log. Append-only: nothing here updates or deletes a row."""

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
