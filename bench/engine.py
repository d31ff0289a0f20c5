"""Benchmark: a generated county-year through the sourcing engine, against a heapq floor.

Run: .venv/bin/python bench/engine.py [--packages N] [--repeats R] [--profile-packages P]
(no Django; see bench/README.md)

The market is `essex-lah` over 2027 with 200 providers in five quadrants and a package
stream sized to at least N packages (default 20,000); provider behaviour and council
decisions are drawn from one seeded `random.Random`, so every pass does the same work.
Figures: wall time per pass and engine events (steps) per second, each the median of R
passes; the floor is the same number of events pushed and popped through a bare `heapq`
queue (the scheduling a simulator cannot avoid), timed in the same run; the ratio is the
run's wall time over the floor's. Then one smaller pass (P packages, default 5,000) under
cProfile, top functions by cumulative time. A full pass takes one to two minutes.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import heapq
import io
import pstats
import random
import statistics
import time as clock
from datetime import datetime, timedelta
from typing import Any

from carebroker.engine.whatif import simulate_market
from carebroker.engine.whatif_reader import read_market
from carebroker.engine.whatif_run import WhatIfRun
from carebroker.lib.london import LONDON

SEED = 20261123
QUADRANTS = ("North", "Mid", "West", "South East", "South West")
WORKING_DAYS_2027 = 252  # England and Wales, Monday to Friday less 8 bank holidays


def county_year(packages: int) -> dict[str, Any]:
    """The MARKET.toml table of an Essex county-year with about `packages` packages."""
    per_day = packages * 1.03 / WORKING_DAYS_2027 / len(QUADRANTS)  # Poisson: aim a little high
    return {
        "policy": "essex-lah",
        "start": "2027-01-04T09:00:00Z",
        "until": "2027-12-31T17:00:00Z",
        "packages": {
            "hours_per_week": {"distribution": "uniform", "low": 5, "high": 30},
            "start_after_days": {"distribution": "uniform", "low": 1, "high": 21},
            "urgent": 0.05,
            "hospital_discharge": 0.10,
            "change_to_existing": 0.05,
        },
        "areas": [{"name": name, "packages_per_working_day": per_day} for name in QUADRANTS],
        "providers": {
            "generate": {
                "count": 200,
                "kinds": {"framework": 0.9, "spot": 0.1},
                "tiers": {"1": 0.6, "2": 0.4},
                "areas_low": 1,
                "areas_high": 2,
                "spread": 0.3,
            }
        },
        "behaviour": {
            "interest": 0.5,
            "offer": 0.5,
            "decline": 0.3,
            "silence": 0.2,
            "delay": {"distribution": "lognormal", "median": 45, "sigma": 0.8},
            "rate": {"distribution": "uniform", "low": 21, "high": 25},
        },
        "council": {
            "delay": {"distribution": "uniform", "low": 30, "high": 240},
            "choices": {"open_market_choice": "award"},
        },
    }


def floor_seconds(events: int, live: int) -> tuple[float, float]:
    """Push and pop `events` entries shaped like the simulator's through a bare heapq.

    The heap holds up to `live` entries at once (one per package, as the simulator's does
    at most for clocks), popping the earliest whenever it is full; times are a seeded
    shuffle over the year, built before the clock starts.
    """
    rng = random.Random(SEED)
    base = datetime(2027, 1, 4, 9, tzinfo=LONDON)
    entries = [
        (base + timedelta(minutes=rng.randrange(525_600)), 2, n, n % live, None)
        for n in range(events)
    ]
    heap: list[tuple[datetime, int, int, int, None]] = []
    push, pop = heapq.heappush, heapq.heappop
    began, cpu = clock.perf_counter(), clock.process_time()
    for entry in entries:
        push(heap, entry)
        if len(heap) > live:
            pop(heap)
    while heap:
        pop(heap)
    return clock.perf_counter() - began, clock.process_time() - cpu


class _GcTimer:
    """Wall seconds spent in the cyclic garbage collector while installed."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._began = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = clock.perf_counter()
        else:
            self.seconds += clock.perf_counter() - self._began


def one_pass(table: dict[str, Any]) -> tuple[float, float, float, WhatIfRun]:
    """Wall, CPU and garbage-collection seconds of one run (CPU is steadier when shared)."""
    market = read_market(table)
    timer = _GcTimer()
    gc.callbacks.append(timer)
    began, cpu = clock.perf_counter(), clock.process_time()
    try:
        run = simulate_market(market, market.policies[0], SEED)
    finally:
        gc.callbacks.remove(timer)
    return clock.perf_counter() - began, clock.process_time() - cpu, timer.seconds, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=20_000, help="default: 20,000")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes (default 3)")
    parser.add_argument(
        "--profile-packages",
        type=int,
        default=5_000,
        help="size of the one profiled pass (default 5,000: cProfile slows a run ~2.5x; "
        "the cost per event has the same shape); 0 skips it",
    )
    options = parser.parse_args()
    table = county_year(options.packages)
    walls, cpus, gcs, floors, floor_cpus = [], [], [], [], []
    steps = packages = placed = providers = 0
    for _ in range(max(1, options.repeats)):
        wall, cpu, collecting, run = one_pass(table)
        steps, packages = run.steps, len(run.states)
        placed = sum(1 for s in run.states if s.status == "awarded")
        providers = len(run.market.providers)
        del run  # one county-year in memory at a time
        walls.append(wall)
        cpus.append(cpu)
        gcs.append(collecting)
        floor_wall, floor_cpu = floor_seconds(steps, packages)
        floors.append(floor_wall)
        floor_cpus.append(floor_cpu)
    wall, floor = statistics.median(walls), statistics.median(floors)
    cpu, floor_cpu = statistics.median(cpus), statistics.median(floor_cpus)
    print(
        f"essex-lah county-year: {providers} providers, {packages:,} packages "
        f"({placed:,} placed), {steps:,} engine events; median of {len(walls)} passes"
    )
    print(
        f"run: {wall:.1f} s wall, {steps / wall:,.0f} events/s ({cpu:.1f} s CPU, of which "
        f"{statistics.median(gcs):.1f} s in the garbage collector)"
    )
    print(
        f"floor (bare heapq push + pop): {floor:.3f} s wall, {steps / floor:,.0f} events/s "
        f"({floor_cpu:.3f} s CPU)"
    )
    print(f"ratio run / floor: {wall / floor:,.0f}x wall, {cpu / max(floor_cpu, 1e-9):,.0f}x CPU")
    if options.profile_packages <= 0:
        return
    small = county_year(options.profile_packages)
    profile = cProfile.Profile()
    profile.enable()
    one_pass(small)
    profile.disable()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(15)
    print(
        f"\nprofile of one {options.profile_packages:,}-package pass (cumulative, then own time):"
    )
    print(out.getvalue())


if __name__ == "__main__":
    main()
