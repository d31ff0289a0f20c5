"""Lists never load the engine's snapshot (issue 10: no page over 1 s at the demo's size), and
run as many queries for a large council as for a small one (issue 14).

A package's `engine_state` is its whole engine state, 15 kB on average in the demo and up to
70 kB; no list shows it, and parsing the 50 a page lists was half the time of the package
list, the waiting list and the referrer's referrals (bench/pages.py). Each list page here,
signed in as the demo role that reads it, must run no query that selects that column."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from carebroker.accounts.models import Role, User
from carebroker.demo.seed import ADMIN_USERNAME
from carebroker.referrals.models import Person, Referral
from carebroker.sourcing.models import Package, SourcingRequest
from tests.factories import make_area, make_council, make_provider, make_user
from tests.web.pages import clock, link_of, main_of

pytestmark = pytest.mark.django_db

SNAPSHOT = '"sourcing_package"."engine_state"'
LISTS = [
    ("essex-manager", "/packages/"),
    ("essex-manager", "/waiting/"),
    ("essex-manager", "/reports/dashboard/"),
    ("kent-referrer", "/referrals/mine/"),
    ("kent-broker", "/referrals/"),
    (ADMIN_USERNAME, "/admin/sourcing/package/"),
]


@pytest.mark.parametrize(("login", "path"), LISTS)
def test_a_list_page_never_loads_the_engines_snapshot(demo, sign_in, client, login, path):
    sign_in(login)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    rows = [q["sql"] for q in queries.captured_queries if "sourcing_package" in q["sql"]]
    assert rows, f"{path} read no package: the test would pass vacuously"
    loading = [sql[:200] for sql in rows if SNAPSHOT in sql]
    assert loading == [], f"{path} loads the snapshot: {loading}"


# -- queries per page, constant in the number of packages (issue 14) ------------------------

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _council_with(packages: int) -> dict[str, User]:
    """An Essex council of `packages` packages received over the last weeks, every other one still
    being sourced (each with an open request to our provider) and the rest awarded with an
    answered request: a broker and our provider's user. Bulk made: bench/web.py's shape."""
    council = make_council("essex-lah")
    areas = [make_area(council, name) for name in ("North", "Mid", "West")]
    ours, other = make_provider(council, "Our Care"), make_provider(council, "Other Care")
    people = Person.objects.bulk_create(
        Person(council=council, name=f"Listed Person {i}", date_of_birth=date(1940, 1, 1),
               address=f"{i} List Road", postcode="CO4 3SQ")
        for i in range(packages)
    )  # fmt: skip
    received = [NOW - timedelta(days=1 + i % 50, hours=i % 7) for i in range(packages)]
    referrals = Referral.objects.bulk_create(
        Referral(council=council, person=person, received_at=at, status="accepted",
                 accepted_at=at)
        for person, at in zip(people, received, strict=True)
    )  # fmt: skip
    rows = Package.objects.bulk_create(
        Package(council=council, referral=referral, person=person, case_number=f"{5000 + i}",
                area=areas[i % 3], hours_per_week=Decimal(7 + i % 5),
                preferred_start=date(2026, 12, 7), urgent=i % 4 == 0,
                status="sourcing" if i % 2 == 0 else "awarded",
                stage="batch" if i % 2 == 0 else "spot",
                awarded_provider=None if i % 2 == 0 else ours,
                awarded_at=None if i % 2 == 0 else at + timedelta(days=2),
                provider_view={"postcode": "CO4 3", "needs": "Help"}, waiting_from=at)
        for i, (person, referral, at) in enumerate(zip(people, referrals, received, strict=True))
    )  # fmt: skip
    SourcingRequest.objects.bulk_create(
        request
        for package, at in zip(rows, received, strict=True)
        for request in _requests(package, at, (ours, other))
    )
    return {
        "broker": make_user(council, Role.BROKER),
        "manager": make_user(council, Role.MANAGER),
        "provider": make_user(council, Role.PROVIDER, provider=ours),
    }


def _requests(package: Package, at: datetime, providers) -> list[SourcingRequest]:  # noqa: ANN001
    """Open requests to both providers while the package is sourced; declines once placed."""
    live = package.status == "sourcing"
    return [
        SourcingRequest(package=package, seq=seq, provider=provider, stage=package.stage,
                        round="interest", sent_at=at + timedelta(hours=1),
                        deadline=at + timedelta(days=1), outcome="open" if live else "decline",
                        responded_at=None if live else at + timedelta(hours=3),
                        reason="" if live else "no_capacity")
        for seq, provider in enumerate(providers)
    ]  # fmt: skip


PAGES = [
    ("broker", "/packages/"),
    ("broker", "/packages/?sort=name&area=&status=sourcing"),
    ("broker", "/packages/?q=Listed+Person+1"),
    ("provider", "/portal/"),
    ("provider", "/portal/history/"),
    ("provider", "/portal/history/?page=2"),
    ("manager", "/reports/dashboard/"),
]


def _queries(users: dict[str, User], role: str, path: str) -> tuple[int, int]:
    """The queries of the page, and of its second page (0 when it is not a keyset list)."""
    client = Client()
    client.force_login(users[role])
    with clock(NOW):
        client.get(path)  # the session and the saved filters settle
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, path
        if path.startswith("/packages/") and "q=" not in path:
            # The second page too: it starts after the first's last row.
            following = link_of(main_of(response), "next")
            assert following, f"{path}: one page only; the test needs two"
            with CaptureQueriesContext(connection) as second:
                assert client.get(f"/packages/{following}").status_code == 200
            # At most one more: the unfiltered first page takes its total from the counts
            # at the top, and nothing is ahead of it; a later page counts the rows ahead.
            assert len(queries) <= len(second) <= len(queries) + 1, (
                f"{path}: page 2 runs other queries"
            )
            return len(queries), len(second)
    return len(queries), 0


@pytest.mark.parametrize(("role", "path"), PAGES)
def test_a_list_page_runs_as_many_queries_for_600_packages_as_for_120(role, path):
    """No per-row query: the same queries whatever the rows, shown or counted."""
    few = _queries(_council_with(120), role, path)
    many = _queries(_council_with(600), role, path)
    assert many == few
