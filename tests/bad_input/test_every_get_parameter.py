"""Every GET parameter of every page, sent out of range and malformed: dates before 明治 and after
2100 (0001-01-01, 1868-01-24, 2101-01-01, 9999-12-31), non-dates, huge and negative numbers,
non-numeric ids, NUL, very long text, full-width digits. The parameters are found three ways, so a
new one is covered the day it ships: the page's own GET forms, the links it carries with a query
string (?as_of=, ?officer=, ?status=, ?form=…), and the names the view code reads from
request.GET (KNOWN below, kept complete by a test that reads the source). The answer is never a
server error and never a traceback; where the page refuses the value it says why in Japanese."""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from audit.findings import RULES as FINDING_RULES
from tests.bad_input.test_every_form import FORM_PAGES, who_may
from tests.bad_input.test_properties import JAPANESE
from tests.test_url_role_matrix import MATRIX, objects  # noqa: F401  (the one-of-each fixture)

OUT_OF_RANGE = [
    "0001-01-01",
    "9999-12-31",
    "1868-01-24",
    "2101-01-01",
    "1868-01-25",  # the bounds themselves are accepted: the pages must work with them
    "2100-12-31",
    "9999",
    "1867",
    "2101",
    "0000",
    "M1.1.1",
    "R83.1.1",
    "令和99年13月40日",
    "not-a-date",
    "x",
    "99999999999999999999999",
    "-1",
    "0",
    "\x00",
    "あ" * 5000,
    "２０２５－０４－０１",
    "１２３",
]
# Read by the view code from request.GET, beyond its own form's fields (url name → names).
KNOWN = {
    "taxpayers:detail": {"as_of", "subject", "tax_year", "outstanding_only", "all_years"},
    "cases:case": {"timeline"},
    "taxpayers:search": {"page"},
    "taxpayers:delinquent": {"page"},
    "taxpayers:late_charge": {"amount", "due_date", "paid_on", "first_band_months"},
    "taxpayers:imports": {"page"},
    "negotiations:queues": {"officer"},
    "negotiations:pledge_list": {"status", "page"},
    "negotiations:pledge_new": {"revises"},
    "dispositions:list": {"status", "page"},
    "dispositions:inquiry_list": {"view", "page"},
    "dispositions:writeoff_candidates": {"page"},
    "dispositions:draft": {
        "code",
        "category",
        "reason",
        "property_description",
        "third_party_name",
        "third_party_address",
    },
    "documents:issue": {"form"},
    "documents:issue_from": {"form"},
    "documents:notice_batch": {"extraction", "deadline"},
    "audit:security_events": {"date_from", "date_to", "kind", "page"},
    "audit:history_search": {"date_from", "date_to", "kind", "page"},
    "audit:access_log": {"date_from", "date_to", "access_id", "page"},
    "audit:access_findings": {"date_from", "date_to"} | {f"{rule}_page" for rule in FINDING_RULES},
    "audit:incident": {"staff_number", "date_from", "date_to", "time_from", "time_to"},
    "audit:self_inspection": {"date_from", "date_to", "pdf"},
    "accounts:staff_list": {"page"},
    "exchange:runs": {"page"},
}
NAMES_READ = re.compile(r"""request\.GET(?:\.get\(|\[)\s*["'](\w+)["']""")
NOT_OURS = {"otp_webauthn", ".venv", "tests", "node_modules"}
# A plausible value per kind of required typed field, so the others are valid while one is hostile.
PLAUSIBLE_DATE, PLAUSIBLE_YEAR, PLAUSIBLE_NUMBER = "2025-04-01", "2025", "1000"


