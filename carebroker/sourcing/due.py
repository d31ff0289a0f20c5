"""The worker's sourcing duty: tick every package whose next clock has run out.

`advance_due(now)` finds packages with `next_due <= now` (16:00 batches, deadlines,
chases, next stages, open-market days, waiting-list clocks) and sends each `Tick(now)`.
It claims them in batches of BATCH, one transaction per batch: each package is stepped
in a savepoint of its own (one that fails is rolled back alone and reported; it stays
due and the next sweep retries it), and the rows of the rest are written in bulk
(sourcing/writes.py). Claiming is safe with several workers at once:

- PostgreSQL: the rows are locked with `SELECT ... FOR UPDATE SKIP LOCKED`; a package
  another worker holds is skipped, not waited for.
- SQLite: one writer at a time (settings: `transaction_mode` IMMEDIATE); a worker that gets
  the lock second finds `next_due` already moved on and skips.

Either way the claim reads `next_due <= now` under the lock, so a package is ticked once.

Packages seeded before the engine ran (`carebroker seed-demo`) have no engine state. Those
being sourced are *adopted* at the first sweep: the engine starts them as referred now
(their referral was already accepted, so the documents are not checked again); packages
in any other status keep the status they were seeded with and are never ticked.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from carebroker.councils.models import Council
from carebroker.engine import engine
from carebroker.engine.inputs import ReferralInput, Tick
from carebroker.engine.market import Market
from carebroker.engine.state import Event
from carebroker.referrals.models import ReferralStatus
from carebroker.sourcing.market_db import engine_package, market_of
from carebroker.sourcing.models import EventSource, Package, PackageStatus, TimelineEvent
from carebroker.sourcing.runner import apply, state_of
from carebroker.sourcing.writes import Writes

logger = logging.getLogger(__name__)

# Packages claimed per transaction. Larger batches write more rows per statement but hold
# their row locks (on SQLite, the one write lock) longer; 100 keeps a batch well under a
# second on this project's machines.
BATCH = 100


class Markets:
    """Each council's market, built once per sweep (providers change rarely, not mid-sweep)."""

    def __init__(self) -> None:
        self._markets: dict[int, Market] = {}

    def of(self, council: Council) -> Market:
        market = self._markets.get(council.pk)
        if market is None:
            market = self._markets[council.pk] = market_of(council)
        return market


def advance_due(now: datetime, limit: int | None = None) -> list[str]:
    """Tick every package due at `now` (and adopt seeded ones); one line per package moved."""
    lines: list[str] = []
    markets = Markets()
    lines += adopt_seeded(now, markets)
    done = 0
    # Keyset paging by (next_due, pk), the oldest due first: a package long overdue is not
    # left behind a sweep's worth of later ones (issue 14: lag is due time to processed
    # time). Each due package is looked at once per sweep: a ticked one moves past `now`,
    # a failed one keeps its place behind the cursor.
    last: tuple[datetime, int] | None = None
    while limit is None or done < limit:
        size = BATCH if limit is None else min(BATCH, limit - done)
        claimed, batch_lines = _tick_batch(now, last, size, markets)
        if not claimed:
            break
        last = claimed[-1]
        lines += batch_lines
        done += len(batch_lines)
    return lines


def claim(pk: int) -> Package | None:
    rows = (
        Package.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("council", "referral", "referral__referrer", "person", "area")
        .filter(pk=pk)
    )
    return next(iter(rows), None)


def claim_due(
    now: datetime, after: tuple[datetime, int] | None, size: int, column: str = "next_due"
) -> list[Package]:
    """Up to `size` packages due by `now` in `column` (the engine's `next_due`, or a
    duty's moment: sourcing/duty_due.py) past `after` (a (due, pk) cursor; None: from the
    start), the oldest due first, locked for this transaction; rows another worker holds
    are skipped, not waited for. `column <= now` is read under the lock (PostgreSQL
    re-checks a row changed meanwhile; SQLite has one writer at a time). A held package's
    engine clocks wait; the duties' moments do not."""
    rows = Package.objects.select_for_update(skip_locked=True, of=("self",)).filter(
        **{f"{column}__lte": now}
    )
    if column == "next_due":
        rows = rows.filter(held_reason="")
    if after is not None:
        due, pk = after
        rows = rows.filter(Q(**{f"{column}__gt": due}) | Q(**{column: due, "pk__gt": pk}))
    rows = rows.select_related("council", "referral", "referral__referrer", "person", "area")
    return list(rows.order_by(column, "pk")[:size])


