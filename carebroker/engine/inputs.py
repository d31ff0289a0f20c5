"""The inputs of the engine: a referral, the time, a provider's answer, a council decision,
and what brokers and managers do by hand (award, hold, release).

Every change to a package's sourcing is one of these, so `simulate` replays it
(docs/scenarios.md `events[]`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class ReferralInput:
    """The referral arrives: check it and start sourcing."""

    at: datetime


@dataclass(frozen=True)
class Tick:
    """The time is now `at`: every clock due by then runs out."""

    at: datetime


@dataclass(frozen=True)
class Answer:
    """A provider's answer (docs/scenarios.md `events[]` with `provider`)."""

    at: datetime
    provider: str
    action: str  # interest offer accept decline considering query assessment assessment_done ...
    coverage: str | None = None
    rate: Decimal | None = None
    start: date | None = None
    reason: str | None = None
    until: datetime | None = None
    text: str | None = None
    accept: bool | None = None
    call_times: str | None = None


@dataclass(frozen=True)
class Decision:
    """A council decision (docs/scenarios.md `events[]` with `actor`)."""

    at: datetime
    actor: str  # manager | referrer | broker
    action: str  # approve | decide | next_provider | cancel
    gate: str | None = None
    choice: str | None = None
    provider: str | None = None
    reason: str | None = None  # why, for a cancel


@dataclass(frozen=True)
class AwardByHand:
    """A broker or manager awards to a provider of their choosing, overriding the stage's
    award rule, with a reason. Before a tender's deadline (docs/policies.md §6.3: no award
    before the deadline) it needs an override reason too, and is recorded as an override."""

    at: datetime
    actor: str  # manager | broker
    provider: str
    reason: str
    override_reason: str | None = None


@dataclass(frozen=True)
class Hold:
    """A broker holds a live package: its clocks wait and answers are refused until released."""

    at: datetime
    actor: str
    reason: str


@dataclass(frozen=True)
class Release:
    """A held package goes on where it was (sourcing, or waiting at its gate)."""

    at: datetime
    actor: str


@dataclass(frozen=True)
class PlacementChange:
    """The placement after the award moves on (engine/placement.py): `start` (care began),
    `review` (a review is under way) or `end` (with a reason). By a broker or manager, or
    `worker` when the agreed start date arrives (sourcing/placements.py)."""

    at: datetime
    actor: str  # manager | broker | worker
    action: str  # start | review | end
    reason: str | None = None


@dataclass(frozen=True)
class ConfirmView:
    """A broker has read the provider view and confirms it (docs/policies.md §6.2): a package
    held for that review starts sourcing; its first requests go out now."""

    at: datetime
    actor: str


@dataclass(frozen=True)
class ReviewOutcome:
    """The outcome of a placement's review (PIR, docs/policies.md §5 Reviews), recorded by a
    broker or manager: `continue`, `change_hours` (with the new `hours_per_week`), `end`, or
    `re_source` (another provider is found)."""

    at: datetime
    actor: str  # manager | broker
    outcome: str
    hours_per_week: Decimal | None = None
    reason: str | None = None


ByHand = AwardByHand | Hold | Release | ConfirmView
Input = (
    ReferralInput
    | Tick
    | Answer
    | Decision
    | AwardByHand
    | Hold
    | Release
    | PlacementChange
    | ConfirmView
    | ReviewOutcome
)
"""One input of `engine.step` (named apart from Django's signals and the referral model)."""
