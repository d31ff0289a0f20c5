"""A hand-built Kent council whose every dashboard figure can be checked by counting.

November 2026 (GMT, so London time is UTC). Areas Ashford and Canterbury; providers Oak
Care (Ashford) and Elm Care (Canterbury). Working day 09:00-17:00, Monday to Friday.

| case | area | received (accepted 1 h later) | now | award (stage, hours a week) |
|---|---|---|---|---|
| M1 | Ashford | Mon 2 Nov 09:00 | awarded | Tue 3 Nov 11:00 (cluster, 10): 10 working hours |
| M2 | Ashford | Wed 4 Nov 09:00 | awarded | Wed 11 Nov 09:00 (other contracted, 7.5): 40 |
| M3 | Canterbury | Thu 5 Nov 13:00 | awarded | Thu 5 Nov 15:00 (cluster, 14): 2 |
| M4 | Canterbury | Mon 2 Nov 09:00 | sourcing | |
| M5 | Ashford | Mon 16 Nov 09:00 | sourcing | |
| M6 | Ashford | Fri 20 Nov 09:00 | sourcing | |
| M7 | Canterbury | Tue 10 Nov 09:00 | unfilled Thu 12 Nov 12:00 | |
| M8 | Ashford | Mon 9 Nov 09:00 | sourcing: placed with Oak Care, handed back Fri 13 Nov 10:00 | |

Requests: M1 Oak accepts in 1 h (in time); M2 Elm declines "no_capacity" after 3 h (late),
Oak silent (expired), Oak accepts in 1.5 h; M3 Elm accepts in 0.5 h; M7 Elm declines
"call_times" at its deadline (2 h), Oak declines "no_capacity" a day late (6 working hours).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from carebroker.councils.models import Area, Council
from carebroker.providers.models import Provider
from carebroker.sourcing.models import Package, SourcingRequest, TimelineEvent
from tests.factories import make_area, make_council, make_package, make_provider, make_referral

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@dataclass
class World:
    council: Council
    ashford: Area
    canterbury: Area
    oak: Provider
    elm: Provider
    packages: dict[str, Package]


def build_world(council: Council | None = None, prefix: str = "M") -> World:
    council = council or make_council("kent-oppd")
    ashford = council.areas.filter(name="Ashford").first() or make_area(
        council, "Ashford", districts=["TN23"]
    )
    canterbury = council.areas.filter(name="Canterbury").first() or make_area(
        council, "Canterbury", districts=["CT1"]
    )
    oak = council.providers.filter(name="Oak Care").first() or make_provider(
        council, "Oak Care", {ashford: 1}
    )
    elm = council.providers.filter(name="Elm Care").first() or make_provider(
        council, "Elm Care", {canterbury: 1}
    )
    specs = {
        # case: (area, received, status, award, stage, hours, provider)
        "1": (ashford, at(2, 9), "awarded", at(3, 11), "cluster", "10", oak),
        "2": (ashford, at(4, 9), "awarded", at(11, 9), "other_contracted", "7.5", oak),
        "3": (canterbury, at(5, 13), "awarded", at(5, 15), "cluster", "14", elm),
        "4": (canterbury, at(2, 9), "sourcing", None, "", "14", None),
        "5": (ashford, at(16, 9), "sourcing", None, "", "14", None),
        "6": (ashford, at(20, 9), "sourcing", None, "", "14", None),
        "7": (canterbury, at(10, 9), "unfilled", None, "", "14", None),
        "8": (ashford, at(9, 9), "sourcing", None, "", "14", None),
    }
    packages = {}
    for n, (area, received, status, awarded, stage, hours, provider) in specs.items():
        referral = make_referral(
            council,
            received_at=received,
            accepted_at=received + timedelta(hours=1),
            status="accepted",
        )
        packages[f"M{n}"] = make_package(
            council,
            f"{prefix}{n}",
            referral=referral,
            area=area,
            status=status,
            awarded_at=awarded,
            stage=stage,
            hours_per_week=Decimal(hours),
            awarded_provider=provider,
        )
    p = packages
    TimelineEvent.objects.create(package=p["M7"], at=at(12, 12), type="unfilled")
    TimelineEvent.objects.create(package=p["M8"], at=at(9, 11), type="award")
    TimelineEvent.objects.create(
        package=p["M8"],
        at=at(13, 10),
        type="handback",
        details={"provider": str(oak.pk), "reason": "call_times"},
    )
    requests = [
        # package, provider, sent, deadline, outcome, responded, reason
        ("M1", oak, at(2, 10), at(2, 12), "accept", at(2, 11), ""),
        ("M2", elm, at(4, 10), at(4, 12), "decline", at(4, 13), "no_capacity"),
        ("M2", oak, at(4, 13), at(4, 15), "expired", None, ""),
        ("M2", oak, at(10, 9), at(10, 11), "accept", at(10, 10, 30), ""),
        ("M3", elm, at(5, 13, 30), at(5, 15, 30), "accept", at(5, 14), ""),
        ("M7", elm, at(10, 10), at(10, 12), "decline", at(10, 12), "call_times"),
        ("M7", oak, at(10, 12), at(10, 14), "decline", at(11, 10), "no_capacity"),
    ]
    for seq, (case, provider, sent, deadline, outcome, responded, reason) in enumerate(requests):
        SourcingRequest.objects.create(
            package=p[case],
            seq=seq,
            provider=provider,
            stage="cluster",
            round="offer",
            sent_at=sent,
            deadline=deadline,
            outcome=outcome,
            responded_at=responded,
            reason=reason,
            late=responded is not None and responded > deadline,
        )
    return World(council, ashford, canterbury, oak, elm, packages)
