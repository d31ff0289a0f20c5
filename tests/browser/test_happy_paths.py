"""One happy path per preset across the roles, in real Chromium: the referrer refers, the
broker checks, time moves (the worker's sweep at pinned times), the provider answers in the
portal, the award shows to the broker and the winner, and the placement goes on past it in
each council's own way (issue 11): Kent's confirmation, SDO and review; Essex's assessment,
commencement letter and purchase order; Leicestershire's signed and countersigned IPA.
Every page is screenshotted and checked by axe (conftest.py)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from carebroker.sourcing.due import advance_due
from carebroker.sourcing.placements import start_placements
from tests.browser.flows import (
    assessment_accepted,
    award_seen,
    cast,
    check,
    commencement_and_purchase_order,
    confirmation_returned,
    ipa_signed_and_countersigned,
    provider_answers,
    provider_interested,
    refer,
    review_recorded,
    sdo_and_finance_recorded,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]  # real Chromium

PERSON = {
    "name": "Ada Lovelock",
    "date_of_birth": "1941-03-02",
    "address": "3 High Street",
    "town": "Ashford",
    "phone": "01632 960 001",
    "needs": "Help with washing and dressing, morning and evening.",
    "hours_per_week": "14",
}


def test_kent_cluster_cascade_from_referral_to_review(pages, clock):
    """Kent: referred with the three documents, checked, the cluster's first provider
    accepts within its 2 working hours (docs/policies.md §5.2) and is awarded; it returns
    the Provider Confirmation Form in the portal, the Purchasing Officer records the SDO
    and the financial assessment, and at the review date the broker records the review
    (§5 After acceptance, Reviews)."""
    people = cast("kent-oppd", "Ashford A", ["TN23"], framework_hourly_rate=Decimal("23.40"))
    clock.now = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # Monday
    referral = refer(
        pages,
        people,
        {
            **PERSON,
            "postcode": "TN23 7QX",
            "case_number": "K-5001",
            "preferred_start": "2026-12-07",
        },
        ["financial_authorisation", "referral_form", "charging_letter"],
    )
    clock.now = datetime(2026, 11, 23, 9, 45, tzinfo=UTC)
    case = check(pages, people, referral)
    clock.now = datetime(2026, 11, 23, 10, 15, tzinfo=UTC)
    provider_answers(pages, people, case, "Accept the package")
    award_seen(pages, people, case)
    clock.now = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # within the form's 2 working hours
    confirmation_returned(pages, people, case, "2026-12-07", "08:00 to 08:45 and 18:00 to 18:30")
    clock.now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # the SDO is due in 2 working days
    page = sdo_and_finance_recorded(pages, people, case)
    placement = page.locator("#placement-state").inner_text()
    assert "care starts Monday 7 December 2026" in placement, placement
    assert "08:00 to 08:45 and 18:00 to 18:30" in placement
    timeline = page.locator("#timeline-list").inner_text()
    for step in ("Start date and call times confirmed", "Service Delivery Order sent",
                 "Financial assessment asked for", "Review date set"):  # fmt: skip
        assert step in timeline, step
    clock.now = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
    assert start_placements(clock.now)  # the worker's sweep on the start date: care starts
    # A new person's review is held 2 to 8 weeks from the start: from Monday 21 December.
    clock.now = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
    text = review_recorded(pages, page, case, "The placement continues as it is")
    assert "review recorded (the placement continues as it is)" in text
    timeline = page.locator("#timeline-list").inner_text()
    assert "Care started" in timeline and "Review held" in timeline


def test_essex_batch_from_referral_to_purchase_order(pages, clock):
    """Essex: referred Monday, on the 16:00 batch; the Tier 1 provider ticks it, gets the
    ISP at 10:00 Tuesday, asks within the hour to assess the person, then takes the package
    and is awarded (docs/policies.md §4.2 Assessment); the commencement letter is listed for
    it and on the package page, where the broker records the purchase order (§4 After the
    award)."""
    people = cast("essex-lah", "North", ["CO4"], tier=1, framework_hourly_rate=Decimal("21.50"))
    clock.now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    referral = refer(
        pages,
        people,
        {**PERSON, "town": "Colchester", "postcode": "CO4 3SQ", "case_number": "E-6001",
         "preferred_start": "2026-12-21"},
        [],
    )  # fmt: skip
    clock.now = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
    case = check(pages, people, referral)
    clock.now = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    advance_due(clock.now)  # the worker's sweep: the day's batch goes out
    clock.now = datetime(2026, 11, 23, 16, 30, tzinfo=UTC)
    provider_interested(pages, people, case)
    clock.now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    advance_due(clock.now)  # the interest deadline: the ISP goes to the interested
    clock.now = datetime(2026, 11, 24, 10, 20, tzinfo=UTC)
    provider_answers(pages, people, case, "Ask to assess the person first")
    clock.now = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # within the 24 hours to assess
    assessment_accepted(pages, people, case, "2026-12-21")
    award_seen(pages, people, case)
    commencement_and_purchase_order(pages, people, case, "PO-E-6001")


def test_leics_framework_tender_from_referral_to_award(pages, clock, tmp_path):
    """Leicestershire: a signed brokerage form, a framework tender of 5 working days; the
    provider offers £24.10 in full; no award before the deadline, then best price (§6.3);
    then the IPA comes back signed in the portal and the broker countersigns it (§6 Filled)."""
    people = cast(
        "leics-short-breaks",
        "City",
        ["LE3"],
        lots=[1],
        support_types=["domiciliary"],
        min_age=0,
        max_age=18,
    )
    clock.now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    referral = refer(
        pages,
        people,
        {**PERSON, "date_of_birth": "2014-05-09", "town": "Leicester", "postcode": "LE3 9QP",
         "case_number": "L-7001", "preferred_start": "2027-01-04", "lot": "1",
         "support_type": "domiciliary", "when_needed": "Saturdays 10am to 4pm"},
        ["manager_signature"],
    )  # fmt: skip
    clock.now = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
    case = check(pages, people, referral)
    clock.now = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
    provider_answers(pages, people, case, "Make an offer", rate="24.10")
    clock.now = datetime(2026, 11, 30, 10, 31, tzinfo=UTC)  # 5 working days on: the deadline
    advance_due(clock.now)
    award_seen(pages, people, case)
    clock.now = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
    ipa_signed_and_countersigned(pages, people, case, "2027-01-04", tmp_path)
