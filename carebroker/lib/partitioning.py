"""Monthly range partitions on PostgreSQL (docs/deployment.md, Partitioning).

Django-free: each function takes a DB-API cursor on PostgreSQL and runs plain SQL in the
caller's transaction. A table partitioned here has one partition per calendar month in UTC
(`<table>_p202501` holds 1 January 2025 00:00 UTC up to 1 February) and a default partition
(`<table>_default`) for any time no month partition covers yet, so an insert never fails for
want of a partition.

PostgreSQL's rules, and what follows from them:

- the primary key, and every unique constraint, must include the partition key: the primary
  key becomes (id, <time>); ids still come from the one identity sequence, so they stay
  unique, and Django keeps `id` as the model's primary key;
- a foreign key *to* a partitioned table needs a unique constraint that includes the
  partition key, which the referencing tables do not have (they hold the id alone): those
  constraints are dropped, and Django's on_delete keeps the rows consistent, as it does on
  every database; archiving moves the referencing rows with the month they point at.
"""

# ruff: noqa: S608  (every name in the SQL is quoted by quote(); bounds are dates we make)
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

DEFAULT = "default"
ARCHIVE_SCHEMA = "archive"


class Cursor(Protocol):
    def execute(self, sql: str, params: Sequence[Any] | None = ..., /) -> Any: ...

    def fetchall(self) -> Sequence[Sequence[Any]]: ...

    def fetchone(self) -> Sequence[Any] | None: ...


@dataclass(frozen=True)
class Month:
    """A month partition of `table`: rows with `lower <= time < upper` (UTC)."""

    table: str
    name: str
    lower: date
    upper: date


def month_of(at: datetime) -> date:
    """The first day of the UTC month `at` falls in."""
    utc = at.astimezone(UTC)
    return date(utc.year, utc.month, 1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def partition_name(table: str, month: date) -> str:
    return f"{table}_p{month:%Y%m}"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _bound(month: date) -> str:
    return f"'{month.isoformat()} 00:00:00+00'"  # a date we made: no user text


def _exists(cursor: Cursor, name: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [quote(name)])
    row = cursor.fetchone()
    return bool(row and row[0])


def is_partitioned(cursor: Cursor, table: str) -> bool:
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s))",
        [quote(table)],
    )
    row = cursor.fetchone()
    return bool(row and row[0])


def months(cursor: Cursor, table: str) -> list[Month]:
    """The month partitions attached to `table`, oldest first (not the default)."""
    cursor.execute(
        """
        SELECT child.relname
        FROM pg_inherits JOIN pg_class child ON child.oid = pg_inherits.inhrelid
        WHERE pg_inherits.inhparent = to_regclass(%s)
        """,
        [quote(table)],
    )
    found = []
    prefix = f"{table}_p"
    for (name,) in cursor.fetchall():
        digits = str(name).removeprefix(prefix)
        if str(name).startswith(prefix) and len(digits) == 6 and digits.isdigit():
            lower = date(int(digits[:4]), int(digits[4:]), 1)
            found.append(Month(table, str(name), lower, add_months(lower, 1)))
    return sorted(found, key=lambda month: month.lower)


def _plain_indexes(cursor: Cursor, table: str) -> list[str]:
    """CREATE INDEX statements of `table`'s indexes that back no constraint."""
    cursor.execute(
        """
        SELECT pg_get_indexdef(x.indexrelid) FROM pg_index x
        WHERE x.indrelid = to_regclass(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY x.indexrelid
        """,
        [quote(table)],
    )
    return [str(definition) for (definition,) in cursor.fetchall()]


def _constraints(cursor: Cursor, table: str, kinds: str) -> list[tuple[str, str]]:
    """(name, definition) of `table`'s own constraints of the kinds given (p, u, f)."""
    cursor.execute(
        """
        SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
        WHERE conrelid = to_regclass(%s) AND position(contype in %s) > 0 ORDER BY oid
        """,
        [quote(table), kinds],
    )
    return [(str(name), str(definition)) for name, definition in cursor.fetchall()]


def _foreign_keys_to(cursor: Cursor, table: str) -> list[tuple[str, str]]:
    """(referencing table, constraint name) of the foreign keys of other tables to `table`."""
    cursor.execute(
        """
        SELECT conrelid::regclass::text, conname FROM pg_constraint
        WHERE confrelid = to_regclass(%s) AND contype = 'f' AND conrelid <> confrelid
        ORDER BY oid
        """,
        [quote(table)],
    )
    return [(str(other), str(name)) for other, name in cursor.fetchall()]


