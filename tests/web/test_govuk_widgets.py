"""Selects, inputs and text areas written in Python (govuk/widgets.py, issue 14) are the
markup Django's widget templates write, byte for byte: each widget is rendered by the
project's renderer and by Django's own template renderer, for every kind and for awkward
values (names to escape, safe strings, optgroups, a multiple select, true and false
attributes); and whole pages with filter forms are the same with and without them."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import Client
from django.utils.safestring import mark_safe

from carebroker.accounts.models import User
from carebroker.govuk import widgets
from carebroker.govuk.forms import GovukRenderer
from tests.web.conftest import NOW
from tests.web.pages import clock

AWKWARD = 'Tom & "Jerry" <b>'
CHOICES = [("", "Any"), ("a&b", AWKWARD), (3, "Three"), ("safe", mark_safe("<i>kept</i>"))]
GROUPED = [("", "Any"), ("Group <1>", [("x", "Ex"), ("y", "Why")]), ("z", "Zed")]

WIDGETS: list[tuple[forms.Widget, object]] = [
    (forms.Select(choices=CHOICES), ""),
    (forms.Select(choices=CHOICES), "a&b"),
    (forms.Select(choices=CHOICES), 3),
    (forms.Select(choices=CHOICES, attrs={"class": "govuk-select", "disabled": True}), "safe"),
    (forms.Select(choices=GROUPED, attrs={"data-x": AWKWARD, "hidden": False}), "y"),
    (forms.SelectMultiple(choices=CHOICES), ["a&b", "safe"]),
    (forms.NullBooleanSelect(), None),
    (forms.NullBooleanSelect(), True),
    (forms.TextInput(attrs={"class": "govuk-input", "aria-describedby": "id_q-hint"}), AWKWARD),
    (forms.TextInput(), None),
    (forms.TextInput(), ""),
    (forms.TextInput(attrs={"maxlength": 100, "required": True}), mark_safe("<safe>")),
    (forms.NumberInput(attrs={"step": "0.01"}), 12.5),
    (forms.EmailInput(), "a@b.example"),
    (forms.HiddenInput(), 7),
    (forms.PasswordInput(), "secret"),
    (forms.DateInput(), "2026-11-23"),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput(), False),
    (forms.Textarea(attrs={"rows": 3}), f"line one\n{AWKWARD}"),
    (forms.Textarea(), ""),
    (forms.Textarea(), None),
]


@pytest.mark.parametrize(("widget", "value"), WIDGETS)
def test_a_widget_written_in_python_is_djangos_markup(widget, value):
    name = 'field&"name'
    context = widget.get_context(name, value, {"id": "id_field"})
    written = widgets.render(widget.template_name, context)
    assert written is not None, "this widget should be written in Python"
    assert written == widget.render(name, value, {"id": "id_field"}, renderer=DjangoTemplates())
    assert widget.render(name, value, {"id": "id_field"}, renderer=GovukRenderer()) == written


def test_what_python_does_not_copy_is_left_to_djangos_templates():
    # A label that is not text (the template would localise it) and a value the template
    # would call: not written in Python, and still the same markup through the renderer.
    for widget, value in (
        (forms.Select(choices=[(1, 2), (3, 4)]), 1),
        (forms.Select(choices=[("a", "A")], attrs={"data-f": lambda: "called"}), "a"),
    ):
        context = widget.get_context("f", value, {})
        assert widgets.render(widget.template_name, context) is None
        assert widget.render("f", value, renderer=GovukRenderer()) == widget.render(
            "f", value, renderer=DjangoTemplates()
        )


def _page(client: Client, path: str, query: dict[str, str]) -> str:
    with clock(NOW):
        response = client.get(path, query)
    assert response.status_code == 200
    # The CSRF token and the scripts' nonce are new for every response: the only parts
    # that may differ.
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'nonce="[^"]+"', "", page)


@pytest.mark.parametrize(
    ("username", "path", "query"),
    [
        ("kent-broker", "/packages/", {}),
        ("kent-broker", "/packages/", {"q": "a", "sort": "name", "urgency": "urgent"}),
        ("kent-broker", "/packages/", {"sort": "no such sort", "rag": "red"}),  # errors
        ("essex-broker", "/packages/", {"status": "sourcing", "sort": "start"}),
        ("essex-provider", "/portal/", {}),
        ("essex-provider", "/portal/", {"district": "CO4", "specialism": "dementia"}),
    ],
)
def test_pages_with_filter_forms_are_the_same_with_widgets_written_in_python(
    demo, db, monkeypatch, username, path, query
):
    client = Client()
    client.force_login(User.objects.get(username=username))
    written = _page(client, path, query)
    monkeypatch.setattr(widgets, "RENDERERS", {})  # every widget through Django's templates
    assert _page(client, path, query) == written
    assert "<select" in written  # the page has a filter form to compare
