"""The broker's package forms: list filters, a phone answer, award by hand, hold, cancel."""

from __future__ import annotations

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
SORTS = [
    ("longest", "Longest waiting first"),
    ("shortest", "Shortest waiting first"),
    ("name", "Name, A to Z"),
    ("start", "Preferred start, soonest first"),
    ("mosaic", "Mosaic ID"),
]


class PackageFilterForm(GovukForm):
    """The list's filters, sent as GET so a filtered list is a link to share."""

    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search by name, Mosaic ID or postcode",
        help_text="For example Smith, 5571497 or CO4 3SQ",
    )
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
