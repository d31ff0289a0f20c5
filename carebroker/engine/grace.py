"""Kent's self-funders leaving enablement (docs/policies.md §5 Self-funders): a referral for a
self-funder (the package flag `self_funder`) waits the policy's grace, 5 working days from
the referral check, before it goes to purchasing. Until then no provider is asked and the
waiting list's colour clock does not run; both start when the grace ends.

The grace end is a package-wide timer (`TIMER`), so a broker's hold stops it like any other
clock, and the grace end is on the timeline from the start (`self_funder_grace`, `grace_ends`).
Working days come from the market's calendar (engine/workingtime.py), bank holidays
included.
"""

from __future__ import annotations

from datetime import datetime

from carebroker.engine.policy import SELF_FUNDER
from carebroker.engine.progress import Progress
from carebroker.engine.state import Draft
from carebroker.engine.vocabulary import EventType

TIMER = "grace"


def applies(progress: Progress) -> bool:
    """The council gives self-funders grace, and this referral is a self-funder's."""
    return progress.policy.self_funder_grace is not None and SELF_FUNDER in progress.package.flags


def begin(progress: Progress, at: datetime) -> datetime:
    """The grace starts at the referral check; its end goes on the timeline and the clock."""
    grace = progress.policy.self_funder_grace
    assert grace is not None  # applies() was checked
    until = progress.deadline(at, grace)
    progress.draft.timers.append((until, TIMER))
    progress.draft.event(at, EventType.SELF_FUNDER_GRACE, grace=str(grace), grace_ends=until)
    return until


def waiting(draft: Draft) -> bool:
    """The package is still in its grace: nothing is sourced yet."""
    return any(label == TIMER for _, label in draft.timers)


def ended(progress: Progress, at: datetime) -> None:
    """The grace is over: the referral goes to purchasing, its first stage starts now."""
    draft = progress.draft
    draft.event(at, EventType.GRACE_ENDED)
    if draft.runs or draft.next_stage or draft.awarded_at:  # placed by hand meanwhile
        return
    start_waiting_clock(progress, at)
    progress.enter(at)


def start_waiting_clock(progress: Progress, at: datetime) -> None:
    """docs/policies.md §5 Waiting list: the colour in working days from when purchasing has
    the package (the referral check, or the end of a self-funder's grace)."""
    waiting_list = progress.policy.waiting_list
    if waiting_list is None:
        return
    calendar = progress.market.calendar
    progress.draft.timers.append(
        (calendar.add_working_days(at, waiting_list.amber_from_days), "amber")
    )
    progress.draft.timers.append((calendar.add_working_days(at, waiting_list.red_from_days), "red"))
