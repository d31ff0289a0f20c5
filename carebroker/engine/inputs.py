"""The inputs of the engine: a referral, the time, a provider's answer, a council decision."""

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


Input = ReferralInput | Tick | Answer | Decision
"""One input of `engine.step` (named apart from Django's signals and the referral model)."""
