"""Questions from providers on the package page (docs/policies.md §6.3): each `query` event with
its answer, or a form to answer it; the answer goes to every provider approached."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from carebroker.sourcing.models import Package, TimelineEvent
from carebroker.web.forms.govuk import GovukForm


class QueryAnswerForm(GovukForm):
    """The broker's answer to one provider's question (`question` is its event id)."""

    question = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": "Choose the question to answer"}
    )
    shared = forms.CharField(
        label="The question as providers will see it",
        help_text="Take out any price, name or phone number: it goes to every provider approached.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    answer = forms.CharField(
        label="Your answer",
        help_text="Every provider approached gets it with the question. Do not name the person.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the answer to the question"},
    )


PREFIX = "query"


def answer_form(question: object, data: Any = None, **kw: Any) -> QueryAnswerForm:
    """The form for one question: the same field names for all, ids unique on the page."""
    key = str(question) if str(question).isdigit() else "x"
    return QueryAnswerForm(data, prefix=PREFIX, auto_id=f"id_q{key}_%s", **kw)


@dataclass(frozen=True)
class Question:
    """A provider's question, its answer (once given) and the form to answer it."""

    event: TimelineEvent
    provider: str
    answer: TimelineEvent | None
    form: QueryAnswerForm


def questions_of(
    package: Package, names: dict[int, str], bound: QueryAnswerForm | None = None
) -> list[Question]:
    """The package's questions in the order asked; `bound` (in error) replaces its blank form."""
    events = list(package.timeline.filter(type__in=("query", "query_answered")).order_by("id"))
    answers: dict[Any, TimelineEvent] = {}
    for event in events:
        if event.type == "query_answered":
            answers.setdefault(event.details.get("question_event"), event)
    bound_id = bound.data.get(f"{PREFIX}-question") if bound is not None else None
    rows = []
    for event in events:
        if event.type != "query":
            continue
        provider = str(event.details.get("provider", ""))
        text = str(event.details.get("text") or "")
        form = answer_form(event.pk, initial={"question": event.pk, "shared": text})
        if bound is not None and str(bound_id) == str(event.pk):
            form = bound
        name = names.get(int(provider), provider) if provider.isdigit() else provider
        rows.append(Question(event, name, answers.get(event.pk), form))
    return rows
