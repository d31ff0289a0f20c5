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
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Max

from carebroker.councils.models import Council
from carebroker.engine import engine
from carebroker.engine.market import Market
from carebroker.engine.policy import WaitingList
from carebroker.engine.vocabulary import LIVE, EventType
from carebroker.engine.workingtime import WorkingCalendar
from carebroker.lib.london import LONDON
from carebroker.sourcing import effects, snapshot
from carebroker.sourcing.due import Markets, claim
from carebroker.sourcing.models import EventSource, Package, TimelineEvent
from carebroker.sourcing.runner import state_of

logger = logging.getLogger(__name__)

RAG_EVENT = "waiting_list_rag"  # the engine's event type for a crossing


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


def crossings(
    rule: WaitingList, calendar: WorkingCalendar, accepted_at: datetime
) -> list[tuple[str, datetime]]:
    """When a package accepted at `accepted_at` turns amber and red (docs/policies.md §5)."""
    return [
        ("amber", calendar.add_working_days(accepted_at, rule.amber_from_days)),
        ("red", calendar.add_working_days(accepted_at, rule.red_from_days)),
    ]


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
    """Worker duty: raise each amber and red crossing once (event + escalation notice)."""
    lines: list[str] = []
    markets = Markets()
    for council in Council.objects.order_by("pk"):
        try:
            market = markets.of(council)
        except Exception:  # one council's broken policy must not stop the others (#5)
            logger.exception("the policy of council %s cannot be loaded", council.slug)
            lines.append(
                f"waiting list: council {council.slug} FAILED (its policy cannot be loaded; "
                "see the log)"
            )
            continue
        rule = market.policy.waiting_list
        if rule is None:
            continue
        raised: dict[tuple[int, str], datetime] = {}
        for pk, rag, at in TimelineEvent.objects.filter(
            package__council=council, type=RAG_EVENT
        ).values_list("package_id", "details__rag", "at"):
            raised[(pk, str(rag))] = max(at, raised.get((pk, str(rag)), at))
        restarts = clock_starts(council)
        # N working days are at least N calendar days (less a clock change's hour, so one
        # day's margin): packages accepted later than that cannot have crossed.
        youngest = now - timedelta(days=min(rule.amber_from_days, rule.red_from_days) - 1)
        packages = Package.objects.filter(
            council=council, status__in=LIVE, referral__accepted_at__lte=youngest
        ).values_list("pk", "referral__accepted_at")
        for pk, accepted in packages:
            start = _start(accepted, restarts.get(pk))
            for level, at in crossings(rule, market.calendar, start):
                before = raised.get((pk, level))
                if at <= now and (before is None or before < start):
                    line = _escalate(pk, level, at, now, market, start)
                    if line:
                        lines.append(line)
    return lines


def _escalate(
    pk: int, level: str, at: datetime, now: datetime, market: Market, start: datetime
) -> str | None:
    rule = market.policy.waiting_list
    assert rule is not None
    with transaction.atomic():
        row = claim(pk)
        if row is None or row.status not in LIVE:
            return None
        if TimelineEvent.objects.filter(
            package=row, type=RAG_EVENT, details__rag=level, at__gte=start
        ).exists():
            return None  # raised meanwhile (by the engine or another worker)
        action = rule.amber_action if level == "amber" else rule.red_action
        days = working_days_waiting(market.calendar, start, now)
        TimelineEvent.objects.create(
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
            row.save(update_fields=["engine_state", "next_due"])
        effects.escalate(row, market, level, now, now, to="manager")
    return f"waiting list: {row.case_number} is {level} ({days} working days waiting)"


def _day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()
