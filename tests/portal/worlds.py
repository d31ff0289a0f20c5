"""Made-up councils for the portal tests: a Kent cluster cascade and an Essex batch, each
with two providers (A approached first) and a provider user for each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from carebroker.accounts.models import Role, User
from carebroker.councils.models import Council
from carebroker.providers.models import Provider
from carebroker.sourcing import runner
from carebroker.sourcing.intake import do_submit_referral
from carebroker.sourcing.models import Package
from tests.factories import (
    make_area,
    make_council,
    make_package,
    make_person,
    make_provider,
    make_referral,
    make_user,
)

# Monday 23 November 2026, 10:00 in London (GMT): a Kent request sent now is due at 12:00.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
BATCH_AT = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # Essex: the 16:00 batch (§4.2)
KENT_DOCUMENTS = ["financial_authorisation", "referral_form", "charging_letter"]


@dataclass
class World:
    council: Council
    provider_a: Provider
    provider_b: Provider
    user_a: User
    user_b: User
    broker: User
    referrer: User
    packages: list[Package] = field(default_factory=list)


def _world(policy: str, area_name: str, districts: list[str]) -> tuple[World, object]:
    council = make_council(policy)
    area = make_area(council, area_name, districts=districts)
    provider_a = make_provider(council, name="Alder Homecare", areas={area: 1})
    provider_b = make_provider(council, name="Birch Care Services", areas={area: 2})
    world = World(
        council=council,
        provider_a=provider_a,
        provider_b=provider_b,
        user_a=make_user(council, Role.PROVIDER, provider=provider_a),
        user_b=make_user(council, Role.PROVIDER, provider=provider_b),
        broker=make_user(council, Role.BROKER),
        referrer=make_user(council, Role.REFERRER),
    )
    return world, area


def kent_world(packages: int = 1, now: datetime = NOW, **person: str) -> World:
    """A Kent cluster: each package's first request goes to provider A at `now`, 2 working
    hours to answer (docs/policies.md §5.2)."""
    world, area = _world("kent-oppd", "Ashford A", ["TN23"])
    for _ in range(packages):
        referral = make_referral(
            world.council,
            make_person(world.council, **person),
            referrer=world.referrer,
            documents=KENT_DOCUMENTS,
        )
        world.packages.append(make_package(world.council, referral=referral, area=area))
        do_submit_referral(referral, now)
    for row in world.packages:
        row.refresh_from_db()
    return world


def essex_batch(postcodes: list[str], specialisms: list[list[str]] | None = None) -> World:
    """An Essex quadrant: packages referred at 10:00 go on the 16:00 batch to both Tier 1
    providers, interest due 10:00 the next working day (docs/policies.md §4.2)."""
    world, area = _world("essex-lah", "North", ["CO4", "CO7"])
    specialisms = specialisms or [[] for _ in postcodes]
    for postcode, names in zip(postcodes, specialisms, strict=True):
        referral = make_referral(
            world.council, make_person(world.council, postcode=postcode), referrer=world.referrer
        )
        package = make_package(
            world.council,
            referral=referral,
            area=area,
            specialisms=names,
            preferred_start=(NOW + timedelta(days=28)).date(),
        )
        world.packages.append(package)
        do_submit_referral(referral, NOW)
    for row in world.packages:
        runner.do_tick(row, BATCH_AT)
        row.refresh_from_db()
    return world
