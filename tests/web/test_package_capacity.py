"""Brokers see each asked provider's declared capacity in the package's area beside its
request, out-of-date declarations flagged (docs/policies.md §8)."""

from datetime import date

import pytest

from carebroker.providers.models import CapacityDeclaration
from carebroker.sourcing.models import SourcingRequest
from tests.sourcing.kent import NOW, kent_cluster
from tests.web.pages import client_for, clock, main_of

pytestmark = pytest.mark.django_db


def _capacity_notes(page: str) -> list[str]:
    return [part.split("<")[0] for part in page.split("data-capacity>")[1:]]


def test_package_page_shows_declared_capacity_beside_each_provider_and_flags_stale():
    kent = kent_cluster()
    package = kent.packages[0]
    first = SourcingRequest.objects.get(package=package, seq=0)
    row = CapacityDeclaration.objects.create(
        provider=first.provider, area=package.area, unit="packages", amount=2,
        until=date(2026, 12, 31), declared_at=NOW,
    )  # fmt: skip
    client = client_for(kent.broker)
    with clock(NOW):
        page = main_of(client.get(f"/packages/{package.case_number}/"))
    assert _capacity_notes(page)[0] == "Can take 2 new packages until Thursday 31 December 2026"
    assert "Out of date" not in page
    row.until = date(2026, 11, 20)
    row.save()
    with clock(NOW):
        page = main_of(client.get(f"/packages/{package.case_number}/"))
    assert "Can take 2 new packages until Friday 20 November 2026" in page
    assert "Out of date" in page


def test_a_provider_that_declared_nothing_says_so():
    kent = kent_cluster()
    package = kent.packages[0]
    with clock(NOW):
        page = main_of(client_for(kent.broker).get(f"/packages/{package.case_number}/"))
    assert _capacity_notes(page) and set(_capacity_notes(page)) == {"No capacity declared"}
