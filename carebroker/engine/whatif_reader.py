"""Reading a what-if MARKET.toml (format: `whatif.py`) into a `MarketSpec`.

Every bad field is collected with its path (`areas[2].urgent: must be a chance between 0
and 1, got 1.5`) and raised together in one `MarketError`; nothing stops at the first.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import cast

from carebroker.engine.market import MarketProvider
from carebroker.engine.policy import (
    CAPACITY_OPTIONS,
    CQC_RATINGS,
    GATE_NAMES,
    PROVIDER_KINDS,
    Policy,
    PolicyError,
)
from carebroker.engine.policy_reader import load_policy
from carebroker.engine.whatif_market import (
    BEHAVIOUR_CHANCES,
    DISTRIBUTIONS,
    PACKAGE_CHANCES,
    Behaviour,
    CapacityMix,
    Council,
    Distribution,
    MarketSpec,
    PackageMix,
    ProviderMix,
)
from carebroker.lib.london import LONDON

Table = Mapping[str, object]


class MarketError(ValueError):
    """A MARKET.toml that does not validate; `errors` names every bad field by its path."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


# Gate -> the choices a what-if council may make there (gates.py understands these).
GATE_CHOICES: dict[str, tuple[str, ...]] = {
    "non_contracted_approval": ("approve", "refuse"),
    "sanction_approval": ("approve",),
    "later_start": ("accept", "continue"),
    "mini_competition": ("award",),
    "part_offer": ("accept_part", "off_framework", "close"),
    "unable_to_fill": ("continue", "close"),
    "open_market_choice": ("award", "continue"),
}


class _Reader:
    """Collects every bad field with its path instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def bad(self, path: str, what: str) -> None:
        self.errors.append(f"{path}: {what}")

    def table(self, source: Table, key: str, path: str, required: bool = False) -> Table:
        value = source.get(key)
        if value is None:
            if required:
                self.bad(path, "missing")
            return {}
        if not isinstance(value, Mapping):
            self.bad(path, f"must be a table, got {value!r}")
            return {}
        return value

    def number(self, source: Table, key: str, path: str, default: float, low: float = 0.0) -> float:
        value = source.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.bad(path, f"must be a number, got {value!r}")
            return default
        if not math.isfinite(value) or value < low:
            self.bad(path, f"must be a number of at least {low}, got {value!r}")
            return default
        return float(value)

    def chance(self, source: Table, key: str, path: str, default: float) -> float:
        value = self.number(source, key, path, default)
        if value > 1:
            self.bad(path, f"must be a chance between 0 and 1, got {value!r}")
            return default
        return value

    def whole(self, source: Table, key: str, path: str, default: int, low: int = 0) -> int:
        value = source.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            self.bad(path, f"must be a whole number of at least {low}, got {value!r}")
            return default
        return value

    def moment(self, source: Table, key: str, path: str) -> datetime:
        value = source.get(key)
        fallback = datetime(2027, 1, 4, 9, tzinfo=LONDON)
        if value is None:
            self.bad(path, "missing")
            return fallback
        if isinstance(value, datetime):
            moment = value
        else:
            try:
                moment = datetime.fromisoformat(str(value))
            except ValueError:
                self.bad(path, f"not an ISO 8601 time, got {value!r}")
                return fallback
        if moment.tzinfo is None:
            self.bad(path, "needs an offset (e.g. Z or +01:00)")
            return fallback
        return moment

    def texts(
        self, source: Table, key: str, path: str, default: tuple[str, ...]
    ) -> tuple[str, ...]:
        value = source.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.bad(path, f"must be a list of names, got {value!r}")
            return default
        return tuple(cast(list[str], value))

    def wholes(
        self, source: Table, key: str, path: str, default: tuple[int, ...]
    ) -> tuple[int, ...]:
        value = source.get(key, list(default))
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            self.bad(path, f"must be a list of whole numbers, got {value!r}")
            return default
        return tuple(cast(list[int], value))

    def distribution(
        self, source: Table, key: str, path: str, default: Distribution | None
    ) -> Distribution | None:
        value = source.get(key)
        if value is None:
            return default
        if isinstance(value, int | float) and not isinstance(value, bool):
            return Distribution("choice", values=(float(value),))  # a plain number: always it
        if not isinstance(value, Mapping):
            self.bad(path, f"must be a number or a table with `distribution`, got {value!r}")
            return default
        kind = value.get("distribution")
        if kind == "uniform":
            low = self.number(value, "low", f"{path}.low", 0.0)
            high = self.number(value, "high", f"{path}.high", low)
            if high < low:
                self.bad(f"{path}.high", f"must not be below low ({low}), got {high}")
            return Distribution("uniform", low=low, high=max(low, high))
        if kind == "lognormal":
            median = self.number(value, "median", f"{path}.median", 1.0, low=0.001)
            sigma = self.number(value, "sigma", f"{path}.sigma", 0.5)
            return Distribution("lognormal", median=median, sigma=sigma)
        if kind == "choice":
            values = value.get("values")
            if (
                not isinstance(values, list)
                or not values
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
            ):
                self.bad(f"{path}.values", f"must be a non-empty list of numbers, got {values!r}")
                return default
            return Distribution("choice", values=tuple(float(v) for v in values))
        self.bad(f"{path}.distribution", f"must be one of {', '.join(DISTRIBUTIONS)}, got {kind!r}")
        return default

    def weights(
        self, source: Table, key: str, path: str, allowed: tuple[str, ...], default: Table
    ) -> tuple[tuple[str, float], ...]:
        table = self.table(source, key, path) or default
        found: list[tuple[str, float]] = []
        for name in table:
            if name not in allowed:
                self.bad(f"{path}.{name}", f"must be one of {', '.join(allowed)}")
                continue
            found.append((name, self.number(table, name, f"{path}.{name}", 0.0)))
        if found and sum(w for _, w in found) <= 0:
            self.bad(path, "the weights must not all be 0")
        return tuple(found)


def load_market(path: str | Path) -> MarketSpec:
    """Read and validate a MARKET.toml file; MarketError names every bad field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MarketError([f"{path}: cannot read: {exc.strerror}"]) from None
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MarketError([f"{path}: not valid TOML: {exc}"]) from None
    return read_market(table, base=path.parent)


