"""An award by hand to a sanctioned provider (issue 12 finding 12; docs/policies.md §5.2:
"Sanctioned providers are skipped unless a manager approves"): a broker's is refused,
naming the sanction and who may approve, and changes nothing; a manager's award is the
approval; a broker may award once a manager approved the provider for the package."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from carebroker.accounts.models import Role
from carebroker.outbox.models import Notice
from carebroker.providers.models import Provider
from carebroker.sourcing.actions import do_award_by_hand
from carebroker.sourcing.models import Package, TimelineEvent
from carebroker.sourcing.runner import state_of
from carebroker.sourcing.snapshot import dump
from tests.factories import make_user
from tests.sourcing.kent import NOW
from tests.sourcing.test_award_override import _leics_tender

pytestmark = pytest.mark.django_db
AFTER = NOW + timedelta(days=7, hours=1)  # past the tender's deadline: a plain award by hand


def _sanctioned():
    council, package, providers = _leics_tender()
    Provider.objects.filter(pk=providers[0].pk).update(
        sanctioned=True, sanction_note="safeguarding concern under review"
    )
    providers[0].refresh_from_db()
    return council, package, providers[0]


def test_a_broker_cannot_award_by_hand_to_a_sanctioned_provider():
    council, package, sanctioned = _sanctioned()
    broker = make_user(council, Role.BROKER)
    events = TimelineEvent.objects.filter(package=package).count()
    with pytest.raises(ValidationError) as error:
        do_award_by_hand(broker, package, sanctioned, "the family knows them", AFTER)
    message = error.value.message_dict["provider"][0]
    assert "under a sanction" in message and "a manager" in message
    package.refresh_from_db()
    assert (package.status, package.awarded_provider) == ("sourcing", None)
    assert TimelineEvent.objects.filter(package=package).count() == events
    assert not Notice.objects.filter(package=package, kind="award").exists()


def test_a_managers_award_by_hand_is_the_approval():
    council, package, sanctioned = _sanctioned()
    manager = make_user(council, Role.MANAGER)
    do_award_by_hand(manager, package, sanctioned, "no one else can start in time", AFTER)
    package.refresh_from_db()
    assert (package.status, package.awarded_provider) == ("awarded", sanctioned)


def test_a_broker_may_award_once_a_manager_approved_the_provider_for_the_package():
    """A manager's approval of the provider at the package's sanction gate (kept in its
    engine state) lets a broker award to it by hand."""
    council, package, sanctioned = _sanctioned()
    state = state_of(package)
    approved = replace(state, approvals=frozenset({("sanction_approval", str(sanctioned.pk))}))
    Package.objects.filter(pk=package.pk).update(engine_state=dump(approved))
    package.refresh_from_db()
    broker = make_user(council, Role.BROKER)
    do_award_by_hand(broker, package, sanctioned, "approved by the manager", AFTER)
    package.refresh_from_db()
    assert package.awarded_provider == sanctioned
