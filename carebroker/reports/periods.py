"""The period of a report: a week (Monday to Sunday) or a calendar month, London dates.

Chosen with a GOV.UK date input (`?day=16&month=11&year=2026`: the week that holds that
day; a month report needs only month and year). With nothing chosen: the last whole period
before today. A bad value is named and the default period stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from carebroker.lib.london import LONDON
from carebroker.lib.numbers import is_whole_number
from carebroker.reports.words import day_words


@dataclass(frozen=True)
class Period:
    kind: str  # "week" or "month"
    start: date
    end: date  # inclusive
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(0), tzinfo=LONDON)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=LONDON)

    def words(self) -> str:
        if self.kind == "month":
            return f"{self.start:%B %Y}"
        return f"{day_words(self.start)} to {day_words(self.end)}"

    def params(self) -> dict[str, str]:
        values = {"month": str(self.start.month), "year": str(self.start.year)}
        if self.kind == "week":
            values["day"] = str(self.start.day)
        return values

    def key(self) -> str:
        """The period in an outbox key (never shown to anyone)."""
        return self.start.isoformat()


def week_of(day: date) -> Period:
    monday = day - timedelta(days=day.weekday())
    return Period("week", monday, monday + timedelta(days=6))


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period("month", first, following - timedelta(days=1))


def last_whole(kind: str, now: datetime) -> Period:
    today = now.astimezone(LONDON).date()
    if kind == "week":
        return week_of(today - timedelta(days=7))
    return month_of(today.replace(day=1) - timedelta(days=1))


def read_period(kind: str, data: Mapping[str, str], now: datetime) -> Period:
    fallback = last_whole(kind, now)
    parts = {p: data.get(p, "").strip() for p in ("day", "month", "year")}
    wanted = ("month", "year") if kind == "month" else ("day", "month", "year")
    if not any(parts[p] for p in wanted):
        return fallback
    label = "The month" if kind == "month" else "A day of the week"
    missing = [p for p in wanted if not parts[p]]
    problem = None
    if missing:
        problem = f"{label} must include a {' and '.join(missing)}"
    elif not all(is_whole_number(parts[p]) for p in wanted):
        problem = f"{label} must be written in numbers"
    elif len(parts["year"]) != 4:
        problem = f"{label} must have a year of four numbers, like 2026"
    else:
        try:
            day = date(int(parts["year"]), int(parts["month"]), int(parts.get("day") or 1))
        except ValueError:
            problem = f"{label} must be a real date"
        else:
            return week_of(day) if kind == "week" else month_of(day)
    first = wanted[0]
    return Period(fallback.kind, fallback.start, fallback.end, {first: problem})
