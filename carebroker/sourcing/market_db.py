"""The engine's market and package made from database rows (issue 4 item 3).

A provider's engine id is its primary key as text: answers and requests name it, and
`SourcingRequest.provider` points back at the row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from carebroker.councils.models import Council, council_policy
from carebroker.engine import market as engine_market
from carebroker.engine.policy import PACKAGE_FLAGS, Policy
from carebroker.engine.provider_view import PersonRecord, Relation, provider_view
from carebroker.engine.workingtime import WorkingCalendar
from carebroker.providers.models import CapacityDeclaration, Provider, ProviderArea
from carebroker.referrals.models import Person
from carebroker.sourcing.models import Package

# Each council's policy and working calendar as last read, with the stored text they were
# read from: the worker's sweeps, the pages and the reports ask for them many times, and
# reading the TOML and making the calendar are the cost. The one cache of the process (the
# web's waiting_days and reports/council_policy give these): one entry per council. An
# edited policy (other text, or another preset) is read again on its next use.
_POLICIES: dict[int, tuple[tuple[str, str], Policy, WorkingCalendar]] = {}


def policy_of(council: Council) -> Policy:
    """The council's policy: its own TOML copy when it has one, else the preset. Read once
    per council and stored text (a policy that cannot be read is not kept: PolicyError each
    time)."""
    return policy_and_calendar(council)[0]


def policy_and_calendar(council: Council) -> tuple[Policy, WorkingCalendar]:
    """The council's policy (as `policy_of`) and its working calendar, without loading its
    providers."""
    source = (council.policy_name, council.policy_toml)
    kept = _POLICIES.get(council.pk)
    if kept is not None and kept[0] == source:
        return kept[1], kept[2]
    policy = council_policy(*source)
    calendar = engine_market.Market.of(policy, ()).calendar
    if council.pk is not None:
        _POLICIES[council.pk] = (source, policy, calendar)
    return policy, calendar


# docs/policies.md §9: each provider's delivery record (EHM) for the weighted award. The EHM
# returns live in `exchange`, a layer above: it registers its reader here from its
# AppConfig.ready (docs/architecture.md §3); without it every provider has no record.
DELIVERY_SOURCES: list[Callable[[Council], dict[int, Decimal]]] = []


def add_delivery_source(source: Callable[[Council], dict[int, Decimal]]) -> None:
    if source not in DELIVERY_SOURCES:
        DELIVERY_SOURCES.append(source)


def market_of(council: Council, policy: Policy | None = None) -> engine_market.Market:
    """Every provider of the council with its ranks, under the council's policy."""
    # Values, not model rows: every answer builds its council's market (hundreds of
    # providers and ranks), and making a model instance per row was most of its cost.
    ranks: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for provider_id, area, rank in ProviderArea.objects.filter(
        provider__council=council
    ).values_list("provider_id", "area__name", "rank"):
        ranks[provider_id].append((area, rank))
    declared: dict[int, list[engine_market.Capacity]] = defaultdict(list)
    for row in CapacityDeclaration.objects.filter(provider__council=council).select_related("area"):
        declared[row.provider_id].append(
            engine_market.Capacity(row.area.name, Decimal(row.amount), row.unit, row.until)
        )
    delivery: dict[int, Decimal] = {}
    for source in DELIVERY_SOURCES:
        delivery.update(source(council))
    providers = tuple(
        _provider(row, tuple(ranks[row.pk]), tuple(declared[row.pk]), delivery.get(row.pk))
        for row in Provider.objects.filter(council=council)
        .order_by("pk")
        .values_list(*_MARKET_FIELDS, named=True)
    )
    return engine_market.Market.of(policy or policy_of(council), providers)


_MARKET_FIELDS = ("pk", "name", "kind", "tier", "lots", "support_types", "min_age", "max_age",
                  "cqc_registered", "cqc_rating", "sanctioned")  # fmt: skip


def _provider(
    row: Any,
    areas: tuple[tuple[str, int], ...],
    capacity: tuple[engine_market.Capacity, ...],
    delivery: Decimal | None,
) -> engine_market.MarketProvider:
    """A provider row (its _MARKET_FIELDS) as the engine's market knows it."""
    return engine_market.MarketProvider(
        id=str(row.pk),
        name=row.name,
        kind=row.kind,
        areas=tuple(sorted(areas)),
        tier=row.tier,
        lots=tuple(row.lots or ()),
        support_types=tuple(row.support_types or ()),
        min_age=row.min_age,
        max_age=row.max_age,
        cqc_registered=row.cqc_registered,
        # "Not rated" is the directory's word for no rating (docs/policies.md §5.5 needs a rating).
        cqc_rating=row.cqc_rating if row.cqc_rating not in ("", "Not rated") else None,
        sanctioned=row.sanctioned,
        capacity=capacity,
        delivery=delivery,
    )


def person_record(person: Person) -> PersonRecord:
    """The full record as the engine's provider view reads it."""
    address = ", ".join(part for part in (person.address, person.town) if part)
    return PersonRecord(
        name=person.name,
        dob=person.date_of_birth,
        address=address,
        postcode=person.postcode or None,
        phone=person.phone or None,
        relations=tuple(
            Relation(str(r.get("relation", "")), str(r.get("name", "")))
            for r in person.relations or ()
            if r.get("name")
        ),
        worker=person.allocated_worker or None,
        principal_contact=person.principal_contact or None,
        principal_contact_phone=person.principal_contact_phone or None,
        needs=person.needs,
    )


def view_of(person: Person, words: Iterable[str] = ()) -> dict[str, object]:
    """What providers see before an award (docs/policies.md §6.2). Every policy gets the
    anonymised view: the rule protects people, and no seed asks for more before award.
    `words`: names and words brokers removed (the package's and the council's learned ones)."""
    return provider_view(person_record(person), extra_names=words)


def redaction_words(package: Package) -> list[str]:
    """The words removed from this package's provider view: its own, then its council's
    learned list (docs/policies.md §6.2), each once."""
    words = [*(package.redact_words or []), *(package.council.redact_words or [])]
    return list(dict.fromkeys(str(w).strip() for w in words if str(w).strip()))


def engine_package(row: Package, referred_at: datetime | None = None) -> engine_market.PackageSpec:
    """The engine's package for a row; the referral's documents and flags come with it."""
    referral = row.referral
    person = row.person
    referred = referred_at or referral.received_at
    day = referred.date()
    dob = person.date_of_birth
    age = day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
    return engine_market.PackageSpec(
        id=row.case_number,
        area=row.area.name,
        referred_at=referred,
        preferred_start=row.preferred_start,
        postcode=person.postcode or None,
        urgent=row.urgent,
        hospital_discharge=row.hospital_discharge,
        emergency=row.emergency,
        hours_per_week=row.hours_per_week,
        lot=row.lot,
        support_type=row.support_type or None,
        change_to_existing=row.change_to_existing,
        current_provider=str(row.current_provider_id)
        if row.change_to_existing and row.current_provider_id
        else None,
        age=age,
        person=person_record(person),
        documents=tuple(referral.documents or ()),
        flags=frozenset(flag for flag in PACKAGE_FLAGS if getattr(referral, flag, False)),
        enhanced_rate=row.enhanced_rate,
        target_supply_area=row.target_supply_area,
        view_confirmed=row.view_confirmed_at is not None,
    )
