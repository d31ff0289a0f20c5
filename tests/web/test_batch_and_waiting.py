"""Today's batch per area (§4.2: preview, then issue at 16:00), and the manager's waiting
list by RAG with its escalations and the overview per area (§5)."""

from datetime import UTC, datetime, timedelta

import pytest

from carebroker.accounts.models import Role
from carebroker.outbox.models import Notice, NoticeKind
from carebroker.referrals.models import ReferralStatus
from carebroker.sourcing.intake import do_submit_referral
from carebroker.sourcing.models import EventSource, PackageStatus, SourcingRequest, TimelineEvent
from tests.factories import (
    make_area,
    make_council,
    make_package,
    make_provider,
    make_referral,
    make_user,
)
from tests.web.pages import QueryCounter, client_for, clock, main_of

pytestmark = pytest.mark.django_db

# Monday 23 November 2026 in London (GMT): 11:00, and 16:05 just after the batch time.
MORNING = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
AFTER_BATCH = datetime(2026, 11, 23, 16, 5, tzinfo=UTC)


def _essex_batch():
    council = make_council("essex-lah")
    north = make_area(council, "North", districts=["CO4"])
    make_area(council, "Mid", districts=["CM1"])
    tier1 = make_provider(council, areas={north: 1})
    referral = make_referral(council)
    package = make_package(council, referral=referral, area=north)
    do_submit_referral(referral, MORNING)
    package.refresh_from_db()
    return council, north, tier1, package, make_user(council, Role.BROKER)


def test_batch_preview_lists_the_package_under_its_area_before_16_00():
    """§4.2: a package being sourced goes on its quadrant's 16:00 batch; the preview shows
    it before the time and offers no issue button yet."""
    council, north, _, package, broker = _essex_batch()
    with clock(MORNING):
        page = main_of(client_for(broker).get("/batch/"))
    table = page.split(f'id="batch-{north.pk}"')[1].split("</table>")[0]
    assert f'data-package="{package.case_number}"' in table
    assert "16:00 on Monday 23 November 2026" in page
    assert f'id="issue-{north.pk}"' not in page


def test_a_batch_cannot_be_issued_before_its_time():
    council, north, _, package, broker = _essex_batch()
    with clock(MORNING):
        response = client_for(broker).post(f"/batch/{north.pk}/issue/")
    assert response.status_code == 302
    assert not SourcingRequest.objects.filter(package=package).exists()


def test_issuing_the_batch_sends_the_interest_requests_and_queues_the_report():
    """From 16:00 the broker may issue it (as the worker would): each Tier 1 provider of the
    quadrant is asked for interest by 10:00 the next working day, one report per provider."""
    council, north, tier1, package, broker = _essex_batch()
    client = client_for(broker)
    with clock(AFTER_BATCH):
        assert f'id="issue-{north.pk}"' in main_of(client.get("/batch/"))
        response = client.post(f"/batch/{north.pk}/issue/")
        after = main_of(client.get(response["Location"]))
    assert response.status_code == 302
    request = SourcingRequest.objects.get(package=package)
    assert (request.provider, request.round) == (tier1, "interest")
    assert request.deadline == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert Notice.objects.filter(council=council, kind=NoticeKind.BATCH_REPORT).count() == 1
    assert "North batch issued: 1 package." in after
    assert f'data-package="{package.case_number}"' not in after


def test_another_councils_area_cannot_be_issued():
    _, north, _, package, _ = _essex_batch()
    outsider = make_user(make_council("essex-lah"), Role.BROKER)
    with clock(AFTER_BATCH):
        assert client_for(outsider).post(f"/batch/{north.pk}/issue/").status_code == 404
    assert not SourcingRequest.objects.filter(package=package).exists()


def test_a_policy_without_a_batch_says_so():
    council = make_council("kent-oppd")
    with clock(MORNING):
        page = main_of(client_for(make_user(council, Role.BROKER)).get("/batch/"))
    assert "has no daily batch" in page


