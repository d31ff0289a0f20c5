"""Decisions at a gate (docs/policies.md §3): approve, refuse or return with a reason.

The choices are the engine's (engine/gates.py): each gate's own way to go on, a refusal
where the gate has one, and `return` (back to the brokers with a reason, the package
staying at the gate) for a gate a manager decides.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from carebroker.providers.models import Provider
from carebroker.web.forms.govuk import GovukForm
from carebroker.web.forms.packages import ProviderChoice

# gate -> (choice, words) in the order offered; `{brokers}` is the council's word.
GATE_DECISIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "non_contracted_approval": (
        ("approve", "Approve: ask non-contracted providers rated Good or Outstanding"),
        ("refuse", "Refuse: no non-contracted provider, so the package is unfilled"),
    ),
    "later_start": (
        ("accept", "Accept the later start date and award"),
        ("continue", "Refuse the later start: ask the next provider"),
    ),
    "open_market_choice": (
        ("award", "Award to one of the offers"),
        ("continue", "None of these: keep the package on the open market list"),
    ),
    "mini_competition": (("award", "Award to the winner of the mini-competition"),),
    "part_offer": (
        ("accept_part", "Accept the part offer"),
        ("off_framework", "Go to providers off the framework"),
        ("close", "Close the case"),
    ),
    "unable_to_fill": (
        ("continue", "Go on looking"),
        ("close", "Close the case"),
    ),
    "sanction_approval": (("approve", "Approve"),),
}
RETURN = ("return", "Return to {brokers} with a reason")
CHOICE_LABELS = {c: label for choices in GATE_DECISIONS.values() for c, label in choices}
# A manager's approval of these gates is an `approve` input, not a `decide` (engine/gates.py).
APPROVALS = ("non_contracted_approval", "sanction_approval")


class GateDecisionForm(GovukForm):
    choice = forms.ChoiceField(label="Your decision", widget=forms.RadioSelect)
    provider = ProviderChoice(
        queryset=Provider.objects.none(),
        required=False,
        empty_label="Choose a provider",
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept on the package's timeline",
    )

    def __init__(
        self,
        *args: Any,
        gate: str,
        providers: QuerySet[Provider],
        brokers: str = "the brokers",
        may_return: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.gate = gate
        choices = list(GATE_DECISIONS.get(gate, ()))
        if may_return:
            choices.append((RETURN[0], RETURN[1].format(brokers=brokers)))
        choice = self.fields["choice"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = choices
        choice.error_messages["required"] = "Choose a decision"
        provider = self.fields["provider"]
        assert isinstance(provider, forms.ModelChoiceField)
        provider.queryset = providers
        provider.error_messages["invalid_choice"] = "Choose one of the providers listed"
        if gate == "sanction_approval":
            provider.label = "Sanctioned provider to approve for this package"
        else:
            provider.label = "Provider to award the package to"
        # GOV.UK conditional reveals: the provider under "award", the reason under "return".
        reveal: dict[str, tuple[str, ...]] = {}
        if "award" in dict(choices):
            reveal["award"] = ("provider",)
        if may_return:
            reveal["return"] = ("reason",)
        self.reveals = {"choice": reveal}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needs_provider = data.get("choice") == "award" or self.gate == "sanction_approval"
        if needs_provider and data.get("provider") is None and "provider" not in self.errors:
            self.add_error("provider", "Choose the provider")
        if data.get("choice") == "return" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Enter why you are returning the decision")
        return data

    @property
    def needs_provider(self) -> bool:
        return self.gate == "sanction_approval"
