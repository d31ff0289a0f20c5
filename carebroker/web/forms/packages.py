"""The broker's package forms: list filters, a phone answer, award by hand, hold, cancel."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet

from carebroker.councils.models import Area
from carebroker.engine.vocabulary import LIVE
from carebroker.providers.models import Provider
from carebroker.sourcing.models import PackageStatus
from carebroker.web.forms.govuk import GovukForm

RAGS = [("", "Any"), ("green", "Green"), ("amber", "Amber"), ("red", "Red")]
URGENCY = [("", "Any"), ("urgent", "Urgent only"), ("routine", "Not urgent")]
LIVE_STATUSES = [("", "Any live package")] + [
    (status.value, status.label) for status in PackageStatus if status in LIVE
]
FULL_WIDTH = "govuk-!-width-full"
SORTS = [("longest", "Longest waiting first"), ("shortest", "Shortest waiting first")]

# What a provider may say (engine/scenario.py PROVIDER_ACTIONS), as a broker reads it.
ANSWER_KINDS = [
    ("interest", "Interested (batch: send the ISP)"),
    ("offer", "Offer (with rate and coverage)"),
    ("accept", "Accept (cascade)"),
    ("decline", "Decline (with a reason code)"),
    ("considering", "Still considering (until a time)"),
    ("query", "Query (a question)"),
    ("assessment", "Asks to assess first"),
    ("assessment_done", "Assessment done"),
]


class PackageFilterForm(GovukForm):
    """The list's filters, sent as GET so a filtered list is a link to share."""

    area = forms.ModelChoiceField(queryset=Area.objects.none(), required=False, empty_label="Any")
    status = forms.ChoiceField(choices=LIVE_STATUSES, required=False)
    stage = forms.ChoiceField(choices=[("", "Any")], required=False)
    urgency = forms.ChoiceField(choices=URGENCY, required=False)
    rag = forms.ChoiceField(choices=RAGS, required=False, label="RAG")
    sort = forms.ChoiceField(choices=SORTS, required=False, label="Sort by")
    widths = dict.fromkeys(("area", "status", "stage", "urgency", "rag", "sort"), FULL_WIDTH)

    def __init__(
        self, *args: Any, areas: QuerySet[Area], stages: list[tuple[str, str]], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        area_field = self.fields["area"]
        assert isinstance(area_field, forms.ModelChoiceField)
        area_field.queryset = areas
        stage_field = self.fields["stage"]
        assert isinstance(stage_field, forms.ChoiceField)
        stage_field.choices = [("", "Any"), *stages]


class ProviderChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class PhoneAnswerForm(GovukForm):
    """A provider's answer taken by telephone (actions.do_record_phone_answer)."""

    provider = ProviderChoice(queryset=Provider.objects.none(), empty_label="Choose a provider")
    action = forms.ChoiceField(choices=ANSWER_KINDS, label="Answer", widget=forms.RadioSelect)
    rate = forms.DecimalField(
        required=False,
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0.01"),
        label="Hourly rate (£)",
        help_text="For an offer, for example 24.10",
    )
    coverage = forms.ChoiceField(
        choices=[("", "Not given"), ("full", "In full"), ("part", "In part")],
        required=False,
        label="Coverage",
    )
    reason = forms.CharField(
        required=False, max_length=300, label="Reason code", help_text="For a decline, e.g. D2"
    )
    until = forms.DateTimeField(
        required=False,
        label="Considering until",
        help_text="Date and time of the definite answer",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    start = forms.DateField(
        required=False,
        label="Earliest start date",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    text = forms.CharField(
        required=False, label="What they said", widget=forms.Textarea(attrs={"rows": 3})
    )
    widths = {"rate": "govuk-input--width-5", "reason": "govuk-input--width-10"}

    def __init__(self, *args: Any, providers: QuerySet[Provider], now: datetime, **kw: Any):
        super().__init__(*args, **kw)
        field = self.fields["provider"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = providers
        self.now = now

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == "offer" and data.get("rate") is None and "rate" not in self.errors:
            self.add_error("rate", "Enter the hourly rate offered, for example 24.10")
        if action == "considering":
            until = data.get("until")
            if until is None and "until" not in self.errors:
                self.add_error("until", "Enter the date and time of their definite answer")
            elif until is not None and until <= self.now:
                self.add_error("until", "The time of the definite answer must be in the future")
        if action == "query" and not data.get("text"):
            self.add_error("text", "Enter the provider's question")
        return data

    def answer(self) -> dict[str, object]:
        """The answer as `do_record_phone_answer` takes it (only the fields given)."""
        data = self.cleaned_data
        fields = ("rate", "coverage", "reason", "until", "start", "text")
        answer: dict[str, object] = {"action": data["action"]}
        answer.update({name: data[name] for name in fields if data.get(name) not in (None, "")})
        return answer


class AwardForm(GovukForm):
    """Award by hand, overriding the stage's rule: a reason is required (audited); before a
    tender's deadline an override reason too (docs/policies.md §6.3)."""

    provider = ProviderChoice(queryset=Provider.objects.none(), empty_label="Choose a provider")
    reason = forms.CharField(
        label="Why the rule is overridden",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the award overrides the rule"},
    )
    override_reason = forms.CharField(
        label="Why the tender's deadline is overridden (only before a tender's deadline)",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, providers: QuerySet[Provider], **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["provider"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = providers
        field.error_messages["required"] = "Choose the provider to award the package to"
        field.error_messages["invalid_choice"] = "Choose a provider of this council"


class ReasonForm(GovukForm):
    """Hold or cancel: the reason is kept on the timeline."""

    reason = forms.CharField(
        label="Reason",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter the reason"},
    )
