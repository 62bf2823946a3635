"""Links for long lists: one `reverse()` per kind of link instead of one per row.

A `{% url %}` costs tens of microseconds (the resolver's reverse dictionary, the script prefix, the
quoting); the work queues showed about 300 of them a page. `link_maker("cases:case")` reverses once
with a placeholder and then fills each row's value in, quoted as `reverse()` quotes it, so the link
is the same string `reverse()` would give (tests/wako_collections/test_links.py).
Only for URL patterns with one `<str:…>` argument (a path segment: no "/", not empty)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS

_PLACEHOLDER = "LINKARG0"
# reverse() quotes the path with these characters left as they are (RFC 3986 pchar, and "/")
_SAFE = RFC3986_SUBDELIMS + "~:@"


def link_maker(viewname: str) -> Callable[[str], str]:
    """`make(value)` == `reverse(viewname, args=[value])` for the current request's script prefix."""
    url = reverse(viewname, args=[_PLACEHOLDER])
    if url.count(_PLACEHOLDER) != 1:
        raise ValueError(f"{viewname}: one path argument expected, got {url}")
    before, after = url.split(_PLACEHOLDER)

    def make(value: str) -> str:
        text = str(value)
        if not text or "/" in text:  # not a path segment: let reverse() decide (NoReverseMatch)
            return reverse(viewname, args=[value])
        return before + quote(text, safe=_SAFE) + after

    return make
