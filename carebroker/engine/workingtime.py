"""Working time: deadlines in the council's local time (docs/policies.md §1).

Every rule runs on the wall clock of Europe/London. Inputs must be timezone-aware
datetimes (any zone; they are converted); outputs are aware datetimes in
:data:`LONDON`.

Decisions where the rulebook is silent (each pinned by a test):

- **Working hours are counted on the local wall clock.** A working day is always
  ``day_end - day_start`` (8 hours by default), also on a clock-change day.
- **17:00 belongs to the working day.** A working-hours deadline that uses up the
  day exactly is due at 17:00 that day, not at 09:00 the next working day; a
  start time of exactly 17:00 is treated as inside working hours (so "17:00 + 0
  working hours" is 17:00 and "17:00 + 1 working day" is 17:00 the next working
  day). A start time after 17:00, before 09:00, or on a non-working day moves to
  the next 09:00 on a working day.
- **Elapsed hours ("24 hours") are wall-clock arithmetic**, so a deadline set
  across a clock change keeps its local wall-clock time ("ISP sent at 1pm,
  assessment by 1pm the following day", seed 000): Saturday 13:00 + 24 hours is
  Sunday 13:00 even on the day the clocks change.
- **Nonexistent local times** (the hour skipped when the clocks go forward) move
  forward to the first valid instant after the gap (02:00 BST); **ambiguous local
  times** (the hour repeated when the clocks go back) take the first occurrence
  (BST). A start time inside the *second* pass of the repeated hour counts from
  the end of that hour (02:00 GMT). Together these keep every deadline
  monotonic: a later start never gives an earlier deadline.
- Working days and working hours may be zero (the deadline is then the start of
  counting); negative amounts are refused.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import ClassVar, Literal, get_args

import holidays

from carebroker.lib.london import LONDON

DeadlineKind = Literal["working_hours", "working_days", "next_working_day_at", "elapsed_hours"]
DEADLINE_KINDS: tuple[str, ...] = get_args(DeadlineKind)
_WORKING_HOURS, _WORKING_DAYS, _AT, _ELAPSED = range(4)  # Deadline._code, in that order

_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)
_WORKING_WEEKDAYS = (0, 1, 2, 3, 4)  # Monday to Friday
_A_YEAR_AND_A_WEEK = 373  # an issue day is found within this many days, or never
_MICROSECONDS_PER_HOUR = 3_600_000_000


# ---------------------------------------------------------------------------
# Deadline expressions


_AMOUNT_RE = re.compile(r"^(?P<amount>\S+) (?P<working>working )?(?P<unit>hours?|days?)$")
_AT_RE = re.compile(r"^next working day at (?P<clock>\S+)$")
_NUMBER_RE = re.compile(r"^\d+(?:\.\d+)?$")
_CLOCK_RE = re.compile(r"^(?P<hour>\d{1,2}):(?P<minute>\d{2})$")


@dataclass(frozen=True)
class Deadline:
    """A deadline expression from a policy (docs/policies.md §1).

    ``Deadline.parse("2 working hours")``; ``str()`` gives text that parses back
    to an equal value.
    """

    kind: DeadlineKind
    amount: Decimal  # hours or days (0 for next_working_day_at)
    at: time | None = None  # only for next_working_day_at
    # Worked out once in __post_init__ for WorkingCalendar.deadline (not fields: equality,
    # snapshots and repr see the three above only). Plain instance attributes, as a
    # cached_property would make every attribute read of the instance slower.
    _code: ClassVar[int]  # the kind as one of _WORKING_HOURS, _WORKING_DAYS, _AT, _ELAPSED
    _span: ClassVar[timedelta]  # the amount of an hours kind as a timedelta
    _days: ClassVar[int]  # the amount as a whole number
    _key: ClassVar[timedelta | int]  # _span for working hours, _days for working days

    def __post_init__(self) -> None:
        if self.kind not in DEADLINE_KINDS:
            expected = ", ".join(DEADLINE_KINDS)
            raise ValueError(f"Deadline kind {self.kind!r} is unknown; expected one of {expected}")
        amount: object = self.amount
        if isinstance(amount, int) and not isinstance(amount, bool):
            object.__setattr__(self, "amount", Decimal(amount))
        elif not isinstance(amount, Decimal) or not amount.is_finite():
            raise ValueError(f"Deadline amount must be a finite Decimal, got {amount!r}")
        if self.amount < 0:
            raise ValueError(f"Deadline amount must not be negative, got {self.amount}")
        if self.kind == "working_days" and self.amount != self.amount.to_integral_value():
            raise ValueError(f"Deadline amount of working days must be whole, got {self.amount}")
        if self.kind == "next_working_day_at":
            if self.at is None:
                raise ValueError("Deadline 'next_working_day_at' needs a time 'at'")
            _check_clock_time(self.at, "at")
            if self.amount != 0:
                raise ValueError(
                    f"Deadline 'next_working_day_at' takes no amount, got {self.amount}"
                )
        elif self.at is not None:
            raise ValueError(f"Deadline {self.kind!r} takes no time 'at', got {self.at}")
        span = _hours(self.amount, "amount") if self.kind != "working_days" else _ZERO
        object.__setattr__(self, "_code", DEADLINE_KINDS.index(self.kind))
        object.__setattr__(self, "_span", span)
        object.__setattr__(self, "_days", int(self.amount))
        object.__setattr__(self, "_key", self._days if self.kind == "working_days" else span)

    @classmethod
    def parse(cls, text: str) -> Deadline:
        """Read a policy's deadline text.

        Accepted (case and spacing are free, "hour"/"hours" either way):
        "2 working hours", "1.5 working hours", "5 working days",
        "next working day at 10:00", "24 hours" (elapsed).
        """
        if not isinstance(text, str):
            raise ValueError(f"Deadline text must be a string, got {type(text).__name__}")
        words = " ".join(text.split()).lower()
        if not words:
            raise ValueError("Deadline text is empty")
        if at_match := _AT_RE.match(words):
            clock = at_match["clock"]
            clock_match = _CLOCK_RE.match(clock)
            if clock_match is None:
                raise ValueError(f"Deadline {text!r}: time {clock!r} is not HH:MM (24-hour)")
            hour, minute = int(clock_match["hour"]), int(clock_match["minute"])
            if hour > 23 or minute > 59:
                raise ValueError(f"Deadline {text!r}: time {clock!r} is not a clock time")
            return cls("next_working_day_at", Decimal(0), time(hour, minute))
        match = _AMOUNT_RE.match(words)
        if match is None:
            raise ValueError(
                f"Deadline {text!r} is not understood; write e.g. '2 working hours', "
                "'5 working days', 'next working day at 10:00' or '24 hours'"
            )
        if _NUMBER_RE.match(match["amount"]) is None:
            raise ValueError(
                f"Deadline {text!r}: amount {match['amount']!r} is not a number like 2 or 1.5"
            )
        amount = Decimal(match["amount"])
        if amount <= 0:
            raise ValueError(f"Deadline {text!r}: amount must be a positive number")
        is_working = match["working"] is not None
        if match["unit"].startswith("day"):
            if not is_working:
                raise ValueError(
                    f"Deadline {text!r}: calendar days are not a deadline kind; "
                    "write 'N working days' or 'N hours'"
                )
            if amount != amount.to_integral_value():
                raise ValueError(f"Deadline {text!r}: working days must be a whole number")
            return cls("working_days", amount)
        return cls("working_hours" if is_working else "elapsed_hours", amount)

    def __str__(self) -> str:
        if self.kind == "next_working_day_at":
            assert self.at is not None  # checked in __post_init__
            return f"next working day at {self.at:%H:%M}"
        number = format(self.amount.normalize(), "f")
        unit = "day" if self.kind == "working_days" else "hour"
        plural = "" if self.amount == 1 else "s"
        working = "" if self.kind == "elapsed_hours" else "working "
        return f"{number} {working}{unit}{plural}"


# ---------------------------------------------------------------------------
# Bank holidays


@functools.cache
def bank_holidays(year: int) -> frozenset[date]:
    """Bank holidays in England and Wales in `year` (docs/policies.md §1), cached per year."""
    found = holidays.country_holidays("GB", subdiv="ENG", years=year)
    return frozenset(day for day in found if day.year == year)


# ---------------------------------------------------------------------------
# The calendar


_PER_YEAR_TABLES = (
    "_days_off", "_weekdays_off", "_working_ordinals", "_day_records", "_staged_years",
)  # fmt: skip
# The per-year tables of each working time (hours and closure days), most recently used last.
# Bounded: a process sees one key per distinct working time — a few per council (a policy
# edit that moves a closure day makes a new one) plus a what-if's or a test's own — and each
# entry holds years of day records, so an unbounded mapping would grow with every edit for
# the life of a web or worker process. SHARED_WORKING_TIMES is far above the working times
# in use at once (one per council's policy), so the calendars in use keep sharing; a
# calendar whose entry was dropped keeps its own tables (its attributes point at them).
SHARED_WORKING_TIMES = 32
_SHARED_TABLES: OrderedDict[tuple[time, time, frozenset[date]], dict[str, dict[int, object]]] = (
    OrderedDict()
)
_SHARED_LOCK = threading.Lock()  # web threads make calendars at once


def _shared_tables(key: tuple[time, time, frozenset[date]]) -> dict[str, dict[int, object]]:
    """The tables shared by calendars of this working time (made, and the least recently
    used working time dropped, when it is new)."""
    with _SHARED_LOCK:
        tables = _SHARED_TABLES.get(key)
        if tables is None:
            tables = _SHARED_TABLES[key] = {}
            while len(_SHARED_TABLES) > SHARED_WORKING_TIMES:
                _SHARED_TABLES.popitem(last=False)
        else:
            _SHARED_TABLES.move_to_end(key)
        return tables


@dataclass(frozen=True)
class WorkingCalendar:
    """A council's working time: working hours and closure days (docs/policies.md §1).

    Working days are Monday to Friday except bank holidays in England and Wales
    and the council's ``closures``.
    """

    day_start: time = time(9, 0)
    day_end: time = time(17, 0)
    closures: frozenset[date] = frozenset()  # council closure days
    _day_length: timedelta = field(init=False, repr=False, compare=False)
    _days_off: dict[int, frozenset[date]] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )
    _weekdays_off: dict[int, tuple[date, ...]] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )
    # the working days of each year as sorted ordinals: a deadline is a bisect and an index
    _working_ordinals: dict[int, tuple[int, ...]] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )
    # every day of each year met so far, by ordinal (see _Day): a deadline is a lookup
    _day_records: dict[int, _Day] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )
    # the next year's records, made for a year's `ahead`, until that year is met itself
    _staged_years: dict[int, list[_Day]] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        _check_clock_time(self.day_start, "day_start", whole_minutes=False)
        _check_clock_time(self.day_end, "day_end", whole_minutes=False)
        if self.day_start >= self.day_end:
            raise ValueError(f"day_start {self.day_start} must be before day_end {self.day_end}")
        closures: object = self.closures
        if not isinstance(closures, frozenset):
            if isinstance(closures, set | list | tuple):
                closures = frozenset(closures)
                object.__setattr__(self, "closures", closures)
            else:
                raise ValueError(f"closures must be a set of dates, got {closures!r}")
        for day in closures:
            if isinstance(day, datetime) or not isinstance(day, date):
                raise ValueError(f"closures must hold dates only, got {day!r}")
        length = datetime.combine(date.min, self.day_end) - datetime.combine(
            date.min, self.day_start
        )
        object.__setattr__(self, "_day_length", length)
        # Calendars of the same working time share their per-year tables (one set per
        # working time, the last SHARED_WORKING_TIMES kept for the process). A day's record
        # holds the tuple of working days it belongs to, a reference cycle; shared and kept,
        # the records are never garbage, so the what-if run may pause the cyclic collector
        # (tests/engine/test_whatif_collector.py), and a second run starts with its years
        # already made.
        tables = _shared_tables((self.day_start, self.day_end, closures))
        for name in _PER_YEAR_TABLES:
            object.__setattr__(self, name, tables.setdefault(name, {}))

    # -- days ---------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday, not a bank holiday in England and Wales, not a closure."""
        return self._is_working(_check_date(day, "day"))

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        return self._next_working(_check_date(day, "day"))

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 if end <= start).

        ``working_days_between(referred, today)`` is "days waiting".
        """
        start = _check_date(start, "start")
        end = _check_date(end, "end")
        if end <= start:
            return 0
        count = _weekdays_up_to(end) - _weekdays_up_to(start)
        for year in range(start.year, end.year + 1):
            weekdays_off = self._weekdays_off_in(year)
            count -= bisect.bisect_right(weekdays_off, end) - bisect.bisect_right(
                weekdays_off, start
            )
        return count

    # -- deadlines ----------------------------------------------------------

    def add_working_hours(self, t: datetime, hours: Decimal | int) -> datetime:
        """`hours` working hours after `t`, counting only time inside working hours.

        16:30 + 2 is 10:30 on the next working day; a start outside working hours
        counts from the next 09:00; a deadline that uses the day up exactly is
        17:00 that day.
        """
        amount = _hours(hours, "hours")
        return self._fast(t, "working_hours", amount, 0, None) or self._careful_hours(t, amount)

    def add_working_span(self, t: datetime, span: timedelta) -> datetime:
        """`add_working_hours(t, hours)` with `span = hours_span(hours)` worked out by the
        caller: one that adds the same few hundred amounts many times (the what-if run's
        answer delays) keeps them as spans instead of converting a `Decimal` every time."""
        return self._fast(t, "working_hours", span, 0, None) or self._careful_hours(t, span)

    def add_working_days(self, t: datetime, days: int) -> datetime:
        """The same local clock time on the `days`-th working day after `t`.

        A start outside working hours first moves to the next 09:00 on a working
        day (Wed 10:00 + 5 is the next Wed 10:00; Sat 11:00 + 1 is Tue 09:00).
        """
        if isinstance(days, bool) or not isinstance(days, int):
            raise ValueError(f"days must be a whole number, got {days!r}")
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        return self._fast(t, "working_days", _ZERO, days, None) or self._careful_days(t, days)

    def next_working_day_at(self, t: datetime, at: time) -> datetime:
        """`at` on the first working day strictly after `t`'s local date."""
        _check_clock_time(at, "at", whole_minutes=False)
        return self._fast(t, "next_working_day_at", _ZERO, 0, at) or self._careful_at(t, at)

    def next_issue_at(
        self,
        t: datetime,
        at: time,
        weekdays: Collection[int] = _WORKING_WEEKDAYS,
        *,
        strictly: bool = False,
    ) -> datetime:
        """`at` on the first working day among `weekdays` (Monday 0) at or after `t` (after
        it, with `strictly`): the next batch report (docs/policies.md §4.2, every working
        day) or the next open-market listing (§4.4, its weekdays only).
        """
        _check_clock_time(at, "at", whole_minutes=False)
        wall = _wall(t, "t")
        day = wall.date()
        for _ in range(_A_YEAR_AND_A_WEEK):
            when = datetime.combine(day, at)
            if (
                day.weekday() in weekdays
                and self._is_working(day)
                and (when > wall if strictly else when >= wall)
            ):
                return _localize(when)
            day += _ONE_DAY
        raise ValueError(f"no working day among weekdays {sorted(weekdays)} within a year")

    def next_calendar_day_at(self, t: datetime, at: time) -> datetime:
        """`at` on the calendar day after `t`'s local date, weekends included.

        For "by 13:00 the next calendar day" (docs/policies.md §4.2, hospital discharge
        assessments after 15:00).
        """
        _check_clock_time(at, "at", whole_minutes=False)
        day = _wall(t, "t").date() + _ONE_DAY
        return _localize(datetime.combine(day, at))

    def add_elapsed_hours(self, t: datetime, hours: Decimal | int) -> datetime:
        """`hours` of plain clock time after `t`, weekends and nights included.

        Local wall-clock arithmetic: a deadline set across a clock change keeps
        its wall-clock time (docs/policies.md §1).
        """
        amount = _hours(hours, "hours")
        return self._fast(t, "elapsed_hours", amount, 0, None) or _localize(_wall(t, "t") + amount)

    def deadline(self, t: datetime, expr: Deadline) -> datetime:
        """The deadline for `expr` counted from `t`."""
        # The fast path, as in `_fast` but inlined by hand: a what-if county-year works out
        # hundreds of thousands of deadlines (tests/engine/test_workingtime.py holds both
        # copies to the careful path). Every branch that returns is a record read and one
        # datetime addition; anything else falls through to the careful path.
        if type(t) is datetime:
            zone = t.tzinfo
            local = t if zone is LONDON else t.astimezone(LONDON) if zone is UTC else None
            if local is not None:
                records = self._day_records
                try:
                    record = records[local.toordinal()]
                except KeyError:
                    record = self._day(local.toordinal())
                code = expr._code
                if code == _ELAPSED:
                    end = local + expr._span
                    if end < record.calm_until:  # no clock change from start to end
                        return end
                elif code == _AT:
                    at = expr.at
                    found = record.at.get(at)
                    if found is not None:
                        return found
                    if record.change < _MOVES_DATE:
                        target = record.following or self._nth_after(record, 1)
                        if not target.change:
                            assert at is not None  # checked in Deadline.__post_init__
                            found = record.at[at] = datetime.combine(target.date, at, LONDON)
                            return found
                else:
                    # counting starts inside working hours on this day, else at an opening: the
                    # answers from each day's opening are kept per day and expression
                    opening = None
                    if record.working and local <= record.closes:  # 17:00 belongs to the day
                        if local < record.opens:
                            opening = record
                        elif not record.change:
                            # `ahead` holds this year's and next year's working days, this day
                            # the `rank`-th of them (from 1)
                            if code == _WORKING_HOURS:
                                amount = expr._span
                                end = local + amount
                                if end <= record.closes:
                                    return end
                                index, rest = self._spill(record.rank, end - record.closes)
                            else:
                                days = expr._days
                                if not days:
                                    return local + _ZERO
                                index = record.rank + days - 1
                            ahead = record.ahead
                            target = (
                                ahead[index]
                                if index < len(ahead)
                                else self._nth_after(record, index - record.rank + 1)
                            )
                            if not target.change:
                                if code == _WORKING_HOURS:
                                    return target.opens + rest
                                # the same wall-clock time on the target day
                                return target.opens + (local - record.opens)
                    elif record.change < _MOVES_DATE:  # the time of day does not matter
                        opening = record.following or self._nth_after(record, 1)
                    if opening is not None and not opening.change:
                        key = expr._key
                        found = opening.from_opening.get(key)
                        if found is not None:
                            return found
                        found = self._from_opening(opening, expr)
                        if found is not None:
                            opening.from_opening[key] = found
                            return found
        # the rest (other zones, clock changes, bad input) the careful way
        kind = expr.kind
        if kind == "working_hours":
            return self._careful_hours(t, expr._span)
        if kind == "working_days":
            return self._careful_days(t, expr._days)
        if kind == "next_working_day_at":
            at = expr.at
            assert at is not None  # checked in Deadline.__post_init__
            return self._careful_at(t, at)
        return _localize(_wall(t, "t") + expr._span)

    def _spill(self, rank: int, rest: timedelta) -> tuple[int, timedelta]:
        """Working hours left over (`rest` > 0) at the end of the `rank`-th day of `ahead`: the
        index in `ahead` of the day they end on, and the time after its opening."""
        if rest <= self._day_length:
            return rank, rest  # the next working day
        full_days, rest = divmod(rest, self._day_length)
        if not rest:  # the deadline uses its last day up exactly: 17:00 that day
            full_days -= 1
            rest = self._day_length
        return rank + full_days, rest

    def _from_opening(self, opening: _Day, expr: Deadline) -> datetime | None:
        """A working deadline counted from `opening`'s opening time (None: careful path)."""
        if expr._code == _WORKING_HOURS:
            amount = expr._span
            if amount <= self._day_length:
                return opening.opens + amount
            index, rest = self._spill(opening.rank, amount - self._day_length)
        else:
            if not expr._days:
                return opening.opens + _ZERO
            index, rest = opening.rank + expr._days - 1, _ZERO
        ahead = opening.ahead
        target = (
            ahead[index]
            if index < len(ahead)
            else self._nth_after(opening, index - opening.rank + 1)
        )
        return None if target.change else target.opens + rest

    def working_hours_between(self, start: datetime, end: datetime) -> Decimal:
        """Working time inside [start, end], in hours (0 if end <= start)."""
        return hours_of(self.working_time_between(start, end))

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time inside [start, end], exact to the microsecond (0 if end <= start):
        what the dashboard stores with an award and an answer (sourcing/working_time.py)."""
        start_wall = _wall(start, "start")
        end_wall = _wall(end, "end")
        if end_wall <= start_wall:
            return timedelta(0)
        first, last = start_wall.date(), end_wall.date()
        if first == last:
            total = self._worked_on(first, start_wall, end_wall)
        else:
            total = self._worked_on(first, start_wall, end_wall)
            total += self._worked_on(last, start_wall, end_wall)
            total += self.working_days_between(first, last - _ONE_DAY) * self._day_length
        return total

    # -- the fast path: per-day records -------------------------------------------
    #
    # A deadline from an aware London (or UTC) time on a day without a clock change is
    # worked out from the records of the days involved: whether the day is a working day,
    # its opening and closing times as aware datetimes, and its place among the year's
    # working days. Adding a timedelta to an aware datetime is wall-clock arithmetic, which
    # is what these rules want away from a clock change. Anything else (other zones, a
    # clock-change day, bad input) takes the careful path below, which the fast path
    # matches exactly (tests/engine/test_workingtime.py compares the two).

    def _day(self, ordinal: int) -> _Day:
        record = self._day_records.get(ordinal)
        if record is None:
            record = self._build_year(date.fromordinal(ordinal).year, ordinal)
        return record

    def _build_year(self, year: int, ordinal: int) -> _Day:
        """The records of every day of `year`, built once per calendar and year, each with the
        working days of this year and the next in order (`ahead`), so that a deadline up to a
        year on is an index."""
        built = self._staged_years.pop(year, None) or self._year_days(year, stage=False)
        later = self._year_days(year + 1, stage=True) if year < date.max.year else []
        ahead = tuple(record for record in built if record.working)
        ahead += tuple(record for record in later if record.working)
        first_next = built[-1].rank  # the next year's first working day, if any
        following = ahead[first_next] if first_next < len(ahead) else None
        records = self._day_records
        for record in reversed(built):
            record.ahead = ahead
            record.following = following
            if record.working:
                following = record
            records[record.ordinal] = record
        return records[ordinal]

    def _year_days(self, year: int, *, stage: bool) -> list[_Day]:
        """The records of `year`'s days: those built already, else new ones (kept in
        `_staged_years` with `stage` until `_build_year` completes them)."""
        first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        if first in self._day_records:
            return [self._day_records[each] for each in range(first, last + 1)]
        staged = self._staged_years.get(year)
        if staged is not None:
            return staged
        working = set(self._working_ordinals_in(year))
        changes = _CLOCK_CHANGE_DAYS.get(year)
        if changes is None:
            changes = _clock_change_days(year)
        # an elapsed deadline that ends before the next clock change is one addition
        ahead = sorted(changes)
        if year < date.max.year:
            ahead += sorted(_CLOCK_CHANGE_DAYS.get(year + 1) or _clock_change_days(year + 1))
        calm_ends = [datetime.combine(day, time.min, LONDON) for day in ahead]
        calm_ends.append(datetime.max.replace(tzinfo=LONDON))
        rank = 0
        built = []
        for each in range(first, last + 1):
            day = date.fromordinal(each)
            if each in working:
                rank += 1
            while ahead and ahead[0] < day:
                del ahead[0], calm_ends[0]
            built.append(
                _Day(
                    each,
                    day,
                    each in working,
                    (_MOVES_DATE if _moves_date(day) else 1) if day in changes else 0,
                    calm_ends[0],
                    datetime.combine(day, self.day_start, LONDON),
                    datetime.combine(day, self.day_end, LONDON),
                    rank,
                )
            )
        if stage:
            self._staged_years[year] = built
        return built

    def _nth_after(self, record: _Day, n: int) -> _Day:
        """The record of the `n`-th working day strictly after `record`'s day (n >= 1)."""
        if n == 1 and record.following is not None:
            return record.following
        ahead = record.ahead
        index = record.rank + n - 1
        if index < len(ahead):
            return ahead[index]
        return self._day(self._nth_working_day_after(record.date, n).toordinal())

    def _fast(
        self, t: datetime, kind: str, amount: timedelta, days: int, at: time | None
    ) -> datetime | None:
        """The deadline of `kind` (with its `amount`, `days` or `at`) from the day records;
        None for the careful path (see above). One function, inlined by hand: it runs for
        every deadline of a what-if run."""
        if type(t) is not datetime:
            return None
        zone = t.tzinfo
        if zone is not LONDON:
            if zone is not UTC:
                return None
            t = t.astimezone(LONDON)
        records = self._day_records
        record = records.get(t.toordinal()) or self._day(t.toordinal())
        if record.change:
            return None
        if kind == "elapsed_hours":
            end = t + amount
            ordinal = end.toordinal()
            return None if (records.get(ordinal) or self._day(ordinal)).change else end
        if kind == "next_working_day_at":
            assert at is not None
            found = record.at.get(at)  # each day's answer for each time is made once
            if found is None:
                target = record.following or self._nth_after(record, 1)
                if target.change:
                    return None
                found = record.at[at] = datetime.combine(target.date, at, LONDON)
            return found
        # where counting starts: `t` inside working hours, else the next opening
        if record.working and t <= record.closes:  # 17:00 still belongs to the working day
            position = record.opens if t < record.opens else t
        else:
            record = record.following or self._nth_after(record, 1)
            if record.change:
                return None
            position = record.opens
        if kind == "working_days":
            if not days:
                return position + _ZERO
            target = self._nth_after(record, days)
            if target.change:
                return None
            if position is record.opens:
                return target.opens
            # the same wall-clock time on the target day (neither day has a clock change)
            return position + _days_span(target.ordinal - record.ordinal)
        left = self._day_length if position is record.opens else record.closes - position
        if amount <= left:
            return position + amount
        full_days, rest = divmod(amount - left, self._day_length)
        if not rest:
            full_days -= 1
            rest = self._day_length
        target = self._nth_after(record, full_days + 1)
        return None if target.change else target.opens + rest

    # -- the careful path: any zone, clock-change days --------------------------------

    def _careful_hours(self, t: datetime, amount: timedelta) -> datetime:
        position = self._start_position(_wall(t, "t"))
        day = position.date()
        left_today = datetime.combine(day, self.day_end) - position
        if amount <= left_today:
            return _localize(position + amount)
        full_days, rest = divmod(amount - left_today, self._day_length)
        if not rest:
            # the deadline uses its last day up exactly: 17:00 that day, not 09:00 after it
            full_days -= 1
            rest = self._day_length
        day = self._nth_working_day_after(day, full_days + 1)
        return _localize(datetime.combine(day, self.day_start) + rest)

    def _careful_days(self, t: datetime, days: int) -> datetime:
        position = self._start_position(_wall(t, "t"))
        day = self._nth_working_day_after(position.date(), days)
        return _localize(datetime.combine(day, position.time()))

    def _careful_at(self, t: datetime, at: time) -> datetime:
        day = self._next_working(_wall(t, "t").date())
        return _localize(datetime.combine(day, at))

    # -- internals (wall-clock naive datetimes) ---------------------------------

    def _days_off_in(self, year: int) -> frozenset[date]:
        days_off = self._days_off.get(year)
        if days_off is None:
            closures = {day for day in self.closures if day.year == year}
            days_off = bank_holidays(year) | closures
            self._days_off[year] = days_off
        return days_off

    def _weekdays_off_in(self, year: int) -> tuple[date, ...]:
        """Bank holidays and closures in `year` that fall Monday to Friday, sorted."""
        weekdays_off = self._weekdays_off.get(year)
        if weekdays_off is None:
            weekdays_off = tuple(sorted(d for d in self._days_off_in(year) if d.weekday() < 5))
            self._weekdays_off[year] = weekdays_off
        return weekdays_off

    def _is_working(self, day: date) -> bool:
        if day.weekday() > 4:
            return False
        days_off = self._days_off.get(day.year)
        return day not in (self._days_off_in(day.year) if days_off is None else days_off)

    def _working_ordinals_in(self, year: int) -> tuple[int, ...]:
        """The working days of `year` as sorted date ordinals, built once per calendar and year."""
        ordinals = self._working_ordinals.get(year)
        if ordinals is None:
            off = {day.toordinal() for day in self._days_off_in(year)}
            first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
            # ordinal 1 (0001-01-01) is a Monday, so (ordinal - 1) % 7 is the weekday
            ordinals = tuple(o for o in range(first, last + 1) if (o - 1) % 7 < 5 and o not in off)
            self._working_ordinals[year] = ordinals
        return ordinals

    def _next_working(self, day: date) -> date:
        return self._nth_working_day_after(day, 1)

    def _nth_working_day_after(self, day: date, n: int) -> date:
        """The `n`-th working day strictly after `day` (`day` itself for 0)."""
        if n <= 0:
            return day
        year = day.year
        ordinals = self._working_ordinals.get(year) or self._working_ordinals_in(year)
        index = bisect.bisect_right(ordinals, day.toordinal()) + n - 1
        while index >= len(ordinals):
            # past this year's last working day: carry the rest into the next year
            index -= len(ordinals)
            year += 1
            ordinals = self._working_ordinals.get(year) or self._working_ordinals_in(year)
        return date.fromordinal(ordinals[index])

    def _start_position(self, wall: datetime) -> datetime:
        """Where counting starts: `wall` inside working hours, else the next 09:00."""
        day = wall.date()
        if self._is_working(day):
            clock = wall.time()
            if clock < self.day_start:
                return datetime.combine(day, self.day_start)
            if clock <= self.day_end:  # 17:00 still belongs to the working day
                return wall
        return datetime.combine(self._next_working(day), self.day_start)

    def _worked_on(self, day: date, start: datetime, end: datetime) -> timedelta:
        if not self._is_working(day):
            return _ZERO
        begin = max(start, datetime.combine(day, self.day_start))
        finish = min(end, datetime.combine(day, self.day_end))
        return finish - begin if finish > begin else _ZERO


