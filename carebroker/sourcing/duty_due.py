"""When the worker's waiting-list and after-award duties next have work for a package, stored
with the package (`Package.waiting_due`, `Package.chase_due`) so a sweep reads only the
packages due now, through an index (issue 14: the duties read every live package of every
council on every sweep, 0.4-0.7 s each at 2 councils).

- `waiting_due`: the earliest amber or red crossing (docs/policies.md §5 Waiting list) not
  raised since the package's wait started; null when none is left, the package is not live,
  not accepted, or its council has no waiting list (sourcing/waiting_list.py).
- `chase_due`: the earliest task or escalation of an after-award step not done and not
  raised yet (docs/policies.md §5 After acceptance; sourcing/after_award.py); null when none
  is left, the package is not awarded, or its council has no such clocks.

Both are worked out from the package's status, its acceptance and its timeline (the events
in WAITING_EVENTS and AFTER_AWARD_EVENTS), by the same rules the duties apply, and kept:

- by the one write path (`runner.save_step`, row by row or in the worker's batch), in the
  same transaction as the step, whenever the step could move them (a status in or out of
  live or awarded, the acceptance, an event of those types); other steps leave them as
  they are, with no query;
- by the duties themselves (`escalate_waiting`, `chase_after_award`) after what they raised,
  and by `after_award.do_record_step` after a step the council recorded;
- for every existing row by migration 0016 (`refill`), which is also the check
  (`refill(fix=False)` compares what is stored with a computation from scratch).

A row written around the write path (the demo caseload's and the national bench's bulk
loads, tests' hand-built rows) starts at NOT_WORKED_OUT, a moment long past: the next sweep
reads it, works both out from scratch, raises what is due and stores them. So does every live
or awarded package of a council whose policy is saved (its rules or calendar may have moved:
`forget_council`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from carebroker.councils.models import council_policy
from carebroker.engine.market import Market
from carebroker.engine.policy import Policy, WaitingList
from carebroker.engine.vocabulary import LIVE, EventType, PackageStatus
from carebroker.engine.workingtime import WorkingCalendar
from carebroker.sourcing.models import NOT_WORKED_OUT, Package, TimelineEvent
from carebroker.sourcing.working_time import CHUNK, _update

__all__ = ["NOT_WORKED_OUT"]

RAG_EVENT = str(EventType.WAITING_LIST_RAG)  # a crossing raised (engine or worker)
RETURNED = str(EventType.RETURNED_TO_LIST)
GRACE = str(EventType.SELF_FUNDER_GRACE)
WAITING_EVENTS = (RAG_EVENT, RETURNED, GRACE)


class Row(Protocol):
    """A timeline row as the rules read it (a TimelineEvent, saved or not)."""

    type: str
    at: datetime
    details: Any


# -- the waiting list (sourcing/waiting_list.py) -------------------------------------------


def crossings(
    rule: WaitingList, calendar: WorkingCalendar, accepted_at: datetime
) -> list[tuple[str, datetime]]:
    """When a package accepted at `accepted_at` turns amber and red (docs/policies.md §5)."""
    return [
        ("amber", calendar.add_working_days(accepted_at, rule.amber_from_days)),
        ("red", calendar.add_working_days(accepted_at, rule.red_from_days)),
    ]


def restarted(rows: Iterable[Row]) -> datetime | None:
    """When the waiting clock restarted: the last return to the list, or the end of a
    self-funder's grace as announced (docs/policies.md §5), whichever is later."""
    found: datetime | None = None
    for row in rows:
        at: datetime | None = None
        if row.type == RETURNED:
            at = row.at
        elif row.type == GRACE and row.details.get("grace_ends"):
            at = parse(row.details["grace_ends"])
        if at is not None:
            found = at if found is None else max(found, at)
    return found


def waiting_start(accepted: datetime, rows: Iterable[Row]) -> datetime:
    again = restarted(rows)
    return max(accepted, again) if again is not None else accepted


def waiting_levels(
    rule: WaitingList, calendar: WorkingCalendar, accepted: datetime, rows: Sequence[Row]
) -> tuple[datetime, list[tuple[str, datetime]]]:
    """The wait's start, and each level (and when it is crossed) not raised since then."""
    start = waiting_start(accepted, rows)
    raised: dict[str, datetime] = {}
    for row in rows:
        if row.type == RAG_EVENT:
            level = str(row.details.get("rag"))
            raised[level] = max(row.at, raised.get(level, row.at))
    left = [
        (level, at)
        for level, at in crossings(rule, calendar, start)
        if level not in raised or raised[level] < start
    ]
    return start, left


def waiting_due(
    policy: Policy,
    calendar: WorkingCalendar,
    status: str,
    accepted: datetime | None,
    rows: Sequence[Row],
) -> datetime | None:
    rule = policy.waiting_list
    if rule is None or status not in LIVE or accepted is None:
        return None
    _, left = waiting_levels(rule, calendar, accepted, rows)
    return min((at for _, at in left), default=None)


# -- after the award (sourcing/after_award.py) ---------------------------------------------


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
AFTER_AWARD_EVENTS = tuple(
    sorted(
        {str(EventType.AWARD), str(EventType.STEP_OVERDUE)}
        | {str(c.due_event) for c in CLOCKS}
        | {str(c.cleared_by) for c in CLOCKS}
    )
)


@dataclass(frozen=True)
class Open:
    """A step after the award that is due and not done yet."""

    clock: Clock
    due: datetime


def open_steps(rows: Sequence[Any]) -> list[Open]:
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
                due = parse(row.details["due"])
            elif row.type == clock.cleared_by:
                due = None
        if due is not None:
            found.append(Open(clock, due))
    return found


