"""The what-if run pauses Python's cyclic garbage collector (issue 14: it was a third of a
county-year's time) and is only allowed to because the engine makes no reference cycles."""

from __future__ import annotations

import gc
import random

import pytest

from carebroker.engine import whatif
from carebroker.engine.market import Market
from carebroker.engine.whatif import Run, simulate_market
from carebroker.engine.whatif_market import generate as generate_market
from tests.engine.whatif_markets import PRESET_MARKETS, spec


@pytest.mark.parametrize("preset", sorted(PRESET_MARKETS))
def test_a_what_if_run_leaves_no_reference_cycles_behind(preset: str) -> None:
    """Everything a run makes is freed by reference counting: with the collector paused for
    the run, a collection afterwards finds nothing unreachable."""
    market = spec(PRESET_MARKETS[preset]())
    gc.collect()
    gc.disable()
    try:
        run = simulate_market(market, market.policies[0], 11)
        del run
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_a_run_started_directly_pauses_the_collector_too() -> None:
    """The policy simulator's replay (whatif_replay.py) starts a `Run` itself."""
    market = spec(PRESET_MARKETS["kent-oppd"]())
    paused: list[bool] = []  # whether the collector was paused, at each progress report
    rng = random.Random(11)
    generated = generate_market(market, rng, Market.of(market.policies[0], ()).calendar)
    run = Run(
        Market.of(market.policies[0], generated.providers),
        generated,
        market.until,
        market.council,
        rng,
        False,
        on_progress=lambda at: paused.append(not gc.isenabled()),
    ).run()
    assert run.steps and paused and all(paused)
    assert gc.isenabled()


def test_the_collector_is_back_on_after_a_run_and_after_a_failed_one() -> None:
    """The pause ends with the run, whether it finishes or raises."""
    market = spec(PRESET_MARKETS["essex-lah"]())
    simulate_market(market, market.policies[0], 11)
    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="a broken step"), whatif._collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("a broken step")
    assert gc.isenabled()