def read_market(source: Table, base: Path | None = None) -> MarketSpec:
    """Validate a decoded MARKET.toml table (the format: `whatif.py`)."""
    reader = _Reader()
    policies = _policies(reader, source.get("policy"), base)
    start = reader.moment(source, "start", "start")
    until = reader.moment(source, "until", "until")
    if until <= start:
        reader.bad("until", "must be after start")
    defaults = reader.table(source, "packages", "packages")
    areas = _areas(reader, source.get("areas"), defaults)
    behaviour = _behaviour(reader, reader.table(source, "behaviour", "behaviour"), "behaviour")
    providers = reader.table(source, "providers", "providers", required=True)
    generated = None
    if "generate" in providers:
        generated = _provider_mix(reader, reader.table(providers, "generate", "providers.generate"))
    listed = _listed(reader, providers.get("listed", []), behaviour)
    if generated is None and not listed:
        reader.bad("providers", "needs `generate` or `listed` providers")
    council = None
    if "council" in source:
        council = _council(reader, reader.table(source, "council", "council"))
    capacity = None
    if "capacity" in source:
        table = reader.table(source, "capacity", "capacity")
        capacity = _capacity(reader, table, behaviour)
        options = reader.texts(table, "options", "capacity.options", ("ignore",))
        for index, option in enumerate(options):
            if option not in CAPACITY_OPTIONS:
                reader.bad(
                    f"capacity.options[{index}]",
                    f"must be one of {', '.join(CAPACITY_OPTIONS)}, got {option!r}",
                )
        # Each policy is run once per option, on the same market and seed.
        policies = tuple(replace(p, capacity=o) for p in policies for o in options)
    if reader.errors:
        raise MarketError(reader.errors)
    assert behaviour is not None
    return MarketSpec(
        policies, start, until, areas, generated, tuple(listed), behaviour, council, capacity
    )


def _capacity(reader: _Reader, table: Table, behaviour: Behaviour) -> CapacityMix:
    known = {"options", "room", "full", "with_room", "when_full"}
    for key in table:
        if key not in known:
            reader.bad(f"capacity.{key}", f"unknown key; one of {', '.join(sorted(known))}")
    room = reader.chance(table, "room", "capacity.room", 0.0)
    full = reader.chance(table, "full", "capacity.full", 0.0)
    if room + full > 1:
        reader.bad("capacity", f"room + full must be at most 1, got {room + full:g}")
    with_room = _behaviour(
        reader,
        reader.table(table, "with_room", "capacity.with_room"),
        "capacity.with_room",
        behaviour,
    )
    when_full = _behaviour(
        reader,
        reader.table(table, "when_full", "capacity.when_full"),
        "capacity.when_full",
        behaviour,
    )
    return CapacityMix(room, full, with_room, when_full)


