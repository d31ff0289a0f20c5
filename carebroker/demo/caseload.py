"""A demo council's caseload: made-up people, their referrals (with documents) and packages.

The packages are spread over every status, and over the stages and gates of the council's
policy (docs/policies.md §3-§6), with the flags brokers meet: urgent, hospital discharge,
emergencies, TSA, enhanced rate and changes to an existing service.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from carebroker.accounts.models import User
from carebroker.councils.models import Area, Council
from carebroker.demo import people
from carebroker.demo.presets import DemoArea, DemoCouncil
from carebroker.providers.models import Provider, ProviderArea, ProviderKind
from carebroker.referrals.models import Document, Person, Referral, ReferralStatus
from carebroker.sourcing.models import Package, PackageStatus

PACKAGES = 150
# Awards go to the providers a policy approaches first where the area has one.
FIRST_CHOICE_KINDS = (ProviderKind.FRAMEWORK, ProviderKind.CLUSTERED)
UNCHECKED_REFERRALS = 8  # received, not yet checked: no package yet
STATUS_MIX = {
    PackageStatus.SOURCING: 40,
    PackageStatus.AWARDED: 45,
    PackageStatus.ON_HOLD: 20,
    PackageStatus.UNFILLED: 12,
    PackageStatus.CLOSED: 20,
    PackageStatus.RETURNED: 6,
    PackageStatus.CANCELLED: 7,
}


@dataclass(frozen=True)
class PolicyShape:
    """The stage and gate names of a preset (docs/policies.md §3), and what its referrals carry."""

    stages: tuple[str, ...]
    gates: dict[str, str]  # gate -> the stage it holds up
    documents: tuple[str, ...]


SHAPES = {
    "essex-lah": PolicyShape(
        stages=("batch", "tier2", "open_market"),
        gates={"open_market_choice": "open_market"},
        documents=(Document.FINANCIAL_AUTHORISATION, Document.REFERRAL_FORM),
    ),
    "kent-oppd": PolicyShape(
        stages=("cluster", "other_contracted", "non_contracted"),
        gates={
            "non_contracted_approval": "other_contracted",
            "sanction_approval": "cluster",
            "later_start": "cluster",
        },
        documents=(
            Document.FINANCIAL_AUTHORISATION,
            Document.REFERRAL_FORM,
            Document.CHARGING_LETTER,
        ),
    ),
    "leics-short-breaks": PolicyShape(
        stages=("framework", "off_framework"),
        gates={
            "mini_competition": "framework",
            "part_offer": "framework",
            "unable_to_fill": "off_framework",
        },
        documents=(Document.REFERRAL_FORM, Document.MANAGER_SIGNATURE),
    ),
}


def build_caseload(
    council: Council,
    spec: DemoCouncil,
    areas: dict[str, Area],
    referrer: User,
    rng: random.Random,
    now: datetime,
) -> None:
    shape = SHAPES[spec.policy_name]
    statuses = [status for status, count in STATUS_MIX.items() for _ in range(count)]
    rng.shuffle(statuses)
    total = PACKAGES + UNCHECKED_REFERRALS
    area_specs = [rng.choice(spec.areas) for _ in range(total)]
    persons = Person.objects.bulk_create(
        _person(council, spec, area_spec, rng, now) for area_spec in area_specs
    )
    referrals = []
    for index, person in enumerate(persons):
        status = statuses[index] if index < PACKAGES else None
        referrals.append(_referral(council, spec, shape, person, status, referrer, index, rng, now))
    Referral.objects.bulk_create(referrals)
    serving = _providers_by_area(council)
    case_numbers = rng.sample(range(1_000_000, 9_999_999), PACKAGES)
    packages = [
        _package(
            spec,
            shape,
            referrals[index],
            areas[area_specs[index].name],
            serving,
            statuses[index],
            str(case_numbers[index]),
            rng,
            now,
        )
        for index in range(PACKAGES)
    ]
    Package.objects.bulk_create(packages)


def _person(
    council: Council, spec: DemoCouncil, area_spec: DemoArea, rng: random.Random, now: datetime
) -> Person:
    name = people.person_name(rng)
    relations = people.relations(rng, name.split()[-1], adult=spec.adults)
    return Person(
        council=council,
        name=name,
        date_of_birth=people.date_of_birth(rng, timezone.localdate(now), adult=spec.adults),
        address=people.street_address(rng),
        town=rng.choice(area_spec.towns),
        postcode=people.postcode(rng, rng.choice(area_spec.districts)),
        phone=people.phone_number(rng),
        relations=relations,
        allocated_worker=people.person_name(rng),
        principal_contact=relations[0]["name"],
        principal_contact_phone=people.phone_number(rng),
        needs=people.needs(rng, adult=spec.adults),
    )


def _referral(
    council: Council,
    spec: DemoCouncil,
    shape: PolicyShape,
    person: Person,
    status: str | None,
    referrer: User,
    index: int,
    rng: random.Random,
    now: datetime,
) -> Referral:
    received_at = now - timedelta(days=rng.randrange(0, 60), minutes=rng.randrange(0, 480))
    referral = Referral(
        council=council,
        person=person,
        referrer=referrer if index % 3 == 0 else None,
        received_at=received_at,
        documents=list(shape.documents),
    )
    if spec.policy_name == "kent-oppd":
        _kent_documents(referral, rng)
    if status is None:
        return referral  # docs/policies.md §5.1: still to be checked
    if status == PackageStatus.RETURNED:
        # Returned with exactly what is missing (docs/policies.md §5.1, §6.1).
        missing = referral.documents.pop(rng.randrange(len(referral.documents)))
        referral.status, referral.missing = ReferralStatus.RETURNED, [missing]
    else:
        referral.status = ReferralStatus.ACCEPTED
        referral.accepted_at = received_at + timedelta(hours=rng.randrange(1, 6))
    return referral


def _kent_documents(referral: Referral, rng: random.Random) -> None:
    # docs/policies.md §5.1: the flags decide which further documents a referral needs.
    referral.known_to_team = rng.random() < 0.4
    referral.from_enablement = rng.random() < 0.3
    referral.risk = rng.random() < 0.2
    referral.times_stipulated = rng.random() < 0.15
    needed = {
        Document.BICA: referral.known_to_team,
        Document.FINAL_REVIEW_FORM: referral.from_enablement,
        Document.RISK_ASSESSMENT: referral.risk,
        Document.TEAM_MANAGER_APPROVAL: referral.times_stipulated,
    }
    referral.documents += [str(document) for document, flag in needed.items() if flag]


def _providers_by_area(council: Council) -> dict[int, list[Provider]]:
    serving: dict[int, list[Provider]] = {}
    for rank in ProviderArea.objects.filter(area__council=council).select_related("provider"):
        serving.setdefault(rank.area_id, []).append(rank.provider)
    return serving


def _package(
    spec: DemoCouncil,
    shape: PolicyShape,
    referral: Referral,
    area: Area,
    serving: dict[int, list[Provider]],
    status: str,
    case_number: str,
    rng: random.Random,
    now: datetime,
) -> Package:
    today = timezone.localdate(now)
    package = Package(
        council=referral.council,
        referral=referral,
        person=referral.person,
        case_number=case_number,
        area=area,
        status=status,
        preferred_start=today + timedelta(days=rng.randrange(-10, 15)),
        urgent=rng.random() < 0.2,
    )
    if spec.adults:
        package.hours_per_week = Decimal(rng.randrange(7, 57)) / 2
        package.hospital_discharge = rng.random() < 0.12
        package.change_to_existing = rng.random() < 0.1
        package.specialisms = rng.sample(("dementia", "physical disability", "end of life"), 1)
    else:
        package.hours_per_week = Decimal(rng.randrange(4, 25)) / 2
        package.emergency = rng.random() < 0.07
        package.lot = rng.choice((1, 2, 3))
        package.support_type = rng.choice(("group", "community", "domiciliary"))
    if spec.policy_name == "essex-lah":
        package.target_supply_area = rng.random() < 0.15
        package.enhanced_rate = rng.random() < 0.1
    _place_in_policy(package, shape, serving.get(area.pk, []), rng, now)
    return package


def _place_in_policy(
    package: Package,
    shape: PolicyShape,
    serving: list[Provider],
    rng: random.Random,
    now: datetime,
) -> None:
    """Set the stage, gate and award a package in `package.status` would plausibly have."""
    first = _first_stage(package, shape)
    if package.status == PackageStatus.SOURCING:
        package.stage = rng.choice((first, *shape.stages)) if first else ""
    elif package.status == PackageStatus.ON_HOLD:
        package.gate = rng.choice(list(shape.gates))
        package.stage = shape.gates[package.gate]
    elif package.status == PackageStatus.UNFILLED:
        package.stage = shape.stages[-1]
    elif package.status in (PackageStatus.AWARDED, PackageStatus.CLOSED) and serving:
        preferred = [p for p in serving if p.kind in FIRST_CHOICE_KINDS] or serving
        package.stage = first or shape.stages[0]
        package.awarded_provider = rng.choice(preferred)
        package.awarded_at = now - timedelta(days=rng.randrange(1, 40), hours=rng.randrange(8))
        if package.status == PackageStatus.AWARDED:
            package.preferred_start = timezone.localdate(package.awarded_at) + timedelta(days=3)


def _first_stage(package: Package, shape: PolicyShape) -> str:
    if package.change_to_existing and "batch" in shape.stages:
        return ""  # docs/policies.md §4.2: never batched; the current provider is asked directly
    if package.urgent and "batch" in shape.stages:
        return "urgent"  # docs/policies.md §4.1: the urgent cascade alongside the batch
    if package.emergency:
        return "emergency"  # docs/policies.md §6.3: emergencies go by telephone
    return shape.stages[0]
