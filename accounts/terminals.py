"""Which registered terminal a request comes from.

The client address is REMOTE_ADDR, unless REMOTE_ADDR is one of settings.TRUSTED_PROXIES: only
then is X-Forwarded-For read, from the right, skipping trusted proxies, so a client cannot
pretend to be a terminal by sending the header itself.
"""

import ipaddress

from django.conf import settings

from accounts.models import Terminal


def _is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(proxy, strict=False) for proxy in settings.TRUSTED_PROXIES)


def client_ip(request) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    if not _is_trusted_proxy(address):
        return address
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([part for part in forwarded if part]):
        if not _is_trusted_proxy(hop):
            return hop
    return address


def terminal_for_address(address: str) -> Terminal | None:
    """The most specific active terminal whose address range holds `address` (tens of rows)."""
    matches = [terminal for terminal in Terminal.objects.active() if terminal.covers(address)]
    if not matches:
        return None
    return max(matches, key=lambda t: ipaddress.ip_network(t.network, strict=False).prefixlen)
