"""A demo package's history, made by the sourcing engine itself (issue 10 item 1).

Each seeded package is referred to the engine at its acceptance time and driven forward
with made-up provider answers and council decisions until it reaches the status the
caseload drew for it (or the demo's `now` comes first). So every seeded package has the
engine state, requests and timeline a real one would have, and every gate it waits at
is one the engine raised and can take a decision on.

A story is only answers and decisions, each at a time between a request's sending and its
deadline: nothing here sets a status by hand.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from carebroker.engine import engine
from carebroker.engine.inputs import Answer, Decision, Input, ReferralInput, Tick
from carebroker.engine.market import Market
from carebroker.engine.market import PackageSpec as EnginePackage
from carebroker.engine.state import PackageState, Request

# The portal's decline reasons (portal/forms.py DECLINE_REASONS), which pages show in words.
DECLINES = ("no_capacity", "call_times", "needs", "area")
MAX_STEPS = 400  # a story that would run longer stops where it is


@dataclass(frozen=True)
class Plot:
    """What the providers and the council do in one package's story.

    `goal`: the status (or `gate:<name>`) the story stops at. `say_yes`: providers answer
    positively; else they decline. `part`: offers cover part of the package. `tie`: two
    providers offer the same rate. `later`: an offer starts later than asked. `then`: a
    council decision once the goal is reached (cancel, close).
    """

    goal: str
    say_yes: bool = False
    part: bool = False
    tie: bool = False
    later: bool = False
    then: str = ""
    within: timedelta | None = None  # the story stops this long after the referral


def tell(
    market: Market,
    package: EnginePackage,
    referred: datetime,
    plot: Plot,
    now: datetime,
    rng: random.Random,
) -> PackageState:
    """Drive one package through the engine from its referral until the plot's goal or `now`."""
    end = min(now, referred + plot.within) if plot.within else now
    state = _step(market, engine.begin(package), ReferralInput(referred))
    for _ in range(MAX_STEPS):
        if _reached(state, plot.goal):
            break
        signal = _pass_gate(state, plot) or _answer(state, plot, end, rng) or _tick(state, end)
        if signal is None:
            break
        state = _step(market, state, signal)
    ready = _reached(state, plot.goal) or plot.then == "cancel"
    if plot.then and ready and state.status in ("sourcing", "on_hold"):
        at = min(now, max(end, _last_at(state)) + timedelta(hours=rng.randrange(1, 6)))
        choice = "close" if plot.then == "close" else None
        action = "cancel" if plot.then == "cancel" else "decide"
        decision = Decision(at=at, actor="broker", action=action, gate=state.gate, choice=choice)
        state = _step(market, state, decision)
    return state


def _step(market: Market, state: PackageState, signal: Input) -> PackageState:
    return engine.step(market, state, signal).state


def _reached(state: PackageState, goal: str) -> bool:
    if state.status not in ("new", "sourcing", "on_hold"):
        return True  # awarded, unfilled, returned, closed, cancelled: the story is over
    if goal.startswith("gate:"):
        return state.gate == goal.removeprefix("gate:") or (
            state.gate is not None and goal == "gate:any"
        )
    return state.status == goal and goal != "sourcing"


def _last_at(state: PackageState) -> datetime:
    return state.events[-1].at


def _tick(state: PackageState, now: datetime) -> Tick | None:
    due = engine.next_due(state)
    if due is None or due > now:
        return None
    return Tick(due)


def _pass_gate(state: PackageState, plot: Plot) -> Decision | None:
    """A story going past a gate (to unfilled): the manager approves non-contracted providers."""
    if state.gate == "non_contracted_approval" and plot.goal == "unfilled":
        at = _last_at(state) + timedelta(hours=2)
        return Decision(at=at, actor="manager", action="approve", gate=state.gate)
    return None


def _answer(state: PackageState, plot: Plot, now: datetime, rng: random.Random) -> Answer | None:
    """The next provider's answer, if one is due in the story before its deadline and `now`."""
    if state.gate is not None:
        return None  # a gate waits for the council, not for providers
    offers = sum(1 for r in state.requests if r.outcome == "offer")
    for request in state.requests:
        if request.outcome != "open":
            continue
        at = request.sent_at + timedelta(minutes=rng.randrange(20, 90))
        at = min(at, request.deadline - timedelta(minutes=5))
        if at > now or at < request.sent_at:
            continue
        positive = plot.say_yes or (
            plot.goal == "gate:open_market_choice" and request.stage == "open_market"
        )
        if plot.goal == "sourcing" and rng.random() < 0.5:
            continue  # still waiting for this provider
        if not positive:
            return Answer(at, request.provider, "decline", reason=rng.choice(DECLINES))
        return _yes(state, request, at, offers, plot, rng)
    return None


def _yes(
    state: PackageState, request: Request, at: datetime, offers: int, plot: Plot, rng: random.Random
) -> Answer:
    package = state.package
    if request.round == "interest":
        return Answer(at, request.provider, "interest")
    rate = Decimal(rng.randrange(2150, 2650)) / 100
    if plot.tie:
        rate = Decimal("23.50")
    start = package.preferred_start
    if plot.later:
        start = package.preferred_start + timedelta(days=rng.randrange(7, 21))
    coverage = "part" if plot.part else "full"
    if plot.tie and offers >= 2:
        return Answer(at, request.provider, "decline", reason=rng.choice(DECLINES))
    return Answer(at, request.provider, "offer", rate=rate, start=start, coverage=coverage)
