"""Scenario files (docs/scenarios.md): parsed and validated, every bad field named.

`parse_scenario(obj)` takes the decoded JSON and returns a `Scenario`, or raises
`ScenarioError(errors)` with one line per bad field (`packages[2].postcode: not a UK postcode`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TypeVar, cast

from carebroker.engine.field_reader import (
    INVALID,
    BadValue,
    FieldReader,
    as_count,
    as_flag,
    as_text,
    one_of,
)
from carebroker.engine.inputs import (
    Answer,
    AwardByHand,
    Decision,
    Hold,
    Input,
    PlacementChange,
    Release,
    ReviewOutcome,
)
from carebroker.engine.market import Capacity, MarketProvider, PackageSpec
from carebroker.engine.policy import (
    CQC_RATINGS,
    DOCUMENTS,
    GATE_NAMES,
    PACKAGE_FLAGS,
    PRESETS,
    PROVIDER_KINDS,
    Policy,
    PolicyError,
)
from carebroker.engine.policy_reader import load_policy
from carebroker.engine.provider_view import PersonRecord, Relation
from carebroker.engine.reviews import OUTCOMES as REVIEW_OUTCOMES
from carebroker.engine.vocabulary import AnswerAction, DecisionAction
from carebroker.lib.postcodes import PostcodeError, parse_postcode

T = TypeVar("T")
Table = Mapping[str, object]

# What a provider answers and what the council decides: the vocabulary's words, in its order.
PROVIDER_ACTIONS: tuple[str, ...] = tuple(action.value for action in AnswerAction)
COUNCIL_ACTIONS: tuple[str, ...] = tuple(action.value for action in DecisionAction)
PLACEMENT_ACTIONS = ("start", "review", "end")  # engine/placement.py
HAND_ACTORS = ("manager", "broker")  # who awards, holds and releases by hand
ACTORS = ("manager", "referrer", "broker")
CHOICES = (
    "accept_part",
    "off_framework",
    "continue",
    "close",
    "award",
    "accept",
    "approve",
    "refuse",
    "return",
)


class ScenarioError(ValueError):
    """A scenario that does not validate; `errors` names every bad field."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class ScenarioEvent:
    """One scripted input: what happened, to which package, in file order."""

    package: str
    signal: Input


@dataclass(frozen=True)
class Scenario:
    policy: Policy
    start: datetime
    until: datetime
    providers: tuple[MarketProvider, ...]
    packages: tuple[PackageSpec, ...]
    events: tuple[ScenarioEvent, ...]


# -- converters ----------------------------------------------------------------


def _moment(value: object) -> datetime:
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment
        if moment is not None:
            raise BadValue(f"needs a UTC offset (e.g. Z or +00:00): {value!r}")
    raise BadValue(f"not an ISO 8601 date and time: {value!r}")


def _day(value: object) -> date:
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise BadValue(f"not a date YYYY-MM-DD: {value!r}")


def _money(value: object) -> Decimal:
    if isinstance(value, str):
        try:
            amount = Decimal(value)
        except InvalidOperation:
            amount = None
        if amount is not None and amount.is_finite() and amount >= 0:
            return amount
    raise BadValue(f'not a decimal string like "24.10": {value!r}')


def _hours(value: object) -> Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return Decimal(str(value))
    raise BadValue("must be a number of hours above 0")


def _postcode(value: object) -> str:
    if not isinstance(value, str):
        raise BadValue("not a UK postcode")
    try:
        return str(parse_postcode(value))
    except PostcodeError as exc:
        raise BadValue(f"not a UK postcode ({exc})") from None


def _nullable[T](convert: Callable[[object], T]) -> Callable[[object], T | None]:
    def inner(value: object) -> T | None:
        return None if value is None else convert(value)

    return inner


def _areas(value: object) -> tuple[tuple[str, int], ...]:
    if not isinstance(value, Mapping) or not value:
        raise BadValue('must map each area to its rank, e.g. {"North": 1}')
    pairs: list[tuple[str, int]] = []
    for area, rank in value.items():
        if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
            raise BadValue(f"rank of {area!r} must be a whole number from 1")
        pairs.append((str(area), rank))
    return tuple(pairs)


