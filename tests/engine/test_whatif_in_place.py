"""The what-if run keeps each package's `Draft` and changes it in place (`engine.apply`,
issue 14); callers of `engine.step` get a frozen copy per step. The two must agree: a run
whose every step goes through the public, pure `step` (the careful path) ends with the same
states, effects and step count as the in-place run (the fast path), for every preset's
market and any seed."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carebroker.engine.engine import step
from carebroker.engine.inputs import Input
from carebroker.engine.market import Market
from carebroker.engine.state import Draft, Effect
from carebroker.engine.whatif import Run
from carebroker.engine.whatif_market import generate as generate_market
from carebroker.engine.whatif_run import WhatIfRun
from tests.engine.whatif_markets import PRESET_MARKETS, spec


class CarefulRun(Run):
    """A `Run` whose every step freezes the package's state, calls `engine.step` on it and
    keeps a new draft of the result: what any other caller of the engine does."""

    def _step(self, draft: Draft, signal: Input) -> list[Effect]:
        result = step(self.market, draft.freeze(), signal)
        fresh = Draft(result.state)
        # the run holds this package's draft by position: swap its contents in place
        vars(draft).update(vars(fresh))
        assert tuple(draft.events[len(draft.events) - len(result.events) :]) == result.events
        return list(result.effects)


def _run(kind: type[Run], preset: str, seed: int) -> WhatIfRun:
    market = spec(PRESET_MARKETS[preset]())
    policy = market.policies[0]
    rng = random.Random(seed)
    generated = generate_market(market, rng, Market.of(policy, ()).calendar)
    run = kind(
        Market.of(policy, generated.providers), generated, market.until, market.council, rng, True
    )
    return run.run()


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(preset=st.sampled_from(sorted(PRESET_MARKETS)), seed=st.integers(0, 2**32 - 1))
def test_the_in_place_run_equals_a_run_through_the_pure_step(preset: str, seed: int) -> None:
    fast = _run(Run, preset, seed)
    careful = _run(CarefulRun, preset, seed)
    assert fast.steps == careful.steps > 0
    assert fast.states == careful.states
    assert fast.effects == careful.effects