def _count(cursor: Cursor, table: str) -> int:
    cursor.execute(f"SELECT count(*) FROM {quote(table)}")
    row = cursor.fetchone()
    return int(row[0]) if row else 0


def _rebuild(cursor: Cursor, table: str, partition_by: str | None) -> str:
    """Rename `table` aside and make an empty one of the same columns in its place
    (partitioned by range on `partition_by`, or plain); returns the old one's name."""
    old = f"{table}_rebuilt"
    cursor.execute(f"LOCK TABLE {quote(table)} IN ACCESS EXCLUSIVE MODE")
    cursor.execute(f"ALTER TABLE {quote(table)} RENAME TO {quote(old)}")
    cursor.execute(
        f"CREATE TABLE {quote(table)} (LIKE {quote(old)} INCLUDING DEFAULTS INCLUDING IDENTITY"
        " INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS)"
        + (f" PARTITION BY RANGE ({quote(partition_by)})" if partition_by else "")
    )
    return old


def _move_rows(cursor: Cursor, old: str, table: str) -> None:
    """Copy every row of `old` into `table`, carry the id sequence on, drop `old`."""
    before = _count(cursor, old)
    cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {quote(old)}")
    if _count(cursor, table) != before:
        raise RuntimeError(f"{table}: rows were lost while rebuilding the table")
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence(%s, 'id'), coalesce(max(id), 0) + 1, false)"
        f" FROM {quote(old)}",
        [quote(table)],
    )
    cursor.execute(f"DROP TABLE {quote(old)}")
    # The new identity sequence was named beside the old one's (`_seq1`): its name back.
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [quote(table)])
    row = cursor.fetchone()
    if row and row[0] and not str(row[0]).endswith(f"{table}_id_seq"):
        cursor.execute(f"ALTER SEQUENCE {row[0]} RENAME TO {quote(f'{table}_id_seq')}")


def partition_by_month(
    cursor: Cursor,
    table: str,
    column: str,
    *,
    now: datetime,
    ahead: int = 3,
    unique_replaced: Sequence[str] = (),
) -> list[str]:
    """Turn plain `table` into one partitioned by month on `column`: a partition for each
    month from its oldest row to `ahead` months after `now`, a default partition, every row
    moved, its indexes and foreign keys made again. Foreign keys of other tables to it are
    dropped (returned as "table.constraint"); so are the unique constraints named in
    `unique_replaced`, which the caller keeps some other way. Any other unique constraint
    cannot survive partitioning and is refused."""
    unique = [name for name, _ in _constraints(cursor, table, "u")]
    if extra := sorted(set(unique) - set(unique_replaced)):
        raise RuntimeError(f"{table}: unique constraints {extra} would not survive partitioning")
    indexes = _plain_indexes(cursor, table)
    foreign = _constraints(cursor, table, "f")
    dropped = []
    for other, name in _foreign_keys_to(cursor, table):
        cursor.execute(f"ALTER TABLE {other} DROP CONSTRAINT {quote(name)}")
        dropped.append(f"{other}.{name}")
    for name in unique:
        cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    cursor.execute(f"SELECT min({quote(column)}) FROM {quote(table)}")
    row = cursor.fetchone()
    oldest = month_of(row[0]) if row and row[0] is not None else month_of(now)
    old = _rebuild(cursor, table, column)
    month, last = min(oldest, month_of(now)), add_months(month_of(now), ahead)
    while month <= last:
        _create_month(cursor, table, month)
        month = add_months(month, 1)
    cursor.execute(
        f"CREATE TABLE {quote(f'{table}_{DEFAULT}')} PARTITION OF {quote(table)} DEFAULT"
    )
    _move_rows(cursor, old, table)
    cursor.execute(
        f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(f'{table}_pkey')}"
        f" PRIMARY KEY (id, {quote(column)})"
    )
    for definition in indexes:
        cursor.execute(definition)
    for name, definition in foreign:
        cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
    return dropped


