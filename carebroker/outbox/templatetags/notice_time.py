"""Dates and times in notices, always in the councils' local time (docs/policies.md §1).

`{{ deadline|london_time }}` -> "10:00 on Monday 23 November 2026";
`{{ start|long_date }}` -> "Monday 7 December 2026".
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import template

register = template.Library()

# docs/policies.md §1: all rules run in Europe/London, whatever TIME_ZONE or the active zone says.
LONDON = ZoneInfo("Europe/London")


def _local(value: datetime) -> datetime:
    if value.tzinfo is None:
        # A naive time could be UTC or local; guessing would move a deadline by an hour in summer.
        raise ValueError(f"{value!r}: a notice needs a time zone aware datetime")
    return value.astimezone(LONDON)


@register.filter
def long_date(value: date | datetime) -> str:
    """Monday 7 December 2026 (a datetime shows its London date)."""
    if isinstance(value, datetime):
        value = _local(value).date()
    return f"{value:%A} {value.day} {value:%B %Y}"


@register.filter
def london_time(value: datetime) -> str:
    """10:00 on Monday 23 November 2026, in London local time (GMT or BST)."""
    local = _local(value)
    return f"{local:%H:%M} on {long_date(local.date())}"
