"""Django's commonest widget templates written out in Python, for `GovukRenderer`.

Django renders a `<select>` through three templates (the select, an include per option, an
include of the attributes per option), so a form of a few selects costs thousands of template
lookups: the broker list's filter form (two inputs, five selects) was about 25 ms of the
list's 40 ms of template at 100,000 packages (bench/README.md). These functions write the
same markup as Django's templates, byte for byte (`tests/govuk/test_widgets.py` renders both
for every kind and awkward value). Each returns None for anything it does not copy exactly
(a value Django would call, an option of another template, a label that is not text), and
the renderer then uses Django's template as before.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData

OPTION = "django/forms/widgets/select_option.html"
# The input types whose template is only `{% include "django/forms/widgets/input.html" %}`.
INPUTS = ("checkbox", "color", "date", "datetime", "email", "file", "hidden", "number",
          "password", "search", "tel", "text", "time", "url")  # fmt: skip


class _Unlike(Exception):
    """A value the template would treat differently: leave this widget to Django."""


def _formatted(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`: "%s" of it (a tuple as its str), escaped unless safe."""
    if callable(value):
        raise _Unlike  # the template would call it
    text = "%s" % (str(value) if isinstance(value, tuple) else value)  # noqa: UP031 - the filter's own
    # stringformat keeps a safe string safe (is_safe=True), so it is not escaped again.
    return text if isinstance(value, SafeData) else str(escape(text))


def _text(value: Any) -> str:
    """`{{ value }}` for text: escaped unless safe. Anything else (a number the template
    would localise, None, something callable) is left to Django."""
    if not isinstance(value, str | Promise):
        raise _Unlike
    return str(conditional_escape(value))


def _attrs(attrs: Mapping[str, Any]) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {_text(name)}")
        else:
            out.append(f' {_text(name)}="{_formatted(value)}"')
    return "".join(out)


def _select(widget: Mapping[str, Any]) -> str:
    """django/forms/widgets/select.html with select_option.html for each option."""
    out = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION:
                raise _Unlike
            out.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"  # the option template's last line end
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _input(widget: Mapping[str, Any]) -> str:
    """django/forms/widgets/input.html."""
    value = widget["value"]
    # The template's `widget.value != None`, kept as a comparison (not `is not None`).
    shown = f' value="{_formatted(value)}"' if operator.ne(value, None) else ""
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>"
    )


def _textarea(widget: Mapping[str, Any]) -> str:
    """django/forms/widgets/textarea.html."""
    value = widget["value"]
    shown = _text(value) if value else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{shown}</textarea>'


RENDERERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/textarea.html": _textarea,
    **{f"django/forms/widgets/{kind}.html": _input for kind in INPUTS},
}


def render(template_name: str, context: Mapping[str, Any]) -> str | None:
    """The widget's markup as Django's template would write it, or None to let Django."""
    write = RENDERERS.get(template_name)
    widget = context.get("widget")
    if write is None or not isinstance(widget, Mapping):
        return None
    try:
        return write(widget).strip()  # the renderer strips what a template gives
    except _Unlike:
        return None
