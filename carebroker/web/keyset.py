"""Keyset pagination: a page starts after (or ends before) the row a link names, not at an
offset (issue 14, the broker's package list).

An offset page (`?page=40`) makes the database count and skip every row before it, and a
row added or removed between two pages shifts the rest: one is shown twice or never. Here
a page link carries the sort values of the last (or first) row shown, and the next page is
"the rows that sort after those values", which an index on the sort can answer directly,
whatever the number of rows; a row added meanwhile lands on the page its values put it on.

A sort is a tuple of `Key`s whose last key is unique (the Mosaic ID, unique in a council),
so the order is total. A key may be nullable: its nulls come last, in both directions.
The token in the URL is the boundary row's values as JSON in URL-safe base64 (no personal
data beyond what the page showed: a name sort carries the name of the row at the edge, as
the page did). A token that does not read is the first page, as if none were given.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, F, Model, Q, QuerySet, Window
from django.db.models.expressions import OrderBy

AFTER = "after"
BEFORE = "before"


@dataclass(frozen=True)
class Key:
    """One column of a sort: a lookup path (`referral__accepted_at`), its direction, its
    kind (how its value travels in a token) and whether it can be null."""

    path: str
    descending: bool = False
    kind: str = "text"  # "text", "date" or "datetime"
    nullable: bool = False

    def order(self, reverse: bool = False) -> OrderBy:
        expression = F(self.path)
        # Nulls last when the list reads forwards, so first when it reads backwards; only
        # for a nullable key (a NULLS clause can keep PostgreSQL from using a plain index).
        nulls: dict[str, bool] = {}
        if self.nullable:
            nulls = {"nulls_first": True} if reverse else {"nulls_last": True}
        if self.descending != reverse:
            return expression.desc(**nulls)
        return expression.asc(**nulls)

    def encode(self, value: Any) -> Any:
        if value is None:
            return None
        return value.isoformat() if self.kind in ("date", "datetime") else str(value)

    def decode(self, value: Any) -> Any:
        if value is None:
            if not self.nullable:
                raise ValueError(f"{self.path}: missing")
            return None
        if not isinstance(value, str):
            raise ValueError(f"{self.path}: not text")
        if self.kind == "datetime":
            found = datetime.fromisoformat(value)
            if found.tzinfo is None:
                raise ValueError(f"{self.path}: no time zone")
            return found
        if self.kind == "date":
            return date.fromisoformat(value)
        return value

    def equal(self, value: Any) -> Q:
        return Q(**{f"{self.path}__isnull": True}) if value is None else Q(**{self.path: value})

    def beyond(self, value: Any, forward: bool) -> Q:
        """The rows this key puts strictly after `value` (forward) or before it."""
        later = "lt" if self.descending else "gt"
        earlier = "gt" if self.descending else "lt"
        if forward:
            if value is None:  # nothing sorts after a null (nulls are last)
                return Q(pk__in=[])
            found = Q(**{f"{self.path}__{later}": value})
            return found | Q(**{f"{self.path}__isnull": True}) if self.nullable else found
        if value is None:  # everything not null sorts before a null
            return Q(**{f"{self.path}__isnull": False})
        return Q(**{f"{self.path}__{earlier}": value})


def ordering(keys: Sequence[Key], reverse: bool = False) -> list[OrderBy]:
    return [key.order(reverse) for key in keys]


def values_of(row: Model, keys: Sequence[Key]) -> list[Any]:
    """A row's values of the keys, following the lookup paths through loaded relations."""
    found = []
    for key in keys:
        value: Any = row
        for part in key.path.split("__"):
            value = getattr(value, part) if value is not None else None
        found.append(value)
    return found


def beyond(keys: Sequence[Key], values: Sequence[Any], forward: bool) -> Q:
    """The rows that sort after (forward) or before the row with these values."""
    condition = Q(pk__in=[])
    same = Q()
    for key, value in zip(keys, values, strict=True):
        condition |= same & key.beyond(value, forward)
        same &= key.equal(value)
    return condition


