"""The provider portal's request list and request page: my organisation's requests only,
anonymised (docs/policies.md §6.2), with their deadlines; another provider's is a 404."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carebroker.accounts.models import Role
from carebroker.engine.inputs import Answer
from carebroker.sourcing import runner
from carebroker.sourcing.due import advance_due
from carebroker.sourcing.models import SourcingRequest
from tests.factories import make_user
from tests.portal.worlds import essex_batch, kent_world

pytestmark = pytest.mark.django_db

PERSON = {
    "name": "Ottilie Wrenfield",
    "address": "14 Larkspur Mews",
    "postcode": "TN23 4QW",
    "phone": "01632 960 417",
}


def test_provider_sees_its_request_with_the_provider_view_only(signed_in, clock):
    """Provider A's list and request page show the initials and partial postcode, never the
    person's name, address, full postcode or telephone number."""
    world = kent_world(**PERSON)
    client = signed_in(world.user_a)
    request_row = world.packages[0].requests.get()
    pages = [client.get("/portal/"), client.get(f"/portal/requests/{request_row.pk}/")]
    for response in pages:
        page = response.content.decode()
        assert response.status_code == 200
        assert world.packages[0].case_number in page
        for secret in (*PERSON.values(), "Wrenfield"):
            assert secret not in page
    assert "O.W." in pages[1].content.decode()
    assert "TN23 4" in pages[1].content.decode()


def test_another_providers_request_is_not_found(signed_in, clock):
    """Provider B was not approached: A's request is a 404 to B, and B's list is empty."""
    world = kent_world()
    request_row = world.packages[0].requests.get()
    client = signed_in(world.user_b)
    assert client.get(f"/portal/requests/{request_row.pk}/").status_code == 404
    assert client.get(f"/portal/requests/{request_row.pk}/deadline/").status_code == 404
    assert (
        client.post(f"/portal/requests/{request_row.pk}/", {"action": "accept"}).status_code == 404
    )
    assert world.packages[0].case_number not in client.get("/portal/").content.decode()


@pytest.mark.parametrize("role", [Role.BROKER, Role.MANAGER, Role.REFERRER, Role.INTEGRATION])
def test_only_provider_users_open_the_portal(signed_in, clock, role):
    """Council staff, referrers and integrations get 403 from the portal."""
    world = kent_world()
    client = signed_in(make_user(world.council, role))
    assert client.get("/portal/").status_code == 403


def test_a_visitor_is_sent_to_sign_in(client):
    """Not signed in: the portal sends you to the sign-in page."""
    response = client.get("/portal/history/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/portal/history/")


def test_countdown_shows_the_deadline_and_the_time_left(signed_in, clock):
    """At 10:30 a request due 12:00 shows "Answer by 12:00 on Monday 23 November 2026"
    and 1 hour 30 minutes left; the fragment is refreshed by htmx every 30 seconds."""
    world = kent_world()
    clock.now = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
    request_row = world.packages[0].requests.get()
    page = signed_in(world.user_a).get(f"/portal/requests/{request_row.pk}/deadline/")
    text = page.content.decode()
    assert "Answer by 12:00 on Monday 23 November 2026" in text
    assert "1 hour 30 minutes left" in text
    assert 'hx-trigger="every 30s"' in text


def test_filter_by_postcode_district(signed_in, clock):
    """district=CO7 lists the CO7 package and not the CO4 one."""
    world = essex_batch(["CO4 3SQ", "CO7 9AB"])
    co4, co7 = world.packages
    page = signed_in(world.user_a).get("/portal/", {"district": "co7"}).content.decode()
    assert co7.case_number in page
    assert co4.case_number not in page


def test_filter_by_specialism(signed_in, clock):
    """specialism=dementia lists only the package that asks for it."""
    world = essex_batch(["CO4 3SQ", "CO4 3SQ"], [["dementia"], ["end of life"]])
    dementia, end_of_life = world.packages
    page = signed_in(world.user_a).get("/portal/", {"specialism": "dementia"}).content.decode()
    assert dementia.case_number in page
    assert end_of_life.case_number not in page


def test_a_bad_district_is_named_in_the_error(signed_in, clock):
    """A district that is not an outward code gets a message saying what to enter."""
    world = essex_batch(["CO4 3SQ"])
    page = signed_in(world.user_a).get("/portal/", {"district": "12"}).content.decode()
    assert "Enter a postcode district like CO4" in page


def test_list_queries_do_not_grow_with_the_rows_shown(signed_in, clock):
    """The list costs the same queries with 2 batch packages as with 8."""
    counts = []
    for size in (2, 8):
        world = essex_batch(["CO4 3SQ"] * size)
        client = signed_in(world.user_a)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/portal/")
        assert response.content.decode().count('name="requests"') == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_provider_assessing_a_person_finds_the_request_on_its_requests_page(signed_in, clock):
    """Asking to assess is an answer, so the request left the open requests, and the
    requests page said nothing was waiting while the award waited for the assessment's
    result (docs/policies.md §4.2 Assessment). The assessor's page lists it, with the time
    the result is due and a link to the request where it says whether it takes the package;
    the other provider's page does not."""
    world = essex_batch(["CO4 3SQ"])
    package = world.packages[0]
    a = str(world.provider_a.pk)
    asked = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    runner.record_answer(package, Answer(asked, a, "interest"), now=asked)
    advance_due(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))  # the ISP goes to A
    at = datetime(2026, 11, 24, 10, 10, tzinfo=UTC)
    runner.record_answer(package, Answer(at, a, "assessment"), now=at)
    offer = SourcingRequest.objects.filter(package=package, provider=world.provider_a).latest("seq")
    assert offer.outcome == "assessment"
    clock.now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    page = signed_in(world.user_a).get("/portal/").content.decode()
    row = page.split("data-assessing")[1].split("</tr>")[0]
    assert package.case_number in row and f"/portal/requests/{offer.pk}/" in row
    assert "Assessing the person: say whether you take the package" in row
    assert "10:00 on Wednesday 25 November 2026" in row  # 24 hours after the ISP
    assert "No requests are waiting for your answer" not in page
    other = signed_in(world.user_b).get("/portal/").content.decode()
    assert "data-assessing" not in other
