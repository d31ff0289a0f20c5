"""An award by hand before a tender's deadline (docs/policies.md §6.3: no award before the
deadline) is refused without an override reason, and recorded as an override with one; the
manager overview lists overrides (docs/policies.md §7)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from carebroker.accounts.models import Role
from carebroker.engine.inputs import Answer
from carebroker.outbox.models import Notice
from carebroker.sourcing.actions import do_award_by_hand
from carebroker.sourcing.intake import do_submit_referral
from carebroker.sourcing.models import TimelineEvent
from carebroker.sourcing.runner import record_answer
from tests.factories import (
    make_area,
    make_council,
    make_package,
    make_person,
    make_provider,
    make_referral,
    make_user,
)
from tests.sourcing.kent import NOW
from tests.web.pages import client_for, clock, field_error, main_of

pytestmark = pytest.mark.django_db
TUESDAY = NOW + timedelta(days=1)  # the tender's deadline is Monday 30 Nov 10:00


def _leics_tender():
    """A Leicestershire framework tender sent Monday 23 Nov 10:00 with two full offers."""
    council = make_council("leics-short-breaks")
    area = make_area(council, "City", districts=["LE3"])
    providers = [
        make_provider(council, areas={area: rank}, lots=[1], support_types=["play_and_leisure"])
        for rank in (1, 2)
    ]
    person = make_person(council, postcode="LE3 9QP", date_of_birth=date(2015, 3, 2))
    referral = make_referral(
        council,
        person=person,
        referrer=make_user(council, Role.REFERRER),
        documents=["manager_signature"],
    )
    package = make_package(
        council, referral=referral, area=area, lot=1, support_type="play_and_leisure"
    )
    do_submit_referral(referral, NOW)
    for minute, (provider, rate) in enumerate(zip(providers, ("21.00", "19.50"), strict=True), 1):
        offer = Answer(
            NOW + timedelta(minutes=minute),
            str(provider.pk),
            "offer",
            coverage="full",
            rate=Decimal(rate),
        )
        assert record_answer(package, offer).counted
    package.refresh_from_db()
    return council, package, providers


def test_award_by_hand_before_the_tender_deadline_without_override_reason_changes_nothing():
    council, package, providers = _leics_tender()
    broker = make_user(council, Role.BROKER)
    events_before = TimelineEvent.objects.filter(package=package).count()
    with pytest.raises(ValidationError) as error:
        do_award_by_hand(broker, package, providers[0], "the family knows them", TUESDAY)
    message = error.value.message_dict["override_reason"][0]
    assert "No award before the tender's deadline, 10:00 on Monday 30 November 2026" in message
    assert "T10:00" not in message  # words, not an ISO timestamp
    package.refresh_from_db()
    assert (package.status, package.awarded_provider) == ("sourcing", None)
    assert TimelineEvent.objects.filter(package=package).count() == events_before
    assert not Notice.objects.filter(package=package, kind="award").exists()


def test_award_by_hand_before_the_tender_deadline_with_override_reason_is_an_override():
    council, package, providers = _leics_tender()
    manager = make_user(council, Role.MANAGER)
    do_award_by_hand(
        manager,
        package,
        providers[0],
        "the family knows them",
        TUESDAY,
        override_reason="the person leaves hospital tomorrow",
    )
    package.refresh_from_db()
    assert (package.status, package.awarded_provider, package.awarded_at) == (
        "awarded",
        providers[0],
        TUESDAY,
    )
    override = TimelineEvent.objects.get(package=package, type="award_override")
    assert override.actor == manager.username
    assert override.details["override_reason"] == "the person leaves hospital tomorrow"
    assert override.details["reason"] == "the family knows them"
    assert override.details["deadline"].startswith("2026-11-30T10:00")
    assert not TimelineEvent.objects.filter(package=package, type="awarded_by_hand").exists()
    assert Notice.objects.filter(package=package, kind="award").count() == 1


def test_award_by_hand_after_the_tender_deadline_is_no_override():
    """At or after the deadline there is no deadline to override: a plain award by hand."""
    council, package, providers = _leics_tender()
    broker = make_user(council, Role.BROKER)
    after = NOW + timedelta(days=7, hours=1)  # Monday 30 Nov 11:00, past the deadline
    do_award_by_hand(broker, package, providers[0], "the family knows them", after)
    assert TimelineEvent.objects.filter(package=package, type="awarded_by_hand").exists()
    assert not TimelineEvent.objects.filter(package=package, type="award_override").exists()


def test_the_manager_overview_lists_overrides_in_words():
    council, package, providers = _leics_tender()
    manager = make_user(council, Role.MANAGER)
    with clock(TUESDAY):
        empty = main_of(client_for(manager).get("/overview/"))
    assert 'id="no-overrides"' in empty
    do_award_by_hand(
        manager,
        package,
        providers[0],
        "the family knows them",
        TUESDAY,
        override_reason="the person leaves hospital tomorrow",
    )
    with clock(TUESDAY):
        page = main_of(client_for(manager).get("/overview/"))
    row = page.split(f'data-override="{package.case_number}"')[1].split("</tr>")[0]
    assert providers[0].name in row
    assert "the person leaves hospital tomorrow" in row
    assert "30 Nov 2026, 10:00" in row  # the deadline overridden, London time
    assert manager.username in row
    assert field_error(page, "override_reason") == ""