# -- the reader ----------------------------------------------------------------


def parse_scenario(source: object) -> Scenario:
    """Validate a decoded scenario; ScenarioError naming every bad field."""
    reader = FieldReader()
    if not isinstance(source, Mapping):
        raise ScenarioError(["scenario: must be a JSON object"])
    reader.known(source, {"policy", "start", "until", "providers", "packages", "events"}, "")
    policy = _read_policy(reader, source)
    start = reader.req(source, "start", "", _moment)
    until = reader.req(source, "until", "", _moment)
    if isinstance(start, datetime) and isinstance(until, datetime) and until <= start:
        reader.error("until", "must be after start")
    providers = tuple(
        _read_provider(reader, table, where) for table, where in _rows(reader, source, "providers")
    )
    packages = tuple(
        _read_package(reader, table, where) for table, where in _rows(reader, source, "packages")
    )
    _unique(reader, [p.id for p in providers], "providers")
    _unique(reader, [p.id for p in packages], "packages")
    if isinstance(policy, Policy) and policy.areas:
        _check_areas(reader, policy, providers, packages)
    provider_ids = {p.id for p in providers}
    package_ids = {p.id for p in packages}
    _check_current_providers(reader, packages, provider_ids)
    events = tuple(
        event
        for table, where in _rows(reader, source, "events", required=False)
        if (event := _read_event(reader, table, where, provider_ids, package_ids)) is not None
    )
    if reader.errors:
        raise ScenarioError(list(dict.fromkeys(reader.errors)))
    return Scenario(policy, start, until, providers, packages, events)


def _check_current_providers(
    reader: FieldReader, packages: tuple[PackageSpec, ...], provider_ids: set[str]
) -> None:
    """docs/policies.md §4.2: `current_provider` names a provider of the scenario, and only a
    change to an existing service has one."""
    for index, package in enumerate(packages):
        current = package.current_provider
        if current is None:
            continue
        where = f"packages[{index}].current_provider"
        if current not in provider_ids:
            reader.error(where, f"{current!r} is not a provider of this scenario")
        elif package.change_to_existing is not True:
            reader.error(where, "only a change to an existing service (change_to_existing) has one")


def _check_areas(
    reader: FieldReader,
    policy: Policy,
    providers: tuple[MarketProvider, ...],
    packages: tuple[PackageSpec, ...],
) -> None:
    """A policy that lists its areas (Essex quadrants) names every area it does not know."""
    known = ", ".join(policy.areas)
    for index, provider in enumerate(providers):
        for area, _ in provider.areas if isinstance(provider.areas, tuple) else ():
            if area not in policy.areas:
                reader.error(f"providers[{index}].areas", f"{area!r} is not an area of {known}")
        for row, declared in enumerate(provider.capacity):
            if isinstance(declared.area, str) and declared.area not in policy.areas:
                reader.error(
                    f"providers[{index}].capacity[{row}].area",
                    f"{declared.area!r} is not an area of {known}",
                )
    for index, package in enumerate(packages):
        if isinstance(package.area, str) and package.area not in policy.areas:
            reader.error(f"packages[{index}].area", f"{package.area!r} is not one of {known}")


def _read_policy(reader: FieldReader, source: Table) -> Policy:
    value = source.get("policy")
    if not isinstance(value, str | Mapping):
        reader.error("policy", "must be a preset name or a policy object")
        return cast(Policy, None)
    if isinstance(value, str) and value not in PRESETS:
        reader.error("policy", f"unknown preset {value!r}; one of {', '.join(PRESETS)}")
        return cast(Policy, None)
    try:
        return load_policy(value if isinstance(value, str) else cast(Table, value))
    except PolicyError as exc:
        for error in exc.errors:
            reader.errors.append(f"policy.{error}")
        return cast(Policy, None)


