"""Portal forms in GOV.UK words: each error names the field and says what to do."""

from __future__ import annotations

import re
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django import forms

from carebroker.engine.policy import Policy, Stage
from carebroker.govuk.forms import GovukDateField, GovukForm
from carebroker.lib.london import LONDON
from carebroker.lib.postcodes import PostcodeError, parse_district
from carebroker.providers.declines import DECLINE_REASONS

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
    "withdraw": "Withdraw our offer",
    # after an assessment the provider asked for (docs/policies.md §4.2)
    "assessment_accept": "We have assessed the person and take the package",
    "assessment_decline": "We have assessed the person and cannot take the package",
}
# Before a tender's deadline an offer may still move (docs/policies.md §6.3): change or withdraw.
CHANGE_ACTIONS = ("offer", "withdraw")
# Stage kinds whose award compares prices (docs/policies.md §3 best_price; §4 open market:
# providers propose rates): an offer there must carry an hourly rate.
RATE_REQUIRED = ("tender", "open_market")
COVERAGE = (("full", "Yes, all of it"), ("part", "Only part of it"))


def asks_rate(policy: Policy, stage: Stage) -> bool:
    """Whether an offer in `stage` names an hourly rate: where the award compares prices
    (a tender; an open market taking rate proposals), or where each provider is paid its own
    price (`award_rate = "provider"`, Kent). Where every award is at the framework rate
    (Essex, docs/policies.md §4) the rate is fixed and no provider is asked for one."""
    if stage.kind in RATE_REQUIRED and (stage.kind != "open_market" or stage.rate_proposals):
        return True
    return policy.award_rate != "framework"


class RequestFilterForm(GovukForm):
    """Filters of the request list: postcode district and specialism (both optional)."""

    district = forms.CharField(
        label="Postcode district",
        help_text="The part of the postcode before the space, like CO4",
        required=False,
        max_length=8,
    )
    specialism = forms.ChoiceField(label="Specialism", required=False)
    widths = {"district": "govuk-input--width-5"}

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


