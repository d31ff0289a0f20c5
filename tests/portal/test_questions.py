"""Questions in every council (issue 10 item 6): an Essex provider's question on an urgent
call is a question (not "Documents requested"), it reaches the package page, and the
provider sees its question and the council's answer in the portal."""

from datetime import UTC, datetime

import pytest

from carebroker.accounts.models import Role
from carebroker.sourcing.actions import do_answer_query
from carebroker.sourcing.intake import do_submit_referral
from carebroker.sourcing.models import SourcingRequest, TimelineEvent
from tests.factories import (
    make_area,
    make_council,
    make_package,
    make_person,
    make_provider,
    make_referral,
    make_user,
)
from tests.portal.worlds import NOW, kent_world
from tests.web.pages import client_for, main_of

pytestmark = pytest.mark.django_db


def _essex_urgent():
    """An Essex urgent package: the urgent track phones Tier 1 providers in rank order."""
    council = make_council("essex-lah")
    area = make_area(council, "North", districts=["CO4"])
    provider = make_provider(council, name="Alder Homecare", areas={area: 1}, tier=1)
    user = make_user(council, Role.PROVIDER, provider=provider)
    referral = make_referral(council, make_person(council, postcode="CO4 3SQ"))
    package = make_package(council, referral=referral, area=area, urgent=True)
    do_submit_referral(referral, NOW)
    package.refresh_from_db()
    return council, package, provider, user


def test_an_essex_question_is_a_question_on_the_package_page_and_in_the_portal(signed_in, clock):
    council, package, provider, user = _essex_urgent()
    row = SourcingRequest.objects.filter(package=package, provider=provider).latest("seq")
    clock.now = datetime(2026, 11, 23, 10, 10, tzinfo=UTC)
    signed_in(user).post(
        f"/portal/requests/{row.pk}/", {"action": "query", "text": "Is there a hoist?"}
    )
    assert TimelineEvent.objects.filter(package=package, type="query").count() == 1
    assert not TimelineEvent.objects.filter(package=package, type="documents_requested")
    broker = make_user(council, Role.BROKER)
    page = main_of(client_for(broker).get(f"/packages/{package.case_number}/"))
    assert "Questions from providers" in page and "Is there a hoist?" in page
    question = TimelineEvent.objects.get(package=package, type="query")
    do_answer_query(broker, package, question.pk, "Yes, a ceiling hoist.", NOW)
    portal = main_of(signed_in(user).get(f"/portal/requests/{row.pk}/"))
    assert "Is there a hoist?" in portal
    assert "Yes, a ceiling hoist." in portal


def test_a_kent_provider_sees_its_question_waiting_for_an_answer(signed_in, clock):
    world = kent_world()
    row = SourcingRequest.objects.filter(package=world.packages[0]).latest("seq")
    signed_in(world.user_a).post(
        f"/portal/requests/{row.pk}/", {"action": "query", "text": "Is there parking?"}
    )
    portal = main_of(signed_in(world.user_a).get(f"/portal/requests/{row.pk}/"))
    assert "Is there parking?" in portal and "Not answered yet" in portal
    other = main_of(signed_in(world.user_b).get("/portal/history/"))
    assert "Is there parking?" not in other  # another provider's question is not theirs
