"""Broker actions: phone answers, award by hand, cancel, hold (issue 4 item 7)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from carebroker.accounts.models import Role
from carebroker.outbox.models import Notice
from carebroker.sourcing.actions import (
    ActionError,
    AlreadyAwarded,
    do_award_by_hand,
    do_cancel,
    do_hold,
    do_record_phone_answer,
    do_release,
)
from carebroker.sourcing.due import advance_due
from carebroker.sourcing.models import SourcingRequest, TimelineEvent
from tests.factories import make_council, make_user
from tests.sourcing.kent import NOW, kent_cluster

pytestmark = pytest.mark.django_db


def _events(package, source=None):
    rows = TimelineEvent.objects.filter(package=package)
    if source:
        rows = rows.filter(source=source)
    return list(rows.order_by("id"))


def test_phone_accept_awards_the_cascade_and_records_who_took_the_call():
    """§5.2: an acceptance taken by phone is the provider's answer (first accept wins);
    who recorded it, what and when is on the timeline."""
    kent = kent_cluster()
    package, first = kent.packages[0], kent.providers[0]
    taken = NOW + timedelta(minutes=30)
    do_record_phone_answer(
        kent.broker, package, first, {"action": "accept"}, taken, now=taken + timedelta(minutes=5)
    )
    package.refresh_from_db()
    assert (package.status, package.awarded_provider) == ("awarded", first)
    audit = _events(package, "council")[-1]
    assert audit.type == "phone_answer_recorded"
    assert audit.actor == kent.broker.username
    assert audit.details["action"] == "accept"
    assert audit.details["taken_at"] == taken.isoformat()
    assert Notice.objects.filter(package=package, kind="award").count() == 1


def test_phone_answer_needs_a_broker_or_manager_of_the_council():
    """A provider user or another council's broker may not record answers; nothing moves."""
    kent = kent_cluster()
    package = kent.packages[0]
    for outsider in (
        make_user(kent.council, Role.PROVIDER),
        make_user(kent.council, Role.REFERRER),
        make_user(make_council("kent-oppd"), Role.BROKER),
    ):
        with pytest.raises(PermissionDenied):
            do_record_phone_answer(outsider, package, kent.providers[0], {"action": "accept"}, NOW)
    package.refresh_from_db()
    assert package.status == "sourcing"


def test_phone_answer_with_an_unknown_action_names_the_field():
    """Bad input names the field and what is wrong."""
    kent = kent_cluster()
    with pytest.raises(ValidationError) as error:
        do_record_phone_answer(
            kent.broker, kent.packages[0], kent.providers[0], {"action": "maybe"}, NOW
        )
    assert "action" in error.value.message_dict


def test_award_by_hand_overrides_the_protocol_order_and_is_audited_with_its_reason():
    """A manager awards to the third provider in the protocol: the first provider's open
    request is withdrawn, the award notice goes to the chosen one, the reason is kept."""
    kent = kent_cluster()
    package, third = kent.packages[0], kent.providers[2]
    later = NOW + timedelta(minutes=20)
    do_award_by_hand(kent.manager, package, third, "continuity: carers known to the family", later)
    package.refresh_from_db()
    assert (package.status, package.awarded_provider, package.awarded_at) == (
        "awarded",
        third,
        later,
    )
    first_request = SourcingRequest.objects.get(package=package, provider=kent.providers[0])
    assert first_request.outcome == "withdrawn"
    assert package.next_due is None
    (audit,) = [e for e in _events(package) if e.type == "awarded_by_hand"]
    assert (audit.actor, audit.details["actor"]) == (kent.manager.username, "manager")
    assert audit.details["reason"] == "continuity: carers known to the family"
    assert Notice.objects.get(package=package, kind="award").to == [third.contacts.get().email]


def test_award_by_hand_needs_a_reason():
    """Overriding the rule without saying why is refused, by field."""
    kent = kent_cluster()
    with pytest.raises(ValidationError) as error:
        do_award_by_hand(kent.broker, kent.packages[0], kent.providers[1], "  ", NOW)
    assert "reason" in error.value.message_dict


def test_award_by_hand_of_an_awarded_package_says_already_awarded():
    """A package awarded by the rule cannot be awarded again by hand."""
    kent = kent_cluster()
    package = kent.packages[0]
    do_record_phone_answer(kent.broker, package, kent.providers[0], {"action": "accept"}, NOW)
    with pytest.raises(AlreadyAwarded, match="already awarded"):
        do_award_by_hand(kent.broker, package, kent.providers[1], "a better fit", NOW)
    package.refresh_from_db()
    assert package.awarded_provider == kent.providers[0]


def test_cancel_withdraws_the_open_request_and_stops_the_clocks():
    """Cancelled: the provider asked is told the request is withdrawn; nothing is due."""
    kent = kent_cluster()
    package = kent.packages[0]
    do_cancel(kent.broker, package, "the person moved to a care home", NOW)
    package.refresh_from_db()
    assert (package.status, package.next_due) == ("cancelled", None)
    assert SourcingRequest.objects.get(package=package).outcome == "withdrawn"
    assert Notice.objects.filter(package=package, kind="request_withdrawn").count() == 1
    (cancelled,) = [e for e in _events(package) if e.type == "cancelled"]
    assert cancelled.details["reason"] == "the person moved to a care home"
    assert cancelled.actor == kent.broker.username


def test_a_held_package_waits_and_runs_out_its_clocks_after_release():
    """On hold nothing is due and answers are refused; released, the deadline that passed
    runs out at the next sweep and the next provider in the protocol is asked."""
    kent = kent_cluster()
    package, providers = kent.packages[0], kent.providers
    do_hold(kent.broker, package, "the person is in hospital", NOW)
    afternoon = NOW + timedelta(hours=3)  # 13:00: the 12:00 deadline passed meanwhile
    assert advance_due(afternoon) == []
    package.refresh_from_db()
    assert (package.status, package.held_reason) == ("held", "the person is in hospital")
    with pytest.raises(ActionError, match="the package is held"):
        do_record_phone_answer(kent.broker, package, providers[0], {"action": "accept"}, afternoon)
    do_release(kent.broker, package, afternoon)
    lines = advance_due(afternoon)
    assert len(lines) == 1 and package.case_number in lines[0]
    requests = list(SourcingRequest.objects.filter(package=package).order_by("seq"))
    assert [(r.provider, r.outcome) for r in requests] == [
        (providers[0], "expired"),
        (providers[1], "open"),
    ]
