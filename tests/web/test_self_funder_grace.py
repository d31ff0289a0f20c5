"""Kent's self-funders leaving enablement on the web (docs/policies.md §5 Self-funders): the
referral form asks for it; the checked referral waits 5 working days of grace before it
goes to purchasing; the grace end is on the package's timeline and on the broker's list,
in words."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from carebroker.accounts.models import Role
from carebroker.referrals.models import Referral
from carebroker.sourcing import actions, runner
from carebroker.sourcing.models import Package, SourcingRequest
from tests.factories import make_area, make_council, make_provider, make_user
from tests.web.pages import as_date_parts, client_for, clock, main_of

pytestmark = pytest.mark.django_db

# Monday 23 November 2026, 10:00 in London: the grace ends Monday 30 November, 10:00.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
GRACE_ENDS = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def _form(**changes):
    form = {
        "name": "Wendy Marsh", "date_of_birth": "1938-05-14", "address": "4 Orchard Row",
        "town": "Ashford", "postcode": "tn23 1aa", "phone": "01632 960 001",
        "allocated_worker": "Sam Okafor", "needs": "Help to wash and dress each morning.",
        "case_number": "M70001", "hours_per_week": "10.5", "preferred_start": "2026-12-14",
        "documents": ["financial_authorisation", "referral_form", "charging_letter"],
    } | changes  # fmt: skip
    return as_date_parts(form)


@pytest.fixture
def kent():
    council = make_council("kent-oppd")
    area = make_area(council, "Ashford A", districts=["TN23"])
    make_provider(council, areas={area: 1})
    return council, make_user(council, Role.REFERRER), make_user(council, Role.BROKER)


def _referred(kent, **changes):
    _, referrer, broker = kent
    with clock(NOW):
        client_for(referrer).post("/referrals/new/", _form(**changes))
        referral = Referral.objects.get()
        client_for(broker).post(f"/referrals/{referral.pk}/check/")
    package = Package.objects.get(case_number="M70001")
    actions.do_confirm_view(broker, package, "", NOW + timedelta(minutes=5))
    return package


def test_self_funder_grace_shows_its_end_on_the_list_and_the_timeline_in_words(kent):
    _, _, broker = kent
    package = _referred(kent, self_funder="on")
    assert Referral.objects.get().self_funder
    assert not SourcingRequest.objects.filter(package=package).exists()
    with clock(NOW + timedelta(hours=1)):
        listed = main_of(client_for(broker).get("/packages/"))
        page = main_of(client_for(broker).get(f"/packages/{package.case_number}/"))
    row = re.search(r'data-package="M70001".*?</tr>', listed, re.S).group(0)
    assert "Grace until Monday 30 November" in row
    assert "Grace until Monday 30 November" in page
    assert "A self-funder: grace before purchasing" in page
    assert "grace until: 30 Nov 2026, 10:00" in page
    seen = re.sub(r"<[^>]+>", " ", page)  # what a person reads, not the attributes
    assert "self_funder" not in seen and "grace_ends" not in seen and "2026-11-30" not in seen


def test_self_funder_goes_to_purchasing_when_the_grace_ends_five_working_days_later(kent):
    package = _referred(kent, self_funder="on")
    runner.do_tick(package, GRACE_ENDS - timedelta(minutes=1))
    assert not SourcingRequest.objects.filter(package=package).exists()
    runner.do_tick(package, GRACE_ENDS)
    (request,) = SourcingRequest.objects.filter(package=package)
    assert request.sent_at == GRACE_ENDS


def test_a_referral_without_the_self_funder_tick_is_sourced_at_once(kent):
    package = _referred(kent)
    assert SourcingRequest.objects.filter(package=package).exists()


def test_only_a_council_that_gives_self_funders_grace_asks_for_it(kent):
    _, referrer, _ = kent
    assert "A self-funder leaving enablement" in main_of(
        client_for(referrer).get("/referrals/new/")
    )
    essex = make_council("essex-lah")
    page = main_of(client_for(make_user(essex, Role.REFERRER)).get("/referrals/new/"))
    assert "self-funder" not in page


def test_self_funder_escalation_counts_the_wait_from_the_end_of_the_grace(kent):
    """Amber 5 working days after the grace ends (Monday 7 December 10:00), and the
    manager's notice counts those 5 days, not the 10 since the referral."""
    from carebroker.outbox.models import Notice

    council, _, _ = kent
    make_user(council, Role.MANAGER)
    package = _referred(kent, self_funder="on")
    runner.do_tick(package, GRACE_ENDS)
    runner.do_tick(package, datetime(2026, 12, 7, 9, 59, tzinfo=UTC))
    assert not Notice.objects.filter(package=package, kind="escalation").exists()
    runner.do_tick(package, datetime(2026, 12, 7, 10, 0, tzinfo=UTC))
    (notice,) = Notice.objects.filter(package=package, kind="escalation")
    assert "waiting 5 working days since its self-funder's grace ended at" in notice.body
    assert "10:00 on Monday 30 November 2026" in notice.body
