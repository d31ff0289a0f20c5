"""The what-if run pauses Python's cyclic garbage collector (issue 14: it was a third of a
county-year's time) and is only allowed to because the engine makes no reference cycles."""

from __future__ import annotations

import gc

import pytest

from carebroker.engine import whatif
from carebroker.engine.whatif import simulate_market
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


def test_the_collector_is_back_on_after_a_run_and_after_a_failed_one() -> None:
    """The pause ends with the run, whether it finishes or raises."""
    market = spec(PRESET_MARKETS["essex-lah"]())
    simulate_market(market, market.policies[0], 11)
    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="a broken step"), whatif._collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("a broken step")
    assert gc.isenabled()
