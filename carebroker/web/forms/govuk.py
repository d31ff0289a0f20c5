"""Django forms dressed as GOV.UK Frontend fields (the `web/includes/field.html` include).

Widgets get the GOV.UK classes when the form is made; after validation a field in error
gets the error class and `aria-describedby` pointing at its message, so a screen reader
reads the error with the field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

CLASSES = {
    "select": "govuk-select",
    "textarea": "govuk-textarea",
    "checkbox": "govuk-checkboxes__input",
    "checkboxselectmultiple": "govuk-checkboxes__input",
    "radioselect": "govuk-radios__input",
}
ERROR_CLASSES = {"govuk-input": "govuk-input--error", "govuk-select": "govuk-select--error"}
ERROR_CLASSES["govuk-textarea"] = "govuk-textarea--error"


class GovukForm(forms.Form):
    """A form whose fields render as GOV.UK inputs, with errors tied to their field."""

    widths: dict[str, str] = {}  # field name -> a govuk-input--width-N or govuk-!-width class

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            kind = field.widget.__class__.__name__.lower().removesuffix("input")
            css = CLASSES.get(kind, CLASSES.get(self[name].widget_type, "govuk-input"))
            width = self.widths.get(name, "")
            field.widget.attrs["class"] = f"{css} {width}".strip()
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}-hint"

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
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        elif isinstance(error, ValidationError):
            self.add_error(None, error.messages[0])
        else:
            self.add_error(None, str(error))
        self._dress_errors()

    def _dress_errors(self) -> None:
        for name in self.errors:
            if name not in self.fields:
                continue
            attrs = self.fields[name].widget.attrs
            css = attrs.get("class", "")
            extra = ERROR_CLASSES.get(css.split(" ")[0], "")
            if extra and extra not in css:
                attrs["class"] = f"{css} {extra}"
            described = [f"{self[name].auto_id}-error"]
            if self.fields[name].help_text:
                described.insert(0, f"{self[name].auto_id}-hint")
            attrs["aria-describedby"] = " ".join(described)
