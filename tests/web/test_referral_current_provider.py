"""Issue 11 finding 2 on the web: an Essex referral for a change to an existing service names
its current provider, which is asked first (docs/policies.md §4.2); a current provider named
for a package that is not a change is refused on its field and nothing is saved."""

import pytest

from carebroker.accounts.models import Role
from carebroker.sourcing import actions, runner
from carebroker.sourcing.models import Package, SourcingRequest
from tests.factories import make_area, make_council, make_provider, make_user
from tests.web.pages import as_date_parts, client_for, clock, field_error
from tests.web.test_referrals import NOW

pytestmark = pytest.mark.django_db


def _essex():
    council = make_council("essex-lah")
    north = make_area(council, "North", districts=["CO4"])
    tier1 = make_provider(council, areas={north: 1})
    spot = make_provider(council, name="Damson Spot Care", areas={north: 9}, kind="spot", tier=None)
    return council, tier1, spot, make_user(council, Role.REFERRER)


def _form(**changes):
    form = {
        "name": "Wendy Marsh",
        "date_of_birth": "1938-05-14",
        "address": "4 Orchard Row",
        "town": "Colchester",
        "postcode": "CO4 3SQ",
        "phone": "01632 960 001",
        "relations": "daughter: Rose Marsh",
        "allocated_worker": "Sam Okafor",
        "principal_contact": "Rose Marsh",
        "principal_contact_phone": "07700 900 982",
        "needs": "Help to wash and dress each morning.",
        "case_number": "M70001",
        "hours_per_week": "14",
        "preferred_start": "2026-12-21",
    }
    form.update(changes)
    return as_date_parts(form)


def test_a_change_names_its_current_provider_which_is_asked_first():
    council, _, spot, referrer = _essex()
    client = client_for(referrer)
    with clock(NOW):
        page = client.get("/referrals/new/").content.decode()
        assert "Current provider (for a change)" in page
        response = client.post(
            "/referrals/new/", _form(change_to_existing="on", current_provider=str(spot.pk))
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    package = Package.objects.get(council=council, case_number="M70001")
    assert (package.change_to_existing, package.current_provider) == (True, spot)
    if package.engine_state is None:
        runner.do_referral(package, NOW)
    assert not SourcingRequest.objects.filter(package=package).exists()  # §6.2: reviewed first
    broker = make_user(council, Role.BROKER)
    actions.do_confirm_view(broker, package, "", NOW)
    asked = SourcingRequest.objects.get(package=package)
    assert (asked.provider, asked.stage) == (spot, "current_provider")


def test_a_current_provider_without_a_change_is_refused_on_its_field():
    council, _, spot, referrer = _essex()
    with clock(NOW):
        response = client_for(referrer).post(
            "/referrals/new/", _form(current_provider=str(spot.pk))
        )
    assert response.status_code == 400
    assert "Only a change to an existing service" in field_error(
        response.content.decode(), "id_current_provider"
    )
    assert not Package.objects.filter(council=council).exists()
