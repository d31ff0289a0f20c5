"""Issue 11 finding 1: the broker records an assessment's result taken by phone
(docs/policies.md §4.2): "takes the package" sets accept, with the start date, and awards."""

from datetime import UTC, datetime

import pytest

from carebroker.engine.inputs import Answer
from carebroker.sourcing import runner
from carebroker.sourcing.due import advance_due
from carebroker.sourcing.models import PackageStatus, SourcingRequest, TimelineEvent
from tests.portal.worlds import essex_batch
from tests.web.pages import client_for, clock, main_of

pytestmark = pytest.mark.django_db


def _assessing():
    world = essex_batch(["CO4 3SQ"])
    package = world.packages[0]
    a = str(world.provider_a.pk)
    asked = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    runner.record_answer(package, Answer(asked, a, "interest"), now=asked)
    advance_due(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    at = datetime(2026, 11, 24, 10, 10, tzinfo=UTC)
    runner.record_answer(package, Answer(at, a, "assessment"), now=at)
    advance_due(datetime(2026, 11, 24, 11, 10, tzinfo=UTC))
    offer = SourcingRequest.objects.filter(package=package, provider=world.provider_a).latest("seq")
    assert offer.outcome == "assessment"
    return world, package, offer


def test_assessment_done_by_phone_takes_the_package_with_its_start():
    """ "Assessment done: takes the package" with a start date: accept is true and the
    package is awarded to the assessor (before the fix the engine logged accept false and
    the package fell to Tier 2)."""
    world, package, offer = _assessing()
    client = client_for(world.broker)
    url = f"/packages/{package.case_number}/requests/{offer.seq}/answer/"
    now = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    with clock(now):
        page = main_of(client.get(f"/packages/{package.case_number}/"))
        assert "Record assessment result" in page
        form = main_of(client.get(url))
        assert "Assessment done: takes the package" in form
        refused = client.post(url, {"answer-action": "assessment_accept"})
        assert refused.status_code == 400
        assert "Enter the earliest date the provider can safely start" in main_of(refused)
        response = client.post(
            url,
            {
                "answer-action": "assessment_accept",
                "answer-start_day": "8",
                "answer-start_month": "12",
                "answer-start_year": "2026",
            },
        )
    assert response.status_code == 302
    package.refresh_from_db()
    assert (package.status, package.awarded_provider) == (
        PackageStatus.AWARDED,
        world.provider_a,
    )
    done = TimelineEvent.objects.get(package=package, type="assessment_done")
    assert done.details["accept"] is True
