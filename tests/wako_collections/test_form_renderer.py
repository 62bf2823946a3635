"""The form renderer writes the <input>, <select> and <textarea> widgets in Python (issue 21, the
load knee): byte for byte what Django's own templates make of them — for every field of every form of
the project, unbound and bound to good and bad data — and Django's templates are still the ones it
writes out (an upgrade that changes them fails here first)."""

import contextlib
import importlib
from datetime import date
from pathlib import Path

import django.forms
import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe

from wako_collections import form_renderer
from wako_collections.form_renderer import FormRenderer

STOCK, OURS = DjangoTemplates(), FormRenderer()
WIDGET_TEMPLATES = Path(django.forms.__file__).parent / "templates" / "django" / "forms" / "widgets"


def rendered(bound_field, renderer) -> str:
    bound_field.form.renderer = renderer
    return str(bound_field)


def every_form_class():
    ours = [
        app
        for app in apps.get_app_configs()
        if app.path.startswith(str(settings.BASE_DIR)) and ".venv" not in Path(app.path).parts
    ]
    for app in ours:
        for module in ("forms", "views"):
            with contextlib.suppress(ModuleNotFoundError):
                importlib.import_module(f"{app.name}.{module}")
    packages = {app.name.split(".")[0] for app in ours}
    found, todo = set(), [forms.BaseForm]
    while todo:
        for subclass in todo.pop().__subclasses__():
            todo.append(subclass)
            if subclass.__module__.split(".")[0] in packages:
                found.add(subclass)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def instances(form_class):
    """The form unbound, and bound to data that is partly odd (markup, a bad date) and partly empty."""
    for data in (None, {}, "odd"):
        try:
            if data is None:
                yield form_class()
            else:
                form = form_class(data={})
                values = {
                    name: ["<b>\"&'", "R6.6.28"][i % 2] if data == "odd" else ""
                    for i, name in enumerate(form.fields)
                }
                form = form_class(data=values)
                form.is_valid()
                yield form
        except (TypeError, KeyError, AttributeError, ValueError):
            continue  # a form that needs its own arguments (an instance, a user …)


def test_the_project_renders_forms_with_it():
    assert isinstance(get_default_renderer(), FormRenderer)


@pytest.mark.django_db
def test_every_field_of_every_form_renders_as_through_djangos_templates():
    classes = every_form_class()
    assert len(classes) > 20
    fields = written = 0
    for form_class in classes:
        for form in instances(form_class):
            for bound_field in form:
                try:
                    stock = rendered(bound_field, STOCK)
                except (TypeError, AttributeError):
                    continue  # choices a form's own arguments set (a queryset of None without them)
                fields += 1
                assert rendered(bound_field, OURS) == stock, (form_class, bound_field.name)
                written += bound_field.field.widget.template_name in form_renderer.WRITERS
    assert written > 100 and fields > written  # most written here, some (radio …) left to the templates


@pytest.mark.parametrize(
    "widget, value",
    [
        (
            forms.TextInput(attrs={"autofocus": True, "hidden": False, "size": 10, "data-x": '<a href="&">'}),
            "a<b",
        ),
        (forms.TextInput(attrs={"placeholder": mark_safe("<i>安全</i>")}), mark_safe("<b>")),
        (forms.NumberInput(attrs={"min": 0}), 0),
        (forms.DateInput(), date(2024, 6, 28)),
        (forms.HiddenInput(), None),
        (forms.PasswordInput(render_value=True), "秘密"),
        (forms.EmailInput(attrs={"required": True, "aria-describedby": "help"}), ""),
        (forms.CheckboxInput(attrs={"required": True}), True),
        (forms.CheckboxInput(), False),
        (forms.Textarea(attrs={"rows": 3}), "一行目\n<二行目>&"),
        (forms.Textarea(), ""),
        (forms.Select(choices=[("", "すべて"), ("01", "<市民税>"), (2, 2_000)]), "01"),
        (
            forms.Select(
                choices=[("", "選択"), ("群", [("a", "甲"), ("b", "乙")])], attrs={"disabled": True}
            ),
            "b",
        ),
        (forms.SelectMultiple(choices=[("a", "甲"), ("b", "乙"), ("c", "丙")]), ["a", "c"]),
        (forms.NullBooleanSelect(), None),
        (forms.RadioSelect(choices=[("a", "甲"), ("b", "乙")]), "a"),
        (forms.SplitDateTimeWidget(), None),
    ],
)
def test_widgets_render_byte_for_byte_as_through_djangos_templates(widget, value):
    for attrs in (None, {"id": "id_x", "class": "wide"}):
        assert widget.render("x", value, attrs=attrs, renderer=OURS) == widget.render(
            "x", value, attrs=attrs, renderer=STOCK
        )


def test_djangos_widget_templates_are_the_ones_written_here():
    include = '{% include "django/forms/widgets/input.html" %}\n'
    for name in form_renderer.INPUT_TEMPLATES - {f"{form_renderer.WIDGETS}input.html"}:
        assert (WIDGET_TEMPLATES.parent.parent.parent / name).read_text() == include, name
    expected = {
        "input.html": '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %}'
        " value=\"{{ widget.value|stringformat:'s' }}\"{% endif %}"
        '{% include "django/forms/widgets/attrs.html" %}>\n',
        "attrs.html": "{% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}"
        "{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}{% endfor %}",
        "select.html": '<select name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>'
        "{% for group_name, group_choices, group_index in widget.optgroups %}{% if group_name %}\n"
        '  <optgroup label="{{ group_name }}">{% endif %}{% for option in group_choices %}\n'
        "  {% include option.template_name with widget=option %}{% endfor %}{% if group_name %}\n"
        "  </optgroup>{% endif %}{% endfor %}\n</select>\n",
        "select_option.html": "<option value=\"{{ widget.value|stringformat:'s' }}\""
        '{% include "django/forms/widgets/attrs.html" %}>{{ widget.label }}</option>\n',
        "textarea.html": '<textarea name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>\n'
        "{% if widget.value %}{{ widget.value }}{% endif %}</textarea>\n",
    }
    for name, text in expected.items():
        assert (WIDGET_TEMPLATES / name).read_text() == text, name
