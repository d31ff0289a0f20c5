"""Reading values out of parsed TOML or JSON tables, naming every bad field by its path.

`FieldReader` collects one error per bad value (`stages[2].window: not a deadline
expression: '2 wrking hours'`); converters raise `BadValue` with what is wrong. Used by
the policy reader and the scenario reader.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, time
from typing import TypeVar, cast

from carebroker.engine.workingtime import Deadline

T = TypeVar("T")
Table = Mapping[str, object]

INVALID = object()  # stands in for a bad value; the reader raises before anything uses it
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class BadValue(Exception):
    """A value that does not convert; the message says what is wrong."""


def as_text(value: object) -> str:
    if not isinstance(value, str):
        raise BadValue(f"must be text, not {kind_of(value)}")
    if not value.strip():
        raise BadValue("must not be empty")
    return value


def as_any_text(value: object) -> str:
    if not isinstance(value, str):
        raise BadValue(f"must be text, not {kind_of(value)}")
    return value


def as_flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise BadValue(f"must be true or false, not {kind_of(value)}")
    return value


def as_count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadValue(f"must be a whole number, not {kind_of(value)}")
    if value < 0:
        raise BadValue(f"must not be negative: {value}")
    return value


def as_positive(value: object) -> int:
    number = as_count(value)
    if number == 0:
        raise BadValue("must be at least 1")
    return number


def as_clock(value: object) -> time:
    if not isinstance(value, str) or not _CLOCK.match(value):
        raise BadValue(f"not a time of day HH:MM: {value!r}")
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def as_day(value: object) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise BadValue(f"not a date YYYY-MM-DD: {value!r}")


def as_deadline(value: object) -> Deadline:
    if not isinstance(value, str):
        raise BadValue(f"not a deadline expression: {value!r}")
    try:
        return Deadline.parse(value)
    except ValueError:
        raise BadValue(f"not a deadline expression: {value!r}") from None


def one_of(options: tuple[str, ...]) -> Callable[[object], str]:
    def convert(value: object) -> str:
        if not isinstance(value, str) or value not in options:
            raise BadValue(f"must be one of {', '.join(options)}" + _got(value))
        return value

    return convert


def _got(value: object) -> str:
    return (
        f" (got {value!r})" if isinstance(value, str | int | float) else f" (got {kind_of(value)})"
    )


def kind_of(value: object) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list"}
    return names.get(type(value), "a table" if isinstance(value, Mapping) else type(value).__name__)


class FieldReader:
    """Reads values out of tables, recording each problem with its path."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    def req(self, table: Table, key: str, path: str, convert: Callable[[object], T]) -> T:
        if key not in table:
            self.error(join_path(path, key), "missing")
            return cast(T, INVALID)
        return self._convert(table[key], join_path(path, key), convert)

    def opt(
        self, table: Table, key: str, path: str, convert: Callable[[object], T], default: T
    ) -> T:
        if key not in table:
            return default
        return self._convert(table[key], join_path(path, key), convert)

    def items(
        self,
        table: Table,
        key: str,
        path: str,
        convert: Callable[[object], T],
        required: bool = False,
    ) -> tuple[T, ...]:
        where = join_path(path, key)
        if key not in table:
            if required:
                self.error(where, "missing")
            return ()
        values = table[key]
        if not isinstance(values, list):
            self.error(where, f"must be a list, not {kind_of(values)}")
            return ()
        return tuple(
            self._convert(value, f"{where}[{index}]", convert) for index, value in enumerate(values)
        )

    def table(self, table: Table, key: str, path: str, required: bool = True) -> Table | None:
        where = join_path(path, key)
        if key not in table:
            if required:
                self.error(where, "missing")
            return None
        value = table[key]
        if not isinstance(value, Mapping):
            self.error(where, f"must be a table, not {kind_of(value)}")
            return None
        return cast(Table, value)

    def known(self, table: Table, allowed: set[str], path: str, what: str = "") -> None:
        for key in table:
            if key not in allowed:
                self.error(join_path(path, key), f"unknown key{what}")

    def _convert(self, value: object, where: str, convert: Callable[[object], T]) -> T:
        try:
            return convert(value)
        except BadValue as exc:
            self.error(where, str(exc))
            return cast(T, INVALID)


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
