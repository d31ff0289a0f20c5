"""The manager's form to start a policy simulation: a name, the weeks to replay, and the
edited policy, checked as `carebroker policy check` checks a file (every bad field named)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from carebroker.engine.policy import PolicyError
from carebroker.govuk.forms import GovukForm
from carebroker.reports.simulator import MAX_WEEKS, read_policy

WEEKS_MESSAGE = f"Enter the number of weeks to replay, a whole number from 1 to {MAX_WEEKS}"


class SimulationForm(GovukForm):
    widths = {
        "name": "govuk-!-width-two-thirds",
        "weeks": "govuk-input--width-3",
        "policy": "carebroker-policy-text",  # monospace: the file's columns line up
    }

    name = forms.CharField(
        label="Name of this simulation",
        help_text="What you are trying, for example: a 4 hour tender window",
        max_length=100,
        error_messages={
            "required": "Enter a name for this simulation",
            "max_length": "The name must be 100 characters or fewer",
        },
    )
    weeks = forms.IntegerField(
        label="Weeks of packages to replay",
        help_text=f"Your council's packages referred in this many weeks up to today "
        f"(1 to {MAX_WEEKS})",
        min_value=1,
        max_value=MAX_WEEKS,
        error_messages={
            "required": WEEKS_MESSAGE,
            "invalid": WEEKS_MESSAGE,
            "min_value": WEEKS_MESSAGE,
            "max_value": WEEKS_MESSAGE,
        },
    )
    policy = forms.CharField(
        label="Edited policy",
        help_text="A copy of your council's policy file. Change what you want to try; "
        "your council's own policy is not changed.",
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
        strip=False,
        error_messages={"required": "Enter the policy to try"},
    )

    def clean_policy(self) -> str:
        text: str = self.cleaned_data["policy"]
        try:
            read_policy(text)
        except PolicyError as error:
            raise ValidationError([f"Policy: {message}" for message in error.errors]) from None
        return text
