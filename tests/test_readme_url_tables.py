"""Each app README's URL table is kept true by the URL resolver and by the views' permissions.

An app README lists its URLs in a table whose first column is `URL`: one or more paths in
backticks per row, `<…>` for a path parameter, `…` at the end for every URL below a prefix
(`/accounts/admin/staff/…`), and `…/x/` for a URL below the row's (or the previous row's) path.
Three rules, each a test:
- every path in a README is a URL of the project (no row for a page that is gone);
- every URL pattern under an app's prefix is covered by a row of that app's README;
- a row's permission column names the menu (its Japanese label, accounts.Menu) that the view
  requires (`menu_required`), or says "signed in" for a page every verified staff member sees; a
  README whose table has no permission column states the one menu of the whole app in its text
  (`accounts.<codename>`), and every view of the app requires it.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Menu

ROOT = Path(__file__).resolve().parent.parent
MENU_LABELS = dict(Menu._meta.permissions)
APP_PREFIXES = {
    "accounts": "/accounts/",
    "audit": "/audit/",
    "cases": "/cases/",
    "dispositions": "/dispositions/",
    "documents": "/documents/",
    "exchange": "/exchange/",
    "negotiations": "/negotiations/",
    "taxpayers": "/taxpayers/",
    "exports": "/exports/",
}


@dataclass(frozen=True)
class Route:
    sample: str  # the path with every parameter replaced by "X"
    view: object
    name: str


@dataclass(frozen=True)
class Row:
    readme: str
    paths: tuple[str, ...]
    permission: str | None  # None: the table has no permission column


def project_routes(patterns=None, prefix: str = "/", namespace: str = "") -> list[Route]:
    routes: list[Route] = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = re.sub(r"<[^>]+>", "X", str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            routes += project_routes(pattern.url_patterns, prefix + route, inner)
        elif isinstance(pattern, URLPattern):
            routes.append(Route(prefix + route, pattern.callback, namespace + (pattern.name or "")))
    return routes


def readme_rows(app: str) -> list[Row]:
    text = (ROOT / app / "README.md").read_text(encoding="utf-8")
    rows: list[Row] = []
    header: list[str] | None = None
    previous = ""
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if header is None:
            header = [cell.lower() for cell in cells]
            continue
        if header[0] != "url" or set(cells[0]) <= {"-", " "}:
            continue
        paths = []
        for token in re.findall(r"`([^`]+)`", cells[0]):
            if token.startswith("/"):
                previous = token
            elif token.startswith("…/"):
                token = previous.rstrip("…").rstrip("/") + token[1:]
            else:
                continue
            paths.append(token)
        permission_column = next((i for i, name in enumerate(header) if name in {"permission", "who"}), None)
        permission = cells[permission_column] if permission_column is not None else None
        rows.append(Row(app, tuple(paths), permission))
    return rows


def path_pattern(path: str) -> re.Pattern:
    """A README path as a regular expression over the routes' samples: a parameter stands only for
    a parameter (`/dispositions/<処分番号>/` is not `/dispositions/inquiries/`); `…` at the end for
    anything below."""
    body = re.escape(re.sub(r"<[^>]+>", "X", path.rstrip("…")))
    return re.compile(body + (".*" if path.endswith("…") else "") + r"\Z")


ROUTES = project_routes()


@pytest.mark.parametrize("app", sorted(APP_PREFIXES))
def test_every_readme_url_is_a_url_of_the_project(app):
    rows = readme_rows(app)
    assert rows, f"{app}/README.md has no URL table"
    stale = [
        path
        for row in rows
        for path in row.paths
        if not any(path_pattern(path).match(route.sample) for route in ROUTES)
    ]
    assert not stale, f"{app}/README.md lists URLs the project does not have: {stale}"


@pytest.mark.parametrize("app", sorted(APP_PREFIXES))
def test_every_url_of_an_app_has_a_row_in_its_readme(app):
    patterns = [path_pattern(path) for row in readme_rows(app) for path in row.paths]
    missing = [
        f"{route.sample} ({route.name})"
        for route in ROUTES
        if route.sample.startswith(APP_PREFIXES[app]) and not any(p.match(route.sample) for p in patterns)
    ]
    assert not missing, f"{app}/README.md has no row for: {missing}"


def required_menu(view) -> str | bool | None:
    """The menu codename the view requires, None for any verified staff member, False when the view
    is not behind `menu_required`/`signed_in` (the sign-in steps, the package's endpoints)."""
    return getattr(view, "required_menu", False)


@pytest.mark.parametrize("app", sorted(APP_PREFIXES))
def test_the_permission_a_readme_names_is_the_one_the_view_requires(app):
    readme_text = (ROOT / app / "README.md").read_text(encoding="utf-8")
    wrong = []
    for row in readme_rows(app):
        for path in row.paths:
            for route in ROUTES:
                if not path_pattern(path).match(route.sample):
                    continue
                menu = required_menu(route.view)
                if menu is False:
                    continue
                if row.permission is None:
                    named = menu is not None and f"`accounts.{menu}`" in readme_text
                elif menu is None:
                    named = "signed in" in row.permission
                elif isinstance(menu, tuple):  # any_menu_required: every menu that lets one in is named
                    named = all(MENU_LABELS[each] in row.permission for each in menu)
                else:
                    named = MENU_LABELS[menu] in row.permission
                if not named:
                    expected = "signed in" if menu is None else f"{MENU_LABELS[menu]} (accounts.{menu})"
                    wrong.append(f"{route.sample} ({route.name}): the view requires {expected}")
    assert not wrong, f"{app}/README.md names the wrong permission: {wrong}"
