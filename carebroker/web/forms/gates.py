"""Decisions at a gate (docs/policies.md §3): the choices each gate knows (engine/gates.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from carebroker.engine.whatif_reader import GATE_CHOICES
from carebroker.providers.models import Provider
from carebroker.web.forms.govuk import GovukForm
from carebroker.web.forms.packages import ProviderChoice

CHOICE_LABELS = {
    "approve": "Approve",
    "accept": "Accept the later start date",
    "continue": "Go on looking",
    "award": "Award to the provider chosen below",
    "accept_part": "Accept the part offer",
    "off_framework": "Go off framework",
    "close": "Close the case",
}
# A referrer's "continue" at unable_to_fill means the search goes on (§6.5).
APPROVALS = ("non_contracted_approval", "sanction_approval")


class GateDecisionForm(GovukForm):
    choice = forms.ChoiceField(label="Decision", widget=forms.RadioSelect)
    provider = ProviderChoice(
        queryset=Provider.objects.none(),
        required=False,
        empty_label="Choose a provider",
    )

    def __init__(self, *args: Any, gate: str, providers: QuerySet[Provider], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate = gate
        choice = self.fields["choice"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [(c, CHOICE_LABELS.get(c, c)) for c in GATE_CHOICES.get(gate, ())]
        choice.error_messages["required"] = "Choose a decision"
        provider = self.fields["provider"]
        assert isinstance(provider, forms.ModelChoiceField)
        provider.queryset = providers
        provider.error_messages["invalid_choice"] = "Choose one of the providers listed"
        if gate == "sanction_approval":
            provider.label = "Sanctioned provider to approve"
        else:
            provider.label = "Provider to award the package to"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needs_provider = data.get("choice") == "award" or self.gate == "sanction_approval"
        if needs_provider and data.get("provider") is None and "provider" not in self.errors:
            self.add_error("provider", "Choose the provider")
        return data

    @property
    def needs_provider(self) -> bool:
        return "award" in GATE_CHOICES.get(self.gate, ()) or self.gate == "sanction_approval"
