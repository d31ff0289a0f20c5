"""The engine's effects as outbox notices: the batch report, decline acknowledgements,
holds for the worker (docs/policies.md §4.2, §5.2, §6.3)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from carebroker.accounts.models import Role
from carebroker.engine.inputs import Answer
from carebroker.exchange.provider_lists import send_batch_reports, send_open_market_lists
from carebroker.outbox.models import Notice
from carebroker.providers.models import Contact, ContactRole, Provider
from carebroker.sourcing import runner
from carebroker.sourcing.due import advance_due
from carebroker.sourcing.intake import do_submit_referral
from carebroker.sourcing.models import Package, TimelineEvent
from tests.factories import (
    make_area,
    make_council,
    make_package,
    make_person,
    make_provider,
    make_referral,
    make_user,
)
from tests.sourcing.kent import NOW, kent_cluster
from tests.sourcing.scenario_db import drive, load, read_example

pytestmark = pytest.mark.django_db

# Friday 20 November 2026: referred 11:00, the batch goes at 16:00.
FRIDAY_11 = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)
FRIDAY_16 = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)


def test_friday_batch_is_one_report_per_tier1_provider_listing_every_package():
    """§4.2: at 16:00 each Tier 1 provider of the quadrant gets one report listing both
    packages, answer by Monday 10:00; no email per package; a second sweep sends none."""
    council = make_council("essex-lah")
    north = make_area(council, "North", districts=["CO4"])
    providers = [make_provider(council, areas={north: rank}) for rank in (1, 2)]
    cases = []
    for _ in range(2):
        referral = make_referral(council, received_at=FRIDAY_11)
        package = make_package(
            council,
            referral=referral,
            area=north,
            preferred_start=FRIDAY_11.date() + timedelta(days=24),
        )
        do_submit_referral(referral, FRIDAY_11)
        cases.append(package.case_number)
    advance_due(FRIDAY_16)
    assert send_batch_reports(FRIDAY_16)
    reports = Notice.objects.filter(kind="batch_report").order_by("id")
    assert [r.to for r in reports] == [[p.contacts.get().email] for p in providers]
    for report in reports:
        assert all(case in report.body for case in cases)
        assert "10:00 on Monday 23 November 2026" in report.body
    assert not Notice.objects.filter(kind="request_sent").exists()
    assert send_batch_reports(FRIDAY_16 + timedelta(minutes=15)) == []
    assert Notice.objects.filter(kind="batch_report").count() == 2


def test_kent_decline_is_acknowledged_with_the_senior_contact_copied():
    """§5.2: a clustered provider's decline gets the standard email, its senior
    representative copied."""
    kent = kent_cluster()
    first = kent.providers[0]
    senior = Contact.objects.create(
        provider=first, role=ContactRole.SENIOR, name="Sam Senior", email="sam@alder.example.org"
    )
    at = NOW + timedelta(minutes=30)
    runner.record_answer(
        kent.packages[0],
        Answer(at=at, provider=str(first.pk), action="decline", reason="no carers"),
    )
    notice = Notice.objects.get(kind="decline_acknowledgement")
    assert notice.to == [first.contacts.get(role=ContactRole.MAIN).email]
    assert notice.cc == [senior.email]
    assert "no carers" in notice.body


def test_leics_part_offers_only_hold_the_package_for_the_worker():
    """§6.3: only part offers at the deadline: on hold, the worker asked to decide."""
    council = make_council("leics-short-breaks")
    referrer = make_user(council, Role.REFERRER)
    area = make_area(council, "Charnwood")
    provider = make_provider(
        council, areas={area: 1}, lots=[1], support_types=["community"], min_age=0, max_age=18
    )
    child = make_person(council, date_of_birth=date(2015, 5, 1))
    referral = make_referral(
        council, child, referrer=referrer, documents=["referral_form", "manager_signature"]
    )
    package = make_package(council, referral=referral, area=area, lot=1, support_type="community")
    do_submit_referral(referral, NOW)
    offer = Answer(at=NOW + timedelta(hours=1), provider=str(provider.pk), action="offer",
                   coverage="part")  # fmt: skip
    runner.record_answer(package, offer)
    advance_due(NOW + timedelta(days=7))  # past the 5 working day deadline
    package.refresh_from_db()
    assert (package.status, package.gate) == ("on_hold", "part_offer")
    notice = Notice.objects.get(kind="hold_part_offer")
    assert notice.to == [referrer.email]
    assert provider.name in notice.body


def test_open_market_listing_is_one_available_packages_list_per_provider():
    """§4.4: with no framework provider to batch or cascade to, the package goes on the
    Available Packages list on Monday 09:00; each spot provider gets one list naming it."""
    council = make_council("essex-lah")
    north = make_area(council, "North", districts=["CO4"])
    spot = make_provider(council, areas={north: 1}, kind="spot", tier=None)
    referral = make_referral(council, received_at=FRIDAY_11)
    start = FRIDAY_11.date() + timedelta(days=24)
    package = make_package(council, referral=referral, area=north, preferred_start=start)
    do_submit_referral(referral, FRIDAY_11)
    monday_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    for now in (FRIDAY_16, monday_9):
        advance_due(now)
    package.refresh_from_db()
    assert package.stage == "open_market"
    assert send_open_market_lists(monday_9)
    listing = Notice.objects.get(kind="open_market_list")
    assert listing.to == [spot.contacts.get().email]
    assert package.case_number in listing.body
    assert not Notice.objects.filter(kind="request_sent").exists()
    assert send_open_market_lists(monday_9 + timedelta(minutes=15)) == []


def test_leics_example_notices_code_the_loser_hold_the_query_and_tell_the_worker():
    """§6.3, §6 Filled, through the Leicestershire example: the query waits for a broker
    (issue 12 finding 10: nothing goes to rivals unapproved), the provider not chosen is
    told its D code, and the worker is told the package is filled; no notice is left
    unsent."""
    loaded = load(read_example("leics-short-breaks"))
    drive(loaded)
    package = Package.objects.get(council=loaded.council, case_number="L3001")
    assert not Notice.objects.filter(package=package, kind="query_answer").exists()
    loser = Notice.objects.get(package=package, kind="not_chosen")
    assert loser.to == [Provider.objects.get(pk=loaded.provider_pk["F1"]).contacts.get().email]
    assert "(reason D1)" in loser.body
    filled = Notice.objects.get(package=package, kind="filled")
    assert filled.to == [package.referral.referrer.email]
    assert "Poplar Play" in filled.body
    assert not TimelineEvent.objects.filter(type="notice_not_sent").exists()


def test_hours_are_written_as_people_write_them():
    """14 hours a week, not 14.00 (the column keeps two decimal places)."""
    kent = kent_cluster()
    body = Notice.objects.get(package=kent.packages[0], kind="request_sent").body
    assert "- 14 hours a week" in body and "14.00" not in body
