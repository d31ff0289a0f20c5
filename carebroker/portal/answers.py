"""A provider's answer through the portal: the clock first, then the answer.

`do_provider_answer(request_row, answer, now)` runs, in one transaction, the package's
clocks up to `now` (what the worker would do at its next sweep) and then the answer. A
request whose deadline has passed has therefore expired before the answer is read, and
the engine ignores the answer (docs/policies.md §5.2: no answer in time is a decline); the
portal shows the engine's reason and nothing is recorded as if it counted. Late interest
in a batch is the one late answer the engine keeps (docs/policies.md §4.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from carebroker.engine.inputs import Answer
from carebroker.lib.london import london_time
from carebroker.sourcing import runner
from carebroker.sourcing.models import SourcingRequest


@dataclass(frozen=True)
class AnswerOutcome:
    """Whether the engine counted the answer, and what to tell the provider."""

    counted: bool
    message: str


def do_provider_answer(
    request_row: SourcingRequest, answer: Answer, now: datetime
) -> AnswerOutcome:
    """Give `answer` to the engine for the request's package at `now` (see the module)."""
    case = request_row.package.case_number
    late = request_row.deadline < now  # at the deadline is in time (docs/policies.md §5.2)
    try:
        with transaction.atomic():
            runner.do_tick(request_row.package_id, now)
            result = runner.do_answer(request_row.package_id, answer, now=now)
    except runner.PackageHeld:
        return AnswerOutcome(
            False, f"{case}: the council has put this package on hold; answers wait until then."
        )
    except runner.SourcingError as error:
        return AnswerOutcome(False, f"{case}: your answer was not taken: {error}.")
    by_type = {event.type: event for event in result.events}
    ignored = by_type.get("ignored")
    if ignored is not None:
        why = str(ignored.details.get("ignored", "the engine did not take it"))
        if late:
            why = f"the deadline was {london_time(request_row.deadline)}; {why}"
        return AnswerOutcome(False, f"{case}: your answer was not counted: {why}.")
    refused = by_type.get("considering_refused")
    if refused is not None:  # docs/policies.md §5.2: the time must fall before the start date
        return AnswerOutcome(
            False,
            f"{case}: a time to consider until must be before the requested start date; "
            "the request keeps its deadline.",
        )
    if "late_interest_kept" in by_type:
        return AnswerOutcome(
            True,
            f"{case}: your interest came after the deadline; it is kept for a further "
            "offer round if this one ends without an award.",
        )
    words = _ACTION_WORDS.get(answer.action, answer.action)
    return AnswerOutcome(True, f"{case}: your answer ({words}) was received.")


_ACTION_WORDS = {
    "interest": "interested",
    "offer": "an offer",
    "accept": "accepted",
    "decline": "declined",
    "considering": "still considering",
    "query": "a question",
    "assessment": "asked to assess",
}
