"""A placement's review (PIR) and its outcome (docs/policies.md §5 Reviews; issue 11).

The review date is set when the provider confirms the start (`Progress.confirmed`: 4 weeks
from the start for a person known to the team, else between 2 and 8 weeks). A broker or
manager records the outcome (`ReviewOutcome`):

- `continue`: the placement goes on as it is;
- `change_hours`: the package changes (new hours a week) and is sourced again as a change
  to an existing service, naming the provider today as its current provider, so a policy
  with a current-provider stage (Essex, §4.2) asks that provider first;
- `end`: the placement ends (engine/placement.py: `placement_ended`, the package stays
  awarded);
- `re_source`: another provider is to be found: the package returns to the list.

The referrer is told the outcome (a `review_outcome` notice). `review_date` reads the due
date back from a timeline, for the review list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from carebroker.engine import handbacks
from carebroker.engine.inputs import ReviewOutcome
from carebroker.engine.placement import Placement, placement_of
from carebroker.engine.progress import Progress
from carebroker.engine.state import Event
from carebroker.engine.vocabulary import EffectKind, EventType, NoticeKind, PackageStatus

OUTCOMES: dict[str, str] = {
    "continue": "The placement continues as it is",
    "change_hours": "The hours change: the current provider is asked first",
    "end": "The placement ends",
    "re_source": "Another provider is to be found",
}
"""The outcomes in the words staff pages, the timeline and the referrer's notice show."""

REVIEWED = frozenset({Placement.CONFIRMED, Placement.STARTED, Placement.UNDER_REVIEW})
"""The placements a review may be recorded on (engine/placement.py)."""


def record(progress: Progress, review: ReviewOutcome) -> None:
    """Record a review's outcome on a placement (see the module)."""
    draft = progress.draft
    if review.outcome not in OUTCOMES:
        progress.ignore(review.at, f"no review outcome {review.outcome!r}", actor=review.actor)
        return
    now = placement_of(draft.events)
    if draft.status != PackageStatus.AWARDED or draft.provider is None or now not in REVIEWED:
        why = f"the package is {PackageStatus(draft.status).label.lower()}"
        if draft.status == PackageStatus.AWARDED and now is not None:
            why = f"the placement is {now.label[:1].lower()}{now.label[1:]}"
        progress.ignore(
            review.at, f"only a confirmed or started placement is reviewed: {why}",
            actor=review.actor,
        )  # fmt: skip
        return
    if review.outcome == "change_hours" and (
        review.hours_per_week is None or review.hours_per_week <= 0
    ):
        progress.ignore(
            review.at, "a change of hours gives the new hours a week", actor=review.actor
        )
        return
    provider = draft.provider
    draft.event(
        review.at,
        EventType.REVIEWED,
        outcome=review.outcome,
        actor=review.actor,
        provider=provider,
        hours_per_week=str(review.hours_per_week) if review.outcome == "change_hours" else None,
        reason=review.reason,
    )
    draft.effect(
        EffectKind.SEND_NOTICE, "referrer", notice=NoticeKind.REVIEW_OUTCOME,
        outcome=review.outcome,
    )  # fmt: skip
    if review.outcome == "end":  # engine/placement.py: the package stays awarded, ended
        draft.event(
            review.at, EventType.PLACEMENT_ENDED, provider=provider, actor=review.actor,
            reason=review.reason or "ended at its review",
        )  # fmt: skip
    elif review.outcome == "re_source":
        handbacks.return_to_list(progress, review.at)
    elif review.outcome == "change_hours":
        assert review.hours_per_week is not None
        changed = replace(
            draft.package,
            hours_per_week=review.hours_per_week,
            change_to_existing=True,
            current_provider=provider,
        )
        draft.package = changed
        progress.package = changed
        handbacks.return_to_list(progress, review.at)


@dataclass(frozen=True)
class ReviewDate:
    """When a placement's review is due: `due` (the date by which it must be held) and,
    for a person new to the team, the `earliest` date it may be held."""

    due: date
    earliest: date | None = None


def review_date(events: Iterable[Event]) -> ReviewDate | None:
    """The review still to hold (the last review date set, if no outcome came after it)."""
    found: ReviewDate | None = None
    for event in events:
        if event.type == EventType.REVIEW_DUE:
            details = event.details
            if "due" in details:
                found = ReviewDate(_day(details["due"]))
            else:
                found = ReviewDate(_day(details["latest"]), _day(details["earliest"]))
        elif event.type in (
            EventType.REVIEWED,
            EventType.RETURNED_TO_LIST,
            EventType.PLACEMENT_ENDED,
            EventType.HANDBACK,
        ):
            found = None
    return found


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
