"""Every form of every page, found in the page's own HTML (so a new form is covered the day it
ships), sent by the role that may use it with generated hostile text in every field it lets
staff type into: script and SQL payloads, control characters, impossible 和暦 dates, full-width
digits, huge numbers, blanks. The answer is never a server error and shows the payload escaped;
a refused POST says why in Japanese and writes nothing (no history row anywhere). Search and
report forms (GET) are sent the same way."""

from html import escape
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bad_input.test_properties import JAPANESE
from tests.test_url_role_matrix import MATRIX, objects  # noqa: F401  (the one-of-each fixture)

SCRIPT = "<script>alert(1)</script>"
HOSTILE = st.one_of(
    st.sampled_from(
        [
            SCRIPT,
            "'; DROP TABLE taxpayers_taxpayer; --",
            "\x00",
            "\x1b[2J\x07",
            "令和99年13月40日",
            "９９９９９９９９９９９９９９９９９９９９",
            "1e309",
            "-1",
            "",
            "　",
            "ｱｲｳ" * 200,
        ]
    ),
    st.text(max_size=40),
)
ROLES = ("officer", "supervisor", "administrator")
TYPED = {"text", "textarea", "number", "date", "time", "search", "tel", "email", "password", None}
# Not forms staff fill in: the JSON ceremony of security keys, and signing out (every page's header).
NOT_FORMS = ("otp_webauthn:", "accounts:logout", "accounts:login", "accounts:verify", "accounts:enroll")


class Forms(HTMLParser):
    """The forms of a page: method, action, and each field with what the browser would send."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.open = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.open = True
            method = (a.get("method") or "get").lower()
            self.forms.append({"method": method, "action": a.get("action") or "", "typed": [], "fixed": {}})
            return
        if not self.open:
            return
        form, name = self.forms[-1], a.get("name")
        if not name:
            return
        kind = a.get("type") if tag == "input" else ("textarea" if tag == "textarea" else tag)
        if kind in TYPED:
            form["typed"].append(name)
        elif kind in ("hidden", "submit") or (kind in ("checkbox", "radio") and name not in form["fixed"]):
            form["fixed"].setdefault(name, a.get("value", "on"))

    def handle_endtag(self, tag):
        if tag == "form":
            self.open = False

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


class Options(HTMLParser):
    """The first real option of each select (a valid choice, so only the typed fields are hostile)."""

    def __init__(self):
        super().__init__()
        self.choices: dict[str, str] = {}
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and a.get("value") and self.select not in self.choices:
            self.choices[self.select] = a["value"]

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None


def history_rows() -> int:
    return sum(
        model.objects.count() for model in apps.get_models() if model.__name__.startswith("Historical")
    )


def who_may(url_name: str) -> str | None:
    _, expected = MATRIX[url_name]
    return next((role for role in ROLES if expected[role] == 200), None)


FORM_PAGES = sorted(name for name in MATRIX if who_may(name) and not name.startswith(NOT_FORMS))


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", FORM_PAGES)
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hostile=HOSTILE)
def test_every_form_answers_hostile_input_escaped_and_a_refusal_in_japanese_writing_nothing(
    url_name,
    hostile,
    persona_client,
    objects,  # noqa: F811 - the imported fixture
):
    builder, _ = MATRIX[url_name]
    url = reverse(url_name, kwargs=builder(objects) if builder else None)
    client = persona_client(who_may(url_name))
    page = client.get(url)
    if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
        return  # an earlier example changed the record (cancelled it, say): nothing left to post
    html = page.content.decode()
    parser, options = Forms(), Options()
    parser.feed(html)
    options.feed(html)
    logout = reverse("accounts:logout")
    for form in parser.forms:
        if form["action"] == logout or not form["typed"]:
            continue
        data = {**options.choices, **form["fixed"], **dict.fromkeys(form["typed"], hostile)}
        if form["method"] == "get":  # searches and reports: they read, so only the answer is checked
            response = client.get(form["action"] or url, data)
            assert response.status_code < 500, (url_name, form["action"], data)
            assert SCRIPT not in response.content.decode(errors="replace"), (url_name, form["action"])
            continue
        before = history_rows()
        response = client.post(form["action"] or url, data)
        assert response.status_code < 500, (url_name, form["action"], data)
        accepted = response.status_code == 302
        if accepted:  # wherever it leads shows the input escaped
            response = client.get(response["Location"])
            assert response.status_code < 500, (url_name, form["action"], data)
        if response.status_code in (200, 400) and "html" in response.get("Content-Type", ""):
            body = response.content.decode()
            assert SCRIPT not in body, (url_name, form["action"])
            if not accepted and 'role="alert"' in body:  # refused: why, in Japanese, nothing written
                said = body.split('role="alert"', 1)[1]
                if hostile.strip():  # the message, not the input it quotes back
                    said = said.replace(escape(hostile), "").replace(hostile, "")
                assert JAPANESE.search(said[:400]), (url_name, form["action"])
                assert history_rows() == before, (url_name, form["action"], data)


@pytest.mark.django_db
def test_the_form_finder_sees_the_forms_staff_see(persona_client, objects):  # noqa: F811
    """Guards the test above against passing by finding nothing."""
    url = reverse("negotiations:case", kwargs={"atena_number": objects["taxpayer"].atena_number})
    forms = Forms()
    forms.feed(persona_client("officer").get(url).content.decode())
    record = next(form for form in forms.forms if form["action"].endswith("/records/"))
    assert record["method"] == "post" and "content" in record["typed"]
    assert "csrfmiddlewaretoken" in record["fixed"]
    assert len(FORM_PAGES) >= 30
