"""The dashboard's filters: a date range (GOV.UK date inputs) and an area, kept in the URL.

`?from-day=2&from-month=11&from-year=2026&to-day=29&to-month=11&to-year=2026&area=3`.
A bad value is named in the error summary and changes nothing: the page shows the default
range (the eight weeks up to today) until the filters are right.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from carebroker.councils.models import Area, Council
from carebroker.lib.london import LONDON
from carebroker.lib.numbers import is_whole_number

DEFAULT_WEEKS = 8
LONGEST = timedelta(days=2 * 366)  # two years of weeks at most: a chart stays readable
LABELS = {"from": "Date from", "to": "Date to"}


@dataclass(frozen=True)
class Filters:
    """An inclusive range of London dates and, optionally, one area of the council."""

    start: date
    end: date
    area: Area | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(0), tzinfo=LONDON)

    @property
    def until(self) -> datetime:
        """The first instant after the range (midnight after `end`, London)."""
        return datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=LONDON)

    def weeks(self) -> list[date]:
        """The Monday of every week the range touches."""
        monday = self.start - timedelta(days=self.start.weekday())
        weeks = []
        while monday <= self.end:
            weeks.append(monday)
            monday += timedelta(days=7)
        return weeks

    def params(self) -> dict[str, str]:
        values = {}
        for name, day in (("from", self.start), ("to", self.end)):
            values |= {f"{name}-day": str(day.day), f"{name}-month": str(day.month)}
            values[f"{name}-year"] = str(day.year)
        if self.area is not None:
            values["area"] = str(self.area.pk)
        return values

    def query(self) -> str:
        return urlencode(self.params())

    def describe(self) -> str:
        where = self.area.name if self.area else "all areas"
        return f"{_words(self.start)} to {_words(self.end)}, {where}"


def default_range(today: date) -> tuple[date, date]:
    monday = today - timedelta(days=today.weekday())
    return monday - timedelta(weeks=DEFAULT_WEEKS - 1), today


def read_filters(data: Mapping[str, str], council: Council, now: datetime) -> Filters:
    """The filters in `data` (a GET), or the defaults with `errors` naming each bad field."""
    today = now.astimezone(LONDON).date()
    start, end = default_range(today)
    errors: dict[str, str] = {}
    dates: dict[str, date] = {}
    for name in ("from", "to"):
        parts = [data.get(f"{name}-{part}", "").strip() for part in ("day", "month", "year")]
        if not any(parts):
            continue
        problem, day = _read_date(LABELS[name], parts)
        if problem:
            errors[f"{name}-day"] = problem
        elif day is not None:
            dates[name] = day
    start, end = dates.get("from", start), dates.get("to", end)
    if not errors and start > end:
        errors["to-day"] = "Date to must be the same as or after date from"
    if not errors and end - start > LONGEST:
        errors["to-day"] = "The dates must be at most two years apart"
    area = None
    wanted = data.get("area", "").strip()
    if wanted:
        area = council.areas.filter(pk=int(wanted)).first() if is_whole_number(wanted) else None
        if area is None:
            errors["area"] = "Choose an area of your council, or all areas"
    if errors:
        start, end = default_range(today)
        return Filters(start, end, None, errors)
    return Filters(start, end, area)


def _read_date(label: str, parts: list[str]) -> tuple[str | None, date | None]:
    day, month, year = parts
    missing = [n for n, v in zip(("day", "month", "year"), parts, strict=True) if not v]
    if missing:
        return f"{label} must include a {' and '.join(missing)}", None
    if not all(is_whole_number(v) for v in parts):
        return f"{label} must be a real date, written in numbers", None
    if len(year) != 4:
        return f"{label} must have a year of four numbers, like 2026", None
    try:
        return None, date(int(year), int(month), int(day))
    except ValueError:
        return f"{label} must be a real date", None


def _words(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
