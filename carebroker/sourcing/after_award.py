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
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from carebroker.accounts.models import User
from carebroker.councils.models import Council
from carebroker.engine.placement import agreed_start
from carebroker.engine.vocabulary import EventType, NoticeKind, PackageStatus
from carebroker.sourcing.actions import check_staff
from carebroker.sourcing.due import Markets, claim
from carebroker.sourcing.effects import notify
from carebroker.sourcing.models import EventSource, Package, TimelineEvent
from carebroker.sourcing.runner import locked

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Clock:
    """One clock after the award: its due event, the event that clears it, its words."""

    step: str  # the code on the timeline and in notice keys
    due_event: str
    cleared_by: str
    words: str  # what is overdue, in the council's words


CLOCKS = (
    Clock(
        "confirmation_form",
        EventType.CONFIRMATION_FORM_DUE,
        EventType.CONFIRMED,
        "the Provider Confirmation Form",
    ),
    Clock(
        "service_delivery_order",
        EventType.SERVICE_DELIVERY_ORDER_DUE,
        EventType.SERVICE_DELIVERY_ORDER_SENT,
        "the Service Delivery Order",
    ),
    Clock(
        "financial_assessment",
        EventType.FINANCIAL_ASSESSMENT_DUE,
        EventType.FINANCIAL_ASSESSMENT_REQUESTED,
        "the financial assessment",
    ),
)
BY_STEP = {clock.step: clock for clock in CLOCKS}
TASK, ESCALATION = "task", "escalation"


@dataclass(frozen=True)
class Open:
    """A step after the award that is due and not done yet."""

    clock: Clock
    due: datetime


def open_steps(rows: list[Any]) -> list[Open]:
    """The after-award steps of the current award not done yet, from the timeline rows (in
    order). A step is due from its latest due event; a clearing event after it clears it."""
    since_award = rows
    for index, row in enumerate(rows):
        if row.type == EventType.AWARD:
            since_award = rows[index:]
    found: list[Open] = []
    for clock in CLOCKS:
        due: datetime | None = None
        for row in since_award:
            if row.type == clock.due_event and row.details.get("due"):
                due = datetime.fromisoformat(str(row.details["due"]).replace("Z", "+00:00"))
            elif row.type == clock.cleared_by:
                due = None
        if due is not None:
            found.append(Open(clock, due))
    return found


def chase_after_award(now: datetime) -> list[str]:
    """Worker duty: a task for each step past its due time, an escalation a working day on."""
    lines: list[str] = []
    markets = Markets()
    for council in Council.objects.order_by("pk"):
        try:
            market = markets.of(council)
        except Exception:  # one council's broken policy must not stop the others
            logger.exception("the policy of council %s cannot be loaded", council.slug)
            continue
        if market.policy.after_acceptance is None:
            continue
        calendar = market.calendar
        awarded = Package.objects.filter(council=council, status=PackageStatus.AWARDED)
        for package in awarded.order_by("pk").only("pk", "case_number"):
            rows = list(package.timeline.order_by("id").only("type", "details", "at"))
            raised = {
                (str(r.details.get("step")), str(r.details.get("level")), str(r.details.get("due")))
                for r in rows
                if r.type == EventType.STEP_OVERDUE
            }
            for step in open_steps(rows):
                due_text = step.due.isoformat()
                levels = [(TASK, step.due), (ESCALATION, calendar.add_working_days(step.due, 1))]
                for level, at in levels:
                    if at <= now and (step.clock.step, level, due_text) not in raised:
                        lines.append(_raise(package.pk, step, level, now))
    return [line for line in lines if line]


def _raise(pk: int, step: Open, level: str, now: datetime) -> str:
    with transaction.atomic():
        row = claim(pk)
        if row is None or row.status != PackageStatus.AWARDED:
            return ""
        TimelineEvent.objects.create(
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
    who = "the Purchasing Officer" if level == TASK else "the Area Support Manager"
    return f"package {row.case_number}: {step.clock.words} overdue; {who} told"


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
        TimelineEvent.objects.create(
            package=row,
            at=now,
            type=clock.cleared_by,
            details={},
            source=EventSource.COUNCIL,
            actor=user.get_username(),
        )
        if clock.cleared_by == EventType.SERVICE_DELIVERY_ORDER_SENT:
            _send_sdo(row, rows, now)
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
