"""The code forms of two-factor sign-in: GOV.UK's one-time code input (security code)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from carebroker.lib.numbers import is_whole_number
from carebroker.web.forms.govuk import GovukForm

CODE_DIGITS = 6


class SecurityCodeForm(GovukForm):
    """The 6 digits an authenticator app shows; spaces people type are ignored."""

    code = forms.CharField(
        label="Security code",
        help_text="The 6-digit code your authenticator app shows for carebroker",
        error_messages={"required": "Enter the security code"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "autocapitalize": "none",
            }
        ),
    )
    widths = {"code": "govuk-input--width-5"}

    def clean_code(self) -> str:
        code = "".join(str(self.cleaned_data["code"]).split())
        if not is_whole_number(code):
            raise ValidationError("The security code must be 6 numbers, like 123456")
        if len(code) != CODE_DIGITS:
            raise ValidationError("The security code must be 6 numbers")
        return code

    def wrong(self, message: str) -> None:
        self.add_error("code", message)
        self._dress_errors()


class RecoveryCodeForm(GovukForm):
    """One of the ten recovery codes given when two-factor sign-in was set up."""

    code = forms.CharField(
        label="Recovery code",
        help_text="One of the 8-character codes you saved when you set up two-factor sign-in",
        error_messages={"required": "Enter a recovery code"},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )
    widths = {"code": "govuk-input--width-10"}

    def wrong(self, message: str) -> None:
        self.add_error("code", message)
        self._dress_errors()
