"""The worker's sourcing duty: tick every package whose next clock has run out.

`advance_due(now)` finds packages with `next_due <= now` (16:00 batches, deadlines,
chases, next stages, open-market days, waiting-list clocks) and sends each `Tick(now)`,
one short transaction per package. Claiming is safe with several workers at once:

- PostgreSQL: the row is locked with `SELECT ... FOR UPDATE SKIP LOCKED`; a package another
  worker holds is skipped, not waited for.
- SQLite: one writer at a time (settings: `transaction_mode` IMMEDIATE); a worker that gets
  the lock second finds `next_due` already moved on and skips.

Either way the claim re-checks `next_due <= now` under the lock, so a package is ticked once.

Packages seeded before the engine ran (`carebroker seed-demo`) have no engine state. Those
being sourced are *adopted* at the first sweep: the engine starts them as referred now
(their referral was already accepted, so the documents are not checked again); packages
in any other status keep the status they were seeded with and are never ticked.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from django.db import transaction

from carebroker.councils.models import Council
from carebroker.engine import engine
from carebroker.engine.inputs import ReferralInput, Tick
from carebroker.engine.market import Market
from carebroker.referrals.models import ReferralStatus
from carebroker.sourcing.market_db import engine_package, market_of
from carebroker.sourcing.models import EventSource, Package, PackageStatus, TimelineEvent
from carebroker.sourcing.runner import apply, state_of

logger = logging.getLogger(__name__)

BATCH = 200  # packages looked at per query; a sweep goes on until none is due


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
    last = 0  # keyset paging by pk: each due package is looked at once per sweep
    while limit is None or done < limit:
        candidates = list(
            Package.objects.filter(next_due__lte=now, pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not candidates:
            break
        for pk in candidates:
            last = pk
            line = _tick_one(pk, now, markets)
            if line:
                lines.append(line)
                done += 1
            if limit is not None and done >= limit:
                break
    return lines


def claim(pk: int) -> Package | None:
    rows = (
        Package.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("council", "referral", "referral__referrer", "person", "area")
        .filter(pk=pk)
    )
    return next(iter(rows), None)


def _tick_one(pk: int, now: datetime, markets: Markets) -> str | None:
    try:
        with transaction.atomic():
            row = claim(pk)
            # Under the lock: another worker may have ticked it (next_due moved on).
            if row is None or row.next_due is None or row.next_due > now or row.held_reason:
                return None
            before = (row.status, row.stage, row.gate)
            outcome = apply(row, markets.of(row.council), state_of(row), Tick(now), now)
    except Exception:
        # One package's failure must not stop the sweep; it stays due and is retried.
        logger.exception("ticking package %s failed", pk)
        return f"sourcing: package {pk} FAILED (see the log); it will be retried"
    after = (row.status, row.stage, row.gate)
    what = ", ".join(sorted({event.type for event in outcome.events})) or "nothing changed"
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
