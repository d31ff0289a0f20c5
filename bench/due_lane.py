"""Benchmark: what one sweep of the worker's due lane costs on a database you already have.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/cb_national \\
         .venv/bin/python bench/due_lane.py [--calls N]

Point it at a database a run of `bench/national.py --keep` left (or any copy of a real one):
it calls each duty of the due lane (sourcing/worker.py `lane_duties("due")`: the outbox,
the engine's clocks, the waiting list, placements, after the award, partitions) N times
(default 5) in this process at the time of the call, as a looping worker does, and prints
per duty the first call and the median of the others: wall time, CPU time (this process:
the Python side; the rest of the wall time is the database and waiting for a core) and
queries. The first call does what is due (and works out the moments
of rows a bulk load left NOT_WORKED_OUT); the later ones are the steady state of a running
worker, the cost every sweep pays. It writes what the duties write (it is a worker); the
schema is not touched: migrate first (`carebroker migrate`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebroker.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from carebroker.engine.vocabulary import LIVE
    from carebroker.sourcing.models import Package
    from carebroker.sourcing.worker import DUE, lane_duties

    live = Package.objects.filter(status__in=LIVE).count()
    awarded = Package.objects.filter(status="awarded").count()
    print(
        f"due lane on {connection.vendor}: {Package.objects.count():,} packages, {live:,} live, "
        f"{awarded:,} awarded; load average {os.getloadavg()}"
    )
    print(f"{'duty':<22} {'first: wall  cpu  queries':>28}   {'median of the rest':>28}")
    totals = [0.0, 0.0]
    for duty in lane_duties(DUE):
        runs = []
        for _ in range(args.calls):
            connection.queries_log.clear()  # it keeps 9,000: past that the count is wrong
            with CaptureQueriesContext(connection) as queries:
                wall, cpu = time.perf_counter(), time.process_time()
                duty(timezone.now())
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            runs.append((wall, cpu, len(queries)))
        rest = runs[1:] or runs
        med = [statistics.median(run[i] for run in rest) for i in range(3)]
        totals[0] += med[0]
        totals[1] += med[1]
        first = runs[0]
        print(
            f"{duty.__name__:<22} {first[0] * 1000:9.1f} ms {first[1] * 1000:7.1f} ms {first[2]:5d}"
            f"   {med[0] * 1000:9.1f} ms {med[1] * 1000:7.1f} ms {med[2]:5.0f}"
        )
    print(
        f"a due-lane sweep, steady state: {totals[0] * 1000:.1f} ms wall, "
        f"{totals[1] * 1000:.1f} ms CPU"
    )
    print(f"load average at end {os.getloadavg()}")


if __name__ == "__main__":
    main()
