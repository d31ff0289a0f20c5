"""Reports read from a read replica when one is configured (docs/deployment.md).

The dashboard and the reports scan months of packages, requests and timelines; on a large
council they would compete with the brokers' and providers' writes. With
`DATABASE_REPLICA_URL` set, settings add a `replica` database and this router; every report
view (reports/access.py `staff_required`) then reads inside `replica_reads()`. Everything
else, and every write anywhere, uses the primary: a report may lag the primary by the
replica's delay (seconds), a broker's own page never does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connections

REPLICA = "replica"
_reading_reports: ContextVar[bool] = ContextVar("reading_reports", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside go to the replica, if there is one (else nothing changes)."""
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


class ReplicaRouter:
    """Reads of report views to the replica; writes and migrations to the primary only."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if _reading_reports.get() and REPLICA in connections.settings:
            return REPLICA
        return None  # the primary

    def db_for_write(self, model: type, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one data set: the replica is a copy of the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"  # the replica gets the schema by replication