def unpartition(cursor: Cursor, table: str) -> None:
    """The reverse of partition_by_month: one plain table of the attached partitions' rows,
    primary key `id`, the same indexes and foreign keys. Archived months stay archived; the
    caller makes again the unique constraints and foreign keys to it that it wants."""
    indexes = _plain_indexes(cursor, table)
    foreign = _constraints(cursor, table, "f")
    old = _rebuild(cursor, table, None)
    _move_rows(cursor, old, table)  # dropping a partitioned table drops its partitions
    cursor.execute(
        f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(f'{table}_pkey')} PRIMARY KEY (id)"
    )
    for definition in indexes:
        cursor.execute(definition)
    for name, definition in foreign:
        cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")


def _partition_key(cursor: Cursor, table: str) -> str:
    cursor.execute(
        """
        SELECT a.attname FROM pg_partitioned_table p
        JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
        WHERE p.partrelid = to_regclass(%s)
        """,
        [quote(table)],
    )
    row = cursor.fetchone()
    if row is None:
        raise RuntimeError(f"{table} is not partitioned")
    return str(row[0])


def _create_month(cursor: Cursor, table: str, month: date) -> None:
    cursor.execute(
        f"CREATE TABLE {quote(partition_name(table, month))} PARTITION OF {quote(table)}"
        f" FOR VALUES FROM ({_bound(month)}) TO ({_bound(add_months(month, 1))})"
    )


def ensure_month(cursor: Cursor, table: str, month: date) -> bool:
    """Make `table`'s partition for `month` if it has none; True if made. Rows of that month
    already in the default partition move into it. Several processes may call it at once:
    an advisory lock serialises them."""
    name = partition_name(table, month)
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"carebroker:{table}"])
    if _exists(cursor, name):
        return False
    column, default = quote(_partition_key(cursor, table)), quote(f"{table}_{DEFAULT}")
    window = f"{column} >= {_bound(month)} AND {column} < {_bound(add_months(month, 1))}"
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {default} WHERE {window})")
    row = cursor.fetchone()
    if not (row and row[0]):
        _create_month(cursor, table, month)
        return True
    # The default holds rows of this month: a plain table of them, then attached.
    cursor.execute(f"LOCK TABLE {default} IN ACCESS EXCLUSIVE MODE")
    cursor.execute(
        f"CREATE TABLE {quote(name)} (LIKE {quote(table)} INCLUDING DEFAULTS"
        " INCLUDING CONSTRAINTS INCLUDING STORAGE)"
    )
    cursor.execute(f"INSERT INTO {quote(name)} SELECT * FROM {default} WHERE {window}")
    cursor.execute(f"DELETE FROM {default} WHERE {window}")
    cursor.execute(
        f"ALTER TABLE {quote(table)} ATTACH PARTITION {quote(name)}"
        f" FOR VALUES FROM ({_bound(month)}) TO ({_bound(add_months(month, 1))})"
    )
    return True


def archive(cursor: Cursor, month: Month, schema: str = ARCHIVE_SCHEMA) -> str:
    """Detach `month` from its table and move it to `schema`; returns its new name. Its rows
    leave every query of the table; they stay readable as `<schema>.<partition>`, to dump
    (pg_dump --table) and drop when the retention period allows."""
    cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(schema)}")
    cursor.execute(f"ALTER TABLE {quote(month.table)} DETACH PARTITION {quote(month.name)}")
    cursor.execute(f"ALTER TABLE {quote(month.name)} SET SCHEMA {quote(schema)}")
    return f"{schema}.{month.name}"


def archive_rows(
    cursor: Cursor, table: str, column: str, archived: str, schema: str = ARCHIVE_SCHEMA
) -> int:
    """Move the rows of `table` whose `column` points at a row of the archived partition
    `archived` ("schema.name") to `<schema>.<table>_<partition>` (made only when there
    are some); returns how many."""
    target = f"{quote(schema)}.{quote(table + '_' + archived.rsplit('.', 1)[-1])}"
    source = ".".join(quote(part) for part in archived.split("."))
    where = f"{quote(column)} IN (SELECT id FROM {source})"
    cursor.execute(f"SELECT count(*) FROM {quote(table)} WHERE {where}")
    row = cursor.fetchone()
    if not (row and row[0]):
        return 0
    cursor.execute(f"CREATE TABLE {target} AS SELECT * FROM {quote(table)} WHERE {where}")
    cursor.execute(f"DELETE FROM {quote(table)} WHERE {where}")
    return int(row[0])
