"""What-if simulation: a generated market and package stream run through the real engine.

`carebroker simulate --generate MARKET.toml --seed N` prints `run_whatif(path, seed)`: how
many packages were placed, left unfilled, held at a gate or still being sourced; working
hours from referral to award (median and 90th percentile, per policy and per award stage)
beside the wait the policy itself imposes; requests per package and per placement; and the
difference between each award and the earliest instant the rules allow it, which must be 0 (the
software adds no delay). The same file and seed give a byte-identical summary.

MARKET.toml (example: `examples/whatif-essex.toml`)::

    policy = "essex-lah"          # a preset, a policy TOML path, or a list of them to compare
    start = "2027-01-04T09:00:00Z"  # ISO 8601 with an offset; packages arrive from start ...
    until = "2027-03-31T17:00:00Z"  # ... to until, and the run stops at until

    [packages]                    # every area's packages, unless the area overrides a key
    hours_per_week = {distribution = "uniform", low = 5, high = 30}
    start_after_days = {distribution = "uniform", low = 1, high = 21}  # preferred start
    urgent = 0.05                 # chances of each flag (docs/policies.md §4.1, §6.3)
    hospital_discharge = 0.10
    emergency = 0.0
    change_to_existing = 0.05     # §4.2: never on the batch
    lots = [1]                    # drawn uniformly (Leicestershire filters on them)
    support_types = ["community"]
    age = {distribution = "uniform", low = 18, high = 99}   # optional

    [[areas]]                     # one table per area (quadrant, cluster, framework area)
    name = "North"
    packages_per_working_day = 4.0  # Poisson arrivals spread over working hours

    [providers.generate]          # made-up providers (and/or [[providers.listed]] below)
    count = 60
    kinds = {framework = 1.0}     # weights per kind
    tiers = {"1" = 0.6, "2" = 0.4}
    areas_low = 1                 # each provider serves between areas_low and areas_high
    areas_high = 2                # areas, ranked in a random order within each area
    lots = [1]                    # each provider gets a random non-empty subset
    support_types = ["community"]
    min_age = 0                   # optional numbers or distributions
    max_age = 120
    cqc = {Good = 0.7, Outstanding = 0.1, "Requires improvement" = 0.15, unregistered = 0.05}
    sanctioned = 0.0              # chance a provider is under a sanction
    spread = 0.3                  # each provider's behaviour chances vary by up to ±30 %

    [[providers.listed]]          # a named provider: id, kind, areas = {Area = rank}, tier,
    id = "P900"                   # lots, support_types, cqc_rating, sanctioned, and its own
    kind = "framework"            # behaviour table overriding keys of [behaviour]
    tier = 1
    areas = {North = 1}
    behaviour = {silence = 0.0, interest = 1.0}

    [behaviour]                   # how providers answer each request
    interest = 0.6                # interest round: weights interest : decline : silence
    offer = 0.5                   # other requests: weights offer : decline : silence
    decline = 0.3
    silence = 0.2
    part = 0.1                    # chance an offer covers the package in part only
    delay = {distribution = "lognormal", median = 45, sigma = 0.8}  # working minutes
    rate = {distribution = "uniform", low = 19, high = 26}          # pounds per hour

    [council]                     # optional: how people decide at gates (else: on hold)
    delay = {distribution = "uniform", low = 30, high = 240}        # working minutes
    choices = {open_market_choice = "award", part_offer = "accept_part"}

    [capacity]                    # optional: declared capacity (docs/policies.md §8)
    options = ["ignore", "ask_declared_first"]  # every policy runs once per option
    room = 0.3                    # chance a generated provider declares room in its areas
    full = 0.2                    # chance it declares none; the rest declare nothing
    with_room = {offer = 0.8, decline = 0.15, silence = 0.05}  # [behaviour] keys overridden
    when_full = {offer = 0.05, decline = 0.6, silence = 0.35}

A distribution is a plain number or `{distribution = "uniform", low, high}`,
`{distribution = "lognormal", median, sigma}` or `{distribution = "choice", values = [...]}`.

The run is reactive: every `send_request` effect of a step asks that provider's behaviour
for an answer and a delay, and the answer goes on the heap at that working time; a
withdrawn request's pending answer is dropped. At one instant referrals come first, then
answers and decisions, then clocks (as `simulation.py` orders them).
"""