def _rows(
    reader: FieldReader, source: Table, key: str, required: bool = True
) -> list[tuple[Table, str]]:
    if key not in source:
        if required:
            reader.error(key, "missing")
        return []
    rows = source[key]
    if not isinstance(rows, list):
        reader.error(key, "must be a list")
        return []
    found: list[tuple[Table, str]] = []
    for index, row in enumerate(rows):
        if isinstance(row, Mapping):
            found.append((cast(Table, row), f"{key}[{index}]"))
        else:
            reader.error(f"{key}[{index}]", "must be an object")
    return found


def _unique(reader: FieldReader, ids: list[str], key: str) -> None:
    for index, value in enumerate(ids):
        if isinstance(value, str) and ids.index(value) != index:
            reader.error(f"{key}[{index}].id", f"duplicate id {value!r}")


_PROVIDER_KEYS = {
    "id", "name", "tier", "areas", "kind", "lots", "support_types",
    "min_age", "max_age", "cqc", "sanctioned", "capacity", "delivery",
}  # fmt: skip


def _read_provider(reader: FieldReader, table: Table, where: str) -> MarketProvider:
    reader.known(table, _PROVIDER_KEYS, where)
    cqc = reader.opt(table, "cqc", where, _nullable(_cqc_table), None) or {}
    registered = reader.opt(cqc, "registered", f"{where}.cqc", as_flag, False)
    rating = reader.opt(cqc, "rating", f"{where}.cqc", _nullable(one_of(CQC_RATINGS)), None)
    return MarketProvider(
        id=reader.req(table, "id", where, as_text),
        name=reader.opt(table, "name", where, as_text, ""),
        kind=reader.req(table, "kind", where, one_of(PROVIDER_KINDS)),
        areas=reader.req(table, "areas", where, _areas),
        tier=reader.opt(table, "tier", where, _nullable(as_count), None),
        lots=reader.items(table, "lots", where, as_count),
        support_types=reader.items(table, "support_types", where, as_text),
        min_age=reader.opt(table, "min_age", where, _nullable(as_count), None),
        max_age=reader.opt(table, "max_age", where, _nullable(as_count), None),
        cqc_registered=registered,
        cqc_rating=rating,
        sanctioned=reader.opt(table, "sanctioned", where, as_flag, False),
        delivery=reader.opt(table, "delivery", where, _nullable(_percent), None),
        capacity=tuple(
            _read_capacity(reader, row, f"{where}.capacity[{index}]")
            for index, row in enumerate(reader.items(table, "capacity", where, _object))
            if row is not INVALID
        ),
    )


def _read_capacity(reader: FieldReader, table: Table, where: str) -> Capacity:
    """One declaration (docs/scenarios.md): `area`, `until`, and either `packages` (new
    packages) or `hours_per_week`; 0 declares no capacity."""
    reader.known(table, {"area", "until", "packages", "hours_per_week"}, where)
    units = [key for key in ("packages", "hours_per_week") if key in table]
    if len(units) != 1:
        reader.error(where, "give exactly one of packages or hours_per_week")
        return cast(Capacity, INVALID)
    key = units[0]
    return Capacity(
        area=reader.req(table, "area", where, as_text),
        amount=reader.req(table, key, where, _amount),
        unit="packages" if key == "packages" else "hours",
        until=reader.req(table, "until", where, _day),
    )


def _percent(value: object) -> Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 100:
        return Decimal(str(value))
    raise BadValue(f"must be a percentage from 0 to 100, not {value!r}")


def _amount(value: object) -> Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return Decimal(str(value))
    raise BadValue(f"must be a number of 0 or more, not {value!r}")


def _cqc_table(value: object) -> Table:
    if not isinstance(value, Mapping):
        raise BadValue('must be an object {"registered": ..., "rating": ...}')
    unknown = set(value) - {"registered", "rating"}
    if unknown:
        raise BadValue(f"unknown key {sorted(unknown)[0]!r}")
    return cast(Table, value)


