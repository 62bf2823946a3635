"""The form renderer (settings.FORM_RENDERER): Django's own (`DjangoTemplates`), except that the
few widget templates every page's forms use — <input> (text, number, date, checkbox, hidden …),
<select> with its <option>s, <textarea> — are written out here in Python, to the byte what Django's
templates make of the same widget context. Rendering them through the template engine (an include
of attrs.html per widget, one per option) cost ~8 % of the CPU of the pages officers open all day
(the header's search, the 収納状況照会's 基準日 / 未納のみ form; issue 21, "Load"); the fields, their
validation, labels and error display are untouched (templates/_field.html renders them).

Any other template (a form's own, a MultiWidget, a widget given its own template_name), a context
other than a widget's, or a value these do not write exactly as Django would (an option label that
is not text: the template localizes a number) goes to Django's templates, as before.
tests/wako_collections/test_form_renderer.py holds both to the same output for every form of the
project and checks that Django's templates are still the ones written out here."""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData

WIDGETS = "django/forms/widgets/"
# The templates that are `{% include "django/forms/widgets/input.html" %}` and nothing else.
INPUT_TEMPLATES = frozenset(
    f"{WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "checkbox",
        "search",
        "tel",
        "color",
    )
)
SELECT = f"{WIDGETS}select.html"
OPTION = f"{WIDGETS}select_option.html"
TEXTAREA = f"{WIDGETS}textarea.html"


class _AsTemplate(Exception):
    """A value Django's template would write otherwise: render through it."""


def _text(value) -> str:
    """`{{ value }}` with autoescape: text as it is (escaped unless safe)."""
    if isinstance(value, (str, Promise)):
        return conditional_escape(value)
    raise _AsTemplate


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}` with autoescape (stringformat keeps a safe value safe)."""
    if isinstance(value, tuple):
        raise _AsTemplate
    text = "%s" % value  # noqa: UP031 - stringformat's own formatting
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _option(option: dict) -> str:
    if option["template_name"] != OPTION:
        raise _AsTemplate
    return (
        f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_text(option['label'])}</option>\n"
    )


def _select(widget: dict) -> str:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        parts.extend(f"\n  {_option(option)}" for option in group_choices)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: dict) -> str:
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


WRITERS = {**dict.fromkeys(INPUT_TEMPLATES, _input), SELECT: _select, TEXTAREA: _textarea}


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        write = WRITERS.get(template_name)
        if write is not None and type(context) is dict and context.keys() == {"widget"}:
            try:
                return write(context["widget"]).strip()  # as DjangoTemplates strips
            except _AsTemplate:
                pass
        return super().render(template_name, context, request=request)
