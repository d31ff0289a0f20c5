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
from carebroker.audit.bulk import created_in_bulk
from carebroker.councils.models import Area, Council
from carebroker.demo import people, story
from carebroker.demo.presets import DemoArea, DemoCouncil
from carebroker.engine import engine
from carebroker.engine.result import plain
from carebroker.engine.state import PackageState
from carebroker.engine.workingtime import WorkingCalendar
from carebroker.referrals.models import Document, Person, Referral, ReferralStatus
from carebroker.sourcing import snapshot, waiting_from, working_time
from carebroker.sourcing.market_db import engine_package, market_of, view_of
from carebroker.sourcing.models import (
    EventSource,
    Package,
    PackageStatus,
    SourcingRequest,
    TimelineEvent,
)

PACKAGES = 150
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
    gates: tuple[str, ...]  # the gates a package of this policy can wait at
    documents: tuple[str, ...]
    required: tuple[str, ...] = ()  # what the policy's referral check insists on


SHAPES = {
    "essex-lah": PolicyShape(
        stages=("batch", "tier2", "open_market"),
        gates=("open_market_choice",),
        documents=(Document.FINANCIAL_AUTHORISATION, Document.REFERRAL_FORM),
    ),
    "kent-oppd": PolicyShape(
        stages=("cluster", "other_contracted", "non_contracted"),
        # A sanctioned provider's approval is not a hold: a manager gives it ahead, on the
        # package's gate page (engine/gates.py); packages never wait at it.
        gates=("non_contracted_approval", "later_start"),
        documents=(
            Document.FINANCIAL_AUTHORISATION,
            Document.REFERRAL_FORM,
            Document.CHARGING_LETTER,
        ),
        required=(
            Document.FINANCIAL_AUTHORISATION,
            Document.REFERRAL_FORM,
            Document.CHARGING_LETTER,
        ),
    ),
    "leics-short-breaks": PolicyShape(
        stages=("framework", "off_framework"),
        gates=("mini_competition", "part_offer", "unable_to_fill"),
        documents=(Document.REFERRAL_FORM, Document.MANAGER_SIGNATURE),
        required=(Document.MANAGER_SIGNATURE,),
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
    case_numbers = rng.sample(range(1_000_000, 9_999_999), PACKAGES)
    packages = [
        _package(
            spec,
            referrals[index],
            areas[area_specs[index].name],
            str(case_numbers[index]),
            rng,
            now,
        )
        for index in range(PACKAGES)
    ]
    market = market_of(council)
    states = [
        story.tell(
            market,
            engine_package(package, referred_at=package.referral.received_at),
            package.referral.received_at,
            _plot(shape, statuses[index], rng),
            now,
            rng,
        )
        for index, package in enumerate(packages)
    ]
    for package, state in zip(packages, states, strict=True):
        _keep(package, state, market.calendar)
    Package.objects.bulk_create(packages)
    Referral.objects.bulk_update(referrals[:PACKAGES], ["status", "missing", "accepted_at"])
    # bulk_create sends no signals: the change log is written here, after the referrals'
    # statuses are set, so each "created" entry shows the row as it stands.
    created_in_bulk([*persons, *referrals, *packages])
    _save_history(packages, states, market.calendar)


def _plot(shape: PolicyShape, status: str, rng: random.Random) -> story.Plot:
    """What happens to a package drawn to end in `status` (docs/policies.md §3-§6)."""
    if status == PackageStatus.AWARDED:
        return story.Plot("awarded", say_yes=True)
    if status == PackageStatus.ON_HOLD:
        gate = rng.choice(shape.gates)
        return story.Plot(
            f"gate:{gate}",
            say_yes=gate in ("later_start", "part_offer", "mini_competition"),
            part=gate == "part_offer",
            tie=gate == "mini_competition",
            later=gate == "later_start",
        )
    if status == PackageStatus.UNFILLED:
        return story.Plot("unfilled")
    if status == PackageStatus.CLOSED:
        gate = rng.choice(shape.gates)
        return story.Plot(
            f"gate:{gate}",
            say_yes=gate in ("later_start", "part_offer", "mini_competition"),
            part=gate == "part_offer",
            tie=gate == "mini_competition",
            later=gate == "later_start",
            then="close",
        )
    if status == PackageStatus.CANCELLED:
        return story.Plot("sourcing", then="cancel", within=timedelta(days=3))
    return story.Plot("sourcing")  # SOURCING, and RETURNED (the engine returns it at once)


def _keep(package: Package, state: PackageState, calendar: WorkingCalendar) -> None:
    """The package row as `runner.save_step` leaves it after the engine's last step."""
    package.engine_state = snapshot.dump(state)
    package.status = "sourcing" if state.status == "new" else state.status
    package.stage = state.stage or ""
    package.gate = state.gate or ""
    package.awarded_provider_id = int(state.provider) if state.provider else None
    package.awarded_at = state.awarded_at
    package.working_time_to_award = working_time.to_award(
        calendar, package.referral.received_at, state.awarded_at
    )
    package.next_due = engine.next_due(state)
    if package.status != PackageStatus.RETURNED:
        package.provider_view = view_of(package.person)
    referral = package.referral
    for event in state.events:
        if event.type == "referral_returned":
            referral.status = ReferralStatus.RETURNED
            referral.missing = [str(name) for name in event.details.get("missing", ())]  # type: ignore[attr-defined]
            referral.accepted_at = None
        elif event.type == "referral_checked":
            referral.status, referral.missing = ReferralStatus.ACCEPTED, []
            referral.accepted_at = event.at
    package.waiting_from = waiting_from.from_scratch(
        referral.accepted_at, [(str(event.type), event.at) for event in state.events]
    )


def _save_history(
    packages: list[Package], states: list[PackageState], calendar: WorkingCalendar
) -> None:
    requests, events = [], []
    for package, state in zip(packages, states, strict=True):
        for seq, request in enumerate(state.requests):
            requests.append(
                SourcingRequest(
                    package=package,
                    seq=seq,
                    provider_id=int(request.provider),
                    stage=request.stage,
                    round=request.round,
                    sent_at=request.sent_at,
                    deadline=request.deadline,
                    outcome=request.outcome,
                    responded_at=request.responded_at,
                    working_time_to_answer=working_time.to_answer(
                        calendar, request.sent_at, request.responded_at
                    ),
                    rate=request.rate,
                    coverage=request.coverage or "",
                    start=request.start,
                    reason=(request.reason or "")[:300],
                    not_awarded=request.not_awarded or "",
                    late=request.late,
                    chased=request.chased,
                )
            )
        events += [
            TimelineEvent(
                package=package,
                at=event.at,
                type=event.type,
                details=plain(dict(event.details)),
                source=EventSource.ENGINE,
            )
            for event in state.events
        ]
    SourcingRequest.objects.bulk_create(requests, batch_size=500)
    TimelineEvent.objects.bulk_create(events, batch_size=500)


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
    if status in (None, PackageStatus.SOURCING, PackageStatus.RETURNED):
        # Recent: still being sourced (or just returned), or not checked yet.
        received_at = now - timedelta(hours=rng.randrange(2, 96))
    else:
        received_at = now - timedelta(days=rng.randrange(8, 45), minutes=rng.randrange(0, 480))
    referral = Referral(
        council=council,
        person=person,
        referrer=referrer if index % 3 == 0 else None,
        received_at=received_at,
        documents=list(shape.documents),
    )
    if spec.policy_name == "kent-oppd":
        _kent_documents(referral, rng)
    if status == PackageStatus.RETURNED:
        # A required document left out: the engine's check returns the referral with
        # exactly that missing (Essex checks none, so its referral goes on to sourcing).
        required = [d for d in referral.documents if d in shape.required]
        if required:
            referral.documents.remove(rng.choice(required))
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


def _package(
    spec: DemoCouncil,
    referral: Referral,
    area: Area,
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
        preferred_start=today + timedelta(days=rng.randrange(-10, 15)),
        urgent=rng.random() < 0.2,
        # A made-up caseload's provider views count as confirmed by a broker on arrival
        # (docs/policies.md §6.2), so the story runs; new referrals in the demo are reviewed.
        view_confirmed_at=referral.received_at,
        view_confirmed_by="demo",
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
    return package
