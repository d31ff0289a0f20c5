"""Small factory functions for tests: made-up, valid records with sensible defaults.

Each function saves one record (after full_clean(), so every record a test makes
obeys the model rules) and returns it. Names are made up; counters keep unique
fields unique. Pass keyword arguments to set any other field.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from django.contrib.auth.hashers import make_password

from carebroker.accounts.models import Role, User
from carebroker.councils.models import Area, AreaKind, Council, PostcodeDistrict
from carebroker.providers.models import Contact, Provider, ProviderArea, ProviderKind
from carebroker.referrals.models import Document, Person, Referral
from carebroker.sourcing.models import Package

_serial = itertools.count(1)
PASSWORD = "a made-up password 42"  # every factory user's, for tests that log in with it

# A pinned time and date: factories never read the clock.
RECEIVED_AT = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)
VIEW_CONFIRMED_AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # before every pinned clock
PREFERRED_START = date(2026, 12, 7)

# What each preset calls its areas and its usual provider (docs/policies.md §4-6).
AREA_KIND = {
    "essex-lah": AreaKind.QUADRANT,
    "kent-oppd": AreaKind.CLUSTER,
    "leics-short-breaks": AreaKind.FRAMEWORK_AREA,
}
PROVIDER_KIND = {
    "essex-lah": ProviderKind.FRAMEWORK,
    "kent-oppd": ProviderKind.CLUSTERED,
    "leics-short-breaks": ProviderKind.FRAMEWORK,
}
COUNTY = {"essex-lah": "Eastshire", "kent-oppd": "Southmarsh", "leics-short-breaks": "Midvale"}


def _saved[M: Any](record: M) -> M:
    record.full_clean()
    record.save()
    return record


def make_council(policy_name: str = "essex-lah", **fields: Any) -> Council:
    """A council running a preset; its name and slug are made up and unique."""
    n = next(_serial)
    county = COUNTY.get(policy_name, "Westfold")
    fields.setdefault("name", f"{county} County Council {n}")
    fields.setdefault("slug", f"{county.lower()}-{n}")
    return _saved(Council(policy_name=policy_name, **fields))


def make_area(
    council: Council, name: str = "North", districts: Iterable[str] = (), **fields: Any
) -> Area:
    """An area of the council (kind from its policy) serving the given postcode districts."""
    fields.setdefault("kind", AREA_KIND.get(council.policy_name, AreaKind.QUADRANT))
    area = _saved(Area(council=council, name=name, **fields))
    for district in districts:
        _saved(PostcodeDistrict(council=council, area=area, district=district))
    return area


def make_provider(
    council: Council,
    name: str | None = None,
    areas: dict[Area, int] | None = None,
    **fields: Any,
) -> Provider:
    """A provider of the council (kind from its policy; Essex tier 1) ranked in the given
    areas ({area: rank}), with a main contact."""
    n = next(_serial)
    kind = fields.setdefault("kind", PROVIDER_KIND.get(council.policy_name, ProviderKind.SPOT))
    if council.policy_name == "essex-lah" and kind == ProviderKind.FRAMEWORK:
        fields.setdefault("tier", 1)
    fields.setdefault("cqc_registered", True)
    fields.setdefault("cqc_rating", "Good")
    provider = _saved(Provider(council=council, name=name or f"Alder Homecare {n}", **fields))
    for area, rank in (areas or {}).items():
        _saved(ProviderArea(provider=provider, area=area, rank=rank))
    _saved(
        Contact(
            provider=provider,
            name=f"Casey Contact {n}",
            email=f"contact{n}@provider{n}.example.org",
        )
    )
    return provider


def make_user(
    council: Council | None,
    role: str = Role.BROKER,
    password: str = PASSWORD,
    **fields: Any,
) -> User:
    """A user of the council. A provider user gets a new provider unless one is given;
    staff stays False unless asked for (only brokers and managers may be staff)."""
    n = next(_serial)
    fields.setdefault("username", f"{role}{n}")
    fields.setdefault("email", f"{role}{n}@council.example.org")
    fields.setdefault("first_name", role.title())
    fields.setdefault("last_name", f"Tester{n}")
    if role == Role.PROVIDER and "provider" not in fields and council is not None:
        fields["provider"] = make_provider(council)
    return _saved(User(council=council, role=role, password=_hashed(password), **fields))


@cache
def _hashed(password: str) -> str:
    # Hashing costs over half a second; one hash per password keeps the suite fast.
    return make_password(password)


def make_person(council: Council, **fields: Any) -> Person:
    """A made-up person with a full record (the kind providers must not see before award)."""
    n = next(_serial)
    defaults: dict[str, Any] = {
        "name": f"Ada Lovelock {n}",
        "date_of_birth": date(1941, 3, 2),
        "address": f"{n} High Street",
        "town": "Colchester",
        "postcode": "CO4 3SQ",
        "phone": "01206 000000",
        "relations": [{"relation": "sister", "name": "Bea Lovelock"}],
        "allocated_worker": "Dan Evans",
        "principal_contact": "Bea Lovelock",
        "principal_contact_phone": "01206 000001",
        "needs": "Help with washing and dressing, morning and evening.",
    }
    return _saved(Person(council=council, **{**defaults, **fields}))


def make_referral(council: Council, person: Person | None = None, **fields: Any) -> Referral:
    """A referral received at a pinned time with the two documents every policy asks for."""
    fields.setdefault("received_at", RECEIVED_AT)
    fields.setdefault(
        "documents", [Document.FINANCIAL_AUTHORISATION.value, Document.REFERRAL_FORM.value]
    )
    return _saved(Referral(council=council, person=person or make_person(council), **fields))


def make_package(
    council: Council,
    case_number: str | None = None,
    referral: Referral | None = None,
    area: Area | None = None,
    **fields: Any,
) -> Package:
    """A package being sourced: its referral (made if not given), its person, an area (the
    council's first, or a new one serving CO4), 14 hours a week from a pinned date.

    Its provider view counts as confirmed by a broker (docs/policies.md §6.2), so sourcing
    starts on acceptance; `view_confirmed_at=None` holds it for that review first."""
    referral = referral or make_referral(council)
    if area is None:
        area = council.areas.first() or make_area(council, "North", districts=["CO4"])
    fields.setdefault("hours_per_week", Decimal("14"))
    fields.setdefault("preferred_start", PREFERRED_START)
    fields.setdefault("view_confirmed_at", VIEW_CONFIRMED_AT)
    # Made around the write path, as a seeded row: it waits from its referral's acceptance
    # (what `carebroker waiting_from --fix` stores for it; sourcing/waiting_from.py).
    fields.setdefault("waiting_from", referral.accepted_at)
    return _saved(
        Package(
            council=council,
            referral=referral,
            person=referral.person,
            case_number=case_number or f"M{1000 + next(_serial)}",
            area=area,
            **fields,
        )
    )