# ---------------------------------------------------------------------------
# Day records (the fast path)


class _Day:
    """One day of a calendar's year as the fast path reads it (slots: read on every deadline)."""

    __slots__ = (
        "ordinal",
        "date",
        "working",
        "change",
        "calm_until",
        "opens",
        "closes",
        "rank",
        "ahead",
        "following",
        "at",
        "from_opening",
    )

    def __init__(
        self,
        ordinal: int,
        day: date,
        working: bool,
        change: int,
        calm_until: datetime,
        opens: datetime,
        closes: datetime,
        rank: int,
    ) -> None:
        self.ordinal = ordinal
        self.date = day
        self.working = working  # a working day
        # London's clocks change on it (0: no; 1: yes; _MOVES_DATE: and a time on it may be
        # read as on another date): the careful path for anything that reads the time of day
        self.change = change
        self.calm_until = calm_until  # midnight starting the next day with a clock change
        self.opens = opens  # day_start and day_end on it, aware London datetimes
        self.closes = closes
        self.rank = rank  # working days of the year up to and including this one
        self.ahead: tuple[_Day, ...] = ()  # this year's and next year's working days, in order
        self.following: _Day | None = None  # the next working day's (None: not a year on)
        self.at: dict[time | None, datetime] = {}  # "next working day at" answers from this day
        # working deadlines counted from this day's opening, by Deadline._key
        self.from_opening: dict[timedelta | int, datetime] = {}


