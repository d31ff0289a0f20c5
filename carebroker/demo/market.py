"""A demo council's market: its areas, postcode districts, providers, their ranks and contacts."""

import random
from datetime import date, timedelta
from decimal import Decimal

from carebroker.councils.models import Area, Council, PostcodeDistrict
from carebroker.demo import people
from carebroker.demo.presets import DemoArea, DemoCouncil
from carebroker.providers.models import (
    Contact,
    ContactRole,
    CqcRating,
    Provider,
    ProviderArea,
    ProviderKind,
)

SPECIALISMS = (
    "dementia",
    "learning disability",
    "mental health",
    "physical disability",
    "end of life",
)
SUPPORT_TYPES = ("group", "community", "domiciliary")  # docs/policies.md §6: Leics support types
SANCTION_NOTE = "Demo: no new packages while a quality review is under way."


def _team_of(spec: DemoArea) -> dict[str, str]:
    """Essex quadrants: a made-up Service Placement Team address and telephone number
    (Ofcom's drama range, 01632 960000-960999: never a real line)."""
    if spec.kind != "quadrant":
        return {}
    slug = spec.name.lower().replace(" ", "-")
    number = 960100 + sum(map(ord, spec.name)) % 800
    return {
        "team_name": f"Service Placement Team ({spec.name})",
        "team_email": f"spt-{slug}@essex.example.org",
        "team_phone": f"01632 {number}",
    }


def build_areas(council: Council, spec: DemoCouncil) -> dict[str, Area]:
    areas = {}
    for area_spec in spec.areas:
        area = Area.objects.create(
            council=council,
            name=area_spec.name,
            kind=area_spec.kind,
            locality=area_spec.locality,
            **_team_of(area_spec),
        )
        PostcodeDistrict.objects.bulk_create(
            PostcodeDistrict(council=council, area=area, district=district)
            for district in area_spec.districts
        )
        areas[area.name] = area
    return areas


def build_providers(
    council: Council, spec: DemoCouncil, areas: dict[str, Area], rng: random.Random, today: date
) -> list[Provider]:
    """About 40 providers, ranked in their areas in the shape the council's policy needs."""
    plan = {"essex-lah": _essex_plan, "kent-oppd": _kent_plan, "leics-short-breaks": _leics_plan}
    rows = plan[spec.policy_name](spec, rng)
    names = people.provider_names(rng, len(rows), adult=spec.adults)
    providers = []
    for name, (fields, served) in zip(names, rows, strict=True):
        provider = Provider(council=council, name=name, **fields)
        if spec.adults:
            provider.specialisms = sorted(rng.sample(SPECIALISMS, rng.randrange(1, 4)))
        _add_cqc(provider, rng, today)
        providers.append((provider, served))
    Provider.objects.bulk_create([provider for provider, _ in providers])
    ranks: dict[str, int] = {}
    links = []
    for provider, served in providers:
        for area_name in served:
            ranks[area_name] = ranks.get(area_name, 0) + 1
            links.append(
                ProviderArea(provider=provider, area=areas[area_name], rank=ranks[area_name])
            )
    ProviderArea.objects.bulk_create(links)
    Contact.objects.bulk_create(
        _contacts(providers, rng, with_senior=spec.policy_name == "kent-oppd")
    )
    return [provider for provider, _ in providers]


Plan = list[tuple[dict[str, object], list[str]]]


def _essex_plan(spec: DemoCouncil, rng: random.Random) -> Plan:
    # docs/policies.md §4: Tier 1 ranked first per quadrant, then Tier 2; a few spot providers last.
    quadrants = [area.name for area in spec.areas]
    rows: Plan = []
    for tier, per_quadrant in ((1, 5), (2, 2)):
        for quadrant in quadrants:
            for _ in range(per_quadrant):
                served = [quadrant]
                if rng.random() < 0.3:
                    served.append(rng.choice([q for q in quadrants if q != quadrant]))
                rows.append(({"kind": ProviderKind.FRAMEWORK, "tier": tier}, served))
    for _ in range(5):
        rows.append(({"kind": ProviderKind.SPOT}, rng.sample(quadrants, 2)))
    return rows


def _kent_plan(spec: DemoCouncil, rng: random.Random) -> Plan:
    # docs/policies.md §5: each cluster's protocol of clustered providers, then the others.
    rows: Plan = []
    for index, cluster in enumerate(spec.areas):
        for _ in range(3 if index < 6 else 2):
            rows.append(({"kind": ProviderKind.CLUSTERED}, [cluster.name]))
    localities = sorted({area.locality for area in spec.areas})
    for kind, count in ((ProviderKind.OTHER_CONTRACTED, 8), (ProviderKind.NON_CONTRACTED, 8)):
        for index in range(count):
            locality = localities[index % len(localities)]
            rows.append(({"kind": kind}, [a.name for a in spec.areas if a.locality == locality]))
    for fields, _ in rng.sample(rows, 3):
        fields.update(sanctioned=True, sanction_note=SANCTION_NOTE)
    return rows


def _leics_plan(spec: DemoCouncil, rng: random.Random) -> Plan:
    # docs/policies.md §6: framework providers by lot, support type, area, age; then non-framework.
    names = [area.name for area in spec.areas]
    rows: Plan = []
    for kind, count, low, high in (
        (ProviderKind.FRAMEWORK, 28, 1750, 2600),
        (ProviderKind.NON_FRAMEWORK, 12, 2200, 3400),
    ):
        for _ in range(count):
            min_age, max_age = rng.choice(((0, 18), (5, 18), (8, 25), (0, 12), (11, 18)))
            fields: dict[str, object] = {
                "kind": kind,
                "lots": sorted(rng.sample((1, 2, 3), rng.randrange(1, 4))),
                "support_types": sorted(rng.sample(SUPPORT_TYPES, rng.randrange(1, 3))),
                "min_age": min_age,
                "max_age": max_age,
                "framework_hourly_rate": Decimal(rng.randrange(low, high, 5)) / 100,
            }
            rows.append((fields, rng.sample(names, rng.randrange(1, 4))))
    return rows


def _add_cqc(provider: Provider, rng: random.Random, today: date) -> None:
    # Kent's non-contracted cascade needs CQC registration and a Good or better rating (§5.5).
    if provider.kind == ProviderKind.NON_CONTRACTED and rng.random() < 0.2:
        return
    provider.cqc_registered = True
    provider.cqc_location_id = f"1-{rng.randrange(10**9, 10**10)}"
    provider.cqc_rating = rng.choices(
        (
            CqcRating.OUTSTANDING,
            CqcRating.GOOD,
            CqcRating.REQUIRES_IMPROVEMENT,
            CqcRating.INADEQUATE,
        ),
        weights=(2, 10, 3, 1),
    )[0]
    provider.cqc_rating_date = today - timedelta(days=rng.randrange(60, 1000))


def _contacts(
    providers: list[tuple[Provider, list[str]]], rng: random.Random, *, with_senior: bool
) -> list[Contact]:
    contacts = []
    for provider, _ in providers:
        domain = f"{people.email_slug(provider.name)}.example"
        roles = [ContactRole.MAIN, ContactRole.SENIOR] if with_senior else [ContactRole.MAIN]
        for role in roles:
            contacts.append(
                Contact(
                    provider=provider,
                    role=role,
                    name=people.person_name(rng),
                    email=f"{'referrals' if role == ContactRole.MAIN else 'manager'}@{domain}",
                    phone=people.phone_number(rng),
                )
            )
    return contacts
