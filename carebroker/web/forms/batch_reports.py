"""The broker's request for a day's batch reports, built in the background."""

from __future__ import annotations

from django import forms

from carebroker.web.forms.govuk import GovukForm


class BatchReportForm(GovukForm):
    day = forms.DateField(
        label="Batch date",
        help_text="The day the batch was issued",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the batch date",
            "invalid": "Enter the batch date as a real date, like 20/11/2026",
        },
    )
