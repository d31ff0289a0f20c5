"""Django forms dressed as GOV.UK Frontend fields: one field template for web and portal.

Every `GovukForm` renders its fields with `web/includes/field.html` (the renderer's
`field_template_name`, so `{{ form.rate.as_field_group }}` and
`{% include "web/includes/field.html" with field=form.rate %}` are the same), and its
errors with `web/includes/error_summary.html`. The template knows text, textarea, select,
radios (with GOV.UK conditional reveals: `reveals`), checkboxes, the GOV.UK date input
(`GovukDateField`, day / month / year, never the browser's picker), file upload and
amounts (`prefixes`, "£"). `govuk-frontend-django` was not used: its releases follow
GOV.UK Frontend 6.0 and render Jinja components, not Django form fields; we run 6.6
(`package.json`).

Widgets get the GOV.UK classes when the form is made; after validation a field in error
gets the error class and `aria-describedby` pointing at its message, so a screen reader
reads the error with the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates

from carebroker.govuk import widgets

CLASSES = {
    "select": "govuk-select",
    "textarea": "govuk-textarea",
    "checkbox": "govuk-checkboxes__input",
    "checkboxselectmultiple": "govuk-checkboxes__input",
    "radioselect": "govuk-radios__input",
    "clearablefile": "govuk-file-upload",
    "file": "govuk-file-upload",
    "dateparts": "govuk-input govuk-date-input__input",
    "hidden": "",
}
ERROR_CLASSES = {
    "govuk-input": "govuk-input--error",
    "govuk-select": "govuk-select--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-file-upload": "govuk-file-upload--error",
}
GROUPED = ("checkboxselectmultiple", "radioselect", "dateparts")  # a fieldset with a legend


# -- the GOV.UK date input --------------------------------------------------------------


class DatePartsWidget(forms.MultiWidget):
    """Day, month and year as three inputs (GOV.UK date input); names `x_day`, ..."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        parts = {
            "day": forms.TextInput(attrs={"inputmode": "numeric"}),
            "month": forms.TextInput(attrs={"inputmode": "numeric"}),
            "year": forms.TextInput(attrs={"inputmode": "numeric"}),
        }
        super().__init__(parts, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.Field):
    """A date typed as day, month and year, with GOV.UK's error messages naming the field."""

    widget = DatePartsWidget

    def __init__(self, *, noun: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.noun = noun  # "the start date": the words of its messages

    def _noun(self) -> str:
        return self.noun or str(self.label or "the date").lower()

    def to_python(self, value: Any) -> date | None:
        if isinstance(value, date):
            return value
        if not value:
            return None
        day, month, year = (str(part or "").strip() for part in value)
        if not (day or month or year):
            return None
        noun = self._noun()
        missing = [name for name, part in (("day", day), ("month", month), ("year", year))
                   if not part]  # fmt: skip
        if missing:
            raise ValidationError(f"{noun.capitalize()} must include a {' and a '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise ValidationError(
                f"{noun.capitalize()} must be a real date, like 7 12 2026 (year in 4 figures)"
            )
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"{noun.capitalize()} must be a real date") from None

    def validate(self, value: Any) -> None:
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")


# -- the bound field the template reads ----------------------------------------------------


@dataclass
class Option:
    """One radio or checkbox, with the fields it reveals when chosen."""

    value: str
    label: str
    id: str
    checked: bool
    hint: str = ""
    reveal: list[BoundField] = field(default_factory=list)

    @property
    def conditional_id(self) -> str:
        return f"conditional-{self.id}"