_PACKAGE_KEYS = {
    "id", "area", "postcode", "referred_at", "preferred_start", "urgent", "hospital_discharge",
    "emergency", "hours_per_week", "lot", "support_type", "change_to_existing", "current_provider",
    "age", "person",
    "documents", "enhanced_rate", "target_supply_area", *PACKAGE_FLAGS,
}  # fmt: skip


def _read_package(reader: FieldReader, table: Table, where: str) -> PackageSpec:
    reader.known(table, _PACKAGE_KEYS, where)
    referred = reader.req(table, "referred_at", where, _moment)
    postcode = reader.opt(table, "postcode", where, _nullable(_postcode), None)
    person_table = reader.opt(table, "person", where, _nullable(_object), None)
    person = (
        _read_person(reader, person_table, f"{where}.person", postcode) if person_table else None
    )
    age = reader.opt(table, "age", where, _nullable(as_count), None)
    if age is None and person is not None and person.dob and isinstance(referred, datetime):
        day = referred.date()
        age = (
            day.year - person.dob.year - ((day.month, day.day) < (person.dob.month, person.dob.day))
        )
    documents = table.get("documents")
    return PackageSpec(
        id=reader.req(table, "id", where, as_text),
        area=reader.req(table, "area", where, as_text),
        referred_at=referred,
        preferred_start=reader.req(table, "preferred_start", where, _day),
        postcode=postcode,
        urgent=reader.opt(table, "urgent", where, as_flag, False),
        hospital_discharge=reader.opt(table, "hospital_discharge", where, as_flag, False),
        emergency=reader.opt(table, "emergency", where, as_flag, False),
        hours_per_week=reader.opt(table, "hours_per_week", where, _nullable(_hours), None),
        lot=reader.opt(table, "lot", where, _nullable(as_count), None),
        support_type=reader.opt(table, "support_type", where, _nullable(as_text), None),
        change_to_existing=reader.opt(table, "change_to_existing", where, as_flag, False),
        current_provider=reader.opt(table, "current_provider", where, _nullable(as_text), None),
        age=age,
        person=person,
        documents=reader.items(table, "documents", where, one_of(DOCUMENTS))
        if documents is not None
        else None,
        flags=frozenset(
            flag for flag in PACKAGE_FLAGS if reader.opt(table, flag, where, as_flag, False) is True
        ),
        enhanced_rate=reader.opt(table, "enhanced_rate", where, as_flag, False),
        target_supply_area=reader.opt(table, "target_supply_area", where, as_flag, False),
    )


def _object(value: object) -> Table:
    if not isinstance(value, Mapping):
        raise BadValue("must be an object")
    return cast(Table, value)


_PERSON_KEYS = {
    "name", "dob", "address", "phone", "relations", "worker", "needs", "notes",
    "principal_contact", "principal_contact_phone",
}  # fmt: skip


def _read_person(
    reader: FieldReader, table: Table, where: str, postcode: str | None
) -> PersonRecord:
    reader.known(table, _PERSON_KEYS, where)
    relations: list[Relation] = []
    for row, at in _rows(reader, table, "relations", required=False):
        at = f"{where}.{at}"
        reader.known(row, {"relation", "name"}, at)
        relations.append(
            Relation(reader.req(row, "relation", at, as_text), reader.req(row, "name", at, as_text))
        )
    text = _nullable(as_text)
    return PersonRecord(
        name=reader.req(table, "name", where, as_text),
        dob=reader.opt(table, "dob", where, _nullable(_day), None),
        address=reader.opt(table, "address", where, text, None) or "",
        postcode=postcode,
        phone=reader.opt(table, "phone", where, text, None),
        relations=tuple(relations),
        worker=reader.opt(table, "worker", where, text, None),
        principal_contact=reader.opt(table, "principal_contact", where, text, None),
        principal_contact_phone=reader.opt(table, "principal_contact_phone", where, text, None),
        needs=reader.opt(table, "needs", where, text, None) or "",
        notes=reader.opt(table, "notes", where, text, None) or "",
    )


