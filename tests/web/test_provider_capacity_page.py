"""Brokers see what every provider in an area declared it can take, asked or not yet asked
(docs/policies.md §8): in the area's order, out of date flagged, nothing declared said so."""

from datetime import date

import pytest

from carebroker.providers.models import CapacityDeclaration
from tests.factories import make_area, make_provider
from tests.sourcing.kent import NOW, kent_cluster
from tests.web.pages import client_for, clock, main_of

pytestmark = pytest.mark.django_db


def _rows(page: str) -> list[tuple[str, str]]:
    """(provider, capacity in words) per row of the table, in order."""
    rows = []
    for part in page.split('data-provider="')[1:]:
        name = part.split('"')[0]
        capacity = part.split("data-capacity>")[1].split("<")[0].strip()
        rows.append((name, capacity))
    return rows


def test_every_provider_in_the_area_is_listed_in_order_with_its_capacity_before_it_is_asked():
    kent = kent_cluster()
    area = kent.packages[0].area
    first, second, third = kent.providers
    CapacityDeclaration.objects.create(
        provider=second, area=area, unit="hours", amount=20,
        until=date(2026, 12, 31), declared_at=NOW,
    )  # fmt: skip
    CapacityDeclaration.objects.create(
        provider=third, area=area, unit="packages", amount=0,
        until=date(2026, 11, 2), declared_at=NOW,
    )  # fmt: skip
    with clock(NOW):
        page = main_of(client_for(kent.broker).get(f"/providers/?area={area.pk}"))
    assert _rows(page) == [
        (first.name, "No capacity declared"),
        (second.name, "Can take 20 hours of care per week until Thursday 31 December 2026"),
        (third.name, "Can take none until Monday 2 November 2026"),
    ]
    assert page.count("Out of date") == 1  # the third's day has passed
    assert "1 can take more" in page and "1 not declared" in page and "1 out of date" in page


def test_the_filter_chooses_another_area_and_only_its_providers_are_shown():
    kent = kent_cluster()
    other = make_area(kent.council, "Dover B")
    elsewhere = make_provider(kent.council, areas={other: 1})
    with clock(NOW):
        page = main_of(client_for(kent.manager).get(f"/providers/?area={other.pk}"))
    assert _rows(page) == [(elsewhere.name, "No capacity declared")]


def test_the_package_page_links_to_its_areas_providers():
    kent = kent_cluster()
    package = kent.packages[0]
    with clock(NOW):
        page = main_of(client_for(kent.broker).get(f"/packages/{package.case_number}/"))
    assert f'/providers/?area={package.area_id}"' in page