_MOVES_DATE = 2  # _Day.change: the day's clock change can move a time to another date


def _moves_date(day: date) -> bool:
    """Whether the careful reading of a time on clock-change `day` (_wall: a skipped time moves
    forward, the second pass of a repeated hour to its end) can land on another date; only the
    last moments of the day can move that far. Never for London (its clocks change at 01:00
    UTC), but the fast path relies on it, so it is checked, not assumed."""
    return any(
        _wall(datetime.combine(day, time.max.replace(fold=fold), LONDON), "t").date() != day
        for fold in (0, 1)
    )


_DAY_SPANS: dict[int, timedelta] = {}


def hours_of(working_time: timedelta) -> Decimal:
    """A working time in hours, as `WorkingCalendar.working_hours_between` gives it."""
    microseconds = (
        working_time.days * 86_400 + working_time.seconds
    ) * 1_000_000 + working_time.microseconds
    return Decimal(microseconds) / _MICROSECONDS_PER_HOUR


def _days_span(days: int) -> timedelta:
    span = _DAY_SPANS.get(days)
    if span is None:
        span = _DAY_SPANS[days] = timedelta(days=days)
    return span


# ---------------------------------------------------------------------------
# Conversions and checks


def _wall(t: datetime, name: str) -> datetime:
    """`t` as a naive London wall-clock time; refuses naive input."""
    if not isinstance(t, datetime):
        raise ValueError(f"{name} must be a datetime, got {type(t).__name__}")
    zone = t.tzinfo
    if zone is None or (zone is not LONDON and zone is not UTC and t.utcoffset() is None):
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {t.isoformat()}")
    local = t if zone is LONDON else t.astimezone(LONDON)
    day = local.date()
    changes = _CLOCK_CHANGE_DAYS.get(day.year)
    if changes is None:
        changes = _clock_change_days(day.year)
    if day in changes:
        # a time skipped in spring means its real instant; re-reading via UTC also sets fold
        local = local.astimezone(UTC).astimezone(LONDON)
        before = local.replace(fold=0).utcoffset()
        after = local.replace(fold=1).utcoffset()
        assert before is not None and after is not None
        if local.fold and before != after:
            # second pass of the repeated hour: count from its end so deadlines stay monotonic
            instant = local.astimezone(UTC)
            change = _offset_change(instant - (before - after), instant)
            return (change.astimezone(UTC) + before).replace(tzinfo=None)
        return local.replace(tzinfo=None, fold=0)
    # combine() rather than replace(tzinfo=None): several times faster in CPython 3.12
    clock = local.time()
    return datetime.combine(day, clock.replace(fold=0) if clock.fold else clock)


