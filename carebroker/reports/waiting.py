"""Days waiting on the dashboard and in the reports: working days after the day the
package started waiting, `Package.waiting_from` (docs/policies.md §5 waiting list,
docs/sourcing.md § Waiting list).

Days waiting only grow with the age of that start, so "waited N days by t" is "started
waiting before a moment": counts over many packages and many weeks run in the database.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from carebroker.engine.policy import WaitingList
from carebroker.engine.workingtime import WorkingCalendar
from carebroker.lib.london import LONDON

# Councils whose policy has no waiting list are shown Kent's thresholds (seed 003: amber
# from 5 working days, red from 10), so every council sees the same picture.
DEFAULT_RULE = WaitingList(
    amber_from_days=5, amber_action="", red_from_days=10, red_action="escalate_to_team_manager"
)
SEARCH_DAYS = 400  # no threshold reaches further back than this (a long closure would be odd)


def accepted_before(calendar: WorkingCalendar, at: datetime, days: int) -> datetime:
    """A package accepted before this moment has waited at least `days` working days at `at`."""
    today = at.astimezone(LONDON).date()
    day = today
    for _ in range(SEARCH_DAYS):
        if calendar.working_days_between(day, today) >= days:
            break
        day -= timedelta(days=1)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)


def days_waiting(calendar: WorkingCalendar, accepted: datetime, at: datetime) -> int:
    return calendar.working_days_between(
        accepted.astimezone(LONDON).date(), at.astimezone(LONDON).date()
    )


def week_end(monday: date, now: datetime) -> datetime:
    """The moment a week's waiting list is counted: its end, or now for the current week."""
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=LONDON)
    return min(end, now)
