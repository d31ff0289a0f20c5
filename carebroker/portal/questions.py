"""A provider's questions on a package and the council's answers, for the portal.

Our own questions (the package's `query` events asked by us) each with the council's answer
or "not answered yet"; and the answers the council gave to other providers' questions, which
go to every provider approached (docs/policies.md §6.3), without saying who asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from carebroker.providers.models import Provider
from carebroker.sourcing.models import Package


@dataclass(frozen=True)
class Exchange:
    """One question and its answer ("" until the council answers)."""

    asked_at: datetime | None
    question: str
    answer: str
    answered_at: datetime | None
    ours: bool


def questions_for(package: Package, provider: Provider) -> list[Exchange]:
    """Our questions, then answers shared with us, in the order asked."""
    events = list(
        package.timeline.filter(type__in=("query", "query_answered")).order_by("at", "id")
    )
    answers = {
        event.details.get("question_event"): event
        for event in events
        if event.type == "query_answered"
    }
    ours = str(provider.pk)
    rows: list[Exchange] = []
    for event in events:
        if event.type == "query" and str(event.details.get("provider", "")) == ours:
            answer = answers.get(event.pk)
            rows.append(
                Exchange(
                    asked_at=event.at,
                    question=str(event.details.get("text") or "Asked by telephone"),
                    answer=str(answer.details.get("answer", "")) if answer else "",
                    answered_at=answer.at if answer else None,
                    ours=True,
                )
            )
        elif event.type == "query_answered" and str(event.details.get("provider", "")) != ours:
            rows.append(
                Exchange(
                    asked_at=None,
                    question=str(event.details.get("question", "")),
                    answer=str(event.details.get("answer", "")),
                    answered_at=event.at,
                    ours=False,
                )
            )
    return rows
