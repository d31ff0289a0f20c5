"""The review (PIR) outcome form (docs/policies.md §5 Reviews): GOV.UK radios, the new
hours revealed under "change hours", and notes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from carebroker.engine.reviews import OUTCOMES
from carebroker.govuk.forms import GovukForm


class ReviewForm(GovukForm):
    outcome = forms.ChoiceField(
        label="What was the outcome of the review?",
        choices=list(OUTCOMES.items()),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the outcome of the review",
            "invalid_choice": "Select one of the outcomes listed",
        },
    )
    hours_per_week = forms.DecimalField(
        label="New hours a week",
        help_text="For example 10.5",
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.25"),
        max_value=Decimal("168"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter the new hours a week as a number, like 10.5",
            "min_value": "Enter the new hours a week: at least 0.25",
            "max_value": "Enter the new hours a week: at most 168",
            "max_decimal_places": "Enter the new hours a week to 2 decimal places at most",
            "max_digits": "Enter the new hours a week: at most 168",
        },
    )
    notes = forms.CharField(
        label="Notes from the review",
        help_text="The referrer is sent these with the outcome",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "Keep the notes to 1,000 characters"},
    )
    widths = {"hours_per_week": "govuk-input--width-5"}
    reveals = {"outcome": {"change_hours": ("hours_per_week",)}}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") != "change_hours":
            self.errors.pop("hours_per_week", None)  # a hidden reveal's errors do not count
            data["hours_per_week"] = None
        elif data.get("hours_per_week") is None and "hours_per_week" not in self.errors:
            self.add_error("hours_per_week", "Enter the new hours a week, like 10.5")
        return data
