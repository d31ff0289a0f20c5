"""The referrer's other referral forms: a returned referral corrected, the broker's return
and check. The referral form itself is shared with the API (`sourcing/referral_form.py`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from carebroker.councils.models import Council
from carebroker.govuk.forms import GovukDateField, GovukForm
from carebroker.sourcing.models import Package
from carebroker.sourcing.referral_form import (
    DocumentsField,
    ReferralForm,
    policy_documents,
)

__all__ = ["CheckForm", "ReferralForm", "ResubmitForm", "ReturnForm"]


class ResubmitForm(GovukForm):
    """A returned referral corrected and sent again: the documents it now carries (this
    council's), and the hours, start date and needs as they should be. A field left blank
    keeps what the referral said."""

    hours_per_week = forms.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.25"),
        max_value=Decimal("168"),
        required=False,
        label="Hours a week",
    )
    preferred_start = GovukDateField(
        label="Preferred start date",
        noun="the start date",
        help_text="For example, 7 12 2026",
        required=False,
    )
    needs = forms.CharField(required=False, label="Needs", widget=forms.Textarea(attrs={"rows": 4}))
    documents = DocumentsField(
        label="Documents the referral now carries",
        help_text="Tick every document you have sent, including the ones sent before",
    )
    widths = {"hours_per_week": "govuk-input--width-5"}

    def __init__(self, *args: Any, council: Council, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        documents = policy_documents(council)
        if documents:
            self.fields["documents"].choices = [(name, label) for name, label, _ in documents]
            self.option_hints = {"documents": {name: hint for name, _, hint in documents}}
        else:
            del self.fields["documents"]

    def clean_preferred_start(self) -> date | None:
        start: date | None = self.cleaned_data.get("preferred_start")
        if start is not None and start < self.today:
            raise forms.ValidationError("The preferred start date must be today or later")
        return start

    def changed(self, package: Package | None, needs: str) -> list[str]:
        """The words of what the correction changes, for the timeline."""
        data = self.cleaned_data
        changed = []
        if package is not None and data.get("hours_per_week") not in (None, package.hours_per_week):
            changed.append("hours a week")
        if package is not None and data.get("preferred_start") not in (
            None,
            package.preferred_start,
        ):
            changed.append("start date")
        if (data.get("needs") or "").strip() not in ("", needs):
            changed.append("needs")
        return changed


class ReturnForm(GovukForm):
    """The broker returns a referral whose details are wrong or unclear, saying what."""

    reason = forms.CharField(
        label="What is wrong or unclear?",
        help_text="The referrer gets this in an email and on the referral, to correct it",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what is wrong or unclear in the referral"},
    )


class CheckForm(GovukForm):
    """The broker's check: no fields, only its errors (a service's refusal)."""
