"""London time, defined once: every rule runs on the councils' wall clock (docs/policies.md §1),
whatever `TIME_ZONE` or the active zone says; and the ways people read a London time.

`long_date`: "Monday 7 December 2026"; `london_time`: "10:00 on Monday 23 November 2026"
(notices, documents); `london_short`: "23 Nov 2026, 10:00" (pages).
"""

from __future__ import annotations

from argparse import ArgumentTypeError
from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def in_london(moment: datetime) -> datetime:
    """`moment` on London's wall clock (GMT or BST); a naive time is refused."""
    if moment.tzinfo is None:
        # A naive time could be UTC or local; guessing would move a deadline by an hour in summer.
        raise ValueError(f"{moment!r}: a time zone aware datetime is needed")
    return moment.astimezone(LONDON)


def time_argument(text: str) -> datetime:
    """A command's `--now` or deadline option: an ISO time, read as London's wall clock when
    it has no zone (docs/policies.md §1); argparse names the option when it is not a time."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not a time (YYYY-MM-DD HH:MM)") from None
    return at if at.tzinfo else at.replace(tzinfo=LONDON)


def london_date(moment: datetime) -> date:
    """The London calendar day of `moment`."""
    return in_london(moment).date()


def long_date(value: date | datetime) -> str:
    """Monday 7 December 2026 (a datetime shows its London date)."""
    if isinstance(value, datetime):
        value = london_date(value)
    return f"{value:%A} {value.day} {value:%B %Y}"


def london_time(moment: datetime) -> str:
    """10:00 on Monday 23 November 2026, in London local time."""
    local = in_london(moment)
    return f"{local:%H:%M} on {long_date(local.date())}"


def london_short(moment: datetime) -> str:
    """23 Nov 2026, 10:00: a London time in a table cell."""
    local = in_london(moment)
    return f"{local.day} {local:%b %Y}, {local:%H:%M}"
