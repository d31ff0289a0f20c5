"""Times on pages, in London (docs/policies.md §1), and the time left to a deadline.

`{{ request.deadline|time_left:now }}` -> "1 hour 20 minutes left" or "passed 5 minutes ago";
`{{ moment|london_short }}` -> "23 Nov 2026, 10:00". The full form ("10:00 on Monday 23
November 2026") is the outbox's `london_time` (`{% load notice_time %}`).
"""

from datetime import datetime

from django import template

from carebroker.lib import london

register = template.Library()


def _span(seconds: int) -> str:
    minutes = seconds // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes and not days:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts) or "less than a minute"


@register.filter
def time_left(deadline: datetime | None, now: datetime | None) -> str:
    """How long until `deadline`, counted from `now` (the view's one clock reading)."""
    if deadline is None or now is None:
        return ""
    seconds = int((deadline - now).total_seconds())
    if seconds >= 0:
        return f"{_span(seconds)} left"
    return f"passed {_span(-seconds)} ago"


@register.filter
def is_past(deadline: datetime | None, now: datetime | None) -> bool:
    return deadline is not None and now is not None and deadline <= now


@register.filter
def london_short(moment: datetime | None) -> str:
    return "" if moment is None else london.london_short(moment)


@register.filter
def grace_day(moment: datetime | None) -> str:
    """The London day of a self-funder's grace end (§5): "Monday 7 December"."""
    if moment is None:
        return ""
    local = moment.astimezone(london.LONDON)
    return f"{local:%A} {local.day} {local:%B}"
