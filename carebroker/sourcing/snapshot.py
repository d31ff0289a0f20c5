"""The engine's frozen state as JSON, and back, exactly (issue 4 item 3).

Generic over dataclass fields, so a field the engine adds tomorrow needs no change here:
every value is written as plain JSON where JSON has the type (str, int, bool, None, lists
of plain values are tagged because the engine keeps tuples), else as a one-key object
tagged with a `$` name::

    {"$datetime": "2026-11-23T10:00:00+00:00", "tz": "Europe/London"}
    {"$date": "2026-12-07"}   {"$decimal": "24.10"}   {"$tuple": [...]}
    {"$frozenset": [...]}     {"$list": [...]}        {"$map": {...}}
    {"$dataclass": "carebroker.engine.state:Request", "fields": {...}}

Only dataclasses of `carebroker.engine` are read back: a snapshot cannot name any other
class (the database is not a place to import code from).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

ENGINE_PACKAGE = "carebroker.engine"
VERSION = 1


class SnapshotError(ValueError):
    """A stored snapshot this code cannot read; the message says where and why."""


def dump(value: object) -> Any:
    """`value` (an engine dataclass, usually a PackageState) as JSON-ready values."""
    return {"version": VERSION, "value": _encode(value)}


def load(stored: Mapping[str, Any]) -> Any:
    """The value `dump` wrote, equal to the original."""
    if not isinstance(stored, Mapping) or stored.get("version") != VERSION:
        raise SnapshotError(f"snapshot: expected version {VERSION}, got {stored!r:.80}")
    return _decode(stored["value"], "value")


# Where a value sits in the snapshot, for error messages: "value", or (parent, ".key") /
# (parent, "[3]"), made into text only when an error is raised (the worker reads thousands
# of snapshots a sweep; building each path's text up front was a tenth of its time).
Where = str | tuple[Any, str]


def _text(where: Where) -> str:
    parts = []
    while isinstance(where, tuple):
        where, part = where
        parts.append(part)
    return where + "".join(reversed(parts))


@functools.cache
def _fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


_PLAIN = frozenset({str, int, bool, type(None)})


def _encode(value: object) -> Any:
    kind = type(value)
    if kind in _PLAIN:  # the most common values first: one set lookup (subclasses below)
        return value
    fields = _DATACLASS_FIELDS.get(kind)
    if fields is not None:
        return {
            "$dataclass": f"{kind.__module__}:{kind.__qualname__}",
            "fields": {name: _encode(getattr(value, name)) for name in fields},
        }
    if kind is tuple:
        return {"$tuple": [_encode(item) for item in value]}  # type: ignore[attr-defined]
    return _encode_other(value)


def _encode_other(value: object) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return {"$float": repr(value)}  # repr round-trips, and NaN is not JSON
    if isinstance(value, datetime):
        zone = getattr(value.tzinfo, "key", None)  # a ZoneInfo keeps its name, e.g. London
        return {"$datetime": value.isoformat(), "tz": zone}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        _DATACLASS_FIELDS[type(value)] = _fields(type(value))
        return _encode(value)
    if isinstance(value, tuple):
        return {"$tuple": [_encode(item) for item in value]}
    if isinstance(value, list):
        return {"$list": [_encode(item) for item in value]}
    if isinstance(value, frozenset | set):
        # Sorted by their JSON text: the same set always makes the same snapshot.
        items = sorted((_encode(item) for item in value), key=repr)
        return {"$frozenset" if isinstance(value, frozenset) else "$set": items}
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise SnapshotError(f"snapshot: mapping keys must be text: {list(value)!r:.80}")
        return {"$map": {key: _encode(item) for key, item in value.items()}}
    raise SnapshotError(f"snapshot: cannot store a {type(value).__name__}: {value!r:.80}")


# The dataclasses met so far and their fields' names (filled by _encode_other).
_DATACLASS_FIELDS: dict[type, tuple[str, ...]] = {}


def _decode(value: Any, where: Where) -> Any:
    if type(value) in _PLAIN:
        return value
    if type(value) is not dict or not value:
        raise SnapshotError(f"{_text(where)}: not a snapshot value: {value!r:.80}")
    # PostgreSQL's jsonb reorders keys: find the tag by its "$", not by its place.
    tag = ""
    for key in value:
        if key[:1] == "$":
            if tag:
                tag = "two"
                break
            tag = key
    if not tag or tag == "two":
        raise SnapshotError(f"{_text(where)}: expected one $tag, got {sorted(value)!r:.80}")
    body = value[tag]
    if tag == "$dataclass":  # the most common first
        return _dataclass(body, value.get("fields", {}), where)
    if tag == "$datetime":
        moment = datetime.fromisoformat(body)
        zone = value.get("tz")
        return moment.astimezone(ZoneInfo(zone)) if zone else moment
    if tag == "$date":
        return date.fromisoformat(body)
    if tag == "$decimal":
        return Decimal(body)
    if tag == "$float":
        return float(body)
    if tag == "$dataclass":
        return _dataclass(body, value.get("fields", {}), where)
    if tag in ("$tuple", "$list", "$frozenset", "$set"):
        items = [_decode(item, (where, f"[{i}]")) for i, item in enumerate(body)]
        kinds = {"$tuple": tuple, "$list": list, "$frozenset": frozenset, "$set": set}
        return kinds[tag](items)
    if tag == "$map":
        return {key: _decode(item, (where, f".{key}")) for key, item in body.items()}
    raise SnapshotError(f"{_text(where)}: unknown tag {tag!r}")


def _dataclass(name: str, fields: Mapping[str, Any], where: Where) -> Any:
    try:
        cls, known = _engine_class(name)
    except SnapshotError as error:
        raise SnapshotError(f"{_text(where)}: {error}") from None
    unknown = set(fields) - known
    if unknown:
        # A field the engine dropped: refuse rather than silently lose what it held.
        raise SnapshotError(f"{_text(where)}: {name} has no field(s) {', '.join(sorted(unknown))}")
    return cls(**{key: _decode(item, (where, f".{key}")) for key, item in fields.items()})


@functools.cache
def _engine_class(name: str) -> tuple[Any, frozenset[str]]:
    """The engine dataclass a snapshot names, and the fields it takes (looked up once)."""
    module_name, _, qualname = name.partition(":")
    if module_name != ENGINE_PACKAGE and not module_name.startswith(ENGINE_PACKAGE + "."):
        raise SnapshotError(f"{name!r} is not an engine class")
    try:
        cls: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            cls = getattr(cls, part)
    except (ImportError, AttributeError):
        raise SnapshotError(f"no engine class {name!r}") from None
    if not dataclasses.is_dataclass(cls):
        raise SnapshotError(f"{name!r} is not a dataclass")
    return cls, frozenset(f.name for f in dataclasses.fields(cls) if f.init)
