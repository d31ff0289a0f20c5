"""The rows of many engine steps, written in bulk: the worker's batches (sourcing/due.py).

`runner.save_step` writes one step at once, row by row. Given a `Writes`, it instead adds
the step's rows here, and `flush()` writes those of every package of the batch with one
statement per table: the package columns and the changed request rows (one `executemany`
UPDATE each), the new request rows and timeline events (`bulk_create`), the notices
(`outbox.notices.queue_notices`, one query for the keys already queued). The caller
holds the batch's transaction and the package rows' locks.

While a batch collects, `effects.notify` hands its notices here (`collecting()`), and the
recipients it looks up are kept for the batch (`remembered`): a batch of a council's
packages asks the same few providers.

The audit (carebroker/audit): a package saved row by row is logged by django-auditlog's
signal, which reads the row again to compare. A bulk UPDATE sends no signal, so `flush`
logs each package whose audited columns changed itself (audit/bulk.py `updated_in_bulk`:
auditlog's own diff against the row as it was claimed, the entry the signal would write,
by no one for the worker). Requests, timeline events and notices are not audited models.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from carebroker.audit.bulk import updated_in_bulk
from carebroker.outbox.notices import PendingNotice, queue_notices
from carebroker.sourcing.models import Package, SourcingRequest, TimelineEvent

# The columns a step changes (runner.save_step); nothing else of the row is written.
PACKAGE_COLUMNS = (
    "engine_state",
    "status",
    "stage",
    "gate",
    "awarded_provider",
    "awarded_at",
    "working_time_to_award",
    "waiting_from",
    "waiting_due",
    "chase_due",
    "held_reason",
    "next_due",
    "hours_per_week",
    "change_to_existing",
    "current_provider",
    "provider_view",
)
REQUEST_COLUMNS = (
    "provider",
    "stage",
    "round",
    "sent_at",
    "deadline",
    "outcome",
    "responded_at",
    "working_time_to_answer",
    "rate",
    "coverage",
    "start",
    "reason",
    "not_awarded",
    "late",
    "chased",
)

_collecting: ContextVar[Writes | None] = ContextVar("sourcing_writes", default=None)


@dataclass
class Mark:
    """How much was collected before a package: what its failure takes back."""

    packages: int
    new_requests: int
    changed_requests: int
    events: int
    notices: int


@dataclass
class Writes:
    packages: list[tuple[Package, Package]] = field(default_factory=list)  # (row, as claimed)
    new_requests: list[SourcingRequest] = field(default_factory=list)
    changed_requests: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)
    events: list[TimelineEvent] = field(default_factory=list)
    notices: list[PendingNotice] = field(default_factory=list)
    _remembered: dict[tuple[object, ...], Any] = field(default_factory=dict)

    # -- collecting --------------------------------------------------------------

    def package(self, row: Package, claimed: Package) -> None:
        self.packages.append((row, claimed))

    def request(self, row: Package, seq: int, fields: dict[str, Any], new: bool) -> None:
        if new:
            self.new_requests.append(SourcingRequest(package=row, seq=seq, **fields))
        else:
            self.changed_requests.append((row.pk, seq, fields))

    def event(self, event: TimelineEvent) -> None:
        self.events.append(event)

    def notice(self, notice: PendingNotice) -> None:
        self.notices.append(notice)

    def mark(self) -> Mark:
        return Mark(
            len(self.packages),
            len(self.new_requests),
            len(self.changed_requests),
            len(self.events),
            len(self.notices),
        )

    def undo(self, mark: Mark) -> None:
        """Drop what was collected since `mark` (a package that failed half-way)."""
        del self.packages[mark.packages :]
        del self.new_requests[mark.new_requests :]
        del self.changed_requests[mark.changed_requests :]
        del self.events[mark.events :]
        del self.notices[mark.notices :]

    def pending_events(self, row: Package) -> list[TimelineEvent]:
        """This package's events collected but not written yet (newest last)."""
        return [event for event in self.events if event.package_id == row.pk]

    # -- writing -----------------------------------------------------------------

    def flush(self) -> None:
        """Write everything collected (inside the caller's transaction), then forget it."""
        self._packages()
        self._changed_requests()
        SourcingRequest.objects.bulk_create(self.new_requests, batch_size=500)
        TimelineEvent.objects.bulk_create(self.events, batch_size=500)
        queue_notices(self.notices)
        self.undo(Mark(0, 0, 0, 0, 0))

    def _packages(self) -> None:
        if not self.packages:
            return
        fields = [Package._meta.get_field(name) for name in PACKAGE_COLUMNS]
        rows = [
            [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields] + [row.pk]
            for row, _ in self.packages
        ]
        sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
        table = connection.ops.quote_name(Package._meta.db_table)
        # Names from the model's own metadata, values as parameters.
        update = f"UPDATE {table} SET {sets} WHERE id = %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(update, rows)
        # A bulk UPDATE sends no save signal: the audit is written here (audit/bulk.py).
        updated_in_bulk([(claimed, row) for row, claimed in self.packages], PACKAGE_COLUMNS)

    def _changed_requests(self) -> None:
        if not self.changed_requests:
            return
        fields = [SourcingRequest._meta.get_field(name) for name in REQUEST_COLUMNS]
        rows = [
            [*(f.get_db_prep_save(values[f.attname], connection) for f in fields), package, seq]
            for package, seq, values in self.changed_requests
        ]
        sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
        table = connection.ops.quote_name(SourcingRequest._meta.db_table)
        update = f"UPDATE {table} SET {sets} WHERE package_id = %s AND seq = %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(update, rows)


def claimed_copy(row: Package) -> Package:
    """The row as claimed, kept to compare with for the audit."""
    claimed = copy.copy(row)
    claimed._state = copy.copy(row._state)  # its own cache of related rows
    claimed._state.fields_cache = dict(row._state.fields_cache)
    return claimed


@contextmanager
def collecting(writes: Writes) -> Iterator[Writes]:
    """While inside, notices and worker events are collected in `writes`, not written."""
    token = _collecting.set(writes)
    try:
        yield writes
    finally:
        _collecting.reset(token)


def active() -> Writes | None:
    return _collecting.get()


def remembered[T](key: tuple[object, ...], look_up: Callable[[], T]) -> T:
    """`look_up()`, kept for the batch being collected (each time when none is)."""
    writes = _collecting.get()
    if writes is None:
        return look_up()
    if key not in writes._remembered:
        writes._remembered[key] = look_up()
    return writes._remembered[key]  # type: ignore[no-any-return]