def chase_levels(
    calendar: WorkingCalendar, rows: Sequence[Row]
) -> list[tuple[Open, str, datetime]]:
    """Each task and escalation of an open step not raised yet, and when it falls due."""
    raised = {
        (str(r.details.get("step")), str(r.details.get("level")), str(r.details.get("due")))
        for r in rows
        if r.type == EventType.STEP_OVERDUE
    }
    left = []
    for step in open_steps(rows):
        due_text = step.due.isoformat()
        levels = [(TASK, step.due), (ESCALATION, calendar.add_working_days(step.due, 1))]
        for level, at in levels:
            if (step.clock.step, level, due_text) not in raised:
                left.append((step, level, at))
    return left


def chase_due(
    policy: Policy, calendar: WorkingCalendar, status: str, rows: Sequence[Row]
) -> datetime | None:
    if policy.after_acceptance is None or status != PackageStatus.AWARDED:
        return None
    return min((at for _, _, at in chase_levels(calendar, rows)), default=None)


# -- keeping them ----------------------------------------------------------------------------

EVENTS = tuple(sorted({*WAITING_EVENTS, *AFTER_AWARD_EVENTS}))
# A step with one of these events may move a stored moment; the acceptance's own events too.
MOVES = frozenset({*EVENTS, str(EventType.REFERRAL_CHECKED), str(EventType.REFERRAL_RETURNED)})


def parse(value: object) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def timeline_rows(package_model: Any, event_model: Any, pks: Sequence[int]) -> dict[int, list[Any]]:
    """The events the rules read of each package, in order (one query)."""
    rows: dict[int, list[Any]] = defaultdict(list)
    found = (
        event_model.objects.filter(package_id__in=list(pks), type__in=EVENTS)
        .order_by("package_id", "id")
        .only("package_id", "type", "details", "at")
    )
    for row in found:
        rows[row.package_id].append(row)
    return rows


def work_out(row: Any, policy: Policy, calendar: WorkingCalendar, rows: Sequence[Row]) -> None:
    """Set both moments of the package row (not saved) from its timeline rows."""
    accepted = row.referral.accepted_at
    row.waiting_due = waiting_due(policy, calendar, row.status, accepted, rows)
    row.chase_due = chase_due(policy, calendar, row.status, rows)


def step_moves(before: tuple[str, datetime | None], row: Any, event_types: Iterable[str]) -> bool:
    """Could this step have moved the stored moments? (status before, acceptance before)"""
    status, accepted = before
    return (
        NOT_WORKED_OUT in (row.waiting_due, row.chase_due)
        or (status in LIVE) != (row.status in LIVE)
        or (status == PackageStatus.AWARDED) != (row.status == PackageStatus.AWARDED)
        or accepted != row.referral.accepted_at
        or any(kind in MOVES for kind in event_types)
    )


def keep(
    row: Any,
    policy: Policy,
    calendar: WorkingCalendar,
    before: tuple[str, datetime | None],
    unsaved: Sequence[Row],
) -> None:
    """The write path: after a step (the row's columns set, its events not yet written,
    `unsaved` in order after those written), set the moments the step moved."""
    if not step_moves(before, row, (event.type for event in unsaved)):
        return
    saved = timeline_rows(Package, TimelineEvent, [row.pk]).get(row.pk, [])
    work_out(row, policy, calendar, [*saved, *(e for e in unsaved if e.type in EVENTS)])


def forget_council(council_pk: int) -> int:
    """A council's policy was saved: its live and awarded packages are worked out again at
    the next sweep (their rules or calendar may have changed)."""
    return Package.objects.filter(
        council_id=council_pk, status__in=[*LIVE, PackageStatus.AWARDED]
    ).update(waiting_due=NOT_WORKED_OUT, chase_due=NOT_WORKED_OUT)


@dataclass
class Refill:
    """What a from-scratch computation found: packages checked, the case numbers of those
    whose stored moments differed, councils skipped (their policy cannot be read)."""

    packages: int = 0
    wrong: list[str] = field(default_factory=list)
    councils_skipped: list[str] = field(default_factory=list)


def refill(
    *,
    fix: bool,
    council_model: Any = None,
    package_model: Any = None,
    event_model: Any = None,
    councils: Any = None,
) -> Refill:
    """Work out both moments of every package from scratch and compare (and, with `fix`,
    store the computed values where they differ). The models are parameters so that
    migration 0016 runs the same code on its historical models. A council whose policy
    cannot be read is skipped (its packages stay as stored; the sweeps report it)."""
    if council_model is None:
        from carebroker.councils.models import Council as council_model

        package_model, event_model = Package, TimelineEvent
    found = Refill()
    chosen = councils if councils is not None else council_model.objects.order_by("pk")
    for council in chosen:
        try:
            policy = council_policy(council.policy_name, council.policy_toml)
        except Exception:  # a broken policy: nothing can be worked out for it
            found.councils_skipped.append(council.slug)
            continue
        calendar = Market.of(policy, ()).calendar
        rows = package_model.objects.filter(council=council).select_related("referral")
        last = 0
        while True:
            chunk = list(rows.filter(pk__gt=last).order_by("pk")[:CHUNK])
            if not chunk:
                break
            last = chunk[-1].pk
            timelines = timeline_rows(package_model, event_model, [p.pk for p in chunk])
            changed = []
            for package in chunk:
                found.packages += 1
                stored = (package.waiting_due, package.chase_due)
                work_out(package, policy, calendar, timelines.get(package.pk, []))
                if (package.waiting_due, package.chase_due) != stored:
                    found.wrong.append(package.case_number)
                    changed.append(package)
            if fix and changed:
                _update(package_model, "waiting_due", [(p.pk, p.waiting_due) for p in changed])
                _update(package_model, "chase_due", [(p.pk, p.chase_due) for p in changed])
    return found
