"""Kent after acceptance on the database (docs/policies.md §5 After acceptance; seed 003).

The engine writes each clock when its step begins: `confirmation_form_due` at the award
(the Provider Confirmation Form, 2 working hours), `service_delivery_order_due` and
`financial_assessment_due` at the confirmation (2 working days, then 2 more). What clears
each is on the timeline too: the confirmation (`confirmed`, from the portal or a broker
taking a call), and the Purchasing Officer's record that the Service Delivery Order went out
(`service_delivery_order_sent`) and that the financial assessment was asked for
(`financial_assessment_requested`), both recorded here from the package page.

A clock that runs out raises a task for the Purchasing Officer (the council's brokers) and,
a working day later, an escalation to the Area Support Manager (its managers): one
`step_overdue` timeline event and one `step_overdue` notice each, once (the notice key names
the package, the step, its due time and the level). This is the worker's duty
`chase_after_award(now)`, like the waiting list's escalations (sourcing/waiting_list.py),
not an engine clock: a `simulate` run keeps what it printed before these clocks existed,
and the what-if runs (which never confirm) stay as they were.

The referrer is told the agreed start date through the outbox when the confirmation is
recorded (the engine's `start_agreed` notice, in every preset); for Kent it carries the
call times and, where the person came from enablement, goes to the council's enablement
team too when the council has set its address (`Council.enablement_team_email`), else asks
the referrer to tell that team (sourcing/effects.py).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from carebroker.accounts.models import User
from carebroker.councils.models import Council
from carebroker.engine.placement import agreed_start
from carebroker.engine.policy import Policy
from carebroker.engine.vocabulary import EventType, NoticeKind, PackageStatus
from carebroker.engine.workingtime import WorkingCalendar
from carebroker.sourcing import duty_due
from carebroker.sourcing.actions import check_staff
from carebroker.sourcing.due import BATCH, claim_due
from carebroker.sourcing.duty_due import BY_STEP, CLOCKS, ESCALATION, TASK, Clock, Open, open_steps
from carebroker.sourcing.effects import notify
from carebroker.sourcing.market_db import policy_and_calendar
from carebroker.sourcing.models import EventSource, Package, TimelineEvent
from carebroker.sourcing.runner import locked

__all__ = ["CLOCKS", "Clock", "Open", "chase_after_award", "do_record_step", "open_steps"]

logger = logging.getLogger(__name__)


def chase_after_award(now: datetime) -> list[str]:
    """Worker duty: a task for each step past its due time, an escalation a working day on.

    Reads only the packages whose stored `chase_due` has come (sourcing/duty_due.py), the
    oldest first, in batches claimed with SKIP LOCKED; under the lock each one's open
    steps are worked out from its timeline, what is due by `now` is raised, and its next
    moment is stored, in one transaction with what was raised."""
    lines: list[str] = []
    rules = {}
    for council in Council.objects.order_by("pk"):
        try:
            rules[council.pk] = policy_and_calendar(council)
        except Exception:  # one council's broken policy must not stop the others
            logger.exception("the policy of council %s cannot be loaded", council.slug)
    last: tuple[datetime, int] | None = None
    while True:
        with transaction.atomic():
            rows = claim_due(now, last, BATCH, "chase_due")
            if not rows:
                break
            last = (rows[-1].chase_due, rows[-1].pk)
            timelines = duty_due.timeline_rows(Package, TimelineEvent, [r.pk for r in rows])
            for row in rows:
                rule = rules.get(row.council_id)
                if rule is None:
                    continue  # its policy cannot be loaded: it stays due
                with transaction.atomic():  # the package's savepoint
                    lines += _chase_due(row, now, *rule, timelines.get(row.pk, []))
    return lines


def _chase_due(
    row: Package, now: datetime, policy: Policy, calendar: WorkingCalendar, rows: list[Any]
) -> list[str]:
    lines = []
    if policy.after_acceptance is not None and row.status == PackageStatus.AWARDED:
        for step, level, at in duty_due.chase_levels(calendar, rows):
            if at <= now:
                rows.append(_raise(row, step, level, now))
                who = "the Purchasing Officer" if level == TASK else "the Area Support Manager"
                lines.append(f"package {row.case_number}: {step.clock.words} overdue; {who} told")
    duty_due.work_out(row, policy, calendar, rows)
    Package.objects.filter(pk=row.pk).update(waiting_due=row.waiting_due, chase_due=row.chase_due)
    return lines


def _raise(row: Package, step: Open, level: str, now: datetime) -> TimelineEvent:
    event: TimelineEvent = TimelineEvent.objects.create(
        package=row,
        at=now,
        type=EventType.STEP_OVERDUE,
        details={"step": step.clock.step, "level": level, "due": step.due.isoformat()},
        source=EventSource.WORKER,
    )
    to = "broker" if level == TASK else "manager"
    key = f"step_overdue:{row.case_number}:{step.clock.step}:{level}:{step.due.timestamp():.0f}"
    context = {"step": step.clock.words, "due": step.due, "escalated": level == ESCALATION}
    notify(row, to, NoticeKind.STEP_OVERDUE, key, context, now)
    return event


def check_step_record(user: User, package: Package, step: str) -> Clock:
    """A broker or manager of the package's council records a step the council took."""
    check_staff(user, package)
    clock = BY_STEP.get(step)
    if clock is None or clock.step == "confirmation_form":
        raise ValidationError(
            {"step": "Choose the Service Delivery Order or the financial assessment"}
        )
    return clock


def do_record_step(user: User, package: Package, step: str, now: datetime) -> bool:
    """Send the Service Delivery Order, or record the financial assessment as asked for (an
    audit event of the shell, with who); False when it was not due.

    The SDO is issued here, not only recorded: it is made with the confirmed start date,
    kept with the package and sent to the winner attached to its notice, in the same
    transaction as the record (placements/paperwork.py makes it). Before, the button only
    recorded an SDO the app never made. A document that cannot be made (no hourly rate for
    the winner) raises, and nothing is recorded."""
    clock = check_step_record(user, package, step)
    with transaction.atomic():
        row = locked(package)
        rows = list(row.timeline.order_by("id").only("type", "details", "at"))
        if not any(found.clock.step == clock.step for found in open_steps(rows)):
            return False
        cleared = TimelineEvent.objects.create(
            package=row,
            at=now,
            type=clock.cleared_by,
            details={},
            source=EventSource.COUNCIL,
            actor=user.get_username(),
        )
        if clock.cleared_by == EventType.SERVICE_DELIVERY_ORDER_SENT:
            _send_sdo(row, rows, now)
        # The step is done: the duty's next moment moves with it (sourcing/duty_due.py).
        policy, calendar = policy_and_calendar(row.council)
        duty_due.work_out(row, policy, calendar, [*rows, cleared])
        Package.objects.filter(pk=row.pk).update(chase_due=row.chase_due)
    return True


def _send_sdo(row: Package, rows: list[Any], now: datetime) -> None:
    winner = row.awarded_provider_id
    if winner is None:
        raise ValidationError({"step": "The package has no provider to send the order to"})
    context = {"start": agreed_start(rows), "call_times": _call_times(rows)}
    key = f"{NoticeKind.SERVICE_DELIVERY_ORDER}:{row.case_number}:{winner}:{now.timestamp():.0f}"
    notify(row, str(winner), NoticeKind.SERVICE_DELIVERY_ORDER, key, context, now)


def _call_times(rows: list[Any]) -> str:
    """The call times on the latest confirmation."""
    found = ""
    for row in rows:
        if row.type == EventType.CONFIRMED:
            found = str(row.details.get("call_times") or "")
    return found
