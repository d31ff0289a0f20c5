"""Through the portal, a tender offer is changed or withdrawn before the deadline (issue 10
item 5, docs/policies.md §6.3), through the engine like any answer."""

from datetime import UTC, date, datetime

import pytest

from carebroker.accounts.models import Role
from carebroker.sourcing.intake import do_submit_referral
from carebroker.sourcing.models import SourcingRequest
from tests.factories import (
    make_area,
    make_council,
    make_package,
    make_person,
    make_provider,
    make_referral,
    make_user,
)
from tests.portal.worlds import NOW
from tests.web.pages import main_of

pytestmark = pytest.mark.django_db


def _leics_request():
    council = make_council("leics-short-breaks")
    area = make_area(council, "City", districts=["LE3"])
    provider = make_provider(council, areas={area: 1}, lots=[1], support_types=["group"])
    user = make_user(council, Role.PROVIDER, provider=provider)
    person = make_person(council, postcode="LE3 9QP", date_of_birth=date(2015, 3, 2))
    referral = make_referral(council, person=person, documents=["manager_signature"])
    package = make_package(council, referral=referral, area=area, lot=1, support_type="group")
    do_submit_referral(referral, NOW)
    return SourcingRequest.objects.get(package=package, provider=provider), user


def test_a_provider_changes_then_withdraws_its_offer_before_the_deadline(signed_in, clock):
    row, user = _leics_request()
    client = signed_in(user)
    clock.now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    client.post(f"/portal/requests/{row.pk}/", {"action": "offer", "rate": "21.00"})
    page = main_of(client.get(f"/portal/requests/{row.pk}/"))
    assert "Change or withdraw your offer" in page and "Withdraw our offer" in page
    client.post(f"/portal/requests/{row.pk}/", {"action": "offer", "rate": "19.80"})
    row.refresh_from_db()
    assert (row.outcome, str(row.rate)) == ("offer", "19.80")
    response = client.post(f"/portal/requests/{row.pk}/", {"action": "withdraw"}, follow=True)
    assert "your answer (offer withdrawn) was received" in response.content.decode()
    row.refresh_from_db()
    assert (row.outcome, row.reason) == ("decline", "offer withdrawn")


def test_after_the_deadline_the_offer_can_no_longer_be_changed(signed_in, clock):
    row, user = _leics_request()
    client = signed_in(user)
    clock.now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    client.post(f"/portal/requests/{row.pk}/", {"action": "offer", "rate": "21.00"})
    clock.now = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # well past 5 working days
    page = main_of(client.get(f"/portal/requests/{row.pk}/"))
    assert "Withdraw our offer" not in page
