"""The simulator: a virtual clock over a heap of timers and scripted events (docs/scenarios.md).

Each package is its own state machine (`engine.step`); the heap orders referrals, scripted
answers and decisions, and each package's next clock. At one instant, referrals come
first, then scripted events (an answer at the deadline is in time), then clocks. Every
award therefore happens at the earliest instant the rules allow: the engine adds no delay.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime

from carebroker.engine.engine import begin, next_due, step
from carebroker.engine.inputs import Input, ReferralInput, Tick
from carebroker.engine.market import Market
from carebroker.engine.scenario import Scenario
from carebroker.engine.state import PackageState

_REFERRAL, _SCRIPTED, _CLOCK = 0, 1, 2


@dataclass(frozen=True)
class Simulation:
    """The end of a run: each package's final state, in the scenario's order."""

    market: Market
    states: tuple[PackageState, ...]
    steps: int


def simulate(scenario: Scenario) -> Simulation:
    market = Market.of(scenario.policy, scenario.providers)
    states = {package.id: begin(package) for package in scenario.packages}
    heap: list[tuple[datetime, int, int, str, Input | None]] = []
    sequence = 0
    for package in scenario.packages:
        at = max(package.referred_at, scenario.start)
        heap.append((at, _REFERRAL, sequence, package.id, ReferralInput(at)))
        sequence += 1
    for event in scenario.events:
        heap.append((event.signal.at, _SCRIPTED, sequence, event.package, event.signal))
        sequence += 1
    heapq.heapify(heap)
    scheduled: dict[str, datetime | None] = dict.fromkeys(states)
    steps = 0
    while heap:
        at, kind, _, package_id, signal = heapq.heappop(heap)
        if at > scenario.until:
            break
        if signal is None:
            if scheduled[package_id] != at:
                continue  # a clock that moved since it was set
            scheduled[package_id] = None
            signal = Tick(at)
        result = step(market, states[package_id], signal)
        steps += 1
        states[package_id] = result.state
        due = next_due(result.state)
        if due is not None and due != scheduled[package_id]:
            due = max(due, at)
            scheduled[package_id] = due
            heapq.heappush(heap, (due, _CLOCK, sequence, package_id, None))
            sequence += 1
    return Simulation(market, tuple(states.values()), steps)
