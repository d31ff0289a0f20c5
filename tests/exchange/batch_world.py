"""A made-up Essex batch on the database: Friday 20 November 2026, issued at 16:00, interest
due 10:00 on Monday 23 November (docs/policies.md §4.2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from carebroker.councils.models import Area, Council
from carebroker.providers.models import Provider
from carebroker.sourcing.due import advance_due
from carebroker.sourcing.intake import do_submit_referral
from carebroker.sourcing.models import Package
from tests.factories import (
    make_area,
    make_council,
    make_package,
    make_person,
    make_provider,
    make_referral,
)

FRIDAY_11 = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)
FRIDAY_16 = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
BATCH_DAY = date(2026, 11, 20)


@dataclass
class BatchWorld:
    council: Council
    north: Area
    mid: Area
    tier1: list[Provider]  # ranked 1 and 2 in North
    tier2: Provider  # North, tier 2: never sent the batch
    mid_tier1: Provider  # Tier 1 in Mid only
    packages: dict[str, Package] = field(default_factory=dict)


def package(council: Council, area: Area, case: str, start: date, **fields: object) -> Package:
    person_fields = {k: fields.pop(k) for k in ("postcode", "name") if k in fields}
    person = make_person(council, **person_fields)
    referral = make_referral(council, person=person, received_at=FRIDAY_11)
    row = make_package(
        council, case_number=case, referral=referral, area=area, preferred_start=start, **fields
    )
    do_submit_referral(referral, FRIDAY_11)
    return row


def essex_batch(*, issue: bool = True) -> BatchWorld:
    """North: an urgent package (start Tuesday), a plain one, one in a TSA at an enhanced
    rate with specialisms, a change to an existing service (never batched); Mid: one."""
    council = make_council("essex-lah")
    north = make_area(council, "North", districts=["CO4"])
    mid = make_area(council, "Mid", districts=["CM1"])
    world = BatchWorld(
        council,
        north,
        mid,
        tier1=[make_provider(council, f"Alder Homecare {r}", areas={north: r}) for r in (1, 2)],
        tier2=make_provider(council, "Birch Care", areas={north: 3}, tier=2),
        mid_tier1=make_provider(council, "Cedar Care", areas={mid: 1}),
    )
    specs = [
        ("M4001", north, date(2026, 11, 24), {}),
        ("M4002", north, date(2026, 12, 14), {"postcode": "CO2 7AB"}),
        (
            "M4003",
            north,
            date(2026, 12, 21),
            {
                "target_supply_area": True,
                "enhanced_rate": True,
                "specialisms": ["dementia", "end of life"],
                "support_type": "personal care",
                "hours_per_week": Decimal("10.5"),
            },
        ),
        # a change: its current provider (Birch) is asked first, 1 working day (§4.2)
        (
            "M4004",
            north,
            date(2026, 12, 14),
            {"change_to_existing": True, "current_provider": world.tier2},
        ),
        ("M4005", mid, date(2026, 12, 14), {"postcode": "CM1 1AA"}),
    ]
    for case, area, start, fields in specs:
        world.packages[case] = package(council, area, case, start, **fields)
    if issue:
        advance_due(FRIDAY_16)
    return world