def token(keys: Sequence[Key], values: Sequence[Any]) -> str:
    text = json.dumps([key.encode(v) for key, v in zip(keys, values, strict=True)])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def read_token(keys: Sequence[Key], text: str) -> list[Any] | None:
    """The values a token carries; None when it does not read (a first page then)."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if not isinstance(raw, list) or len(raw) != len(keys):
            return None
        return [key.decode(value) for key, value in zip(keys, raw, strict=True)]
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


@dataclass(frozen=True)
class Page:
    """One page of rows and where it sits: `start` is the position of its first row (from
    1), `total` the rows in all; `after` and `before` the tokens of the next and previous
    pages (None when there is none)."""

    rows: list[Any]
    start: int
    total: int
    after: str | None
    before: str | None

    @property
    def end(self) -> int:
        return self.start + len(self.rows) - 1 if self.rows else self.start - 1


def page_of(
    rows: QuerySet[Any],
    keys: Sequence[Key],
    size: int,
    after: str = "",
    before: str = "",
    load: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None,
    total: int | None = None,
) -> Page:
    """`size` rows of `rows` in the keys' order, after the `after` token's row or before the
    `before` token's (after wins when both are given). Two queries, whatever the rows: the
    page itself, and one count of the rows in all and of those before the page.

    `load` adds what the page shows of each row (select_related, annotations, defer). It is
    applied to the page's rows only: the database picks the page's keys from the narrow
    rows (the sort columns and the key), then reads the wide rows of those `size` alone,
    instead of reading and sorting every wide row that matches (bench/web.py); a first
    page that must count its rows counts them in the query that picks its keys.

    `total`, when the caller has counted `rows` already (the list's counts of its unfiltered
    rows), is taken as the rows in all; on a first page nothing is ahead of it, so such a
    page needs no count query at all."""
    forward = True
    cursor = read_token(keys, after) if after else None
    if cursor is None and before:
        cursor = read_token(keys, before)
        forward = cursor is None
    chosen = rows.filter(beyond(keys, cursor, forward)) if cursor is not None else rows
    order = ordering(keys, reverse=not forward)
    if load is None:
        shown = list(chosen.order_by(*order)[:size])
    else:
        keys_of_page: Any = chosen.order_by(*order).values("pk")[:size]
        if cursor is None and total is None:
            # A first page that counts its rows (a search, a filter): the count comes with
            # the page's keys, a window over the same rows, so they are found once, not
            # twice (the search's name match over the live packages: bench/README.md).
            found = list(
                chosen.order_by(*order)
                .annotate(_rows=Window(Count("pk")))
                .values_list("pk", "_rows")[:size]
            )
            total = found[0][1] if found else 0
            keys_of_page = [pk for pk, _ in found]
        whole = load(rows.model._default_manager.filter(pk__in=keys_of_page))
        shown = list(whole.order_by(*order))
    if not forward:
        shown.reverse()
    if cursor is None or not shown:
        # The first page (or none): no row sorts before its first row.
        ahead = 0
        if total is None:
            total = rows.count()
    elif total is None:
        counts = rows.aggregate(
            total=_count(), ahead=_count(beyond(keys, values_of(shown[0], keys), False))
        )
        total, ahead = counts["total"], counts["ahead"]
    else:
        ahead = rows.filter(beyond(keys, values_of(shown[0], keys), False)).count()
    first = values_of(shown[0], keys) if shown else None
    last = values_of(shown[-1], keys) if shown else None
    return Page(
        rows=shown,
        start=ahead + 1,
        total=total,
        after=token(keys, last) if last is not None and ahead + len(shown) < total else None,
        before=token(keys, first) if first is not None and ahead > 0 else None,
    )


def _count(condition: Q | None = None) -> Count:
    return Count("pk", filter=condition) if condition is not None else Count("pk")
