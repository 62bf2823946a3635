"""Which registered terminal a request comes from.

The client address is REMOTE_ADDR, unless REMOTE_ADDR is one of settings.TRUSTED_PROXIES: only
then is X-Forwarded-For read, from the right, skipping trusted proxies, so a client cannot
pretend to be a terminal by sending the header itself.

An address that is not an IP address (a hop such as `unknown`, `host:port` or garbage in the
header, or a malformed REMOTE_ADDR) breaks the chain: nothing to its left can be believed, so the
client address is UNKNOWN ("") and the request is refused as an unregistered terminal, with the
raw header in the security log (forwarded_for_problem).
"""

import ipaddress
import logging

from django.conf import settings

from accounts.models import Terminal

logger = logging.getLogger(__name__)
UNKNOWN = ""


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(proxy, strict=False) for proxy in settings.TRUSTED_PROXIES)


def client_ip(request) -> str:
    """The client's IP address, or UNKNOWN when an address on the way is not an IP address."""
    address = request.META.get("REMOTE_ADDR", "")
    if not _is_ip(address):
        if address:  # empty: a request made in-process (force_login), not by a client
            logger.warning("REMOTE_ADDR is not an IP address: %r", address[:100])
        return UNKNOWN
    if not _is_trusted_proxy(address):
        return address
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([part for part in forwarded if part]):
        if not _is_ip(hop):
            logger.warning(
                "X-Forwarded-For from trusted proxy %s has a hop that is not an IP address", address
            )
            return UNKNOWN
        if not _is_trusted_proxy(hop):
            return hop
    return address


def forwarded_for_problem(request) -> str:
    """For the security log when client_ip is UNKNOWN: the addresses as received (truncated)."""
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return f"送信元アドレスを読めません（REMOTE_ADDR {remote[:50]!r}、X-Forwarded-For {forwarded[:150]!r}）"


def terminal_for_address(address: str) -> Terminal | None:
    """The most specific active terminal whose address range holds `address` (tens of rows)."""
    matches = [terminal for terminal in Terminal.objects.active() if terminal.covers(address)]
    if not matches:
        return None
    return max(matches, key=lambda t: ipaddress.ip_network(t.network, strict=False).prefixlen)


def attempted_staff_number(request, credentials=None) -> str | None:
    """django-axes hook: the 職員番号 a sign-in attempt is for (lockout is per account)."""
    if credentials and credentials.get("username"):
        return credentials["username"]
    return request.POST.get("staff_number") if request is not None else None