_EVENT_KEYS = {
    "at", "package", "provider", "actor", "action", "coverage", "rate", "start", "reason",
    "until", "text", "accept", "call_times", "gate", "choice", "override_reason", "outcome",
    "hours_per_week",
}  # fmt: skip


def _read_event(
    reader: FieldReader, table: Table, where: str, providers: set[str], packages: set[str]
) -> ScenarioEvent | None:
    before = len(reader.errors)
    reader.known(table, _EVENT_KEYS, where)
    at = reader.req(table, "at", where, _moment)
    package = reader.req(table, "package", where, as_text)
    if isinstance(package, str) and package not in packages:
        reader.error(f"{where}.package", f"no package with id {package!r}")
    provider = reader.opt(table, "provider", where, _nullable(as_text), None)
    actor = reader.opt(table, "actor", where, _nullable(one_of(ACTORS)), None)
    signal: Input | None = None
    if isinstance(provider, str) and provider not in providers:
        reader.error(f"{where}.provider", f"no provider with id {provider!r}")
    if actor is not None:  # a council decision; `provider` may name whom it is about
        signal = _decision(reader, table, where, at, actor, provider)
    elif provider is not None:
        signal = _provider_answer(reader, table, where, at, provider)
    else:
        reader.error(where, "give provider (a provider's answer) or actor (a council decision)")
    if len(reader.errors) > before or signal is None:
        return None
    return ScenarioEvent(package, signal)


def _provider_answer(
    reader: FieldReader, table: Table, where: str, at: datetime, provider: str
) -> Answer:
    action = reader.req(table, "action", where, one_of(PROVIDER_ACTIONS))
    until = reader.opt(table, "until", where, _nullable(_moment), None)
    if action == "considering" and until is None:
        reader.error(f"{where}.until", "missing (considering needs the time of a definite answer)")
    if action == "handback_notice" and until is None:
        reader.error(f"{where}.until", "missing (a handback with notice needs the day care ends)")
    rate = reader.opt(table, "rate", where, _nullable(_money), None)
    accept = reader.opt(table, "accept", where, _nullable(as_flag), None)
    if action == "assessment_done" and accept is None:
        reader.error(f"{where}.accept", "missing (true: takes the package; false: does not)")
    return Answer(
        at=at,
        provider=provider,
        action=action,
        coverage=reader.opt(table, "coverage", where, _nullable(one_of(("full", "part"))), None),
        rate=rate,
        start=reader.opt(table, "start", where, _nullable(_day), None),
        reason=reader.opt(table, "reason", where, _nullable(as_text), None),
        until=until,
        text=reader.opt(table, "text", where, _nullable(as_text), None),
        accept=accept,
        call_times=reader.opt(table, "call_times", where, _nullable(as_text), None),
    )


def _decision(
    reader: FieldReader, table: Table, where: str, at: datetime, actor: str, provider: str | None
) -> Input | None:
    action = reader.req(table, "action", where, one_of(COUNCIL_ACTIONS))
    if "override_reason" in table and action != "award":
        reader.error(f"{where}.override_reason", "only an award by hand takes an override reason")
    if action in ("award", "hold", "release"):
        return _by_hand(reader, table, where, at, actor, provider, action)
    if action in PLACEMENT_ACTIONS:
        return _placement(reader, table, where, at, actor, provider, action)
    if action == "review_outcome":
        return _review(reader, table, where, at, actor)
    gate = reader.opt(table, "gate", where, _nullable(one_of(GATE_NAMES)), None)
    choice = reader.opt(table, "choice", where, _nullable(one_of(CHOICES)), None)
    if action == "approve" and gate is None:
        reader.error(f"{where}.gate", "missing (approve names the gate)")
    if action == "decide" and choice is None:
        reader.error(f"{where}.choice", "missing (decide names a choice)")
    if choice == "award" and provider is None:
        reader.error(f"{where}.provider", "missing (an award names the provider)")
    reason = reader.opt(table, "reason", where, _nullable(as_text), None)
    if reason is not None and action != "cancel" and choice not in ("return", "refuse"):
        reader.error(
            f"{where}.reason", f"{action} takes no reason (cancel, award, return and refuse do)"
        )
    if choice == "return" and reason is None:
        reader.error(f"{where}.reason", "missing (a return says why)")
    return Decision(
        at=at,
        actor=actor,
        action=action,
        gate=gate,
        choice=choice,
        provider=provider,
        reason=reason,
    )


