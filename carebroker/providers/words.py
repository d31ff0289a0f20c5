"""What a provider declared it can take, in words (docs/policies.md §8): the package page's
requests (web/views/packages.py) and the providers' capacity page (web/views/providers.py)
both say it this way."""

from __future__ import annotations

from datetime import date

from carebroker.lib.london import long_date
from carebroker.providers.models import CapacityDeclaration


def capacity_words(row: CapacityDeclaration | None, today: date) -> tuple[str, bool]:
    """(what the provider declared, in words; whether it is out of date on `today`, a London
    date)."""
    if row is None:
        return "No capacity declared", False
    taken = f"{row.amount} {row.get_unit_display().lower()}" if row.amount else "none"
    return f"Can take {taken} until {long_date(row.until)}", row.stale(today)