def test_batch_page_refuses_referrers():
    council = make_council("essex-lah")
    assert client_for(make_user(council, Role.REFERRER)).get("/batch/").status_code == 403


# -- the waiting list -----------------------------------------------------------------

# Wednesday 25 November 2026, 11:00 in London.
NOW = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)


def _waiting(council, days_ago: int, area=None, **fields):
    referral = make_referral(
        council, status=ReferralStatus.ACCEPTED, accepted_at=NOW - timedelta(days=days_ago)
    )
    return make_package(council, referral=referral, area=area, **fields)


def test_waiting_list_shows_rag_as_words_and_the_escalations_raised():
    """§5 Kent: 12 working days is red, escalated to the Team Manager (the event the worker
    raised is shown with its action); 7 is amber; the RAG is a tag with its word."""
    council = make_council("kent-oppd")
    manager = make_user(council, Role.MANAGER)
    red = _waiting(council, 16)
    amber = _waiting(council, 9)
    green = _waiting(council, 2)
    TimelineEvent.objects.create(
        package=red,
        at=NOW - timedelta(days=1),
        type="waiting_list_rag",
        details={"rag": "red", "action": "escalate_to_team_manager", "days_waiting": 10},
        source=EventSource.WORKER,
    )
    client = client_for(manager)
    with clock(NOW):
        page = main_of(client.get("/waiting/"))
        reds = main_of(client.get("/waiting/?rag=red"))
    rows = page.split('id="waiting-table"')[1]
    order = [rows.index(f'data-package="{p.case_number}"') for p in (red, amber, green)]
    assert order == sorted(order)  # longest waiting first
    assert "escalate to team manager" in page  # the policy's code in words
    assert ">Red</strong>" in page and ">Amber</strong>" in page and ">Green</strong>" in page
    assert f'data-package="{red.case_number}"' in reds
    assert f'data-package="{amber.case_number}"' not in reds
    assert 'data-count="red">1<' in page


def test_waiting_list_and_overview_are_for_managers():
    council = make_council("kent-oppd")
    broker = client_for(make_user(council, Role.BROKER))
    assert broker.get("/waiting/").status_code == 403
    assert broker.get("/overview/").status_code == 403


def test_waiting_list_queries_do_not_grow_with_the_rows():
    council = make_council("kent-oppd")
    manager = make_user(council, Role.MANAGER)
    area = make_area(council, "Ashford A")
    client = client_for(manager)
    for days in (3, 8):
        _waiting(council, days, area=area)
    with clock(NOW):  # the warm-up at the same time: the session's expiry moved on already
        client.get("/waiting/")
    with clock(NOW), QueryCounter() as few:
        client.get("/waiting/")
    for days in range(30):
        _waiting(council, days % 20, area=area)
    with clock(NOW), QueryCounter() as many:
        page = main_of(client.get("/waiting/"))
    assert page.count("data-package=") == 32
    assert many.count == few.count


def test_overview_counts_packages_per_area_and_status_with_amber_and_red():
    council = make_council("kent-oppd")
    manager = make_user(council, Role.MANAGER)
    a = make_area(council, "Ashford A")
    b = make_area(council, "Ashford B")
    _waiting(council, 16, area=a)  # red
    _waiting(council, 9, area=a)  # amber
    _waiting(council, 1, area=b, status=PackageStatus.AWARDED)
    _waiting(make_council("kent-oppd"), 16)  # another council's: not counted
    with clock(NOW):
        page = main_of(client_for(manager).get("/overview/"))
    row_a = page.split('data-area="Ashford A"')[1].split("</tr>")[0]
    row_b = page.split('data-area="Ashford B"')[1].split("</tr>")[0]
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">2</td>' in row_a
    assert "data-amber>1<" in row_a and "data-red>1<" in row_a
    assert "data-amber>0<" in row_b and "data-red>0<" in row_b
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in row_b