def _by_a_person(reader: FieldReader, table: Table, where: str, actor: str, action: str) -> None:
    """The checks every council action outside a gate shares: a person does it (never the
    engine), and it answers no gate, so it takes neither `gate` nor `choice`."""
    if actor not in HAND_ACTORS:
        reader.error(f"{where}.actor", f"a {action} is by a {' or a '.join(HAND_ACTORS)}")
    for key in ("gate", "choice"):
        if key in table:
            reader.error(f"{where}.{key}", f"{action} takes no {key}")


def _placement(
    reader: FieldReader,
    table: Table,
    where: str,
    at: datetime,
    actor: str,
    provider: str | None,
    action: str,
) -> Input | None:
    """A placement's start, review or end (engine/placement.py); every bad field named."""
    _by_a_person(reader, table, where, actor, action)
    if provider is not None:
        reader.error(f"{where}.provider", f"{action} names no provider (the placement's is known)")
    reason = reader.opt(table, "reason", where, _nullable(as_text), None)
    if action == "end" and reason is None and "reason" not in table:
        reader.error(f"{where}.reason", "missing (an end says why the placement ended)")
    if action != "end" and reason is not None:
        reader.error(f"{where}.reason", f"{action} takes no reason (end does)")
    return PlacementChange(at=at, actor=actor, action=action, reason=reason)


def _review(
    reader: FieldReader, table: Table, where: str, at: datetime, actor: str
) -> ReviewOutcome:
    """A placement's review outcome (engine/reviews.py, docs/policies.md §5 Reviews)."""
    _by_a_person(reader, table, where, actor, "review")
    outcome = reader.req(table, "outcome", where, one_of(tuple(REVIEW_OUTCOMES)))
    hours = reader.opt(table, "hours_per_week", where, _nullable(_hours), None)
    if outcome == "change_hours" and hours is None:
        reader.error(f"{where}.hours_per_week", "missing (a change of hours gives the new hours)")
    if outcome != "change_hours" and hours is not None:
        reader.error(f"{where}.hours_per_week", "only a change of hours gives hours")
    return ReviewOutcome(
        at=at,
        actor=actor,
        outcome=outcome,
        hours_per_week=hours,
        reason=reader.opt(table, "reason", where, _nullable(as_text), None),
    )


def _by_hand(
    reader: FieldReader,
    table: Table,
    where: str,
    at: datetime,
    actor: str,
    provider: str | None,
    action: str,
) -> Input | None:
    """An award by hand, a hold or a release (engine/by_hand.py); every bad field named."""
    _by_a_person(reader, table, where, actor, action)
    reason = reader.opt(table, "reason", where, _nullable(as_text), None)
    if action == "release":
        if reason is not None:
            reader.error(f"{where}.reason", "release takes no reason")
        if provider is not None:
            reader.error(f"{where}.provider", "release names no provider")
        return Release(at=at, actor=actor)
    if reason is None:
        if "reason" not in table:  # a bad one is named by the reader already
            why = "says why the rule is overridden" if action == "award" else "says why it is held"
            reader.error(f"{where}.reason", f"missing (a {action} {why})")
        reason = ""
    if action == "hold":
        if provider is not None:
            reader.error(f"{where}.provider", "hold names no provider")
        return Hold(at=at, actor=actor, reason=reason)
    if provider is None:
        reader.error(f"{where}.provider", "missing (an award names the provider)")
        return None
    override = reader.opt(table, "override_reason", where, _nullable(as_text), None)
    return AwardByHand(
        at=at, actor=actor, provider=provider, reason=reason, override_reason=override
    )
