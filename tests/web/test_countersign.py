"""The countersign button on a Leicestershire package page (seed 004 step 24): only a
broker or manager of the package's council may press it; it records who and when, the
start date checked; a missing or past start is refused on its field and changes nothing."""

from __future__ import annotations

from unittest import mock

import pytest

from carebroker.accounts.models import Role
from carebroker.placements.ipa_loop import do_receive_signed_ipa
from carebroker.placements.models import DocumentKind, PlacementDocument
from tests.factories import make_council, make_user
from tests.placements.ipa_world import COUNTERSIGNED, RETURNED, leics_awarded
from tests.web.pages import client_for, field_error, main_of

pytestmark = pytest.mark.django_db
GOOD = {
    "countersign-start_day": "11",
    "countersign-start_month": "1",
    "countersign-start_year": "2027",
}


@pytest.fixture
def world():
    world = leics_awarded()
    do_receive_signed_ipa(world.winner_user, world.package, world.ipa_pdf(), RETURNED)
    with mock.patch("django.utils.timezone.now", return_value=COUNTERSIGNED):
        yield world


def _url(world):
    return f"/packages/{world.package.case_number}/countersign/"


def _countersigned(world):
    return PlacementDocument.objects.filter(
        package=world.package, kind=DocumentKind.COUNTERSIGNED_IPA
    )


def test_the_package_page_offers_the_countersign_button_with_the_signed_ipa(world):
    page = main_of(client_for(world.broker).get(f"/packages/{world.package.case_number}/"))
    assert 'id="countersign"' in page and "Signed by the provider" in page
    assert "Countersign the IPA" in page


@pytest.mark.parametrize("role", [Role.BROKER, Role.MANAGER])
def test_council_staff_countersign_and_who_and_when_are_shown(world, role):
    user = make_user(world.package.council, role, first_name="Jo", last_name="Signer")
    client = client_for(user)
    response = client.post(_url(world), GOOD)
    assert response.status_code == 302
    [kept] = _countersigned(world)
    assert (kept.created_by, kept.created_at) == (user, COUNTERSIGNED)
    page = main_of(client.get(f"/packages/{world.package.case_number}/"))
    assert "14:30 on Wednesday 2 December 2026 by Jo Signer" in page
    assert 'id="countersign"' not in page  # nothing more waits


@pytest.mark.parametrize("role", [Role.REFERRER, Role.PROVIDER])
def test_other_roles_are_forbidden(world, role):
    user = world.winner_user if role == Role.PROVIDER else make_user(world.package.council, role)
    assert client_for(user).post(_url(world), GOOD).status_code == 403
    assert not _countersigned(world).exists()


def test_a_broker_of_another_council_does_not_find_the_package(world):
    stranger = make_user(make_council("leics-short-breaks"), Role.BROKER)
    assert client_for(stranger).post(_url(world), GOOD).status_code == 404
    assert not _countersigned(world).exists()


@pytest.mark.parametrize(
    ("posted", "error"),
    [
        ({}, "Enter the start date"),
        (
            {
                "countersign-start_day": "1",
                "countersign-start_month": "12",
                "countersign-start_year": "2026",
            },
            "The start date must be today or in the future",
        ),
    ],
)
def test_a_missing_or_past_start_is_refused_on_its_field(world, posted, error):
    response = client_for(world.broker).post(_url(world), posted)
    assert response.status_code == 400
    page = main_of(response)
    assert field_error(page, "id_countersign-start").startswith(error)
    assert not _countersigned(world).exists()
    assert not world.package.timeline.filter(type="confirmed").exists()
