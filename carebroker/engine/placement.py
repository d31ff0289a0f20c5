"""The placement after the award (docs/policies.md §5): awarded, confirmed, started, under
review, ended, handed back.

The placement's state is read from the package's timeline, never stored beside it: the last
event that moves it names it (`award`, `confirmed`, `placement_started`, `review_started`,
`placement_ended`, `handback`). So the snapshot, `simulate`'s output and the timeline cannot
disagree, and a scenario written before these states existed prints what it printed before.

The package's status stays `awarded` through all of them (the waiting list, the reports and
the awards read it); a handback returns the package to sourcing (engine.py `_handback`), and
its placement reads `handed_back` until the next award.

The changes a person (or the worker) makes are one input, `PlacementChange`:
- `start`: care began. Where the policy has a confirmation step (Kent's Provider
  Confirmation Form, `after_acceptance`), only a confirmed placement starts: the start date
  and call times are agreed first. Where it has none (Essex, Leicestershire), the award
  itself agrees the start (the date offered or accepted with, else the preferred start), so
  an awarded placement starts. The worker records it when the agreed start date arrives
  (sourcing/placements.py); a broker may record it by hand.
- `review`: a review is under way (a started placement).
- `end`: the placement ends, with a reason (a confirmed, started or reviewed placement).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from carebroker.engine.inputs import PlacementChange
from carebroker.engine.progress import Progress
from carebroker.engine.vocabulary import DecisionAction, EventType, PackageStatus
from carebroker.lib.london import LONDON


class Placement(StrEnum):
    AWARDED = "awarded"
    CONFIRMED = "confirmed"
    STARTED = "started"
    UNDER_REVIEW = "under_review"
    ENDED = "ended"
    HANDED_BACK = "handed_back"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Placement.AWARDED: "Awarded: waiting for the provider's confirmation",  # see `label_of`
    Placement.CONFIRMED: "Start date and call times agreed",
    Placement.STARTED: "Care has started",
    Placement.UNDER_REVIEW: "Under review",
    Placement.ENDED: "Ended",
    Placement.HANDED_BACK: "Handed back by the provider",
}

UNCONFIRMED_AWARD = "Awarded"
"""An awarded placement's words where the policy has no confirmation step."""


def label_of(placement: Placement, confirms: bool) -> str:
    """The placement in words; `confirms`: the policy has a confirmation step."""
    return UNCONFIRMED_AWARD if placement == Placement.AWARDED and not confirms else placement.label


# The timeline events that move the placement, and where each leaves it.
MOVES: dict[str, Placement] = {
    EventType.AWARD: Placement.AWARDED,
    EventType.CONFIRMED: Placement.CONFIRMED,
    EventType.PLACEMENT_STARTED: Placement.STARTED,
    EventType.REVIEW_STARTED: Placement.UNDER_REVIEW,
    EventType.REVIEWED: Placement.STARTED,  # engine/reviews.py: after its review, care goes on
    EventType.PLACEMENT_ENDED: Placement.ENDED,
    EventType.HANDBACK: Placement.HANDED_BACK,
}

# Which placements each change applies to.
_FROM: dict[str, frozenset[Placement]] = {
    DecisionAction.START: frozenset({Placement.CONFIRMED}),
    DecisionAction.REVIEW: frozenset({Placement.STARTED}),
    DecisionAction.END: frozenset({Placement.CONFIRMED, Placement.STARTED, Placement.UNDER_REVIEW}),
}
# What an awarded placement may do at once where the policy has no confirmation step.
_WITHOUT_CONFIRMATION = frozenset({DecisionAction.START, DecisionAction.END})
_EVENT: dict[str, str] = {
    DecisionAction.START: EventType.PLACEMENT_STARTED,
    DecisionAction.REVIEW: EventType.REVIEW_STARTED,
    DecisionAction.END: EventType.PLACEMENT_ENDED,
}
ACTIONS: tuple[str, ...] = tuple(_FROM)


class Entry(Protocol):
    """A timeline entry: the engine's `Event`, or a stored timeline row."""

    @property
    def type(self) -> str: ...
    @property
    def details(self) -> Mapping[str, object]: ...


def placement_of(events: Iterable[Entry]) -> Placement | None:
    """The placement's state after these events; None before any award."""
    state: Placement | None = None
    for event in events:
        state = MOVES.get(event.type, state)
    return state


def agreed_start(events: Iterable[Entry]) -> date | None:
    """The start date on the latest confirmation, if it gave one."""
    start: date | None = None
    for event in events:
        if event.type == EventType.AWARD:
            start = None
        elif event.type == EventType.CONFIRMED:
            value = event.details.get("start")
            start = date.fromisoformat(value) if isinstance(value, str) else None
    return start


class Dated(Entry, Protocol):
    @property
    def at(self) -> datetime: ...


def start_of(events: Iterable[Dated], preferred: date | None) -> date | None:
    """The start date agreed with the winner (issue 11 finding 3): the one it confirmed, else
    the one it offered or accepted with, else the preferred start while that is still to
    come on the award day. None when no date is agreed yet (Kent agrees it on the
    confirmation form, docs/policies.md §5)."""
    for event in reversed(list(events)):
        if event.type in (EventType.CONFIRMED, EventType.AWARD) and event.details.get("start"):
            return date.fromisoformat(str(event.details["start"]))
        if event.type == EventType.AWARD:
            awarded = event.at.astimezone(LONDON).date()
            return preferred if preferred is not None and preferred >= awarded else None
    return preferred


def refusal(
    status: str, placement: Placement | None, change: PlacementChange, confirms: bool = True
) -> str | None:
    """Why this change does not apply now, in words; None when it does. `confirms`: the
    policy has a confirmation step, so only a confirmed placement starts (see the module)."""
    if change.action not in _FROM:
        return f"{change.action} is not a change to a placement"
    if change.action == DecisionAction.END and not (change.reason or "").strip():
        return "an end says why the placement ended"
    if status != PackageStatus.AWARDED or placement is None:
        return "the package is not awarded"
    if placement in _FROM[change.action]:
        return None
    if change.action in _WITHOUT_CONFIRMATION and placement == Placement.AWARDED and not confirms:
        return None
    if change.action == DecisionAction.START and placement == Placement.AWARDED:
        return "the start date is not agreed yet (no confirmation from the provider)"
    return f"the placement is {placement.label[:1].lower()}{placement.label[1:]}"


def change(progress: Progress, signal: PlacementChange) -> None:
    """Move the placement on, or record why not (an `ignored` event changes nothing)."""
    draft = progress.draft
    confirms = progress.policy.after_acceptance is not None
    why = refusal(draft.status, placement_of(draft.events), signal, confirms)
    if why is not None:
        progress.ignore(signal.at, why, action=signal.action, actor=signal.actor)
        return
    draft.event(
        signal.at,
        _EVENT[signal.action],
        provider=draft.provider,
        actor=signal.actor,
        reason=(signal.reason or "").strip() or None,
    )