def _policies(reader: _Reader, value: object, base: Path | None) -> tuple[Policy, ...]:
    names = value if isinstance(value, list) else [value]
    found: list[Policy] = []
    for i, name in enumerate(names):
        path = "policy" if not isinstance(value, list) else f"policy[{i}]"
        if not isinstance(name, str) or not name:
            reader.bad(path, f"must be a preset name or a policy file, got {name!r}")
            continue
        source: str | Path = name
        if name.endswith(".toml") and base is not None and not Path(name).is_absolute():
            source = base / name
        try:
            found.append(load_policy(source))
        except PolicyError as exc:
            reader.errors.extend(f"{path}: {error}" for error in exc.errors)
    return tuple(found)


def _mix(reader: _Reader, table: Table, path: str, default: PackageMix | None) -> PackageMix:
    uniform = Distribution("uniform", low=5, high=30)
    hours = reader.distribution(
        table,
        "hours_per_week",
        f"{path}.hours_per_week",
        default.hours_per_week if default else uniform,
    )
    after = reader.distribution(
        table,
        "start_after_days",
        f"{path}.start_after_days",
        default.start_after_days if default else Distribution("uniform", low=1, high=21),
    )
    chances = dict(default.chances) if default else dict.fromkeys(PACKAGE_CHANCES, 0.0)
    for name in PACKAGE_CHANCES:
        if name in table:
            chances[name] = reader.chance(table, name, f"{path}.{name}", 0.0)
    return PackageMix(
        per_working_day=reader.number(
            table,
            "packages_per_working_day",
            f"{path}.packages_per_working_day",
            default.per_working_day if default else 0.0,
        ),
        hours_per_week=hours or uniform,
        start_after_days=after or uniform,
        chances=tuple(chances.items()),
        lots=reader.wholes(table, "lots", f"{path}.lots", default.lots if default else ()),
        support_types=reader.texts(
            table,
            "support_types",
            f"{path}.support_types",
            default.support_types if default else (),
        ),
        age=reader.distribution(table, "age", f"{path}.age", default.age if default else None),
    )


def _areas(reader: _Reader, value: object, defaults: Table) -> tuple[tuple[str, PackageMix], ...]:
    base = _mix(reader, defaults, "packages", None)
    if not isinstance(value, list) or not value:
        reader.bad("areas", "must be a non-empty list of [[areas]] tables")
        return ()
    found: list[tuple[str, PackageMix]] = []
    for i, area in enumerate(value):
        path = f"areas[{i}]"
        if not isinstance(area, Mapping):
            reader.bad(path, "must be a table")
            continue
        name = area.get("name")
        if not isinstance(name, str) or not name:
            reader.bad(f"{path}.name", f"must be the area's name, got {name!r}")
            continue
        if name in dict(found):
            reader.bad(f"{path}.name", f"{name!r} is named twice")
        found.append((name, _mix(reader, area, path, base)))
    return tuple(found)


def _behaviour(
    reader: _Reader, table: Table, path: str, default: Behaviour | None = None
) -> Behaviour:
    chances = {
        name: reader.chance(
            table, name, f"{path}.{name}", getattr(default, name) if default else _DEFAULTS[name]
        )
        for name in BEHAVIOUR_CHANCES
    }
    delay = reader.distribution(
        table, "delay", f"{path}.delay", default.delay if default else _DEFAULT_DELAY
    )
    rate = reader.distribution(
        table, "rate", f"{path}.rate", default.rate if default else _DEFAULT_RATE
    )
    return Behaviour(delay=delay or _DEFAULT_DELAY, rate=rate or _DEFAULT_RATE, **chances)


_DEFAULTS = {"interest": 0.6, "offer": 0.5, "decline": 0.3, "silence": 0.2, "part": 0.1}
_DEFAULT_DELAY = Distribution("lognormal", median=45, sigma=0.8)
_DEFAULT_RATE = Distribution("uniform", low=19, high=26)


