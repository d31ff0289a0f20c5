"""A provider's answer to one open request, taken by telephone (issue 10 item 7).

The provider is the request's (chosen by the "Record answer" button on its row, never from
a list), and only the answers that request's round takes are offered (engine/stages
`answers_taken`); each answer reveals only its own fields (GOV.UK conditional reveals), and a
decline's reason is chosen from the reasons providers give, in words.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django import forms

from carebroker.govuk.forms import GovukDateField, GovukForm
from carebroker.reports.words import REASONS

DECLINE_REASONS = [
    (code, REASONS[code])
    for code in ("no_capacity", "area", "call_times", "needs", "start_date", "other")
]
ANSWER_WORDS = {
    "interest": "Interested",
    "offer": "Offers to take the package",
    "accept": "Accepts the package",
    "decline": "Declines",
    "considering": "Still considering",
    "query": "Has a question",
    "assessment": "Wants to assess the person first",
    # after the assessment it asked for (docs/policies.md §4.2 `assessment_done`)
    "assessment_accept": "Assessment done: takes the package",
    "assessment_decline": "Assessment done: cannot take the package",
}
ISP_INTEREST = "Interested: send the ISP"  # Essex's batch (docs/policies.md §4.2)
REVEALS = {
    "offer": ("rate", "coverage", "start"),
    "accept": ("start",),
    "decline": ("reason",),
    "considering": ("until",),
    "query": ("text",),
    "assessment_accept": ("start",),
}


class RequestAnswerForm(GovukForm):
    action = forms.ChoiceField(label="What did they say?", widget=forms.RadioSelect)
    rate = forms.DecimalField(
        required=False,
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0.01"),
        label="Hourly rate",
        help_text="For example 24.10",
    )
    coverage = forms.ChoiceField(
        choices=[("full", "All of the package"), ("part", "Part of the package")],
        required=False,
        initial="full",
        label="How much of the package",
        widget=forms.RadioSelect,
    )
    start = GovukDateField(
        required=False, label="Earliest start date", help_text="For example, 7 12 2026"
    )
    reason = forms.ChoiceField(
        choices=[("", "Choose a reason"), *DECLINE_REASONS], required=False, label="Why?"
    )
    until = forms.DateTimeField(
        required=False,
        label="When they will answer",
        help_text="Day, month, year and time, for example 2 12 2026 14:00",
        input_formats=["%d %m %Y %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M"],
    )
    text = forms.CharField(
        required=False, label="Their question", widget=forms.Textarea(attrs={"rows": 3})
    )
    prefixes = {"rate": "£"}
    widths = {"rate": "govuk-input--width-5", "until": "govuk-input--width-20"}

    def __init__(self, *args: Any, answers: tuple[str, ...], isp: bool, now: datetime, **kw: Any):
        super().__init__(*args, **kw)
        action = self.fields["action"]
        assert isinstance(action, forms.ChoiceField)
        words = {**ANSWER_WORDS, **({"interest": ISP_INTEREST} if isp else {})}
        action.choices = [(answer, words.get(answer, answer)) for answer in answers]
        action.error_messages["required"] = "Choose what the provider said"
        self.reveals = {
            "action": {answer: REVEALS[answer] for answer in answers if answer in REVEALS}
        }
        self.now = now

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == "offer" and data.get("rate") is None and "rate" not in self.errors:
            self.add_error("rate", "Enter the hourly rate offered, for example 24.10")
        if action == "decline" and not data.get("reason") and "reason" not in self.errors:
            self.add_error("reason", "Choose why the provider declines")
        if action == "considering":
            until = data.get("until")
            if until is None and "until" not in self.errors:
                self.add_error("until", "Enter when the provider will answer")
            elif until is not None and until <= self.now:
                self.add_error("until", "When the provider will answer must be in the future")
        if action == "query" and not (data.get("text") or "").strip():
            self.add_error("text", "Enter the provider's question")
        if action == "assessment_accept" and not data.get("start") and "start" not in self.errors:
            self.add_error("start", "Enter the earliest date the provider can safely start")
        return data

    def answer(self) -> dict[str, object]:
        """The answer as `actions.do_record_phone_answer` takes it: only the chosen answer's
        own fields."""
        data = self.cleaned_data
        action = data["action"]
        answer: dict[str, object] = {"action": action}
        if action in ("assessment_accept", "assessment_decline"):
            # one engine answer, `assessment_done`, that says whether it takes the package
            answer = {"action": "assessment_done", "accept": action == "assessment_accept"}
        for name in REVEALS.get(action, ()):
            if data.get(name) not in (None, ""):
                answer[name] = data[name]
        return answer
