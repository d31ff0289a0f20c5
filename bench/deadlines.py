"""Benchmark: deadline computations per second, against a floor measured in the same run.

Run: .venv/bin/python bench/deadlines.py   (no Django; see bench/README.md)

The floor is plain `datetime + timedelta` over the same aware start times; each
figure is the median of REPEATS timed passes over START_COUNT start times.
"""

import random
import statistics
import time as clock
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from carebroker.engine.workingtime import Deadline, WorkingCalendar
from carebroker.lib.london import LONDON

START_COUNT = 20_000
REPEATS = 7
SEED = 20261123
EXPRESSIONS = {
    "working_hours": Deadline.parse("2 working hours"),
    "working_days": Deadline.parse("5 working days"),
    "next_working_day_at": Deadline.parse("next working day at 10:00"),
    "elapsed_hours": Deadline.parse("24 hours"),
}


def start_times() -> list[datetime]:
    """Fixed pseudo-random aware start times spread over 2026-2027, in London time."""
    rng = random.Random(SEED)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    span = int((datetime(2028, 1, 1, tzinfo=UTC) - base).total_seconds())
    return [
        (base + timedelta(seconds=rng.randrange(span))).astimezone(LONDON)
        for _ in range(START_COUNT)
    ]


def median_seconds(task: Callable[[], object]) -> float:
    task()  # warm-up: fills the bank holiday cache
    timings = []
    for _ in range(REPEATS):
        began = clock.perf_counter()
        task()
        timings.append(clock.perf_counter() - began)
    return statistics.median(timings)


def main() -> None:
    starts = start_times()
    calendar = WorkingCalendar()
    two_hours = timedelta(hours=2)
    floor = median_seconds(lambda: [t + two_hours for t in starts])
    print(f"{START_COUNT:,} start times, median of {REPEATS} passes")
    print(f"floor (datetime + timedelta): {START_COUNT / floor:,.0f}/s")
    total = 0.0
    for kind, expr in EXPRESSIONS.items():
        seconds = median_seconds(lambda expr=expr: [calendar.deadline(t, expr) for t in starts])
        total += seconds
        print(f"{kind}: {START_COUNT / seconds:,.0f}/s, {seconds / floor:.1f}x floor")
    overall = len(EXPRESSIONS) * START_COUNT / total
    print(f"overall: {overall:,.0f}/s, {total / len(EXPRESSIONS) / floor:.1f}x floor")
    ends = [calendar.deadline(t, EXPRESSIONS["working_days"]) for t in starts]
    pairs = list(zip(starts, ends, strict=True))
    seconds = median_seconds(lambda: [calendar.working_hours_between(s, e) for s, e in pairs])
    print(f"working_hours_between: {START_COUNT / seconds:,.0f}/s, {seconds / floor:.1f}x floor")


if __name__ == "__main__":
    main()