class _BulkWriteFailed(Exception):
    """The batch's bulk write failed: everything in it is rolled back, to be redone."""


def _tick_batch(
    now: datetime, after: tuple[datetime, int] | None, size: int, markets: Markets
) -> tuple[list[tuple[datetime, int]], list[str]]:
    """Claim a batch and tick it in one transaction; returns the claimed packages' (due
    time, pk) in claim order and one line per package.

    Each package is stepped in a savepoint of its own: one that fails is rolled back
    alone, reported, and stays due (the next sweep retries it). The rows of the rest are
    written in one bulk write (sourcing/writes.py). Should that write fail (a package
    whose rows break a constraint: which one cannot be told from a bulk statement), the
    batch is rolled back and done again with each package's rows written inside its own
    savepoint, so that package fails alone and the rest commit."""
    try:
        return _batch(now, after, size, markets, write_each=False)
    except _BulkWriteFailed:
        logger.exception("the bulk write of a batch failed: its packages are written one by one")
        return _batch(now, after, size, markets, write_each=True)


def _batch(
    now: datetime,
    after: tuple[datetime, int] | None,
    size: int,
    markets: Markets,
    *,
    write_each: bool,
) -> tuple[list[tuple[datetime, int]], list[str]]:
    with transaction.atomic():
        rows = claim_due(now, after, size)
        claimed = [(row.next_due, row.pk) for row in rows]  # before the ticks move them
        writes = Writes()
        lines = [_step_one(row, now, markets, writes, write_each) for row in rows]
        try:
            writes.flush()
        except Exception as error:
            raise _BulkWriteFailed from error
    return claimed, lines


def _step_one(
    row: Package, now: datetime, markets: Markets, writes: Writes, write_each: bool
) -> str:
    mark = writes.mark()
    before = (row.status, row.stage, row.gate)
    try:
        with transaction.atomic():  # the package's savepoint
            outcome = apply(
                row, markets.of(row.council), state_of(row), Tick(now), now, writes=writes
            )
            if write_each:
                writes.flush()
    except Exception:
        # One package's failure must not stop the batch: its writes (the savepoint) and
        # its collected rows go; it stays due and is retried next sweep.
        writes.undo(mark)
        logger.exception("ticking package %s failed", row.pk)
        return f"sourcing: package {row.pk} FAILED (see the log); it will be retried"
    return _line(row, before, outcome.events)


def _line(row: Package, before: tuple[str, str, str], events: Sequence[Event]) -> str:
    after = (row.status, row.stage, row.gate)
    what = ", ".join(sorted({event.type for event in events})) or "nothing changed"
    moved = "" if after == before else f" ({'/'.join(filter(None, after))})"
    return f"sourcing: {row.case_number}{moved}: {what}"


def adopt_seeded(now: datetime, markets: Markets) -> list[str]:
    """Start the engine for packages being sourced that have no engine state yet."""
    lines = []
    pending = Package.objects.filter(
        engine_state__isnull=True,
        status=PackageStatus.SOURCING,
        referral__status=ReferralStatus.ACCEPTED,  # a referral still to check is not adopted
        held_reason="",
    ).values_list("pk", flat=True)
    for pk in list(pending):
        try:
            line = _adopt_one(pk, now, markets)
        except Exception:
            # One package's failure must not stop the others; it is tried again next sweep.
            logger.exception("starting seeded package %s failed", pk)
            line = f"sourcing: package {pk} FAILED to start (see the log); it will be retried"
        if line:
            lines.append(line)
    return lines


def _adopt_one(pk: int, now: datetime, markets: Markets) -> str | None:
    with transaction.atomic():
        row = claim(pk)
        if row is None or row.engine_state is not None:
            return None
        referral = row.referral
        referred = referral.accepted_at or referral.received_at
        # The referral was accepted before the engine ran: no second document check.
        package = replace(engine_package(row, referred_at=referred), documents=None)
        TimelineEvent.objects.create(
            package=row,
            at=now,
            type="adopted",
            details={"why": "seeded before the engine ran; sourcing starts now"},
            source=EventSource.WORKER,
        )
        apply(row, markets.of(row.council), engine.begin(package), ReferralInput(now), now)
    return f"sourcing: {row.case_number}: started ({row.status} {row.stage})".rstrip()
