"""Kent after acceptance (sourcing/after_award.py, docs/policies.md §5 After acceptance):
each clock that runs out raises a task for the Purchasing Officer and, a working day later,
an escalation to the Area Support Manager, once each; what the council records clears its
clock; the referrer is told the agreed start date. Working time and bank holidays come from
engine/workingtime.py."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from carebroker.accounts.models import Role
from carebroker.engine.inputs import Answer
from carebroker.outbox.models import Notice
from carebroker.sourcing import runner
from carebroker.sourcing.after_award import chase_after_award, do_record_step
from carebroker.sourcing.models import TimelineEvent
from tests.factories import make_user
from tests.sourcing.kent import NOW, kent_cluster

pytestmark = pytest.mark.django_db
ACCEPTED = NOW + timedelta(minutes=5)  # Monday 23 November 2026, 10:05 in London


def _awarded():
    kent = kent_cluster()
    package = kent.packages[0]
    winner = str(kent.providers[0].pk)
    runner.record_answer(package, Answer(at=ACCEPTED, provider=winner, action="accept"))
    return kent, package, winner


def _confirm(package, winner, at, start=date(2027, 1, 4)):
    answer = Answer(at=at, provider=winner, action="confirm", start=start, call_times="08:00")
    return runner.record_answer(package, answer)


def _overdue(package):
    return [
        (e.details["step"], e.details["level"])
        for e in TimelineEvent.objects.filter(package=package, type="step_overdue").order_by("id")
    ]


def _notices(package, kind="step_overdue"):
    return list(Notice.objects.filter(package=package, kind=kind).order_by("id"))


def test_confirmation_form_overdue_after_two_working_hours_task_then_escalation_next_working_day():
    """Accepted 10:05: the form is due 12:05. At 12:04 nothing; at 12:05 a task to the
    Purchasing Officer (the brokers); Tuesday 12:05 the escalation to the Area Support
    Manager (the managers); each once."""
    kent, package, _ = _awarded()
    due = datetime(2026, 11, 23, 12, 5, tzinfo=UTC)
    assert chase_after_award(due - timedelta(minutes=1)) == []
    assert chase_after_award(due) == [
        f"package {package.case_number}: the Provider Confirmation Form overdue; "
        "the Purchasing Officer told"
    ]
    assert chase_after_award(due + timedelta(hours=3)) == []
    assert chase_after_award(due + timedelta(days=1)) != []
    assert chase_after_award(due + timedelta(days=1, hours=1)) == []
    assert _overdue(package) == [("confirmation_form", "task"), ("confirmation_form", "escalation")]
    task, escalation = _notices(package)
    assert task.to == [kent.broker.email] and escalation.to == [kent.manager.email]
    assert "the Provider Confirmation Form was due by" in task.body
    assert "escalated to you as Area Support Manager" in escalation.body
    assert "confirmation_form" not in task.body + escalation.body


def test_sdo_escalation_a_working_day_later_skips_christmas_and_the_boxing_day_substitute():
    """Confirmed Tuesday 22 December 10:00: the SDO is due Thursday 24 December 10:00; its
    escalation a working day later is Tuesday 29 December 10:00 (Friday 25 is Christmas
    Day, Monday 28 the substitute for Boxing Day)."""
    _, package, winner = _awarded()
    _confirm(package, winner, datetime(2026, 12, 22, 10, tzinfo=UTC))
    sdo_due = TimelineEvent.objects.get(package=package, type="service_delivery_order_due")
    assert sdo_due.details["due"] == "2026-12-24T10:00:00Z"
    chase_after_award(datetime(2026, 12, 24, 10, tzinfo=UTC))
    assert ("service_delivery_order", "task") in _overdue(package)
    chase_after_award(datetime(2026, 12, 29, 9, 59, tzinfo=UTC))
    assert ("service_delivery_order", "escalation") not in _overdue(package)
    chase_after_award(datetime(2026, 12, 29, 10, 0, tzinfo=UTC))
    assert ("service_delivery_order", "escalation") in _overdue(package)


def test_the_confirmation_clears_its_clock_and_a_recorded_sdo_clears_the_sdo_clock():
    """Confirmed in time: no confirmation task. The SDO recorded as sent: no SDO task; the
    financial assessment, not asked for, is still chased (due two working days after the
    SDO's due time)."""
    kent, package, winner = _awarded()
    kent.providers[0].framework_hourly_rate = Decimal("23.40")  # the SDO states the price
    kent.providers[0].save()
    _confirm(package, winner, datetime(2026, 11, 23, 11, tzinfo=UTC))
    assert do_record_step(kent.broker, package, "service_delivery_order", NOW + timedelta(hours=2))
    chase_after_award(datetime(2026, 11, 27, 12, tzinfo=UTC))  # finance due Friday 11:00
    assert _overdue(package) == [("financial_assessment", "task")]
    sent = TimelineEvent.objects.get(package=package, type="service_delivery_order_sent")
    assert sent.actor == kent.broker.get_username()


def test_recording_a_step_needs_staff_of_the_council_and_a_step_it_records():
    kent, package, _ = _awarded()
    referrer = make_user(kent.council, Role.REFERRER)
    with pytest.raises(PermissionDenied):
        do_record_step(referrer, package, "service_delivery_order", NOW)
    with pytest.raises(ValidationError):
        do_record_step(kent.broker, package, "confirmation_form", NOW)
    assert not TimelineEvent.objects.filter(package=package, type="service_delivery_order_sent")


def test_the_referrer_is_told_the_agreed_start_date_through_the_outbox():
    _, package, winner = _awarded()
    package.referral.from_enablement = True
    package.referral.save(update_fields=["from_enablement"])
    _confirm(package, winner, datetime(2026, 11, 24, 10, tzinfo=UTC))
    (told,) = _notices(package, "start_agreed")
    assert told.to == [package.referral.referrer.email]
    assert "on Monday 4 January 2027." in told.body
    assert "Call times: 08:00" in told.body
    assert "enablement team" in told.body


def test_the_enablement_team_is_told_the_start_date_when_the_person_came_from_enablement():
    """Kent (docs/policies.md §5 After acceptance): with the council's enablement team email
    set, the start date goes to that team too, through the outbox; the referrer is told it
    was, not asked to pass it on."""
    kent, package, winner = _awarded()
    kent.council.enablement_team_email = "enablement@kent.example.org"
    kent.council.save(update_fields=["enablement_team_email"])
    package.referral.from_enablement = True
    package.referral.save(update_fields=["from_enablement"])
    _confirm(package, winner, datetime(2026, 11, 24, 10, tzinfo=UTC))
    referrer, team = _notices(package, "start_agreed")
    assert referrer.to == [package.referral.referrer.email]
    assert "we have told the enablement team the start date too" in referrer.body
    assert "please let the enablement team know" not in referrer.body
    assert team.to == ["enablement@kent.example.org"]
    assert team.body.startswith("Dear enablement team,") or "Dear enablement team," in team.body
    assert "starts on Monday 4 January 2027" in team.body
    assert "please plan the hand-over for that date" in team.body
    assert "Call times: 08:00" in team.body
    assert "_" not in team.body.split("Dear", 1)[1].split("\n\n")[0]


def test_the_enablement_team_is_not_told_of_a_person_who_did_not_come_from_enablement():
    kent, package, winner = _awarded()
    kent.council.enablement_team_email = "enablement@kent.example.org"
    kent.council.save(update_fields=["enablement_team_email"])
    _confirm(package, winner, datetime(2026, 11, 24, 10, tzinfo=UTC))
    (told,) = _notices(package, "start_agreed")
    assert told.to == [package.referral.referrer.email]
    assert "enablement" not in told.body