class AnswerForm(GovukForm):
    """One answer to one request; which actions are offered depends on its stage and round.

    Each action's details are GOV.UK conditional reveals under its radio: shown only when
    that answer is chosen. The hourly rate is asked only where the award compares prices
    (`RATE_REQUIRED`) or the provider sets its own (a non-contracted stage): under a fixed
    framework rate (Essex batch and urgent calls, Kent's contracted providers) it is not.
    """

    action = forms.ChoiceField(
        label="Your answer",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select your answer",
            "invalid_choice": "Select one of the answers this request takes",
        },
    )
    rate = forms.DecimalField(
        label="Hourly rate",
        help_text="In pounds and pence, for example 24.10",
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal("999.99"),
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter the hourly rate as a number, like 24.10",
            "min_value": "Enter an hourly rate above £0",
            "max_value": "Enter an hourly rate below £1,000",
            "max_decimal_places": "Enter the hourly rate in pounds and pence, like 24.10",
        },
    )
    coverage = forms.ChoiceField(
        label="Can you take the whole package?",
        choices=COVERAGE,
        required=False,
        widget=forms.RadioSelect,
    )
    part = forms.CharField(
        label="Which part can you cover?",
        help_text="The days or sessions, for example Saturdays 10am to 4pm, not Sundays",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    start = GovukDateField(
        label="Earliest start date (optional)",
        noun="the start date",
        help_text="For example, 7 12 2026",
        required=False,
    )
    reason = forms.ChoiceField(
        label="Why are you declining?",
        choices=DECLINE_REASONS,
        required=False,
        widget=forms.RadioSelect,
    )
    until_date = GovukDateField(
        label="Date you will answer by",
        noun="the date you will answer by",
        help_text="Before the requested start date, for example 24 11 2026",
        required=False,
    )
    until_time = forms.CharField(
        label="Time you will answer by",
        help_text="For example, 14:00 or 2pm",
        required=False,
        max_length=10,
    )
    text = forms.CharField(
        label="Your question",
        help_text="The council answers every provider asked, so do not include names",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    widths = {"rate": "govuk-input--width-5", "until_time": "govuk-input--width-5"}
    prefixes = {"rate": "£"}

    def __init__(
        self,
        *args: Any,
        actions: tuple[str, ...],
        kind: str,
        now: datetime,
        asks_rate: bool | None = None,
        changing: bool = False,
        **kwargs: Any,
    ) -> None:
        self.asks_rate = kind in RATE_REQUIRED if asks_rate is None else asks_rate
        offer = ("rate", "coverage", "start") if self.asks_rate else ("coverage", "start")
        self.reveals = {
            "action": {
                "offer": offer,
                "decline": ("reason",),
                "considering": ("until_date", "until_time"),
                "query": ("text",),
                "assessment_accept": ("start",),
            },
            "coverage": {"part": ("part",)},
        }
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.now = now
        self.fields["action"].choices = [(a, ACTION_LABELS[a]) for a in actions]
        if changing:
            self.fields["action"].choices = [
                (a, "Change our offer" if a == "offer" else ACTION_LABELS[a]) for a in actions
            ]
            self.fields["action"].label = "Change or withdraw your offer"
        self.fields["reason"].error_messages["invalid_choice"] = "Select a reason from the list"
        if not self.asks_rate:
            del self.fields["rate"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        # Only the chosen answer's details count: a hidden reveal's errors are dropped.
        shown = set(self.reveals["action"].get(str(action), ()))
        if "coverage" in shown and data.get("coverage") == "part":
            shown.add("part")
        for name in list(self.errors):
            if name in ALL_DETAILS and name not in shown:
                del self.errors[name]
        if action == "offer":
            priced = self.kind in RATE_REQUIRED and "rate" in self.fields
            if data.get("rate") is None and priced and "rate" not in self.errors:
                self.add_error("rate", "Enter your hourly rate: this award compares prices")
            if not data.get("coverage"):
                data["coverage"] = "full"
            if data["coverage"] == "part" and not str(data.get("part") or "").strip():
                self.add_error("part", "Say which days or sessions you can cover")
        if action == "decline" and not data.get("reason") and "reason" not in self.errors:
            self.add_error("reason", "Select why you are declining")
        if action == "considering":
            self._clean_until(data)
        if action == "query" and not str(data.get("text") or "").strip():
            self.add_error("text", "Enter your question")
        if action == "assessment_accept" and not data.get("start") and "start" not in self.errors:
            # docs/policies.md §4.2: the provider accepts with its earliest safe start date
            self.add_error("start", "Enter the earliest date you can safely start")
        return data

    def _clean_until(self, data: dict[str, Any]) -> None:
        day = data.get("until_date")
        if "until_date" in self.errors:
            return
        if day is None:
            self.add_error("until_date", "Enter the date you will answer by")
            return
        at = parse_time(str(data.get("until_time") or ""))
        if at is None:
            self.add_error("until_time", "Enter the time you will answer by, like 14:00 or 2pm")
            return
        until = datetime.combine(day, at, tzinfo=LONDON)
        if until <= self.now:
            self.add_error("until_date", "The time you will answer by must be in the future")
            return
        data["until"] = until


ALL_DETAILS = ("rate", "coverage", "part", "start", "reason", "until_date", "until_time", "text")


def parse_time(text: str) -> time | None:
    """ "14:00", "14.00", "2pm", "2:30pm" as a time of day, or None."""
    match = re.fullmatch(r"\s*(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\s*", text.lower())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if match.group(3):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match.group(3) == "pm" else 0)
    elif match.group(2) is None:
        return None  # a bare "14" could be a date: ask for 14:00
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


# A batch report is a few hundred rows (tens of kilobytes); far less than the importer's own
# ceiling (exchange/sheets.py MAX_BYTES), so a stray large upload is refused at once.
MAX_RETURN_BYTES = 5 * 1024 * 1024
RETURN_SUFFIXES = (".xlsx", ".csv")


class InterestReturnForm(GovukForm):
    """A ticked batch report (or a list of Mosaic IDs) sent back through the portal."""

    file = forms.FileField(
        label="Upload your ticked batch report",
        help_text=(
            'The .xlsx batch report we sent, with Y under "Tick to request ISP" for each '
            'package you are interested in, or a .csv with a "Mosaic ID" column. Smaller '
            "than 5 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
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


class CapacityForm(GovukForm):
    """What the provider can take in one area until a day (docs/policies.md §8)."""

    area = forms.ChoiceField(
        label="Area",
        error_messages={
            "required": "Select the area",
            "invalid_choice": "Select one of the areas you serve",
        },
    )
    unit = forms.ChoiceField(
        label="What you are telling us about",
        choices=(("packages", "New packages"), ("hours", "Hours of care per week")),
        widget=forms.RadioSelect,
        error_messages={"required": "Select new packages or hours of care per week"},
    )
    amount = forms.IntegerField(
        label="How many you can take",
        help_text="0 if you cannot take any at the moment",
        min_value=0,
        max_value=9999,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": "Enter how many you can take, or 0",
            "invalid": "Enter how many you can take as a whole number, like 3",
            "min_value": "Enter how many you can take: 0 or more",
            "max_value": "Enter how many you can take: below 10,000",
        },
    )
    until = GovukDateField(
        label="Until",
        noun="the date this holds until",
        help_text="The last day this holds, for example 31 1 2027",
        error_messages={"required": "Enter the date this holds until"},
    )
    widths = {"amount": "govuk-input--width-5"}

    def __init__(self, *args: Any, areas: list[tuple[str, str]], today: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "Select an area"), *areas]
        self.today = today

    def clean_until(self) -> Any:
        day = self.cleaned_data.get("until")
        if day is not None and day < self.today:
            raise forms.ValidationError("The date this holds until must be today or later")
        return day
