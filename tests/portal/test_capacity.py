"""Provider capacity in the portal and the worker's stale reminder (docs/policies.md §8)."""

from datetime import UTC, date, datetime

import pytest

from carebroker.accounts.models import Role
from carebroker.outbox.models import Notice
from carebroker.portal.capacity import remind_stale_capacity
from carebroker.providers.models import CapacityDeclaration
from carebroker.sourcing.market_db import market_of
from tests.factories import make_area, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    council = make_council("kent-oppd")
    area = make_area(council, "Ashford A", districts=["TN23"])
    other = make_area(council, "Dover B", districts=["CT16"])
    provider = make_provider(council, name="Alder Homecare", areas={area: 1})
    make_provider(council, name="Birch Care Services", areas={other: 1})
    user = make_user(council, Role.PROVIDER, provider=provider)
    return council, area, other, provider, user


def _post(client, area, **fields):
    data = {"area": str(area.pk), "unit": "packages", "amount": "3",
            "until_day": "31", "until_month": "12", "until_year": "2026"}  # fmt: skip
    data.update(fields)
    return client.post("/portal/capacity/", data)


def test_provider_declares_capacity_for_an_area_it_serves(world, signed_in, clock):
    _, area, _, provider, user = world
    client = signed_in(user)
    response = _post(client, area)
    assert response.status_code == 302, response.context["form"].errors
    row = CapacityDeclaration.objects.get(provider=provider)
    assert (row.area, row.unit, row.amount, row.until) == (area, "packages", 3, date(2026, 12, 31))
    page = client.get("/portal/capacity/").content.decode()
    assert "3 new packages" in page and "Thursday 31 December 2026" in page and "Current" in page


def test_declaring_again_replaces_the_declaration_and_clears_its_reminder(world, signed_in, clock):
    _, area, _, provider, user = world
    client = signed_in(user)
    _post(client, area)
    CapacityDeclaration.objects.update(reminded_at=clock.now)
    _post(client, area, unit="hours", amount="0")
    (row,) = CapacityDeclaration.objects.filter(provider=provider)
    assert (row.unit, row.amount, row.reminded_at) == ("hours", 0, None)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"amount": "-1"}, "amount", "Enter how many you can take: 0 or more"),
        ({"amount": "three"}, "amount", "Enter how many you can take as a whole number, like 3"),
        ({"until_day": "1", "until_month": "11", "until_year": "2026"}, "until",
         "The date this holds until must be today or later"),
        ({"until_day": "31", "until_month": "2", "until_year": "2026"}, "until",
         "The date this holds until must be a real date"),
        ({"unit": ""}, "unit", "Select new packages or hours of care per week"),
    ],
)  # fmt: skip
def test_bad_capacity_is_refused_naming_the_field_and_changes_nothing(
    world, signed_in, clock, fields, field, message
):
    _, area, _, _, user = world
    response = _post(signed_in(user), area, **fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert message in response.context["form"].errors[field]
    assert not CapacityDeclaration.objects.exists()


def test_an_area_the_provider_does_not_serve_is_refused(world, signed_in, clock):
    _, _, other, _, user = world
    response = _post(signed_in(user), other)
    assert "Select one of the areas you serve" in response.content.decode()
    assert not CapacityDeclaration.objects.exists()


def test_the_engine_market_carries_each_declaration(world):
    council, area, _, provider, _ = world
    CapacityDeclaration.objects.create(
        provider=provider, area=area, unit="hours", amount=12, until=date(2026, 12, 31),
        declared_at=datetime(2026, 11, 2, 9, tzinfo=UTC),
    )  # fmt: skip
    market = market_of(council)
    (declared,) = market.provider(str(provider.pk)).capacity
    assert (declared.area, declared.amount, declared.unit) == ("Ashford A", 12, "hours")


def test_a_stale_declaration_is_reminded_once_through_the_outbox(world):
    _, area, _, provider, _ = world
    row = CapacityDeclaration.objects.create(
        provider=provider, area=area, unit="packages", amount=2, until=date(2026, 11, 20),
        declared_at=datetime(2026, 11, 2, 9, tzinfo=UTC),
    )  # fmt: skip
    assert remind_stale_capacity(datetime(2026, 11, 20, 18, tzinfo=UTC)) == []  # its last day
    monday = datetime(2026, 11, 23, 9, tzinfo=UTC)
    assert len(remind_stale_capacity(monday)) == 1
    assert remind_stale_capacity(monday) == []
    (notice,) = Notice.objects.all()
    assert notice.to == [provider.contacts.get().email]
    assert notice.subject == "Your capacity in Ashford A is out of date"
    assert "Friday 20 November 2026" in notice.body
    row.refresh_from_db()
    assert row.reminded_at == monday
