"""Benchmark: deadline computations per second, against a floor measured in the same run.

Run: .venv/bin/python bench/deadlines.py   (no Django; see bench/README.md)

The floor is plain `datetime + timedelta` over the same aware start times; each
figure is the median of REPEATS timed passes over START_COUNT start times. Ratios are given
in wall time and in CPU time (`time.process_time`): on a busy machine a pass of a few
hundred milliseconds is preempted far more often than the floor's of one or two, so the
wall ratio moves with the load and the CPU ratio is the one to compare between runs.
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


def median_seconds(task: Callable[[], object]) -> tuple[float, float]:
    """Median wall and CPU seconds of REPEATS passes of `task`."""
    task()  # warm-up: fills the bank holiday cache
    walls, cpus = [], []
    for _ in range(REPEATS):
        began, cpu = clock.perf_counter(), clock.process_time()
        task()
        walls.append(clock.perf_counter() - began)
        cpus.append(clock.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    starts = start_times()
    calendar = WorkingCalendar()
    two_hours = timedelta(hours=2)
    floor, floor_cpu = median_seconds(lambda: [t + two_hours for t in starts])
    floor_cpu = max(floor_cpu, 1e-9)
    print(f"{START_COUNT:,} start times, median of {REPEATS} passes")
    print(f"floor (datetime + timedelta): {START_COUNT / floor:,.0f}/s")
    total = total_cpu = 0.0
    for kind, expr in EXPRESSIONS.items():
        seconds, cpu = median_seconds(
            lambda expr=expr: [calendar.deadline(t, expr) for t in starts]
        )
        total += seconds
        total_cpu += cpu
        print(
            f"{kind}: {START_COUNT / seconds:,.0f}/s, {seconds / floor:.1f}x floor "
            f"({cpu / floor_cpu:.1f}x in CPU time)"
        )
    overall = len(EXPRESSIONS) * START_COUNT / total
    print(
        f"overall: {overall:,.0f}/s, {total / len(EXPRESSIONS) / floor:.1f}x floor "
        f"({total_cpu / len(EXPRESSIONS) / floor_cpu:.1f}x in CPU time)"
    )
    ends = [calendar.deadline(t, EXPRESSIONS["working_days"]) for t in starts]
    pairs = list(zip(starts, ends, strict=True))
    seconds, cpu = median_seconds(lambda: [calendar.working_hours_between(s, e) for s, e in pairs])
    print(
        f"working_hours_between: {START_COUNT / seconds:,.0f}/s, {seconds / floor:.1f}x floor "
        f"({cpu / floor_cpu:.1f}x in CPU time)"
    )


if __name__ == "__main__":
    main()
