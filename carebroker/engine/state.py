"""A package's sourcing state: requests, stage runs, the timeline; and the draft the engine edits.

`PackageState` is frozen. The engine copies it into a `Draft`, applies one input, and freezes
the result; the effects and the new timeline events of that one step come out beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from carebroker.engine.inputs import Answer
from carebroker.engine.market import PackageSpec
from carebroker.engine.vocabulary import EffectKind, EventType

OPEN_OUTCOMES = ("open", "considering")


@dataclass(frozen=True)
class Request:
    """One approach to one provider about one package (docs/policies.md §2)."""

    provider: str
    stage: str
    round: str  # interest | offer
    sent_at: datetime
    deadline: datetime
    outcome: str = "open"
    responded_at: datetime | None = None
    reason: str | None = None
    coverage: str | None = None
    rate: Decimal | None = None
    start: date | None = None
    not_awarded: str | None = None
    late: bool = False  # late interest, kept (docs/policies.md §4.2)
    cycle: str = ""  # which round of its stage the request belongs to
    chased: int = 0

    @property
    def is_open(self) -> bool:
        return self.outcome in OPEN_OUTCOMES


@dataclass(frozen=True)
class StageRun:
    """A stage as it runs for one package."""

    name: str
    status: str = "active"  # active | ended | awarded | withdrawn
    phase: str = ""  # the stage kind's own progress (e.g. batch: waiting, interest, offer)
    due: datetime | None = None  # when the stage next needs the clock
    cycle: int = 0
    late_done: bool = False
    assessor: str | None = None
    chases: int = 0


@dataclass(frozen=True)
class Event:
    """One entry of the package's timeline."""

    at: datetime
    type: str
    details: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Effect:
    """Something the shell must carry out: send a request or notice, raise a gate, award."""

    kind: str  # send_request | send_notice | raise_gate | award | withdraw | return_referral
    to: str | None
    details: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class PackageState:
    """Where one package's sourcing stands."""

    package: PackageSpec
    # new | sourcing | on_hold (at a gate) | held (by a broker) | awarded | unfilled | returned
    # | closed | cancelled (vocabulary.PackageStatus)
    status: str = "new"
    stage: str | None = None
    gate: str | None = None
    gate_provider: str | None = None
    provider: str | None = None
    awarded_at: datetime | None = None
    requests: tuple[Request, ...] = ()
    runs: tuple[StageRun, ...] = ()
    events: tuple[Event, ...] = ()
    approvals: frozenset[tuple[str, str]] = frozenset()
    next_stage: int = 0
    timers: tuple[tuple[datetime, str], ...] = ()  # package-wide clocks (RAG)
    held_reason: str | None = None  # why a broker holds it (status `held`)
    view_to_confirm: bool = False  # held until a broker confirms the provider view (§6.2)


class Draft:
    """A mutable working copy of a PackageState for one engine step."""

    def __init__(self, state: PackageState) -> None:
        self.package = state.package
        self.status = state.status
        self.stage = state.stage
        self.gate = state.gate
        self.gate_provider = state.gate_provider
        self.provider = state.provider
        self.awarded_at = state.awarded_at
        self.requests = list(state.requests)
        self.runs = list(state.runs)
        self.events = list(state.events)
        self.approvals = set(state.approvals)
        self.next_stage = state.next_stage
        self.timers = list(state.timers)
        self.held_reason = state.held_reason
        self.view_to_confirm = state.view_to_confirm
        self.new_events: list[Event] = []
        self.effects: list[Effect] = []

    def freeze(self) -> PackageState:
        return PackageState(
            package=self.package,
            status=self.status,
            stage=self.stage,
            gate=self.gate,
            gate_provider=self.gate_provider,
            provider=self.provider,
            awarded_at=self.awarded_at,
            requests=tuple(self.requests),
            runs=tuple(self.runs),
            events=tuple(self.events),
            approvals=frozenset(self.approvals),
            next_stage=self.next_stage,
            timers=tuple(sorted(self.timers)),
            held_reason=self.held_reason,
            view_to_confirm=self.view_to_confirm,
        )

    # -- timeline and effects ------------------------------------------------

    def event(self, at: datetime, type_: str, **details: object) -> None:
        entry = Event(at, type_, {k: v for k, v in details.items() if v is not None})
        self.events.append(entry)
        self.new_events.append(entry)

    def effect(self, kind: str, to: str | None, **details: object) -> None:
        self.effects.append(Effect(kind, to, details))

    # -- requests --------------------------------------------------------------

    def send(
        self,
        at: datetime,
        provider: str,
        stage: str,
        round_: str,
        deadline: datetime,
        cycle: str = "",
    ) -> None:
        self.requests.append(Request(provider, stage, round_, at, deadline, cycle=cycle))
        self.event(
            at,
            EventType.REQUEST_SENT,
            provider=provider,
            stage=stage,
            round=round_,
            deadline=deadline,
        )
        self.effect(EffectKind.SEND_REQUEST, provider, stage=stage, round=round_, deadline=deadline)

    def update(self, index: int, **changes: Any) -> Request:
        self.requests[index] = replace(self.requests[index], **changes)
        return self.requests[index]

    def record_offer(self, index: int, answer: Answer) -> Request:
        """The one way an offer (or a cascade's accept) is written on its request: full
        unless the provider said part, with its rate and start when given."""
        return self.update(
            index,
            outcome="offer",
            responded_at=answer.at,
            coverage=answer.coverage or "full",
            rate=answer.rate,
            start=answer.start,
        )

    def record_decline(self, index: int, answer: Answer) -> Request:
        """The one way a decline is written on its request, with its reason."""
        return self.update(index, outcome="decline", responded_at=answer.at, reason=answer.reason)

    def indexes(
        self,
        stage: str | None = None,
        round_: str | None = None,
        cycle: str | None = None,
        open_only: bool = False,
    ) -> list[int]:
        return [
            i
            for i, r in enumerate(self.requests)
            if (stage is None or r.stage == stage)
            and (round_ is None or r.round == round_)
            and (cycle is None or r.cycle == cycle)
            and (not open_only or r.is_open)
        ]

    def withdraw_open(self, at: datetime, stage: str | None = None, why: str = "") -> None:
        for i in self.indexes(stage=stage, open_only=True):
            request = self.update(i, outcome="withdrawn")
            self.event(
                at,
                EventType.REQUEST_WITHDRAWN,
                provider=request.provider,
                stage=request.stage,
                why=why,
            )
            self.effect(EffectKind.WITHDRAW, request.provider, stage=request.stage)

    # -- stage runs ------------------------------------------------------------

    def run(self, name: str) -> StageRun | None:
        return next((r for r in self.runs if r.name == name), None)

    def put(self, run: StageRun) -> StageRun:
        for i, existing in enumerate(self.runs):
            if existing.name == run.name:
                self.runs[i] = run
                return run
        self.runs.append(run)
        return run

    def active_runs(self) -> list[StageRun]:
        return [r for r in self.runs if r.status == "active"]