from __future__ import annotations

import gc
import heapq
import math
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from carebroker.engine.engine import apply, begin, next_due
from carebroker.engine.inputs import Answer, Decision, Input, ReferralInput, Tick
from carebroker.engine.market import Market
from carebroker.engine.policy import Policy
from carebroker.engine.state import Draft, Effect
from carebroker.engine.vocabulary import EffectKind, PackageStatus
from carebroker.engine.whatif_market import (
    _MAX_DELAY_MINUTES,
    DECLINE_REASONS,
    Behaviour,
    Council,
    Distribution,
    GeneratedMarket,
    MarketSpec,
)
from carebroker.engine.whatif_market import generate as generate_market
from carebroker.engine.whatif_reader import load_market
from carebroker.engine.whatif_run import WhatIfRun
from carebroker.engine.whatif_summary import summary
from carebroker.engine.workingtime import hours_span

_REFERRAL, _REPLY, _CLOCK = 0, 1, 2
PROGRESS_EVERY = 200  # engine steps between two calls of a run's `on_progress`
_PENNY = Decimal("0.01")


@dataclass(frozen=True)
class GateDue:
    """A council decision due at a gate (the choice is made when it falls due)."""

    gate: str
    choice: str


@dataclass(frozen=True)
class Reply:
    """A provider's answer on its way, with the stage of the request it answers."""

    stage: str
    answer: Answer


Payload = ReferralInput | Reply | GateDue | None

_SEND_REQUEST = EffectKind.SEND_REQUEST
_make = object.__new__
_set = object.__setattr__


def _tick(at: datetime) -> Tick:
    """`Tick(at)` without the frozen dataclass's `__setattr__` (a tick per clock that runs)."""
    made = _make(Tick)
    _set(made, "__dict__", {"at": at})
    return made


def _answer_of(
    at: datetime,
    provider: str,
    action: str,
    coverage: str | None = None,
    rate: Decimal | None = None,
    reason: str | None = None,
) -> Answer:
    """`Answer(at, provider, action, ...)` without the frozen dataclass's per-field
    `object.__setattr__` (a county-year makes hundreds of thousands): an equal object, its
    fields in the same order, the defaults written out (`tests/engine/test_records.py`
    holds it to the constructor). Answer has no `__post_init__` to skip."""
    made = _make(Answer)
    _set(
        made,
        "__dict__",
        {
            "at": at,
            "provider": provider,
            "action": action,
            "coverage": coverage,
            "rate": rate,
            "start": None,
            "reason": reason,
            "until": None,
            "text": None,
            "accept": None,
            "call_times": None,
        },
    )
    return made


def _drawer(distribution: Distribution) -> Callable[[random.Random], float]:
    """`distribution.draw` with its constants worked out once: the same calls on `rng`."""
    if distribution.kind == "uniform":
        low, high = distribution.low, distribution.high
        return lambda rng: rng.uniform(low, high)
    if distribution.kind == "lognormal":
        return _lognormal(math.log(distribution.median), distribution.sigma)
    return distribution.draw


def _lognormal(mu: float, sigma: float) -> Callable[[random.Random], float]:
    """`rng.lognormvariate(mu, sigma)` with its `normalvariate` written out (the standard
    library's Kinderman-Monahan loop, the same `random()` calls and arithmetic): two calls
    fewer on each answer's delay. `tests/engine/test_records.py` holds it to the library's."""
    log, exp = math.log, math.exp
    magic = 4 * math.exp(-0.5) / math.sqrt(2.0)  # random.NV_MAGICCONST, as random.py makes it

    def draw(rng: random.Random) -> float:
        uniform = rng.random
        while True:
            u1 = uniform()
            u2 = 1.0 - uniform()
            z = magic * (u1 - 0.5) / u2
            zz = z * z / 4.0
            if zz <= -log(u2):
                break
        return exp(mu + z * sigma)

    return draw


