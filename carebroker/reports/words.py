"""Codes in words for report cells (people see words, never codes)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from carebroker.engine.vocabulary import words
from carebroker.lib.london import LONDON

# The decline reasons the portal offers (portal/forms.py DECLINE_REASONS), the what-if
# generator's (engine/whatif_market.py) and the Kent handback reasons; anything else is
# the provider's own text, shown as written.
REASONS = {
    "no_capacity": "No carers free for these hours",
    "capacity": "No carers free for these hours",
    "area": "Does not cover this area",
    "location": "Does not cover this area",
    "call_times": "Cannot meet the call times",
    "needs": "Cannot meet these needs",
    "skills": "Cannot meet these needs",
    "start_date": "Cannot start by the requested date",
    "other": "Another reason",
    "": "No reason given",
}


def reason_words(reason: str) -> str:
    return REASONS.get(reason.strip(), words(reason))


def day_words(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date()
    return f"{value.day} {value:%B %Y}"


def hours(value: Decimal | None) -> Decimal | None:
    """Working hours to one decimal place."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def percent(part: int, whole: int) -> str:
    if not whole:
        return ""
    return f"{round(100 * part / whole)}%"
