"""PDF rendering with WeasyPrint, fetching nothing but the app's own static files.

WeasyPrint fetches any URL or file:// a document names. `StaticOnlyFetcher` serves only paths
under STATIC_URL, from the app's static folders, and refuses everything else (file://, other
hosts, …) — so no value printed on a form, however it was typed, can make the renderer read a
local file or reach the network. data: URLs (inline images such as QR codes) are self-contained
and allowed. Fonts are Debian's IPAex fonts, found by fontconfig, not fetched.

Every printed form (templates/forms/) is styled by one stylesheet, static/forms/forms.css, which
the renderer applies (the templates link none): it is parsed once per thread and kept with the
fonts, where a `<link>` in each document had WeasyPrint fetch and parse it again for every
document — a quarter of a 催告書's rendering (issue 21).
"""

from __future__ import annotations

import mimetypes
import threading
from collections.abc import Sequence
from urllib.parse import urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

BASE_URL = "https://forms.wako-collections.invalid/"


class RefusedResourceError(ValueError):
    """A document asked for something other than the app's own static files."""


class StaticOnlyFetcher(URLFetcher):
    def __init__(self):
        super().__init__(allowed_protocols={"https", "data"}, allow_redirects=False, fail_on_errors=False)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        base = urlsplit(BASE_URL)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(
            settings.STATIC_URL
        ):
            raise RefusedResourceError(f"帳票から外部の資源は読み込めません: {url[:80]}")
        relative = parts.path[len(settings.STATIC_URL) :]
        if ".." in relative.split("/"):
            raise RefusedResourceError(f"不正なパスです: {url[:80]}")
        found = finders.find(relative)
        if not found:
            raise RefusedResourceError(f"静的ファイルがありません: {relative}")
        with open(found, "rb") as handle:
            body = handle.read()
        return URLFetcherResponse(
            url, body, {"Content-Type": mimetypes.guess_type(found)[0] or "application/octet-stream"}
        )


def render_many(htmls: Sequence[str]) -> bytes:
    """Several documents in one PDF, each laid out on its own so that its page counter (n／N on
    every page) counts its own pages; the pages are then joined into one file with one outline
    entry per document (from its bookmark), so the file can be split per taxpayer. The thread's
    fonts and parsed forms.css serve all of them (and the next chunk the same process renders)."""
    fonts = font_configuration()
    stylesheets = [forms_stylesheet()]
    rendered = [
        weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).render(
            font_config=fonts, stylesheets=stylesheets
        )
        for html in htmls
    ]
    pages = [page for document in rendered for page in document.pages]
    return rendered[0].copy(pages).write_pdf()


class _Fonts(threading.local):
    """This thread's FontConfiguration (fontconfig and Pango's font map, with the IPAex fonts they
    have loaded), made on the first PDF and kept: WeasyPrint otherwise makes a new one and loads
    the fonts again for every document (issue 21: ~5–10 % of a 納付書's rendering). The forms name
    no web fonts (@font-face), so nothing a document says is added to it. Per thread: Pango's font
    map is not shared across threads. Beside it, forms.css parsed (`forms_stylesheet`)."""

    config: FontConfiguration | None = None
    stylesheet: weasyprint.CSS | None = None


_fonts = _Fonts()

FORMS_STYLESHEET = "forms/forms.css"  # under the static folders: the printed forms' one stylesheet


def font_configuration() -> FontConfiguration:
    if _fonts.config is None:
        _fonts.config = FontConfiguration()
    return _fonts.config


def forms_stylesheet() -> weasyprint.CSS:
    """static/forms/forms.css parsed (its selectors compiled, its @page rules read), made on this
    thread's first PDF and kept like its fonts. Applied as the user stylesheet: the forms have no
    other (no `<link>`, `<style>` or style attribute), so the cascade is the one the document's
    own link gave, beneath nothing but WeasyPrint's user-agent defaults."""
    if _fonts.stylesheet is None:
        found = finders.find(FORMS_STYLESHEET)
        if not found:  # the app's own file: a missing one is an installation fault
            raise FileNotFoundError(f"帳票の書式（{FORMS_STYLESHEET}）が見つかりません")
        _fonts.stylesheet = weasyprint.CSS(
            filename=found, url_fetcher=StaticOnlyFetcher(), font_config=font_configuration()
        )
    return _fonts.stylesheet


def render_html(html: str) -> bytes:
    """One printed form's PDF from its HTML (styled by forms.css, fonts and stylesheet shared)."""
    return weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf(
        font_config=font_configuration(), stylesheets=[forms_stylesheet()]
    )


def render_pdf(template_name: str, context: dict) -> bytes:
    """The PDF of a printed form (templates/forms/…); all values are escaped by the template."""
    return render_html(render_to_string(template_name, context))
