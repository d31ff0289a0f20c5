"""The waiting list: how long each package waited, its RAG, escalations (docs/policies.md §5).

Days waiting count working days from the referral's acceptance to today (London dates).
The RAG comes from the policy (Kent: amber from 5 working days, with a prompt to consider a
re-assessment; red from 10, escalated to the Team Manager). A policy without a waiting list
(Essex, Leicestershire) shows days waiting and no RAG.

A package handed back (docs/policies.md §5 Handbacks) waits again from its handback: its
clock starts at its last `returned_to_list` event, not at the acceptance (`clock_starts`),
and its levels may be raised again after that.

Escalations: a package crosses a threshold at the same local time on the Nth working day
after acceptance. The engine raises it itself for packages it started (a clock in their
state); `escalate_waiting(now)` raises it for any live package that crossed a threshold
without one — packages adopted from the demo seed, whose engine clocks started later than
their acceptance — and then drops the engine's clock for that level, so each level is
raised once per package: one timeline event, one `escalation` notice (its key is
`escalation:<Mosaic ID>:<level>`, the same key the engine's own escalation uses).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Max

from carebroker.councils.models import Council
from carebroker.engine import engine
from carebroker.engine.market import Market
from carebroker.engine.policy import Policy, WaitingList
from carebroker.engine.vocabulary import LIVE, EventType
from carebroker.engine.workingtime import WorkingCalendar
from carebroker.lib.london import LONDON
from carebroker.sourcing import duty_due, effects, snapshot
from carebroker.sourcing.due import BATCH, Markets, claim_due
from carebroker.sourcing.duty_due import RAG_EVENT, crossings
from carebroker.sourcing.market_db import policy_and_calendar
from carebroker.sourcing.models import EventSource, Package, TimelineEvent
from carebroker.sourcing.runner import state_of

__all__ = ["RAG_EVENT", "crossings", "escalate_waiting", "waiting_list"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Waiting:
    """One line of the waiting list."""

    package: Package
    accepted_at: datetime
    days_waiting: int
    rag: str | None  # green | amber | red; None when the policy has no RAG


def working_days_waiting(calendar: WorkingCalendar, accepted_at: datetime, now: datetime) -> int:
    """Working days after the day of acceptance up to and including today (London dates)."""
    return calendar.working_days_between(_day(accepted_at), _day(now))


def clock_starts(council: Council) -> dict[int, datetime]:
    """Package pk -> when its waiting clock restarted: its last return to the list, or the
    end of a self-funder's grace (docs/policies.md §5), whichever is later."""
    rows = (
        TimelineEvent.objects.filter(package__council=council, type="returned_to_list")
        .values("package_id")
        .annotate(at=Max("at"))
    )
    starts = {row["package_id"]: row["at"] for row in rows}
    graces = TimelineEvent.objects.filter(
        package__council=council, type=EventType.SELF_FUNDER_GRACE
    ).values_list("package_id", "details__grace_ends")
    for pk, ends in graces:
        if ends:
            at = datetime.fromisoformat(str(ends).replace("Z", "+00:00"))
            starts[pk] = max(at, starts.get(pk, at))
    return starts


def _start(accepted: datetime, restarted: datetime | None) -> datetime:
    return max(accepted, restarted) if restarted is not None else accepted


def waiting_list(council: Council, now: datetime, market: Market | None = None) -> list[Waiting]:
    """The council's live packages, longest waiting first."""
    market = market or Markets().of(council)
    rule = market.policy.waiting_list
    lines = []
    packages = Package.objects.filter(
        council=council, status__in=LIVE, referral__accepted_at__isnull=False
    ).select_related("referral", "person", "area")
    restarts = clock_starts(council)
    for package in packages:
        assert package.referral.accepted_at is not None
        accepted = _start(package.referral.accepted_at, restarts.get(package.pk))
        days = working_days_waiting(market.calendar, accepted, now)
        lines.append(Waiting(package, accepted, days, rule.rag(days) if rule else None))
    lines.sort(key=lambda line: (-line.days_waiting, line.package.case_number))
    return lines