def _localize(wall: datetime) -> datetime:
    """A London wall-clock time as an aware datetime (gap: moved forward; fold: first)."""
    day = wall.date()
    changes = _CLOCK_CHANGE_DAYS.get(day.year)
    if changes is None:
        changes = _clock_change_days(day.year)
    if day not in changes:
        return datetime.combine(day, wall.time(), LONDON)
    local = wall.replace(tzinfo=LONDON)
    first = local.utcoffset()
    second = local.replace(fold=1).utcoffset()
    assert first is not None and second is not None
    if first < second:
        # skipped by the spring-forward change: the first valid instant after the gap
        return _offset_change(
            (wall - second).replace(tzinfo=UTC), (wall - first).replace(tzinfo=UTC)
        )
    return local


_CLOCK_CHANGE_DAYS: dict[int, frozenset[date]] = {}


def _clock_change_days(year: int) -> frozenset[date]:
    """London dates in `year` on which the UTC offset changes (they need the careful path)."""
    days: set[date] = set()
    instant = datetime(year, 1, 1, tzinfo=UTC) - _ONE_DAY
    offset = instant.astimezone(LONDON).utcoffset()
    for _ in range(368):
        following = instant + _ONE_DAY
        following_offset = following.astimezone(LONDON).utcoffset()
        if following_offset != offset:
            # the change lies within this UTC day: flag every local date it touches
            day, last = instant.astimezone(LONDON).date(), following.astimezone(LONDON).date()
            while day <= last:
                days.add(day)
                day += _ONE_DAY
        instant, offset = following, following_offset
    # a date the changing UTC day only touches (London's Monday after the change: its local
    # day starts after the change) keeps one offset all day and needs no care
    found = frozenset(day for day in days if day.year == year and _offset_changes_on(day))
    _CLOCK_CHANGE_DAYS[year] = found
    return found


