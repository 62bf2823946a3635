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


def terminal_for_address(address: str, *, terminals: list[Terminal] | None = None) -> Terminal | None:
    """The most specific active terminal whose address range holds `address` (tens of rows): among
    `terminals` (the request's cached list, accounts/access_cache.py), else read from the database."""
    if terminals is None:
        terminals = list(Terminal.objects.active())
    matches = [terminal for terminal in terminals if terminal.covers(address)]
    if not matches:
        return None
    return max(matches, key=lambda t: ipaddress.ip_network(t.network, strict=False).prefixlen)


# IPv6 ranges that stand for IPv4 addresses (RFC 4291 IPv4-mapped, RFC 6052 NAT64): a /96 of them is
# every IPv4 address, so they are measured against the IPv4 limit.
_IPV4_IN_IPV6 = [ipaddress.ip_network("::ffff:0:0/96"), ipaddress.ip_network("64:ff9b::/96")]


def network_width_error(network: str) -> str | None:
    """Why `network` is wider than one terminal may cover (settings.TERMINAL_WIDEST_PREFIX_IPV4 /
    _IPV6), or None when it is within the limit. An unparsable value is left to validate_network."""
    try:
        parsed = ipaddress.ip_network(network, strict=False)
    except ValueError:
        return None
    widest_v4, widest_v6 = settings.TERMINAL_WIDEST_PREFIX_IPV4, settings.TERMINAL_WIDEST_PREFIX_IPV6
    if parsed.version == 4:
        if parsed.prefixlen < widest_v4:
            return f"端末のIPアドレス範囲は /{widest_v4} より広くできません（{network} は広すぎます）。"
        return None
    if parsed.prefixlen < widest_v6:
        return f"端末のIPアドレス範囲は /{widest_v6} より広くできません（{network} は広すぎます）。"
    for mapped in _IPV4_IN_IPV6:
        if parsed.overlaps(mapped) and parsed.prefixlen < 96 + widest_v4:
            return (
                f"IPv4アドレスを表すIPv6の範囲は /{96 + widest_v4}（IPv4の /{widest_v4}）より"
                f"広くできません（{network} は広すぎます）。"
            )
    return None