class GovukBoundField(BoundField):
    """What `web/includes/field.html` needs beyond Django's bound field."""

    @property
    def kind(self) -> str:
        widget = self.field.widget
        if isinstance(widget, DatePartsWidget):
            return "dateparts"
        return self.widget_type

    @property
    def grouped(self) -> bool:
        return self.kind in GROUPED

    @property
    def first_id(self) -> str:
        """Where the error summary links: the first option or the day input."""
        if self.kind in ("checkboxselectmultiple", "radioselect"):
            return f"{self.auto_id}_0"
        if self.kind == "dateparts":
            return f"{self.auto_id}_day"
        return str(self.id_for_label)

    @property
    def prefix(self) -> str:
        form = self.form
        return str(getattr(form, "prefixes", {}).get(self.name, ""))

    @property
    def options(self) -> list[Option]:
        form = self.form
        reveals: dict[str, tuple[str, ...]] = getattr(form, "reveals", {}).get(self.name, {})
        hints: dict[str, str] = getattr(form, "option_hints", {}).get(self.name, {})
        value = self.value()
        chosen = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
        options = []
        for number, (choice, label) in enumerate(self.field.choices):  # type: ignore[attr-defined]
            names = reveals.get(str(choice), ())
            options.append(
                Option(
                    value=str(choice),
                    label=str(label),
                    id=f"{self.auto_id}_{number}",
                    checked=str(choice) in chosen and value not in (None, ""),
                    hint=hints.get(str(choice), ""),
                    reveal=[form[name] for name in names if name in form.fields],
                )
            )
        return options

    @property
    def date_parts(self) -> list[dict[str, Any]]:
        value = self.value()
        if isinstance(value, date) or value is None:
            value = DatePartsWidget().decompress(value)
        widths = {"day": 2, "month": 2, "year": 4}
        return [
            {
                "name": f"{self.html_name}_{part}",
                "id": f"{self.auto_id}_{part}",
                "label": part.capitalize(),
                "value": "" if value[n] is None else value[n],
                "width": widths[part],
            }
            for n, part in enumerate(("day", "month", "year"))
        ]

    @property
    def described_by(self) -> str:
        ids = []
        if self.help_text:
            ids.append(f"{self.auto_id}-hint")
        if self.errors:
            ids.append(f"{self.auto_id}-error")
        return " ".join(ids)


class GovukRenderer(DjangoTemplates):
    field_template_name = "web/includes/field.html"
    bound_field_class = GovukBoundField

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        # Selects, inputs and text areas are written in Python (govuk/widgets.py, the same
        # markup): through Django's templates they were most of a filter form's cost.
        written = widgets.render(template_name, context)
        if written is not None:
            return written
        return str(super().render(template_name, context, request))


# -- the form ------------------------------------------------------------------------------


class GovukForm(forms.Form):
    """A form whose fields render as GOV.UK inputs, with errors tied to their field."""

    default_renderer = GovukRenderer()
    widths: dict[str, str] = {}  # field name -> a govuk-input--width-N or govuk-!-width class
    prefixes: dict[str, str] = {}  # field name -> "£": an amount
    # radio field -> choice -> fields shown only when that choice is made (GOV.UK conditional
    # reveal); a hidden field's errors are not raised (the form's clean() decides).
    reveals: dict[str, dict[str, tuple[str, ...]]] = {}
    option_hints: dict[str, dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, form_field in self.fields.items():
            bound = self[name]
            kind = bound.kind if isinstance(bound, GovukBoundField) else bound.widget_type
            css = CLASSES.get(kind, "govuk-input")
            width = self.widths.get(name, "")
            form_field.widget.attrs["class"] = f"{css} {width}".strip()
            if form_field.help_text and kind not in GROUPED:
                form_field.widget.attrs["aria-describedby"] = f"{bound.auto_id}-hint"
        # A subclass may relabel or drop fields after this: bound fields are made afresh.
        self._bound_fields_cache: dict[str, Any] = {}

    def full_clean(self) -> None:
        super().full_clean()
        self._dress_errors()

    def add_service_error(self, error: Exception) -> None:
        """A domain error from a service, shown as this form's error (never a traceback).

        A ValidationError naming fields goes to those fields when the form has them."""
        if not self.is_bound:
            # A form with no fields posted (release, check) still shows the service's error.
            self.errors  # noqa: B018 - makes the (empty) error dict
            self.cleaned_data = {}
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        elif isinstance(error, ValidationError):
            self.add_error(None, error.messages[0])
        else:
            self.add_error(None, str(error))
        self._dress_errors()

    def _dress_errors(self) -> None:
        for name in self.errors:
            if name not in self.fields:
                continue
            bound = self[name]
            if isinstance(bound, GovukBoundField) and bound.grouped:
                continue  # the fieldset carries aria-describedby
            attrs = self.fields[name].widget.attrs
            css = attrs.get("class", "")
            extra = ERROR_CLASSES.get(css.split(" ")[0], "")
            if extra and extra not in css:
                attrs["class"] = f"{css} {extra}"
            described = [f"{bound.auto_id}-error"]
            if self.fields[name].help_text:
                described.insert(0, f"{bound.auto_id}-hint")
            attrs["aria-describedby"] = " ".join(described)
