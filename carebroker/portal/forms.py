"""Portal forms in GOV.UK words: each error names the field and says what to do."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django import forms

from carebroker.lib.postcodes import PostcodeError, parse_district

# Which answers a request takes, by stage kind and round: the engine's own table
# (engine/stages/__init__.py _ANSWERS), less what the portal does not offer there.
ANSWERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("batch", "interest"): ("interest", "decline"),
    ("batch", "offer"): ("offer", "assessment", "decline"),
    ("cascade", "offer"): ("accept", "offer", "considering", "query", "decline"),
    ("tender", "offer"): ("offer", "query", "decline"),
    ("open_market", "offer"): ("offer", "decline"),
}
ACTION_LABELS = {
    "interest": "Interested: send us the details",
    "accept": "Accept the package",
    "offer": "Make an offer",
    "assessment": "Ask to assess the person first",
    "considering": "Still considering: we will answer by a set time",
    "query": "Ask a question",
    "decline": "Decline",
}
# Stage kinds whose award compares prices (docs/policies.md §3 best_price; §4 open market:
# providers propose rates): an offer there must carry an hourly rate.
RATE_REQUIRED = ("tender", "open_market")
# No seed lists decline codes for providers; these are fixed here (Leics asks for "a
# reason code", docs/policies.md §6.3).
DECLINE_REASONS = (
    ("no_capacity", "No carers free for these hours"),
    ("area", "We do not cover this area"),
    ("call_times", "We cannot meet the call times"),
    ("needs", "We cannot meet these needs"),
    ("start_date", "We cannot start by the requested date"),
    ("other", "Another reason"),
)
COVERAGE = (("full", "In full"), ("part", "In part"))


class RequestFilterForm(forms.Form):
    """Filters of the request list: postcode district and specialism (both optional)."""

    district = forms.CharField(label="Postcode district", required=False, max_length=8)
    specialism = forms.ChoiceField(label="Specialism", required=False)

    def __init__(self, *args: Any, specialisms: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["specialism"].choices = [("", "Any specialism")] + [
            (name, name.capitalize()) for name in specialisms
        ]
        self.fields["district"].error_messages["max_length"] = (
            "Enter a postcode district like CO4 (at most 4 characters)"
        )

    def clean_district(self) -> str:
        value = str(self.cleaned_data.get("district") or "").strip()
        if not value:
            return ""
        try:
            return parse_district(value)
        except PostcodeError:
            raise forms.ValidationError(
                "Enter a postcode district like CO4 or LE3 (the part before the space)"
            ) from None


class InterestForm(forms.Form):
    """Tick several batch packages to say the organisation is interested in all of them."""

    requests = forms.TypedMultipleChoiceField(
        label="Packages you are interested in",
        coerce=int,
        error_messages={
            "required": "Select at least one package you are interested in",
            "invalid_choice": "Select packages from the list: one is no longer open to interest",
        },
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requests"].choices = choices


class AnswerForm(forms.Form):
    """One answer to one request; which actions are offered depends on its stage and round."""

    action = forms.ChoiceField(
        label="Your answer",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select your answer",
            "invalid_choice": "Select one of the answers this request takes",
        },
    )
    rate = forms.DecimalField(
        label="Hourly rate in pounds",
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal("999.99"),
        decimal_places=2,
        error_messages={
            "invalid": "Enter the hourly rate as a number, like 24.10",
            "min_value": "Enter an hourly rate above £0",
            "max_value": "Enter an hourly rate below £1,000",
            "max_decimal_places": "Enter the hourly rate in pounds and pence, like 24.10",
        },
    )
    coverage = forms.ChoiceField(
        label="Can you take the package in full?", choices=COVERAGE, required=False
    )
    start = forms.DateField(
        label="Earliest start date (optional)",
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Enter the start date like 2026-12-07"},
    )
    reason = forms.ChoiceField(
        label="Why are you declining?", choices=DECLINE_REASONS, required=False
    )
    until = forms.DateTimeField(
        label="We will answer by",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"invalid": "Enter the date and time like 2026-11-24 14:00"},
    )
    text = forms.CharField(label="Your question", required=False, max_length=2000)

    def __init__(
        self, *args: Any, actions: tuple[str, ...], kind: str, now: datetime, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.now = now
        self.fields["action"].choices = [(a, ACTION_LABELS[a]) for a in actions]
        self.fields["reason"].error_messages["invalid_choice"] = "Select a reason from the list"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == "offer":
            if (
                data.get("rate") is None
                and self.kind in RATE_REQUIRED
                and "rate" not in self.errors
            ):
                self.add_error("rate", "Enter your hourly rate: this award compares prices")
            if not data.get("coverage"):
                data["coverage"] = "full"
        if action == "decline" and not data.get("reason") and "reason" not in self.errors:
            self.add_error("reason", "Select why you are declining")
        if action == "considering" and "until" not in self.errors:
            until = data.get("until")
            if until is None:
                self.add_error("until", "Enter the date and time you will answer by")
            elif until <= self.now:
                self.add_error("until", "Enter a date and time in the future")
        if action == "query" and not str(data.get("text") or "").strip():
            self.add_error("text", "Enter your question")
        return data


# A batch report is a few hundred rows (tens of kilobytes); far less than the importer's own
# ceiling (exchange/sheets.py MAX_BYTES), so a stray large upload is refused at once.
MAX_RETURN_BYTES = 5 * 1024 * 1024
RETURN_SUFFIXES = (".xlsx", ".csv")


class InterestReturnForm(forms.Form):
    """A ticked batch report (or a list of Mosaic IDs) sent back through the portal."""

    file = forms.FileField(
        label="Upload your ticked batch report",
        error_messages={
            "required": "Select the ticked batch report to upload",
            "empty": "The selected file is empty",
            "invalid": "Select the ticked batch report to upload",
        },
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_RETURN_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 5 MB")
        if not str(upload.name).lower().endswith(RETURN_SUFFIXES):
            raise forms.ValidationError(
                "The selected file must be the .xlsx batch report we sent, or a .csv of Mosaic IDs"
            )
        return upload
