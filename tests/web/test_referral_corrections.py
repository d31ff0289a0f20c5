"""Referrals can be corrected (issue 10 item 8): a broker returns one with a reason; the
referrer edits hours, start date and needs and sends it again; the referral says where it
is in words (waiting for a broker to check, never "being sourced" before a check), and
after an award the referrer sees the provider and the start date."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from carebroker.accounts.models import Role
from carebroker.outbox.models import Notice
from carebroker.referrals.models import ReferralStatus
from carebroker.sourcing.models import SourcingRequest, TimelineEvent
from tests.factories import make_area, make_council, make_package, make_referral, make_user
from tests.portal.worlds import kent_world
from tests.web.pages import client_for, clock, field_error, main_of

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _received(policy: str, districts: list[str]):
    council = make_council(policy)
    area = make_area(council, "North", districts=districts)
    referrer = make_user(council, Role.REFERRER)
    make_user(council, Role.MANAGER)
    referral = make_referral(council, referrer=referrer)
    package = make_package(council, referral=referral, area=area)
    return council, referrer, make_user(council, Role.BROKER), referral, package


def test_a_referral_just_sent_waits_for_a_broker_and_is_not_yet_being_sourced():
    council, referrer, _, referral, _ = _received("kent-oppd", ["TN23"])
    page = main_of(client_for(referrer).get(f"/referrals/{referral.pk}/"))
    assert "Waiting for a broker to check" in page
    assert "being sourced" not in page.lower()
    home = main_of(client_for(referrer).get("/"))
    assert "Waiting for a broker to check" in home and "Being sourced" not in home


@pytest.mark.parametrize(
    ("policy", "districts", "copied"),
    [("kent-oppd", ["TN23"], False), ("leics-short-breaks", ["LE3"], True)],
)
def test_a_broker_returns_a_referral_with_a_reason_the_referrer_is_told(policy, districts, copied):
    council, referrer, broker, referral, package = _received(policy, districts)
    with clock(NOW):
        response = client_for(broker).post(
            f"/referrals/{referral.pk}/return/",
            {"reason": "The hours say 140 a week: is it 14?"},
        )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RETURNED
    assert referral.returned_reason == "The hours say 140 a week: is it 14?"
    notice = Notice.objects.get(package=package, kind="referral_returned")
    assert "is it 14?" in notice.body and "please check the details" in notice.subject
    assert bool(notice.cc) is copied  # Leicestershire copies the manager (§6.1)
    page = main_of(client_for(referrer).get(f"/referrals/{referral.pk}/"))
    assert "Returned by a broker: The hours say 140 a week" in page


def test_a_return_without_a_reason_is_refused_by_field_and_changes_nothing():
    council, _, broker, referral, _ = _received("kent-oppd", ["TN23"])
    response = client_for(broker).post(f"/referrals/{referral.pk}/return/", {"reason": " "})
    assert response.status_code == 400
    assert "Enter what is wrong or unclear" in field_error(response.content.decode(), "id_reason")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


def test_the_referrer_corrects_hours_start_and_needs_and_it_waits_for_a_broker_again():
    council, referrer, broker, referral, package = _received("kent-oppd", ["TN23"])
    with clock(NOW):
        client_for(broker).post(f"/referrals/{referral.pk}/return/", {"reason": "Hours?"})
        page = main_of(client_for(referrer).get(f"/referrals/{referral.pk}/"))
        assert 'name="hours_per_week"' in page and 'name="preferred_start_day"' in page
        response = client_for(referrer).post(
            f"/referrals/{referral.pk}/resubmit/",
            {
                "hours_per_week": "12.5",
                "preferred_start_day": "14",
                "preferred_start_month": "12",
                "preferred_start_year": "2026",
                "needs": "Help to wash and dress each morning, 2 hours.",
                "documents": ["financial_authorisation", "referral_form", "charging_letter"],
            },
        )
    assert response.status_code == 302
    referral.refresh_from_db()
    package.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED  # a broker checks it again
    assert package.hours_per_week == Decimal("12.5")
    assert package.preferred_start == date(2026, 12, 14)
    assert referral.person.needs == "Help to wash and dress each morning, 2 hours."
    corrected = TimelineEvent.objects.get(package=package, type="referral_corrected")
    assert set(corrected.details["changed"]) == {"hours a week", "start date", "needs"}
    assert package.engine_state is None  # not in sourcing before a broker's check


def test_after_an_award_the_referrer_sees_the_provider_and_the_start_date():
    world = kent_world()
    row = SourcingRequest.objects.filter(package=world.packages[0]).latest("seq")
    with clock(datetime(2026, 11, 23, 11, 0, tzinfo=UTC)):
        client_for(world.user_a).post(
            f"/portal/requests/{row.pk}/",
            {"action": "accept"},
        )
    world.packages[0].refresh_from_db()
    assert world.packages[0].awarded_provider == world.provider_a
    referral = world.packages[0].referral
    page = main_of(client_for(world.referrer).get(f"/referrals/{referral.pk}/"))
    start = world.packages[0].preferred_start
    assert f"Placed with Alder Homecare, starting {start:%A} {start.day} {start:%B %Y}" in page


# -- a referrer's corrections before the broker's check (issue 10 item 8) ----------------

KENT_DOCUMENTS = ["financial_authorisation", "referral_form", "charging_letter"]


def _correction(**changes: str) -> dict:
    data = {
        "hours_per_week": "12.5",
        "preferred_start_day": "14",
        "preferred_start_month": "12",
        "preferred_start_year": "2026",
        "needs": "Help to wash and dress each morning, 2 hours.",
        "documents": KENT_DOCUMENTS,
    }
    data.update(changes)
    return data


def _as_sent(referral, package) -> tuple:
    referral.refresh_from_db()
    package.refresh_from_db()
    referral.person.refresh_from_db()
    return (referral.status, package.hours_per_week, package.preferred_start,
            referral.person.needs, referral.documents)  # fmt: skip


def test_the_referrer_corrects_hours_start_and_needs_while_it_waits_for_a_check():
    council, referrer, _, referral, package = _received("kent-oppd", ["TN23"])
    with clock(NOW):
        page = main_of(client_for(referrer).get(f"/referrals/{referral.pk}/"))
        assert "Correct the referral" in page and 'name="hours_per_week"' in page
        response = client_for(referrer).post(f"/referrals/{referral.pk}/resubmit/", _correction())
    assert response.status_code == 302
    status, hours, start, needs, documents = _as_sent(referral, package)
    assert status == ReferralStatus.RECEIVED  # still waiting for the broker's check
    assert (hours, start) == (Decimal("12.5"), date(2026, 12, 14))
    assert needs == "Help to wash and dress each morning, 2 hours."
    assert documents == KENT_DOCUMENTS
    assert package.engine_state is None  # the correction did not start sourcing
    corrected = TimelineEvent.objects.get(package=package, type="referral_corrected")
    assert set(corrected.details["changed"]) == {"hours a week", "start date", "needs"}
    page = client_for(referrer).get(f"/referrals/{referral.pk}/").content.decode()
    assert "12.50 hours a week" in page and "14 December 2026" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"hours_per_week": "lots"}, "id_hours_per_week", "number"),
        ({"hours_per_week": "400"}, "id_hours_per_week", "168"),
        ({"preferred_start_day": "1", "preferred_start_year": "2025"}, "id_preferred_start",
         "today or later"),
        ({"preferred_start_day": "31", "preferred_start_month": "2"}, "id_preferred_start",
         "real date"),
    ],
)  # fmt: skip
def test_a_bad_correction_names_the_field_and_changes_nothing(changes, field, message):
    council, referrer, _, referral, package = _received("kent-oppd", ["TN23"])
    before = _as_sent(referral, package)
    with clock(NOW):
        response = client_for(referrer).post(
            f"/referrals/{referral.pk}/resubmit/", _correction(**changes)
        )
    assert response.status_code == 400
    assert message in field_error(response.content.decode(), field).lower()
    assert _as_sent(referral, package) == before
    assert not TimelineEvent.objects.filter(package=package, type="referral_corrected").exists()


def test_after_the_brokers_check_the_referrer_cannot_correct_and_is_told_why():
    council, referrer, broker, referral, package = _received("kent-oppd", ["TN23"])
    referral.documents = KENT_DOCUMENTS
    referral.save(update_fields=["documents"])
    with clock(NOW):
        client_for(broker).post(f"/referrals/{referral.pk}/check/")
        before = _as_sent(referral, package)
        assert before[0] == ReferralStatus.ACCEPTED
        page = main_of(client_for(referrer).get(f"/referrals/{referral.pk}/"))
        assert 'name="hours_per_week"' not in page
        assert "can no longer be changed here" in page
        response = client_for(referrer).post(f"/referrals/{referral.pk}/resubmit/", _correction())
    assert response.status_code == 400
    assert "A broker has already checked this referral" in main_of(response)
    assert _as_sent(referral, package) == before


def test_a_referrer_cannot_see_or_correct_another_referrers_referral():
    council, referrer, _, referral, package = _received("kent-oppd", ["TN23"])
    other = make_user(council, Role.REFERRER)
    before = _as_sent(referral, package)
    with clock(NOW):
        assert client_for(other).get(f"/referrals/{referral.pk}/").status_code == 404
        response = client_for(other).post(f"/referrals/{referral.pk}/resubmit/", _correction())
    assert response.status_code == 404
    assert _as_sent(referral, package) == before