def _offset_changes_on(day: date) -> bool:
    """Whether London's UTC offset differs anywhere within local `day` (either reading of its
    first and last moments)."""
    offsets = {
        datetime.combine(day, clock.replace(fold=fold), LONDON).utcoffset()
        for clock in (time.min, time.max)
        for fold in (0, 1)
    }
    return len(offsets) > 1


def _offset_change(before: datetime, after: datetime) -> datetime:
    """The instant in (before, after] where London's UTC offset changes to after's."""
    target = after.astimezone(LONDON).utcoffset()
    low, high = math.floor(before.timestamp()), math.ceil(after.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, LONDON).utcoffset() == target:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, LONDON)


_SPANS: dict[Decimal | int, timedelta] = {}


def hours_span(hours: Decimal | int) -> timedelta:
    """A number of working hours as the span `WorkingCalendar.add_working_span` adds."""
    return _hours(hours, "hours")


def _hours(hours: Decimal | int, name: str) -> timedelta:
    """A non-negative number of hours as a timedelta, rounded to the microsecond."""
    kind = type(hours)
    # policies use a handful of amounts: converting each time costs more than the deadline
    cacheable = kind is int or (
        isinstance(hours, Decimal) and hours.is_finite()
    )  # sNaN: unhashable
    if cacheable:
        span = _SPANS.get(hours)
        if span is not None:
            return span
    if isinstance(hours, int) and not isinstance(hours, bool):
        if hours < 0:
            raise ValueError(f"{name} must not be negative, got {hours}")
        span = timedelta(hours=hours)
    elif not isinstance(hours, Decimal):
        raise ValueError(f"{name} must be a Decimal or an int, got {hours!r}")
    elif not hours.is_finite() or hours < 0:
        raise ValueError(f"{name} must be a finite, non-negative number, got {hours}")
    else:
        microseconds = (hours * _MICROSECONDS_PER_HOUR).to_integral_value(ROUND_HALF_EVEN)
        span = timedelta(microseconds=int(microseconds))
    if cacheable:
        if len(_SPANS) > 4096:
            _SPANS.clear()
        _SPANS[hours] = span
    return span


def _check_date(day: date, name: str) -> date:
    if isinstance(day, datetime) or not isinstance(day, date):
        raise ValueError(f"{name} must be a date (not a datetime), got {day!r}")
    return day


def _check_clock_time(clock: time, name: str, *, whole_minutes: bool = True) -> None:
    if not isinstance(clock, time):
        raise ValueError(f"{name} must be a time, got {clock!r}")
    if clock.tzinfo is not None:
        raise ValueError(f"{name} must be a local clock time without tzinfo, got {clock}")
    if whole_minutes and (clock.second or clock.microsecond):
        raise ValueError(f"{name} must be whole minutes (HH:MM), got {clock}")


def _weekdays_up_to(day: date) -> int:
    """Mondays to Fridays from 0001-01-01 (a Monday) up to and including `day`."""
    weeks, extra = divmod(day.toordinal(), 7)
    return weeks * 5 + min(extra, 5)
