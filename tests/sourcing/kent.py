"""A Kent council with a cluster of three providers and packages in sourcing, for the
action, worker and concurrency tests."""

from dataclasses import dataclass
from datetime import UTC, datetime

from carebroker.accounts.models import Role, User
from carebroker.councils.models import Council
from carebroker.providers.models import Provider
from carebroker.sourcing.intake import do_submit_referral
from carebroker.sourcing.models import Package
from tests.factories import (
    make_area,
    make_council,
    make_package,
    make_provider,
    make_referral,
    make_user,
)

# Monday 23 November 2026, 10:00 in London: each package's first request is due 12:00.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
DOCUMENTS = ["financial_authorisation", "referral_form", "charging_letter"]


@dataclass
class Kent:
    council: Council
    broker: User
    manager: User
    providers: list[Provider]
    packages: list[Package]


def kent_cluster(packages: int = 1, now: datetime = NOW) -> Kent:
    council = make_council("kent-oppd")
    broker = make_user(council, Role.BROKER)
    manager = make_user(council, Role.MANAGER)
    referrer = make_user(council, Role.REFERRER)
    area = make_area(council, "Ashford A")
    providers = [make_provider(council, areas={area: rank}) for rank in (1, 2, 3)]
    rows = []
    for _ in range(packages):
        referral = make_referral(council, referrer=referrer, documents=DOCUMENTS)
        rows.append(make_package(council, referral=referral, area=area))
        do_submit_referral(referral, now)
    for row in rows:
        row.refresh_from_db()
    return Kent(council, broker, manager, providers, rows)
