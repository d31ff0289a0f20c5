"""A package's sourcing state: requests, stage runs, the timeline; and the draft the engine edits.

`PackageState` is frozen. The engine copies it into a `Draft`, applies one input, and freezes
the result; the effects and the new timeline events of that one step come out beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
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


# The engine makes these frozen dataclasses on every step (a county-year makes millions).
# Their generated `__init__` sets each field through `object.__setattr__`, which costs more
# than the rest of a step's bookkeeping; none of them has a `__post_init__`, so filling the
# instance's `__dict__` directly (in field order) gives an equal object, only faster.
_REQUEST_FIELDS = frozenset(f.name for f in fields(Request))
_REQUEST_FIELD_COUNT = len(_REQUEST_FIELDS)
_FILED = frozenset(("provider", "stage", "round", "cycle"))  # what `Draft` indexes requests by
_NONE: tuple[int, ...] = ()


_make = object.__new__
_set = object.__setattr__


def _new[T](cls: type[T], attributes: dict[str, Any]) -> T:
    """An instance of `cls` whose `__dict__` is `attributes` itself (a dict the caller has just
    built and gives away): no per-field `__setattr__` and no copy into a second dict."""
    made = _make(cls)
    _set(made, "__dict__", attributes)
    return made


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
        # Where each request sits in `requests`, by provider, by stage and by (stage, round,
        # cycle): built on first use and kept by `send` (requests are only ever appended, and
        # `update` keeps a request's provider, stage, round and cycle). An answer looked for
        # its provider's request among all of the package's, and every round's expiry and
        # award among all of them: a batch sends one to every provider of the quadrant.
        self._by_provider: dict[str, list[int]] | None = None
        self._by_stage: dict[str, list[int]] = {}
        self._by_round: dict[tuple[str, str, str], list[int]] = {}

    def freeze(self) -> PackageState:
        return _new(
            PackageState,
            {
                "package": self.package,
                "status": self.status,
                "stage": self.stage,
                "gate": self.gate,
                "gate_provider": self.gate_provider,
                "provider": self.provider,
                "awarded_at": self.awarded_at,
                "requests": tuple(self.requests),
                "runs": tuple(self.runs),
                "events": tuple(self.events),
                "approvals": frozenset(self.approvals),
                "next_stage": self.next_stage,
                "timers": tuple(sorted(self.timers)),
                "held_reason": self.held_reason,
                "view_to_confirm": self.view_to_confirm,
            },
        )

    # -- timeline and effects ------------------------------------------------

    def event(self, at: datetime, type_: str, **details: object) -> None:
        if None in details.values():  # the keyword dict is ours: copied only to drop a None
            details = {k: v for k, v in details.items() if v is not None}
        entry = _make(Event)  # `_new`, written out: a step makes several
        _set(entry, "__dict__", {"at": at, "type": type_, "details": details})
        self.events.append(entry)
        self.new_events.append(entry)

    def effect(self, kind: str, to: str | None, **details: object) -> None:
        made = _make(Effect)  # `_new`, written out
        _set(made, "__dict__", {"kind": kind, "to": to, "details": details})
        self.effects.append(made)

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
        if self._by_provider is not None:  # `_file`, written out
            index = len(self.requests)
            filed = self._by_provider.get(provider)
            if filed is None:
                self._by_provider[provider] = [index]
            else:
                filed.append(index)
            filed = self._by_stage.get(stage)
            if filed is None:
                self._by_stage[stage] = [index]
            else:
                filed.append(index)
            filed = self._by_round.get((stage, round_, cycle))
            if filed is None:
                self._by_round[(stage, round_, cycle)] = [index]
            else:
                filed.append(index)
        # `_new` three times, written out, and `self.event(...)` and `self.effect(...)` (no
        # value here is None): a batch sends a request to every provider of its quadrant
        request = _make(Request)
        _set(
            request,
            "__dict__",
            {
                "provider": provider,
                "stage": stage,
                "round": round_,
                "sent_at": at,
                "deadline": deadline,
                # the defaults, written out (`tests/engine/test_records.py` holds them equal)
                "outcome": "open",
                "responded_at": None,
                "reason": None,
                "coverage": None,
                "rate": None,
                "start": None,
                "not_awarded": None,
                "late": False,
                "cycle": cycle,
                "chased": 0,
            },
        )
        self.requests.append(request)
        entry = _make(Event)
        _set(
            entry,
            "__dict__",
            {
                "at": at,
                "type": EventType.REQUEST_SENT,
                "details": {
                    "provider": provider,
                    "stage": stage,
                    "round": round_,
                    "deadline": deadline,
                },
            },
        )
        self.events.append(entry)
        self.new_events.append(entry)
        effect = _make(Effect)
        _set(
            effect,
            "__dict__",
            {
                "kind": EffectKind.SEND_REQUEST,
                "to": provider,
                "details": {"stage": stage, "round": round_, "deadline": deadline},
            },
        )
        self.effects.append(effect)

    def _file(self, index: int, provider: str, stage: str, round_: str, cycle: str) -> None:
        assert self._by_provider is not None
        self._by_provider.setdefault(provider, []).append(index)
        self._by_stage.setdefault(stage, []).append(index)
        self._by_round.setdefault((stage, round_, cycle), []).append(index)

    def _filed(self) -> dict[str, list[int]]:
        if self._by_provider is None:
            self._by_provider = {}
            for index, request in enumerate(self.requests):
                self._file(index, request.provider, request.stage, request.round, request.cycle)
        return self._by_provider

    def of_provider(self, provider: str) -> Sequence[int]:
        """The indexes of `provider`'s requests, in the order they were sent."""
        filed = self._by_provider
        if filed is None:
            filed = self._filed()
        return filed.get(provider, _NONE)

    def update(self, index: int, **changes: Any) -> Request:
        if not _FILED.isdisjoint(changes):  # none of the engine's updates does: file afresh
            self._by_provider = None
            self._by_stage = {}
            self._by_round = {}
        # `dataclasses.replace(request, **changes)` without its per-call cost (see `_new`)
        attributes = self.requests[index].__dict__.copy()
        attributes.update(changes)
        if len(attributes) != _REQUEST_FIELD_COUNT:  # a name not a field was added: say which
            unknown = ", ".join(sorted(changes.keys() - _REQUEST_FIELDS))
            raise TypeError(f"Request has no field {unknown}")
        request = _make(Request)
        _set(request, "__dict__", attributes)
        self.requests[index] = request
        return request

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
        requests = self.requests
        if stage is None:
            return [
                i
                for i, r in enumerate(requests)
                if (round_ is None or r.round == round_)
                and (cycle is None or r.cycle == cycle)
                and (not open_only or r.outcome in OPEN_OUTCOMES)  # `is_open`, without a call
            ]
        self._filed()
        if round_ is not None and cycle is not None:
            filed = self._by_round.get((stage, round_, cycle), [])
            if not open_only:
                return list(filed)
            return [i for i in filed if requests[i].outcome in OPEN_OUTCOMES]
        return [
            i
            for i in self._by_stage.get(stage, [])
            if (round_ is None or requests[i].round == round_)
            and (cycle is None or requests[i].cycle == cycle)
            and (not open_only or requests[i].outcome in OPEN_OUTCOMES)
        ]

    def any_open(self, stage: str, round_: str, cycle: str) -> bool:
        """Whether `indexes(stage, round_, cycle, open_only=True)` would be non-empty, without
        making the list: a batch's offer round asks after every answer."""
        self._filed()
        requests = self.requests
        for i in self._by_round.get((stage, round_, cycle), _NONE):
            if requests[i].outcome in OPEN_OUTCOMES:
                return True
        return False

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
        for run in self.runs:  # a plain loop: called for most answers, over a handful of runs
            if run.name == name:
                return run
        return None

    def put(self, run: StageRun) -> StageRun:
        for i, existing in enumerate(self.runs):
            if existing.name == run.name:
                self.runs[i] = run
                return run
        self.runs.append(run)
        return run

    def active_runs(self) -> list[StageRun]:
        return [r for r in self.runs if r.status == "active"]
