"""The worker: every sweep runs the DUTIES in order at one instant `now`.

A duty is a function `(now) -> list[str]` that does what is due at `now` and returns one
line per thing it did (nothing due: no lines). The outbox goes first, so notices queued by
the previous sweep leave without waiting a sweep more. The sourcing engine's duties
(16:00 batches, expiries, chases, next stages, open market, escalations) are appended
here, in the order they must run.

`carebroker worker` runs sweeps forever (every `--interval` seconds) or one (`--once`,
for cron); several workers may run at once (each duty claims its rows, see
outbox/delivery.py). A failing duty is logged and reported, and the others still run.
Beside the sweeps it runs the background jobs people queue (Django tasks, sourcing/jobs.py):
in a thread of their own while looping, after the sweep with `--once`.

Two lanes (issue 14). The *list* duties (`add_duty(..., lane=LISTS)`: the batch reports
with their workbooks, the Available Packages lists, the scheduled reports, retention) read
every council's open requests or records and can take minutes at national scale; the
*due* duties (the outbox, deadlines, answers' effects, waiting-list clocks) must not wait
behind them: measured with them in
one sweep, a notice waited 39 s at 2 councils and 87 s at 8. A looping worker therefore
sweeps the list duties in a thread of their own, so a due step waits at most an interval
and the due lane's own work; `--lane due` / `--lane lists` run one lane per process
(docs/deployment.md), and `--once` (cron) or an explicit list of duties runs everything
in order in one sweep, as before. A batch report is queued by the list lane's next sweep
after the batch is issued, not in the same sweep: its key is the batch's, so it is still
queued once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from django.db import close_old_connections, connection
from django.utils import timezone

from carebroker.outbox.delivery import deliver_due
from carebroker.sourcing import jobs
from carebroker.sourcing.after_award import chase_after_award
from carebroker.sourcing.due import advance_due
from carebroker.sourcing.partitions import make_partitions
from carebroker.sourcing.placements import start_placements
from carebroker.sourcing.polling import start_polling
from carebroker.sourcing.waiting_list import escalate_waiting

logger = logging.getLogger(__name__)

Duty = Callable[[datetime], list[str]]

ALL, DUE, LISTS = "all", "due", "lists"
LANES = (ALL, DUE, LISTS)

# This process, in the claims it makes (a claim token adds a random part per pass).
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


def deliver_outbox(now: datetime) -> list[str]:
    """Send the notices due at `now` (outbox/delivery.py)."""
    return deliver_due(now, worker_id=WORKER_ID).lines()


DUTIES: list[Duty] = [
    deliver_outbox,
    # The sourcing engine's duties go here, in order (issue 4 item 3).
    advance_due,  # sourcing/due.py: batches, deadlines, chases, next stages, open market
    # exchange/provider_lists.py adds the batch reports and the Available Packages list
    # here, after advance_due (ExchangeConfig.ready): `sourcing` does not import `exchange`.
    escalate_waiting,  # sourcing/waiting_list.py: amber and red, once each (docs/policies.md §5)
    start_placements,  # sourcing/placements.py: a confirmed placement starts on its start date
    chase_after_award,  # sourcing/after_award.py: Kent's clocks after acceptance (§5)
    make_partitions,  # sourcing/partitions.py: next months' partitions, daily (PostgreSQL)
]


# The duties of the list lane (see the module docstring); every other duty is a due one.
LIST_DUTIES: set[Duty] = set()


def add_duty(duty: Duty, after: Duty | None = None, *, lane: str = DUE) -> None:
    """Register a duty of a higher app (from its AppConfig.ready): last, or right after
    `after`; once only, however often `ready` runs. `lane=LISTS` for a duty that makes
    lists of many packages (it must not hold back the due steps)."""
    if lane == LISTS:
        LIST_DUTIES.add(duty)
    if duty in DUTIES:
        return
    DUTIES.insert(DUTIES.index(after) + 1 if after in DUTIES else len(DUTIES), duty)


def lane_duties(lane: str) -> list[Duty]:
    """The duties of one lane, in DUTIES order (ALL: every duty)."""
    if lane not in LANES:
        raise ValueError(f"no worker lane {lane!r}: one of {', '.join(LANES)}")
    if lane == ALL:
        return list(DUTIES)
    return [duty for duty in DUTIES if (duty in LIST_DUTIES) == (lane == LISTS)]


def sweep(now: datetime, duties: Iterable[Duty] | None = None) -> list[str]:
    """Run every duty at `now`; a duty that raises is logged and reported as a line."""
    lines: list[str] = []
    for duty in DUTIES if duties is None else duties:
        _tidy_connections()
        try:
            lines += duty(now)
        except Exception as error:  # one duty's failure must not stop the others
            logger.exception("worker duty %s failed", duty.__name__)
            lines.append(f"{duty.__name__}: FAILED: {type(error).__name__}: {error}")
    return lines


def _tidy_connections() -> None:
    # A long-running worker outlives connections (server restarts, CONN_MAX_AGE), and a
    # duty's database error must not break the next duty. Never inside a transaction (a
    # caller's or a test's): closing there would break it.
    if not connection.in_atomic_block:
        close_old_connections()


def run(
    *,
    once: bool,
    interval: float,
    say: Callable[[str], None],
    stop: threading.Event,
    duties: Sequence[Duty] | None = None,
    run_jobs: bool = False,
    lane: str = ALL,
) -> None:
    """Sweep until `stop` is set (after the current sweep), or once. The clock is read here,
    once per sweep: every duty of a sweep sees the same `now`. With `run_jobs` (the
    command's), queued background jobs run too; `lane` picks the duties, and a looping
    worker of both lanes sweeps the list lane in a thread (see the module docstring)."""
    threads = []
    if run_jobs and not once:
        threads.append(jobs.start_job_thread(WORKER_ID, say, stop))
    if duties is None:
        duties = lane_duties(lane)
        if lane == ALL and not once:
            duties = lane_duties(DUE)
            threads.append(_start_list_thread(lane_duties(LISTS), interval, say, stop))
    try:
        while True:
            now = timezone.now()
            lines = sweep(now, duties)
            if run_jobs and once:
                _tidy_connections()
                lines += jobs.run_ready_jobs(WORKER_ID)
            for line in lines:
                say(line)
            if once:
                if not lines:
                    say("nothing due")
                return
            if stop.wait(interval):
                return
    finally:
        if threads:
            stop.set()
        for thread in threads:
            thread.join()  # the current job or list sweep finishes, as the current sweep does


def _start_list_thread(
    duties: Sequence[Duty], interval: float, say: Callable[[str], None], stop: threading.Event
) -> threading.Thread:
    """Sweep the list lane's duties every `interval` until `stop` (after the current sweep)."""
    return start_polling(
        "carebroker-lists", lambda: sweep(timezone.now(), duties), interval, say, stop
    )
