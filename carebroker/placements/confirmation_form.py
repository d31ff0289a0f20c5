"""Kent's Provider Confirmation Form as a form (docs/policies.md §5 After acceptance): the
start date (GOV.UK date input), the call times and notes about the carers. The provider
fills it in the portal (portal/confirmation.py); a broker fills it from a phone call on the
package page (web/views/after_award.py). A start date before today is refused on its field.
"""

from __future__ import annotations

from datetime import datetime

from django import forms

from carebroker.govuk.forms import GovukDateField, GovukForm
from carebroker.lib.london import LONDON

START_BEFORE_TODAY = "The start date must be today or in the future"
NOTES_LENGTH = 2000


class ConfirmationForm(GovukForm):
    start = GovukDateField(
        label="Start date",
        noun="the start date",
        help_text="The first day of care, for example 7 12 2026",
        error_messages={"required": "Enter the start date"},
    )
    call_times = forms.CharField(
        label="Call times",
        help_text="For example, 08:00 to 08:45 and 18:00 to 18:30 every day",
        max_length=300,
        error_messages={
            "required": "Enter the call times",
            "max_length": "The call times must be 300 characters or fewer",
        },
    )
    carer_notes = forms.CharField(
        label="Notes about the carers (optional)",
        help_text="For example, who will visit first, or anything the council should know",
        required=False,
        max_length=NOTES_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "The notes must be 2,000 characters or fewer"},
    )

    def __init__(self, *args: object, now: datetime, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.today = now.astimezone(LONDON).date()

    def clean_start(self) -> object:
        start = self.cleaned_data["start"]
        if start is not None and start < self.today:  # docs/policies.md §5 After acceptance
            raise forms.ValidationError(START_BEFORE_TODAY)
        return start