class _Table:
    """One provider's `Behaviour`, ready to draw from: per round the positive weight, the
    positive and decline weights, and all three (the sums `Behaviour.answer` makes, in its
    order of addition, so every comparison is the same), and its delay and rate draws."""

    __slots__ = ("delay", "interest", "offer", "part", "rate")

    def __init__(self, behaviour: Behaviour) -> None:
        decline, silence = behaviour.decline, behaviour.silence
        self.interest = (
            behaviour.interest,
            behaviour.interest + decline,
            behaviour.interest + decline + silence,
        )
        self.offer = (
            behaviour.offer,
            behaviour.offer + decline,
            behaviour.offer + decline + silence,
        )
        self.part = behaviour.part
        self.delay = _drawer(behaviour.delay)
        self.rate = _drawer(behaviour.rate)


def run_whatif(market_toml_path: str | Path, seed: int) -> str:
    """The printed summary of a what-if run; MarketError names every bad field of the file."""
    spec = load_market(market_toml_path)
    runs = [simulate_market(spec, policy, seed) for policy in spec.policies]
    return summary(spec, runs, Path(market_toml_path).name, seed)


def simulate_market(
    spec: MarketSpec, policy: Policy, seed: int, keep_effects: bool = False
) -> WhatIfRun:
    """Generate the market with `random.Random(seed)` and run it under `policy`."""
    with _collector_paused():
        rng = random.Random(seed)
        calendar = Market.of(policy, ()).calendar
        generated = generate_market(spec, rng, calendar)
        market = Market.of(policy, generated.providers)
        return Run(market, generated, spec.until, spec.council, rng, keep_effects).run()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one run (the market's set-up included).

    A county-year keeps tens of thousands of package states alive, each a tree of frozen
    dataclasses; every step replaces one, so millions of objects live long enough to reach
    the oldest generation, and each full collection walked all of them (a third of the run's
    time, issue 14). The engine's objects hold no reference cycles (immutable values and
    tuples; reference counting frees each replaced state), so there is nothing for the
    collector to find; it is switched back on when the run ends, however it ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # Everything the run made is still in the youngest generation, so the first
            # collection after `enable` walked all of it (hundreds of thousands of objects in a
            # county-year, most of them the result the caller keeps). `freeze` then `unfreeze`
            # moves them to the oldest generation in one step, without a walk: they are
            # looked at when a full collection is next due, as any long-lived object is.
            # Nothing is lost or kept longer (reference counting frees them as before); the
            # few objects the interpreter itself had frozen at start-up move there too.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