def escalate_waiting(now: datetime) -> list[str]:
    """Worker duty: raise each amber and red crossing once (event + escalation notice).

    Reads only the packages whose stored `waiting_due` has come (sourcing/duty_due.py), the
    oldest first, in batches claimed with SKIP LOCKED: under the lock each one's crossings
    are worked out from its timeline (the rules below are those the moment was kept by),
    the levels crossed by `now` are raised, and its next moment is stored, in one
    transaction with what was raised."""
    lines: list[str] = []
    rules = _rules(lines)
    last: tuple[datetime, int] | None = None
    while True:
        with transaction.atomic():
            rows = claim_due(now, last, BATCH, "waiting_due")
            if not rows:
                break
            last = (rows[-1].waiting_due, rows[-1].pk)
            timelines = duty_due.timeline_rows(Package, TimelineEvent, [r.pk for r in rows])
            for row in rows:
                rule = rules.get(row.council_id)
                if rule is None:
                    continue  # its policy cannot be loaded (reported above): it stays due
                with transaction.atomic():  # the package's savepoint
                    lines += _escalate_due(row, now, *rule, timelines.get(row.pk, []))
    return lines


def _rules(lines: list[str]) -> dict[int, tuple[Policy, WorkingCalendar]]:
    """Each council's policy and calendar (a council whose policy cannot be loaded is
    reported, and left out: one council's broken policy must not stop the others, #5)."""
    rules = {}
    for council in Council.objects.order_by("pk"):
        try:
            rules[council.pk] = policy_and_calendar(council)
        except Exception:
            logger.exception("the policy of council %s cannot be loaded", council.slug)
            lines.append(
                f"waiting list: council {council.slug} FAILED (its policy cannot be loaded; "
                "see the log)"
            )
    return rules


def _escalate_due(
    row: Package, now: datetime, policy: Policy, calendar: WorkingCalendar, rows: list[Any]
) -> list[str]:
    lines = []
    rule = policy.waiting_list
    accepted = row.referral.accepted_at
    if rule is not None and row.status in LIVE and accepted is not None:
        start, left = duty_due.waiting_levels(rule, calendar, accepted, rows)
        for level, at in left:
            if at <= now:
                rows.append(_escalate(row, level, now, rule, calendar, start))
                lines.append(
                    f"waiting list: {row.case_number} is {level} "
                    f"({rows[-1].details['days_waiting']} working days waiting)"
                )
    duty_due.work_out(row, policy, calendar, rows)
    # Columns the audit leaves out (audit/apps.py): no save signal to read the row again.
    Package.objects.filter(pk=row.pk).update(
        engine_state=row.engine_state,
        next_due=row.next_due,
        waiting_due=row.waiting_due,
        chase_due=row.chase_due,
    )
    return lines


def _escalate(
    row: Package,
    level: str,
    now: datetime,
    rule: WaitingList,
    calendar: WorkingCalendar,
    start: datetime,
) -> TimelineEvent:
    action = rule.amber_action if level == "amber" else rule.red_action
    days = working_days_waiting(calendar, start, now)
    event: TimelineEvent = TimelineEvent.objects.create(
        package=row,
        at=now,
        type=RAG_EVENT,
        details={"rag": level, "action": action, "days_waiting": days},
        source=EventSource.WORKER,
    )
    if row.engine_state is not None:
        # The engine's own clock for this level would raise it a second time.
        state = state_of(row)
        state = replace(state, timers=tuple(t for t in state.timers if t[1] != level))
        row.engine_state = snapshot.dump(state)
        row.next_due = None if row.held_reason else engine.next_due(state)
    effects.escalate(row, calendar, level, now, now, to="manager")
    return event


def _day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()
