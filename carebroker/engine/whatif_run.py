"""One policy's run over a generated market: what `whatif.simulate_market` makes and
`whatif_summary` reads (its own module, so the two need not import each other)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from carebroker.engine.market import Market
from carebroker.engine.state import Effect, PackageState


@dataclass(frozen=True)
class WhatIfRun:
    """One policy's run over a generated market: final states, engine steps, effects kept."""

    market: Market
    states: tuple[PackageState, ...]
    steps: int
    effects: tuple[tuple[str, datetime, Effect], ...]  # (package, at, effect) when kept