class Run:
    """The virtual clock: a heap of referrals, provider answers, council decisions and clocks."""

    def __init__(
        self,
        market: Market,
        generated: GeneratedMarket,
        until: datetime,
        council: Council | None,
        rng: random.Random,
        keep_effects: bool,
        on_progress: Callable[[datetime], None] | None = None,
    ) -> None:
        self.market = market
        self.generated = generated
        self.until = until
        self.council = council
        self.rng = rng
        self.keep_effects = keep_effects
        self.on_progress = on_progress
        self.kinds = {stage.name: stage.kind for stage in market.policy.stages}
        # Each package's state, kept as a `Draft` that every step changes in place (frozen once,
        # at the end): a frozen copy per step and a new draft from it were a fifth of the run.
        self.drafts = [Draft(begin(package)) for package in generated.packages]
        self.heap: list[tuple[datetime, int, int, int, Payload]] = []
        self.sequence = 0
        self.pending: dict[tuple[int, str, str], int] = {}  # (package, provider, stage) -> seq
        self.scheduled: list[datetime | None] = [None] * len(self.drafts)
        self.effects: list[tuple[str, datetime, Effect]] = []
        self._tables: dict[str, _Table] = {}  # provider -> its behaviour, ready to draw
        # minutes -> the span `add_working_hours` makes of `Decimal(minutes) / 60` (a few
        # hundred): converting and hashing a `Decimal` per answer cost more than the deadline
        self._spans: dict[int, timedelta] = {}
        self._add_span = market.calendar.add_working_span

    def push(self, at: datetime, order: int, index: int, payload: Payload) -> int:
        self.sequence += 1
        heapq.heappush(self.heap, (at, order, self.sequence, index, payload))
        return self.sequence

    def run(self) -> WhatIfRun:
        with _collector_paused():  # also when a replay (whatif_replay.py) runs one directly
            return self._run()

    def _run(self) -> WhatIfRun:
        for index, package in enumerate(self.generated.packages):
            self.push(package.referred_at, _REFERRAL, index, ReferralInput(package.referred_at))
        steps = 0
        # the loop runs once per event (hundreds of thousands): what it reads is bound here
        heap, pop, push = self.heap, heapq.heappop, heapq.heappush
        until, scheduled, pending, drafts = self.until, self.scheduled, self.pending, self.drafts
        on_progress, carry_out, step, answer, keep = (
            self.on_progress, self._carry_out, self._step, self._answer, self.keep_effects
        )  # fmt: skip
        while heap:
            at, _, sequence, index, payload = pop(heap)
            if at > until:
                break
            signal: Input
            if payload is None:
                if scheduled[index] != at:
                    continue  # a clock that moved since it was set
                scheduled[index] = None
                signal = _tick(at)
            elif isinstance(payload, Reply):
                signal = payload.answer
                key = (index, signal.provider, payload.stage)
                if pending.get(key) != sequence:
                    continue  # the request was withdrawn before the provider answered
                del pending[key]
            elif isinstance(payload, GateDue):
                decision = self._decision(index, at, payload)
                if decision is None:
                    continue
                signal = decision
            else:
                signal = payload
            draft = drafts[index]
            effects = step(draft, signal)
            steps += 1
            if on_progress is not None and steps % PROGRESS_EVERY == 0:
                on_progress(at)  # the virtual clock's time: how far the run has come
            for effect in effects:
                if effect.kind == _SEND_REQUEST and not keep:
                    # `_carry_out`'s first case, without the call: most effects are requests
                    if effect.to is not None:
                        answer(index, at, effect.to, str(effect.details["stage"]), effect)
                else:
                    carry_out(index, at, effect)
            due = next_due(draft)
            if due is not None and due != scheduled[index]:
                if due < at:
                    due = at
                scheduled[index] = due
                self.sequence += 1
                push(heap, (due, _CLOCK, self.sequence, index, None))
        states = tuple(draft.freeze() for draft in self.drafts)
        return WhatIfRun(self.market, states, steps, tuple(self.effects))

    def _step(self, draft: Draft, signal: Input) -> list[Effect]:
        """One engine step on `draft`, in place (`engine.apply`); the step's effects."""
        draft.effects = []
        draft.new_events = []
        apply(self.market, draft, signal)
        draft.timers.sort()  # as `Draft.freeze` leaves them
        return draft.effects

    def _carry_out(self, index: int, at: datetime, effect: Effect) -> None:
        if self.keep_effects:
            self.effects.append((self.generated.packages[index].id, at, effect))
        if effect.kind == "send_request" and effect.to is not None:
            self._answer(index, at, effect.to, str(effect.details["stage"]), effect)
        elif effect.kind == "withdraw" and effect.to is not None:
            self.pending.pop((index, effect.to, str(effect.details.get("stage", ""))), None)
        elif effect.kind == "raise_gate" and self.council is not None:
            self._schedule_decision(index, at, str(effect.details["gate"]), self.council)

    def _answer(self, index: int, at: datetime, provider: str, stage: str, effect: Effect) -> None:
        """The provider's behaviour decides whether, how and when it answers."""
        table = self._tables.get(provider)
        if table is None:
            table = self._tables[provider] = _Table(self.generated.behaviours[provider])
        rng = self.rng
        round_ = effect.details.get("round", "offer")
        # Behaviour.answer's draw, from the precomputed sums (the same floats, added in the
        # same order): interest or offer, decline, or None (silence)
        interest = round_ == "interest"
        positive, declined, total = table.interest if interest else table.offer
        draw = rng.random() * total
        if draw < positive:
            action = "interest" if interest else "offer"
        elif draw < declined:
            action = "decline"
        else:
            return  # silence: the request expires (a decline, docs/policies.md §2)
        minutes = round(table.delay(rng))  # `max(1, min(_MAX_DELAY_MINUTES, ...))`, unrolled
        if minutes > _MAX_DELAY_MINUTES:
            minutes = _MAX_DELAY_MINUTES
        elif minutes < 1:
            minutes = 1
        span = self._spans.get(minutes)
        if span is None:
            span = self._spans[minutes] = hours_span(Decimal(minutes) / 60)
        when = self._add_span(at, span)
        if action == "decline":
            answer = _answer_of(when, provider, "decline", reason=rng.choice(DECLINE_REASONS))
        elif action == "interest":
            answer = _answer_of(when, provider, "interest")
        else:
            kind = self.kinds.get(stage, "")
            part = kind == "tender" and rng.random() < table.part
            rate = Decimal(str(table.rate(rng))).quantize(_PENNY)
            answer = _answer_of(
                when,
                provider,
                "accept" if kind == "cascade" else "offer",  # a cascade takes an accept
                coverage="part" if part else "full",
                rate=rate,
            )
        reply = _make(Reply)  # `Reply(stage, answer)` without its per-field `__setattr__`
        _set(reply, "__dict__", {"stage": stage, "answer": answer})
        self.sequence += 1
        heapq.heappush(self.heap, (when, _REPLY, self.sequence, index, reply))
        self.pending[(index, provider, stage)] = self.sequence

    def _schedule_decision(self, index: int, at: datetime, gate: str, council: Council) -> None:
        choice = dict(council.choices).get(gate)
        if choice is None:
            return  # the council makes no choice here: the package stays on hold
        minutes = max(1, round(council.delay.draw(self.rng)))
        when = self.market.calendar.add_working_hours(at, Decimal(minutes) / 60)
        self.push(when, _REPLY, index, GateDue(gate, choice))

    def _decision(self, index: int, at: datetime, due: GateDue) -> Decision | None:
        state = self.drafts[index]
        if state.status != PackageStatus.ON_HOLD or state.gate != due.gate:
            return None  # the gate was passed some other way meanwhile
        rule = self.market.policy.gate(due.gate)
        actor = rule.decided_by if rule else "manager"
        if due.choice == "approve":
            return Decision(at, actor, "approve", gate=due.gate)
        if due.choice != "award":
            return Decision(at, actor, "decide", gate=due.gate, choice=due.choice)
        offers = [
            r
            for r in state.requests
            if r.outcome == "offer" and r.not_awarded is None and r.coverage == "full"
        ]
        if due.gate == "mini_competition":
            raised = next(e for e in reversed(state.events) if e.type == "gate_raised")
            tied = raised.details.get("tied")
            if isinstance(tied, list) and tied:
                return Decision(
                    at, actor, "decide", gate=due.gate, choice="award", provider=str(tied[0])
                )
        if not offers:
            return None
        cheapest = min(offers, key=lambda r: (r.rate is None, r.rate or 0, r.provider))
        return Decision(
            at, actor, "decide", gate=due.gate, choice="award", provider=cheapest.provider
        )