class GetForms(HTMLParser):
    """GET forms (action → {name: plausible value}) and internal links with a query string."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self.links: list[tuple[str, dict[str, str]]] = []
        self.open = False
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and "?" in (a.get("href") or ""):
            parts = urlsplit(a["href"])
            if not parts.netloc and parts.path:
                self.links.append((parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))))
            return
        if tag == "form":
            self.open = (a.get("method") or "get").lower() == "get"
            if self.open:
                self.forms.append((a.get("action") or "", {}))
            return
        if not self.open:
            return
        fields, name = self.forms[-1][1], a.get("name")
        if tag == "select":
            self.select = name
            if name:
                fields.setdefault(name, "")
        elif tag == "option" and self.select and a.get("value") and not fields.get(self.select):
            fields[self.select] = a["value"]
        elif name and tag in ("input", "textarea"):
            kind = a.get("type") or "text"
            placeholder = a.get("placeholder") or ""
            if kind in ("checkbox", "radio", "submit", "hidden"):
                fields.setdefault(name, a.get("value", "on"))
            elif a.get("value"):
                fields[name] = a["value"]
            elif "required" not in a:  # optional: blank, so it cannot make the others invalid
                fields[name] = ""
            elif "R7.4.1" in placeholder:
                fields[name] = PLAUSIBLE_DATE
            elif "R7 " in placeholder:
                fields[name] = PLAUSIBLE_YEAR
            elif kind == "number":
                fields[name] = PLAUSIBLE_NUMBER
            else:
                fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.open = False
        elif tag == "select":
            self.select = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def targets(url_name: str, url: str, html: str) -> dict[str, dict[str, str]]:
    """path → the parameters it is sent with (a plausible value each), for this page."""
    parser = GetForms()
    parser.feed(html)
    found: dict[str, dict[str, str]] = {url: dict.fromkeys(KNOWN.get(url_name, ()), "")}
    logout = reverse("accounts:logout")
    for action, fields in parser.forms:
        if action != logout:
            found.setdefault(action or url, {}).update(fields)
    for path, query in parser.links:  # every internal link with a query string (?as_of=, ?revises=…)
        if path.startswith("/") and not path.startswith(django_settings.STATIC_URL):
            for name, value in query.items():
                found.setdefault(path, {}).setdefault(name, value)
    return {path: params for path, params in found.items() if params}


GET_PAGES = FORM_PAGES


def assert_answered(response, where):
    assert response.status_code < 500, where
    body = response.content.decode(errors="replace")
    assert "Traceback" not in body, where
    if "html" in response.get("Content-Type", "") and 'role="alert"' in body:
        said = body.split('role="alert"', 1)[1][:400]
        assert JAPANESE.search(said), where


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", GET_PAGES)
def test_every_get_parameter_answers_out_of_range_values_without_a_server_error(
    url_name,
    persona_client,
    objects,  # noqa: F811 - the imported fixture
):
    builder, _ = MATRIX[url_name]
    url = reverse(url_name, kwargs=builder(objects) if builder else None)
    client = persona_client(who_may(url_name))
    page = client.get(url)
    if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
        return
    for path, params in targets(url_name, url, page.content.decode()).items():
        assert_answered(client.get(path, params), (url_name, path, params))
        dates = [name for name, value in params.items() if value == PLAUSIBLE_DATE]
        for bad in OUT_OF_RANGE:
            assert_answered(client.get(path, dict.fromkeys(params, bad)), (url_name, path, "all", bad[:30]))
            if dates:  # every date at once, the rest plausible (納期限 and 完納日 both in 9999)
                together = {**params, **dict.fromkeys(dates, bad)}
                assert_answered(client.get(path, together), (url_name, path, "dates", bad[:30]))
            for name in params:
                assert_answered(client.get(path, {**params, name: bad}), (url_name, path, name, bad[:30]))


def test_known_lists_every_parameter_the_code_reads_from_get():
    """A view that reads a new request.GET name without adding it to KNOWN fails here."""
    known = set().union(*KNOWN.values())
    read = set()
    for source in Path(django_settings.BASE_DIR).rglob("*.py"):
        if not NOT_OURS & set(source.parts):
            read |= set(NAMES_READ.findall(source.read_text(encoding="utf-8")))
    assert read - {"next"} <= known, read - known  # next: the sign-in page's own, checked by _safe_next


@pytest.mark.django_db
def test_the_parameter_finder_sees_the_ledger_filter_and_the_queue_officer(persona_client, objects):  # noqa: F811
    """Guards the test above against passing by finding nothing."""
    url = reverse("taxpayers:detail", kwargs={"atena_number": objects["taxpayer"].atena_number})
    found = targets("taxpayers:detail", url, persona_client("officer").get(url).content.decode())
    assert {"as_of", "tax_year", "subject"} <= set(found[url])
    url = reverse("negotiations:queues")
    found = targets("negotiations:queues", url, persona_client("supervisor").get(url).content.decode())
    assert "officer" in found[url]
