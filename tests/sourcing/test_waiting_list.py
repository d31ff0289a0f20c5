"""The waiting list (docs/policies.md §5): working days from acceptance, RAG, escalations once."""

from datetime import UTC, datetime, timedelta

import pytest

from carebroker.outbox.models import Notice
from carebroker.referrals.models import ReferralStatus
from carebroker.sourcing.due import advance_due
from carebroker.sourcing.models import Package, TimelineEvent
from carebroker.sourcing.waiting_list import escalate_waiting, waiting_list
from carebroker.sourcing.worker import sweep
from tests.factories import make_council, make_package, make_referral
from tests.sourcing.kent import NOW, kent_cluster

pytestmark = pytest.mark.django_db

# Accepted Monday 23 November 10:00: 5 working days is Monday 30 November 10:00 and
# 10 working days Monday 7 December 10:00 (no bank holidays between).
AMBER_AT = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
RED_AT = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def _sourcing_duties(now):
    return advance_due(now) + escalate_waiting(now)


def _rag_events(package):
    return list(
        TimelineEvent.objects.filter(package=package, type="waiting_list_rag")
        .order_by("id")
        .values_list("details__rag", "source")
    )


def test_kent_rag_is_green_under_5_working_days_amber_from_5_red_from_10():
    """Days waiting count working days after the day of acceptance."""
    kent = kent_cluster()
    council = kent.council
    days = lambda now: [(w.days_waiting, w.rag) for w in waiting_list(council, now)]  # noqa: E731
    assert days(AMBER_AT - timedelta(days=1)) == [(4, "green")]  # Sunday: still 4
    assert days(AMBER_AT) == [(5, "amber")]
    assert days(RED_AT) == [(10, "red")]


def test_kent_amber_then_red_each_escalate_once_with_one_notice_to_the_managers():
    """The engine's clock raises amber at 5 and red at 10 working days; sweeping again
    raises nothing more. Each level is one escalation notice to the managers."""
    kent = kent_cluster()
    package = kent.packages[0]
    for now in (AMBER_AT, AMBER_AT, RED_AT, RED_AT + timedelta(hours=1)):
        _sourcing_duties(now)
    assert _rag_events(package) == [("amber", "engine"), ("red", "engine")]
    notices = Notice.objects.filter(package=package, kind="escalation").order_by("id")
    assert [n.key for n in notices] == [
        f"escalation:{package.case_number}:amber",
        f"escalation:{package.case_number}:red",
    ]
    assert all(n.to == [kent.manager.email] for n in notices)
    assert "escalated to you" in notices[1].body and "re-assessment" in notices[0].body


def test_a_seeded_package_accepted_long_ago_is_escalated_once_from_its_acceptance():
    """A package seeded before the engine ran, accepted 12 working days ago: the first
    sweep starts it and raises amber and red at once; its engine clocks (from the start)
    never raise them again."""
    kent = kent_cluster(packages=0)
    referral = make_referral(
        kent.council,
        documents=["financial_authorisation", "referral_form", "charging_letter"],
        status=ReferralStatus.ACCEPTED,
        accepted_at=NOW - timedelta(days=16),
    )
    package = make_package(kent.council, referral=referral, area=kent.council.areas.get())
    assert package.engine_state is None
    lines = _sourcing_duties(NOW)
    assert any("started" in line for line in lines)
    assert _rag_events(package) == [("amber", "worker"), ("red", "worker")]
    for weeks in (1, 2, 3):
        _sourcing_duties(NOW + timedelta(weeks=weeks))
    assert _rag_events(package) == [("amber", "worker"), ("red", "worker")]
    assert Notice.objects.filter(package=package, kind="escalation").count() == 2


def test_the_worker_sweep_runs_the_waiting_list_duty():
    """`carebroker worker` escalates: the duty is in its sweep."""
    kent = kent_cluster()
    lines = sweep(RED_AT)
    assert _rag_events(kent.packages[0]) == [("amber", "engine"), ("red", "engine")]
    assert any(kent.packages[0].case_number in line for line in lines)


def test_a_policy_without_a_waiting_list_shows_days_waiting_and_no_rag():
    """Essex has no RAG rule: days waiting only, never an escalation."""
    council = make_council("essex-lah")
    referral = make_referral(
        council, status=ReferralStatus.ACCEPTED, accepted_at=NOW - timedelta(days=28)
    )
    make_package(council, referral=referral)
    assert [(w.days_waiting, w.rag) for w in waiting_list(council, NOW)] == [(20, None)]
    escalate_waiting(NOW)
    assert not TimelineEvent.objects.filter(type="waiting_list_rag").exists()
    assert Package.objects.count() == 1
