"""The timeline and the outbox, partitioned by month on PostgreSQL (docs/deployment.md,
Partitioning; the SQL is in lib/partitioning.py, the tables were turned by migrations
sourcing 0012 and outbox 0011).

- `partitions_ahead(now)`: each table's partitions for this month and the next `ahead`; the
  worker calls it once a day (`make_partitions`), `carebroker partitions` on demand. Rows
  of a month with no partition yet wait in the default partition and move into the month's
  partition when it is made.
- `archive_before(month, now)`: every month partition ending on or before `month` is
  detached and moved to the `archive` schema, with the rows of other tables that point at its
  rows (a timeline event's webhook deliveries, a notice's attachments), found from Django's
  relations. The app no longer sees them; an archived notice's key stays taken, so the
  outbox never queues it again.

On SQLite there are no partitions: the worker's duty does nothing, the command says so.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import connection, models, transaction

from carebroker.lib import partitioning
from carebroker.lib.partitioning import add_months, month_of
from carebroker.outbox.models import Notice
from carebroker.sourcing.models import TimelineEvent

# Each partitioned model and the time it is partitioned on.
PARTITIONED: tuple[tuple[type[models.Model], str], ...] = (
    (TimelineEvent, "at"),
    (Notice, "created_at"),
)
AHEAD = 3  # months made ahead of the current one


class NotPartitioned(RuntimeError):
    """Partitions asked for on a database without them (SQLite)."""


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise NotPartitioned(
            f"the database is {connection.display_name}: only PostgreSQL partitions the "
            "timeline and the notices (docs/deployment.md)"
        )


def partitions_ahead(now: datetime, ahead: int = AHEAD) -> list[str]:
    """Make the month partitions of this month and the next `ahead` that are missing; one
    line per partition made."""
    _require_postgresql()
    lines = []
    for model, _ in PARTITIONED:
        table = model._meta.db_table
        for step in range(ahead + 1):
            month = add_months(month_of(now), step)
            with transaction.atomic(), connection.cursor() as cursor:
                if partitioning.ensure_month(cursor, table, month):
                    lines.append(f"made {partitioning.partition_name(table, month)}")
    return lines


def archive_before(month: date, now: datetime) -> list[str]:
    """Detach and archive every month partition ending on or before `month` (a first of the
    month, not after the current month); one line per partition and per table of rows
    moved with it."""
    _require_postgresql()
    if month.day != 1 or month > month_of(now):
        raise ValueError(
            f"{month:%Y-%m} is not a past month (this month is {month_of(now):%Y-%m} in UTC)"
        )
    lines = []
    for model, _ in PARTITIONED:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            old = [m for m in partitioning.months(cursor, table) if m.upper <= month]
        for partition in old:
            with transaction.atomic(), connection.cursor() as cursor:
                archived = partitioning.archive(cursor, partition)
                lines.append(f"archived {partition.name} as {archived}")
                for other, column in _pointing_at(model):
                    if moved := partitioning.archive_rows(cursor, other, column, archived):
                        lines.append(f"  with {moved} rows of {other}")
    return lines


def _pointing_at(model: type[models.Model]) -> list[tuple[str, str]]:
    """(table, column) of every foreign key to `model`, those without a reverse name
    (related_name="+", the webhook deliveries') included."""
    return [
        (field.related_model._meta.db_table, field.field.column)
        for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created and not field.concrete and (field.one_to_many or field.one_to_one)
    ]


def summary() -> list[str]:
    """Each table's month partitions (first and last) and the rows in its default."""
    _require_postgresql()
    lines = []
    with connection.cursor() as cursor:
        for model, column in PARTITIONED:
            table = model._meta.db_table
            found = partitioning.months(cursor, table)
            default = partitioning.quote(f"{table}_{partitioning.DEFAULT}")
            cursor.execute(f"SELECT count(*) FROM {default}")  # noqa: S608 (a quoted name)
            row = cursor.fetchone()
            waiting = row[0] if row else 0
            span = f"{found[0].lower:%Y-%m} to {found[-1].lower:%Y-%m}" if found else "none"
            lines.append(
                f"{table} (by {column}): {len(found)} months, {span};"
                f" {waiting} rows in the default partition"
            )
    return lines


_made_on: date | None = None


def make_partitions(now: datetime) -> list[str]:
    """The worker's duty: the months ahead, once a day per process (PostgreSQL only)."""
    global _made_on
    if connection.vendor != "postgresql" or _made_on == now.date():
        return []
    lines = partitions_ahead(now)
    _made_on = now.date()
    return lines
