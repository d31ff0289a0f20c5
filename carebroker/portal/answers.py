"""A provider's answer through the portal, in the provider's words.

`do_provider_answer(request_row, answer, now)` records the answer through the one entry
point, `runner.record_answer`: the package's clocks run up to `now` (what the worker would
do at its next sweep), then the answer. A request whose deadline has passed has therefore
expired before the answer is read, and the engine refuses the answer (docs/policies.md
§5.2: no answer in time is a decline); the portal shows the engine's reason and nothing is
counted. Late interest in a batch is the one late answer the engine keeps (§4.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from carebroker.engine.inputs import Answer
from carebroker.lib.london import london_time
from carebroker.sourcing import runner
from carebroker.sourcing.models import SourcingRequest
from carebroker.sourcing.runner import Taken


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
    outcome = runner.record_answer(request_row.package_id, answer, now=now)
    if outcome.taken is Taken.KEPT_LATE:
        return AnswerOutcome(
            True,
            f"{case}: your interest came after the deadline; it is kept for a further "
            "offer round if this one ends without an award.",
        )
    if outcome.taken is Taken.REFUSED:
        why = outcome.why
        if why == "the package is held":
            why = "the council has held this package; answer again when it is released"
        elif late:
            why = f"the deadline was {london_time(request_row.deadline)}; {why}"
        return AnswerOutcome(False, f"{case}: your answer was not counted: {why}.")
    words = _ACTION_WORDS.get(answer.action, answer.action)
    if answer.action == "assessment_done":
        words = "you take the package" if answer.accept else "you cannot take the package"
    return AnswerOutcome(True, f"{case}: your answer ({words}) was received.")


_ACTION_WORDS = {
    "interest": "interested",
    "offer": "an offer",
    "accept": "accepted",
    "decline": "declined",
    "considering": "still considering",
    "query": "a question",
    "assessment": "asked to assess",
    "withdraw": "offer withdrawn",
}