def _provider_mix(reader: _Reader, table: Table) -> ProviderMix:
    path = "providers.generate"
    tiers = reader.weights(table, "tiers", f"{path}.tiers", ("1", "2"), {"1": 1.0})
    cqc_names = (*CQC_RATINGS, "unregistered")
    spread = reader.chance(table, "spread", f"{path}.spread", 0.0)
    low = reader.whole(table, "areas_low", f"{path}.areas_low", 1, low=1)
    return ProviderMix(
        count=reader.whole(table, "count", f"{path}.count", 1, low=1),
        kinds=reader.weights(table, "kinds", f"{path}.kinds", PROVIDER_KINDS, {"framework": 1.0}),
        tiers=tuple((int(name), weight) for name, weight in tiers),
        areas_low=low,
        areas_high=max(low, reader.whole(table, "areas_high", f"{path}.areas_high", low, low=1)),
        lots=reader.wholes(table, "lots", f"{path}.lots", ()),
        support_types=reader.texts(table, "support_types", f"{path}.support_types", ()),
        min_age=reader.distribution(table, "min_age", f"{path}.min_age", None),
        max_age=reader.distribution(table, "max_age", f"{path}.max_age", None),
        cqc=reader.weights(table, "cqc", f"{path}.cqc", cqc_names, {"Good": 1.0}),
        sanctioned=reader.chance(table, "sanctioned", f"{path}.sanctioned", 0.0),
        spread=spread,
    )


def _listed(
    reader: _Reader, value: object, behaviour: Behaviour
) -> list[tuple[MarketProvider, Behaviour | None]]:
    if not isinstance(value, list):
        reader.bad("providers.listed", "must be a list of [[providers.listed]] tables")
        return []
    found: list[tuple[MarketProvider, Behaviour | None]] = []
    for i, row in enumerate(value):
        path = f"providers.listed[{i}]"
        if not isinstance(row, Mapping):
            reader.bad(path, "must be a table")
            continue
        pid, kind, areas = row.get("id"), row.get("kind", "framework"), row.get("areas")
        if not isinstance(pid, str) or not pid:
            reader.bad(f"{path}.id", f"must be the provider's id, got {pid!r}")
            continue
        if kind not in PROVIDER_KINDS:
            reader.bad(f"{path}.kind", f"must be one of {', '.join(PROVIDER_KINDS)}, got {kind!r}")
            continue
        if not isinstance(areas, Mapping) or not all(
            isinstance(r, int) and not isinstance(r, bool) and r >= 1 for r in areas.values()
        ):
            reader.bad(f"{path}.areas", "must map each area to its rank (a whole number, 1 first)")
            continue
        tier = row.get("tier")
        rating = row.get("cqc_rating")
        if rating is not None and rating not in CQC_RATINGS:
            reader.bad(f"{path}.cqc_rating", f"must be one of {', '.join(CQC_RATINGS)}")
        provider = MarketProvider(
            id=pid,
            name=str(row.get("name", pid)),
            kind=str(kind),
            areas=tuple((str(a), int(cast(int, r))) for a, r in areas.items()),
            tier=tier if isinstance(tier, int) and not isinstance(tier, bool) else None,
            lots=reader.wholes(row, "lots", f"{path}.lots", ()),
            support_types=reader.texts(row, "support_types", f"{path}.support_types", ()),
            cqc_registered=rating is not None,
            cqc_rating=rating if isinstance(rating, str) else None,
            sanctioned=bool(row.get("sanctioned", False)),
        )
        own = None
        if "behaviour" in row:
            own = _behaviour(
                reader,
                reader.table(row, "behaviour", f"{path}.behaviour"),
                f"{path}.behaviour",
                behaviour,
            )
        found.append((provider, own))
    return found


def _council(reader: _Reader, table: Table) -> Council:
    delay = reader.distribution(
        table, "delay", "council.delay", Distribution("uniform", low=30, high=240)
    )
    choices = reader.table(table, "choices", "council.choices")
    found: list[tuple[str, str]] = []
    for gate, choice in choices.items():
        if gate not in GATE_NAMES:
            reader.bad(f"council.choices.{gate}", f"not a gate; gates: {', '.join(GATE_NAMES)}")
        elif choice not in GATE_CHOICES[gate]:
            allowed = ", ".join(GATE_CHOICES[gate])
            reader.bad(f"council.choices.{gate}", f"must be one of {allowed}, got {choice!r}")
        else:
            found.append((gate, str(choice)))
    assert delay is not None
    return Council(delay, tuple(found))
