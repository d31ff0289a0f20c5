"""Working time (docs/policies.md §1): working hours, working days, bank holidays, clock changes.

Every test pins its own start time; nothing reads the clock. Dates used:
Wed 25 Nov 2026 is an ordinary week; clocks go forward Sun 29 Mar 2026 and
Sun 28 Mar 2027 (the Easter weekend), back Sun 25 Oct 2026 and Sun 31 Oct 2027.
"""

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import holidays
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from carebroker.engine.workingtime import (
    Deadline,
    WorkingCalendar,
    bank_holidays,
)
from carebroker.lib.london import LONDON

CALENDAR = WorkingCalendar()
GMT = timedelta(0)
BST = timedelta(hours=1)


def london(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=LONDON, fold=fold)  # type: ignore[misc]


def elapsed(start: datetime, end: datetime) -> timedelta:
    # same-tzinfo subtraction is wall-clock (fold ignored): measure real time in UTC
    return end.astimezone(UTC) - start.astimezone(UTC)


def assert_same_instant_and_offset(actual: datetime, expected: datetime) -> None:
    assert actual == expected
    assert actual.tzinfo is LONDON
    assert actual.utcoffset() == expected.utcoffset()


# --- working hours ------------------------------------------------------------


def test_two_working_hours_from_1630_due_1030_next_working_day():
    """docs/policies.md §1: sent 16:30 with 2 working hours is due 10:30 on the next working day."""
    due = CALENDAR.add_working_hours(london(2026, 11, 25, 16, 30), 2)
    assert_same_instant_and_offset(due, london(2026, 11, 26, 10, 30))


def test_working_hours_from_friday_afternoon_due_monday():
    """Working hours skip the weekend: Friday 16:30 + 2 working hours is Monday 10:30."""
    due = CALENDAR.add_working_hours(london(2026, 11, 27, 16, 30), 2)
    assert due == london(2026, 11, 30, 10, 30)


@pytest.mark.parametrize(
    ("sent", "due"),
    [
        (london(2026, 11, 25, 19, 0), london(2026, 11, 26, 11, 0)),  # Wed evening
        (london(2026, 11, 25, 7, 0), london(2026, 11, 25, 11, 0)),  # Wed early morning
        (london(2026, 11, 28, 11, 0), london(2026, 11, 30, 11, 0)),  # Saturday
        (london(2026, 11, 27, 23, 59), london(2026, 11, 30, 11, 0)),  # Friday night
    ],
)
def test_request_sent_outside_working_hours_starts_counting_at_next_9am(sent, due):
    """docs/policies.md §1: outside working hours the count starts at the next working 09:00."""
    assert CALENDAR.add_working_hours(sent, 2) == due


def test_working_hours_deadline_using_up_the_day_is_due_1700_that_day():
    """Fixed here: a deadline that ends exactly at the end of the day stays at 17:00 that day."""
    assert CALENDAR.add_working_hours(london(2026, 11, 25, 15, 0), 2) == london(2026, 11, 25, 17)
    assert CALENDAR.add_working_hours(london(2026, 11, 25, 9, 0), 16) == london(2026, 11, 26, 17)
    assert CALENDAR.add_working_hours(london(2026, 11, 27, 9, 0), 8) == london(2026, 11, 27, 17)


def test_request_sent_at_exactly_1700_counts_from_next_working_morning():
    """Fixed here: 17:00 belongs to the working day, 0 hours is 17:00, 1 hour 10:00 next day."""
    sent = london(2026, 11, 25, 17, 0)
    assert CALENDAR.add_working_hours(sent, 0) == sent
    assert CALENDAR.add_working_hours(sent, 1) == london(2026, 11, 26, 10, 0)
    assert CALENDAR.add_working_hours(london(2026, 11, 25, 17, 0, 1), 0) == london(2026, 11, 26, 9)


def test_fractional_working_hours_count_minutes():
    """'1.5 working hours' from 16:00 leaves one hour today and half an hour tomorrow: 09:30."""
    due = CALENDAR.add_working_hours(london(2026, 11, 25, 16, 0), Decimal("1.5"))
    assert due == london(2026, 11, 26, 9, 30)


def test_many_working_hours_span_whole_working_days():
    """40 working hours from Monday 09:00 is a full working week: Friday 17:00."""
    assert CALENDAR.add_working_hours(london(2026, 11, 23, 9, 0), 40) == london(2026, 11, 27, 17)
    assert CALENDAR.add_working_hours(london(2026, 11, 23, 9, 0), 41) == london(2026, 11, 30, 10)


# --- working days ---------------------------------------------------------------


def test_five_working_days_from_wednesday_10am_due_next_wednesday_10am():
    """docs/policies.md §1: sent Wed 10:00, 5 working days, no holidays: due the next Wed 10:00."""
    assert CALENDAR.add_working_days(london(2026, 11, 25, 10, 0), 5) == london(2026, 12, 2, 10)


@pytest.mark.parametrize(
    ("sent", "due"),
    [
        (london(2026, 11, 28, 11, 0), london(2026, 12, 1, 9, 0)),  # Saturday: Mon 09:00, +1
        (london(2026, 11, 25, 18, 0), london(2026, 11, 27, 9, 0)),  # Wed evening: Thu 09:00, +1
        (london(2026, 11, 25, 7, 0), london(2026, 11, 26, 9, 0)),  # Wed early: Wed 09:00, +1
        (london(2026, 11, 25, 17, 0), london(2026, 11, 26, 17, 0)),  # 17:00 is still Wednesday
    ],
)
def test_working_days_from_outside_hours_start_at_next_working_period(sent, due):
    """docs/policies.md §1: T outside working hours moves to the next working period first."""
    assert CALENDAR.add_working_days(sent, 1) == due


def test_working_day_deadline_from_friday_due_monday_same_time():
    """One working day from Friday 14:15 is Monday 14:15."""
    assert CALENDAR.add_working_days(london(2026, 11, 27, 14, 15), 1) == london(
        2026, 11, 30, 14, 15
    )


# --- bank holidays and closures ----------------------------------------------------


def test_two_working_days_from_23_december_2026_skip_christmas_and_boxing_day():
    """Wed 23 Dec 2026 + 2 working days: Thu 24, then Fri 25 and Mon 28 (Boxing Day
    observed) are bank holidays, so Tue 29 Dec."""
    due = CALENDAR.add_working_days(london(2026, 12, 23, 10, 0), 2)
    assert due == london(2026, 12, 29, 10, 0)


def test_request_sent_christmas_eve_1630_with_two_working_hours_due_29_december():
    """24 Dec 2026 16:30 + 2 working hours: half an hour on Christmas Eve, 1.5 on Tue 29 Dec."""
    due = CALENDAR.add_working_hours(london(2026, 12, 24, 16, 30), 2)
    assert due == london(2026, 12, 29, 10, 30)


def test_new_years_day_2027_is_skipped():
    """Thu 31 Dec 2026 16:00 + 2 working hours: Fri 1 Jan 2027 is a bank holiday, so Mon 4 Jan."""
    due = CALENDAR.add_working_hours(london(2026, 12, 31, 16, 0), 2)
    assert due == london(2027, 1, 4, 10, 0)


def test_christmas_2027_observed_holidays_on_monday_and_tuesday():
    """Christmas 2027 falls on a weekend: Mon 27 and Tue 28 Dec are the observed holidays."""
    due = CALENDAR.add_working_days(london(2027, 12, 24, 12, 0), 1)
    assert due == london(2027, 12, 29, 12, 0)


def test_easter_2027_good_friday_and_easter_monday_are_not_working_days():
    """Good Friday 26 Mar and Easter Monday 29 Mar 2027 come from the holidays package (ENG)."""
    england = holidays.country_holidays("GB", subdiv="ENG", years=2027)
    assert england.get(date(2027, 3, 26)) == "Good Friday"
    assert england.get(date(2027, 3, 29)) == "Easter Monday"
    assert {date(2027, 3, 26), date(2027, 3, 29)} <= bank_holidays(2027)
    assert not CALENDAR.is_working_day(date(2027, 3, 26))
    assert not CALENDAR.is_working_day(date(2027, 3, 29))
    assert CALENDAR.is_working_day(date(2027, 3, 25))
    assert CALENDAR.next_working_day(date(2027, 3, 25)) == date(2027, 3, 30)


def test_easter_2027_deadline_crosses_holidays_and_the_clock_change():
    """Thu 25 Mar 2027 16:30 GMT + 2 working hours is Tue 30 Mar 10:30, now in BST."""
    due = CALENDAR.add_working_hours(london(2027, 3, 25, 16, 30), 2)
    assert_same_instant_and_offset(due, london(2027, 3, 30, 10, 30))
    assert due.utcoffset() == BST
    assert due.astimezone(UTC) == datetime(2027, 3, 30, 9, 30, tzinfo=UTC)


def test_scotland_only_holiday_is_a_working_day():
    """The rule uses England and Wales: 2 Jan 2029 (Scotland only) is a working day."""
    assert CALENDAR.is_working_day(date(2029, 1, 2))


def test_council_closure_day_is_not_a_working_day():
    """docs/policies.md §1: closure days the council adds are skipped like bank holidays."""
    closed = WorkingCalendar(closures=frozenset({date(2026, 11, 26)}))
    assert not closed.is_working_day(date(2026, 11, 26))
    assert closed.add_working_hours(london(2026, 11, 25, 16, 30), 2) == london(2026, 11, 27, 10, 30)
    assert closed.add_working_days(london(2026, 11, 25, 10, 0), 1) == london(2026, 11, 27, 10, 0)
    assert closed.working_days_between(date(2026, 11, 25), date(2026, 11, 27)) == 1
    assert CALENDAR.working_days_between(date(2026, 11, 25), date(2026, 11, 27)) == 2


def test_configurable_working_hours():
    """A council working 08:00-18:00: 17:30 + 1 working hour is 08:30 next working day."""
    longer = WorkingCalendar(day_start=time(8, 0), day_end=time(18, 0))
    assert longer.add_working_hours(london(2026, 11, 25, 17, 30), 1) == london(2026, 11, 26, 8, 30)
    assert longer.add_working_days(london(2026, 11, 25, 7, 0), 1) == london(2026, 11, 26, 8, 0)


# --- next working day at ---------------------------------------------------------


def test_friday_batch_interest_due_monday_10am():
    """docs/policies.md §4.2: Friday's 16:00 batch has interest due 10:00 on Monday."""
    due = CALENDAR.next_working_day_at(london(2026, 11, 27, 16, 0), time(10, 0))
    assert due == london(2026, 11, 30, 10, 0)


def test_next_working_day_at_is_strictly_after_the_date_even_before_that_time():
    """Sent Monday 08:00, 'next working day at 10:00' is Tuesday 10:00, not Monday."""
    due = CALENDAR.next_working_day_at(london(2026, 11, 23, 8, 0), time(10, 0))
    assert due == london(2026, 11, 24, 10, 0)


def test_next_working_day_at_over_easter_2026_and_the_clock_change():
    """Thu 2 Apr 2026 batch: Good Friday and Easter Monday skipped, due Tue 7 Apr 10:00 BST."""
    due = CALENDAR.next_working_day_at(london(2026, 4, 2, 16, 0), time(10, 0))
    assert_same_instant_and_offset(due, london(2026, 4, 7, 10, 0))
    spring = CALENDAR.next_working_day_at(london(2026, 3, 27, 16, 0), time(10, 0))
    assert spring.utcoffset() == BST
    assert spring.astimezone(UTC) == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)


def test_next_calendar_day_at_includes_weekends():
    """docs/policies.md §4.2: ISP sent after 15:00 Friday (hospital discharge): Saturday 13:00."""
    due = CALENDAR.next_calendar_day_at(london(2026, 11, 27, 15, 30), time(13, 0))
    assert due == london(2026, 11, 28, 13, 0)


# --- clock changes ----------------------------------------------------------------


def test_spring_clock_change_working_deadlines_keep_wall_clock_time():
    """Across the spring change (Sun 29 Mar 2026) deadlines keep local time and gain +01:00."""
    hours = CALENDAR.add_working_hours(london(2026, 3, 27, 16, 30), 2)
    assert_same_instant_and_offset(hours, london(2026, 3, 30, 10, 30))
    assert hours.utcoffset() == BST
    days = CALENDAR.add_working_days(london(2026, 3, 27, 10, 0), 1)
    assert days.astimezone(UTC) == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)


def test_autumn_clock_change_working_deadlines_keep_wall_clock_time():
    """Across the autumn change (Sun 25 Oct 2026) deadlines keep local time and drop to +00:00."""
    sent = london(2026, 10, 23, 10, 0)
    assert sent.utcoffset() == BST
    days = CALENDAR.add_working_days(sent, 1)
    assert_same_instant_and_offset(days, london(2026, 10, 26, 10, 0))
    assert days.utcoffset() == GMT
    assert days.astimezone(UTC) == datetime(2026, 10, 26, 10, 0, tzinfo=UTC)
    late = CALENDAR.add_working_days(london(2027, 10, 29, 15, 0), 1)
    assert late.astimezone(UTC) == datetime(2027, 11, 1, 15, 0, tzinfo=UTC)


def test_elapsed_24_hours_keeps_wall_clock_across_clock_changes():
    """docs/policies.md §1: '24 hours' from Saturday 13:00 is Sunday 13:00 on both change days."""
    spring = CALENDAR.add_elapsed_hours(london(2026, 3, 28, 13, 0), 24)
    assert_same_instant_and_offset(spring, london(2026, 3, 29, 13, 0))
    assert elapsed(london(2026, 3, 28, 13, 0), spring) == timedelta(hours=23)
    autumn = CALENDAR.add_elapsed_hours(london(2027, 10, 30, 13, 0), 24)
    assert_same_instant_and_offset(autumn, london(2027, 10, 31, 13, 0))
    assert elapsed(london(2027, 10, 30, 13, 0), autumn) == timedelta(hours=25)


def test_isp_sent_at_1pm_assessment_due_1pm_following_day_weekends_included():
    """Seed 000: ISP at 1pm, assessment by 1pm the following day; Friday's is due Saturday."""
    assert CALENDAR.add_elapsed_hours(london(2026, 11, 25, 13), 24) == london(2026, 11, 26, 13)
    assert CALENDAR.add_elapsed_hours(london(2026, 11, 27, 13), 24) == london(2026, 11, 28, 13)
    assert CALENDAR.add_elapsed_hours(london(2026, 11, 27, 15, 30), 4) == london(
        2026, 11, 27, 19, 30
    )


def test_elapsed_deadline_in_the_skipped_hour_moves_to_0200_bst():
    """Fixed here: a wall time skipped in spring (01:00-02:00) moves forward to 02:00 BST."""
    due = CALENDAR.add_elapsed_hours(london(2026, 3, 29, 0, 30), 1)
    assert due.astimezone(UTC) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert due.utcoffset() == BST
    assert (due.hour, due.minute) == (2, 0)


def test_elapsed_deadline_in_the_repeated_hour_takes_the_first_occurrence():
    """Fixed here: a wall time repeated in autumn (01:00-02:00) is the first (BST) one."""
    due = CALENDAR.add_elapsed_hours(london(2026, 10, 24, 1, 30), 24)
    assert due.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert due.utcoffset() == BST


def test_start_in_the_second_pass_of_the_repeated_hour_counts_from_its_end():
    """Fixed here: 01:30 GMT (second pass) counts from 02:00: later starts never end earlier."""
    second_pass = london(2026, 10, 25, 1, 30, fold=1)
    assert second_pass.utcoffset() == GMT
    due = CALENDAR.add_elapsed_hours(second_pass, 1)
    assert due == london(2026, 10, 25, 3, 0)
    first_pass = london(2026, 10, 25, 1, 50)  # BST, 40 minutes before the second pass's 01:30
    assert elapsed(CALENDAR.add_elapsed_hours(first_pass, 1), due) >= timedelta(0)


def test_start_at_a_skipped_local_time_is_read_as_its_real_instant():
    """A London 01:30 on the spring-change day never shows on a clock; Python reads it as
    01:30 GMT, which is 02:30 BST, and deadlines count from there."""
    imaginary = london(2026, 3, 29, 1, 30)
    due = CALENDAR.add_elapsed_hours(imaginary, 0)
    assert due.astimezone(UTC) == imaginary.astimezone(UTC)
    assert (due.hour, due.minute, due.utcoffset()) == (2, 30, BST)


# --- inputs in other zones, bad inputs ---------------------------------------------


def test_inputs_in_other_zones_are_read_as_london_time_and_results_are_in_london():
    """15:30 UTC in July is 16:30 in London, so + 1 working hour is 09:30 next day, in London."""
    due = CALENDAR.add_working_hours(datetime(2026, 7, 1, 15, 30, tzinfo=UTC), 1)  # 16:30 BST
    assert due.tzinfo is LONDON
    assert (due.date(), due.hour, due.minute) == (date(2026, 7, 2), 9, 30)


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda t: CALENDAR.add_working_hours(t, 1), "t"),
        (lambda t: CALENDAR.add_working_days(t, 1), "t"),
        (lambda t: CALENDAR.next_working_day_at(t, time(10)), "t"),
        (lambda t: CALENDAR.add_elapsed_hours(t, 1), "t"),
        (lambda t: CALENDAR.deadline(t, Deadline.parse("1 working hour")), "t"),
        (lambda t: CALENDAR.working_hours_between(t, london(2026, 11, 25, 9)), "start"),
        (lambda t: CALENDAR.working_hours_between(london(2026, 11, 25, 9), t), "end"),
    ],
)
def test_naive_datetime_is_refused_naming_the_argument(call, argument):
    """docs/policies.md §1: inputs must be timezone-aware; a naive one is a ValueError naming it."""
    with pytest.raises(ValueError, match=f"^{argument} must be a timezone-aware datetime"):
        call(datetime(2026, 11, 25, 10, 0))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: CALENDAR.add_working_hours(london(2026, 11, 25, 10), -1), "must not be negative"),
        (lambda: CALENDAR.add_working_hours(london(2026, 11, 25, 10), 1.5), "Decimal or an int"),
        (
            lambda: CALENDAR.add_elapsed_hours(london(2026, 11, 25, 10), Decimal("NaN")),
            "finite, non-negative",
        ),
        (
            lambda: CALENDAR.add_elapsed_hours(london(2026, 11, 25, 10), Decimal("sNaN")),
            "finite, non-negative",
        ),
        (lambda: CALENDAR.add_working_days(london(2026, 11, 25, 10), -2), "must not be negative"),
        (lambda: CALENDAR.add_working_days(london(2026, 11, 25, 10), 1.0), "whole number"),
        (lambda: CALENDAR.is_working_day(datetime(2026, 11, 25, tzinfo=UTC)), "not a datetime"),
        (lambda: WorkingCalendar(day_start=time(17), day_end=time(9)), "must be before day_end"),
        (lambda: WorkingCalendar(closures=frozenset({datetime(2026, 1, 2)})), "dates only"),
        (lambda: Deadline("working_days", Decimal("1.5")), "must be whole"),
        (lambda: Deadline("next_working_day_at", Decimal(0)), "needs a time"),
        (lambda: Deadline("calendar_days", Decimal(1)), "kind 'calendar_days' is unknown"),
    ],
)
def test_bad_amounts_and_settings_are_refused_with_a_clear_message(call, message):
    """Negative, float or NaN amounts, datetimes for dates and inverted hours are ValueErrors."""
    with pytest.raises(ValueError, match=message):
        call()


# --- Deadline expressions ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 working hours", Deadline("working_hours", Decimal(2))),
        ("1 working hour", Deadline("working_hours", Decimal(1))),
        ("1.5 working hours", Deadline("working_hours", Decimal("1.5"))),
        ("5 working days", Deadline("working_days", Decimal(5))),
        ("1 working day", Deadline("working_days", Decimal(1))),
        ("next working day at 10:00", Deadline("next_working_day_at", Decimal(0), time(10))),
        ("24 hours", Deadline("elapsed_hours", Decimal(24))),
        ("4 hours", Deadline("elapsed_hours", Decimal(4))),
        ("  Next Working  Day at 9:30 ", Deadline("next_working_day_at", Decimal(0), time(9, 30))),
    ],
)
def test_deadline_parse_reads_policy_text_and_round_trips(text, expected):
    """Deadline.parse reads every form of docs/policies.md §1; str() parses back the same."""
    parsed = Deadline.parse(text)
    assert parsed == expected
    assert Deadline.parse(str(parsed)) == parsed


def test_deadline_str_is_the_policy_wording():
    """str() writes the words a policy file uses, singular for one."""
    assert str(Deadline.parse("1 working hour")) == "1 working hour"
    assert str(Deadline.parse("2.50 working hours")) == "2.5 working hours"
    assert str(Deadline.parse("next working day at 9:05")) == "next working day at 09:05"
    assert str(Deadline.parse("24 hours")) == "24 hours"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("soon", "not understood"),
        ("2 working weeks", "not understood"),
        ("2 days", "calendar days are not a deadline kind"),
        ("1.5 working days", "whole number"),
        ("0 working hours", "positive"),
        ("two working hours", "'two' is not a number"),
        ("-2 hours", "'-2' is not a number"),
        ("1e3 hours", "'1e3' is not a number"),
        ("next working day at 25:00", "'25:00' is not a clock time"),
        ("next working day at 10", "'10' is not HH:MM"),
        ("next working day at noon", "'noon' is not HH:MM"),
    ],
)
def test_deadline_parse_refuses_anything_else_naming_what_is_wrong(text, message):
    """Deadline.parse raises ValueError saying which part of the text is wrong."""
    with pytest.raises(ValueError, match=message):
        Deadline.parse(text)


def test_deadline_dispatches_on_its_kind():
    """calendar.deadline(t, expr) gives the same as the method for expr's kind."""
    sent = london(2026, 11, 27, 16, 30)
    assert CALENDAR.deadline(sent, Deadline.parse("2 working hours")) == london(
        2026, 11, 30, 10, 30
    )
    assert CALENDAR.deadline(sent, Deadline.parse("1 working day")) == london(2026, 11, 30, 16, 30)
    at_ten = Deadline.parse("next working day at 10:00")
    assert CALENDAR.deadline(sent, at_ten) == london(2026, 11, 30, 10, 0)
    assert CALENDAR.deadline(sent, Deadline.parse("24 hours")) == london(2026, 11, 28, 16, 30)


# --- measuring working time ------------------------------------------------------------


def test_working_days_between_counts_days_after_start_up_to_end():
    """'Days waiting': working days after the start, up to and including the end."""
    assert CALENDAR.working_days_between(date(2026, 11, 23), date(2026, 11, 27)) == 4
    assert CALENDAR.working_days_between(date(2026, 11, 27), date(2026, 11, 30)) == 1
    assert CALENDAR.working_days_between(date(2026, 12, 23), date(2027, 1, 4)) == 5
    assert CALENDAR.working_days_between(date(2026, 11, 27), date(2026, 11, 27)) == 0
    assert CALENDAR.working_days_between(date(2026, 11, 27), date(2026, 11, 20)) == 0


def test_working_hours_between_counts_only_working_time():
    """16:30 Wed to 10:30 Thu is 2 working hours; Friday 09:00 to Monday 17:00 over the
    spring clock change is 16 (working hours are wall-clock hours)."""
    wednesday, thursday = london(2026, 11, 25, 16, 30), london(2026, 11, 26, 10, 30)
    assert CALENDAR.working_hours_between(wednesday, thursday) == Decimal(2)
    friday, monday = london(2026, 3, 27, 9, 0), london(2026, 3, 30, 17, 0)
    assert CALENDAR.working_hours_between(friday, monday) == Decimal(16)
    assert CALENDAR.working_hours_between(thursday, wednesday) == Decimal(0)
    evening = london(2026, 11, 25, 18, 0), london(2026, 11, 25, 23, 0)
    assert CALENDAR.working_hours_between(*evening) == Decimal(0)


# --- properties ---------------------------------------------------------------------------

_CHANGES = [
    datetime(2026, 3, 29),
    datetime(2026, 10, 25),
    datetime(2027, 3, 28),
    datetime(2027, 10, 31),
]

# Any instant in 2026-2027, plus instants within two days of a clock change.
instants = st.one_of(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31, 23, 59)),
    st.builds(
        lambda change, offset: change + timedelta(seconds=offset),
        st.sampled_from(_CHANGES),
        st.integers(min_value=-2 * 86_400, max_value=2 * 86_400),
    ),
).map(lambda naive: naive.replace(tzinfo=UTC).astimezone(LONDON))
# London wall times around the changes, including skipped (imaginary) and repeated ones
london_walls = st.one_of(
    *[
        st.datetimes(
            min_value=change - timedelta(days=1),
            max_value=change + timedelta(days=1),
            timezones=st.just(LONDON),
        )
        for change in _CHANGES
    ]
)

calendars = st.builds(
    WorkingCalendar,
    day_start=st.sampled_from([time(9, 0), time(8, 0), time(7, 30)]),
    day_end=st.sampled_from([time(17, 0), time(18, 0), time(16, 45)]),
    closures=st.frozensets(st.dates(date(2026, 1, 1), date(2027, 12, 31)), max_size=8),
)
working_hours = st.one_of(
    st.integers(min_value=0, max_value=60),
    st.decimals(min_value=0, max_value=60, places=2),
)
deadlines = st.one_of(
    st.builds(Deadline, st.just("working_hours"), st.decimals(0, 60, places=2)),
    st.builds(Deadline, st.just("working_days"), st.integers(0, 30).map(Decimal)),
    st.builds(
        Deadline,
        st.just("next_working_day_at"),
        st.just(Decimal(0)),
        st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    ),
    st.builds(Deadline, st.just("elapsed_hours"), st.decimals(0, 100, places=2)),
)
properties = settings(deadline=None, max_examples=200)


@properties
@given(calendar=calendars, start=instants, hours=working_hours)
@example(calendar=CALENDAR, start=london(2026, 11, 25, 16, 30), hours=2)
def test_working_hours_deadline_is_always_inside_working_hours_on_a_working_day(
    calendar, start, hours
):
    """A working-hours deadline lands on a working day, between day_start and day_end."""
    due = calendar.add_working_hours(start, hours)
    assert due.tzinfo is LONDON
    assert calendar.is_working_day(due.date())
    assert calendar.day_start <= due.time() <= calendar.day_end
    assert elapsed(start, due) >= timedelta(0)


@properties
@given(
    calendar=calendars,
    first=st.one_of(instants, london_walls),
    second=st.one_of(instants, london_walls),
    expr=deadlines,
)
@example(
    calendar=CALENDAR,
    first=london(2026, 10, 25, 1, 50),
    second=london(2026, 10, 25, 1, 10, fold=1),
    expr=Deadline.parse("24 hours"),
)
@example(
    calendar=CALENDAR,
    first=london(2026, 3, 29, 1, 30),  # skipped by the clocks: really 02:30 BST
    second=london(2026, 3, 29, 2, 10),
    expr=Deadline.parse("0.5 hours"),
)
def test_later_start_never_gives_an_earlier_deadline(calendar, first, second, expr):
    """For every kind, deadlines are monotonic in the start time and never before it."""
    # same-tzinfo comparison ignores fold, so order and compare as real instants (UTC)
    early, late = sorted([first, second], key=lambda t: t.astimezone(UTC))
    early_due, late_due = calendar.deadline(early, expr), calendar.deadline(late, expr)
    assert elapsed(early_due, late_due) >= timedelta(0)
    assert elapsed(early, early_due) >= timedelta(0)
    assert late_due.tzinfo is LONDON


@properties
@given(
    calendar=calendars,
    start=instants,
    first=st.integers(0, 30),
    then=st.integers(0, 30),
)
def test_n_then_m_working_days_equals_n_plus_m(calendar, start, first, then):
    """Adding N then M working days is the same as adding N+M."""
    stepwise = calendar.add_working_days(calendar.add_working_days(start, first), then)
    assert stepwise == calendar.add_working_days(start, first + then)


@properties
@given(calendar=calendars, start=instants, hours=working_hours)
def test_working_hours_added_then_measured_back_give_the_same_amount(calendar, start, hours):
    """working_hours_between(t, add_working_hours(t, h)) == h."""
    due = calendar.add_working_hours(start, hours)
    assert calendar.working_hours_between(start, due) == hours


@properties
@given(
    calendar=calendars,
    start=st.dates(date(2026, 1, 1), date(2027, 12, 31)),
    span=st.integers(0, 400),
)
def test_working_days_between_counts_the_working_days_one_by_one(calendar, start, span):
    """working_days_between agrees with stepping through next_working_day."""
    end = start + timedelta(days=span)
    count, day = 0, calendar.next_working_day(start)
    while day <= end:
        count, day = count + 1, calendar.next_working_day(day)
    assert calendar.working_days_between(start, end) == count


# The same instants as a fixed zero offset that is not `datetime.UTC` itself: the calendar
# takes its careful path for them (the day records serve London and UTC times only).
_ANOTHER_UTC = timezone(timedelta(0), "another UTC")
# Any instant from 2025 to 2031: deadlines that run into the next year and back
years_apart = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2031, 12, 31, 23, 59)
).map(lambda naive: naive.replace(tzinfo=UTC).astimezone(LONDON))


@properties
@given(
    calendar=calendars,
    start=st.one_of(instants, london_walls, years_apart),
    expr=deadlines,
    as_utc=st.booleans(),
)
@example(
    calendar=CALENDAR,
    start=london(2026, 11, 25, 17, 0),  # 17:00 belongs to the working day
    expr=Deadline.parse("1 working day"),
    as_utc=False,
)
@example(
    calendar=CALENDAR,
    start=london(2026, 12, 31, 16, 30),
    expr=Deadline.parse("20 working days"),
    as_utc=False,
)
@example(
    calendar=CALENDAR,
    start=london(2027, 3, 26, 16, 0),  # Friday before the clocks go forward
    expr=Deadline.parse("1 working day"),
    as_utc=True,
)
def test_a_deadline_from_the_day_records_equals_the_careful_path(calendar, start, expr, as_utc):
    """Issue 14: London and UTC times take the precomputed day records; any other zone the
    careful path. For the same instant both give the same deadline, to the offset and fold,
    through `deadline` and through the method of its kind (each has its own fast path)."""
    fast_input = start.astimezone(UTC) if as_utc else start
    careful = calendar.deadline(start.astimezone(_ANOTHER_UTC), expr)
    by_kind = {
        "working_hours": lambda t: calendar.add_working_hours(t, expr.amount),
        "working_days": lambda t: calendar.add_working_days(t, int(expr.amount)),
        "next_working_day_at": lambda t: calendar.next_working_day_at(t, expr.at),
        "elapsed_hours": lambda t: calendar.add_elapsed_hours(t, expr.amount),
    }[expr.kind]
    for fast in (calendar.deadline(fast_input, expr), by_kind(fast_input)):
        assert fast == careful
        assert fast.tzinfo is LONDON and careful.tzinfo is LONDON
        assert (fast.replace(tzinfo=None), fast.utcoffset(), fast.fold) == (
            careful.replace(tzinfo=None),
            careful.utcoffset(),
            careful.fold,
        )


@given(expr=deadlines.filter(lambda d: d.amount != 0 or d.kind == "next_working_day_at"))
def test_deadline_text_round_trips(expr):
    """Every positive deadline prints as text that parses back to an equal Deadline."""
    assert Deadline.parse(str(expr)) == expr


# -- the next issue time: one function for the batch and the open market ------------------


def test_next_issue_is_today_at_the_issue_time_or_the_next_working_day():
    """§4.2: the 16:00 batch: before 16:00 on a working day, today; after, the next working
    day; Friday after 16:00 goes to Monday; at 16:00 exactly is today (not strictly)."""
    four = time(16, 0)
    wednesday_noon = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert CALENDAR.next_issue_at(wednesday_noon, four) == datetime(
        2026, 11, 25, 16, 0, tzinfo=LONDON
    )
    friday_late = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
    assert CALENDAR.next_issue_at(friday_late, four) == datetime(2026, 11, 30, 16, 0, tzinfo=LONDON)
    at_four = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
    assert CALENDAR.next_issue_at(at_four, four) == at_four
    assert CALENDAR.next_issue_at(at_four, four, strictly=True) == datetime(
        2026, 11, 26, 16, 0, tzinfo=LONDON
    )


def test_next_listing_is_on_a_listed_weekday_that_is_a_working_day():
    """§4.4: listings on Mondays and Thursdays skip bank holidays: Christmas Eve (Thursday)
    lists, the next Monday (28 Dec, a bank holiday) does not: Thursday 31 Dec."""
    nine = time(9, 0)
    after_christmas_eve = datetime(2026, 12, 24, 10, 0, tzinfo=UTC)
    assert CALENDAR.next_issue_at(after_christmas_eve, nine, (0, 3)) == datetime(
        2026, 12, 31, 9, 0, tzinfo=LONDON
    )
    with pytest.raises(ValueError, match="within a year"):
        CALENDAR.next_issue_at(after_christmas_eve, nine, (5, 6))


@pytest.mark.parametrize(
    ("start", "text"),
    [
        (london(2026, 3, 29, 1, 30), "2 working hours"),  # clock-change Sunday, skipped hour
        (london(2026, 10, 25, 1, 30, fold=1), "5 working days"),  # Sunday, repeated hour
        (london(2026, 10, 25, 12, 0), "next working day at 10:00"),  # Sunday after the change
        (london(2026, 3, 30, 9, 30), "1 working day"),  # the Monday after the change
        (london(2026, 10, 26, 16, 0), "3 working hours"),  # into Tuesday
        (london(2026, 12, 31, 10, 0), "20 working hours"),  # into the next year's records
        (london(2026, 12, 31, 18, 0), "1 working day"),  # from the next year's first opening
        (london(2027, 12, 24, 8, 0), Deadline("working_days", Decimal(0))),
        (london(2026, 11, 25, 7, 0), "16 working hours"),  # uses two days up exactly
        (london(2026, 11, 28, 11, 0), "8.5 working hours"),
        (london(2026, 3, 28, 23, 30), "24 hours"),  # ends on the change day
        (london(2026, 3, 27, 23, 30), "24 hours"),  # ends the day before
    ],
)
def test_deadlines_on_and_around_clock_changes_and_year_ends_equal_the_careful_path(start, text):
    """Issue 14 (second pass): clock-change Sundays are read from the day records when only
    the date matters, answers from each day's opening are kept per day, and a year's records
    hold the next year's working days. Asked twice (the second answer is the kept one), from a
    calendar that has met no year yet, the deadline equals the careful path's."""
    expr = text if isinstance(text, Deadline) else Deadline.parse(text)
    calendar = WorkingCalendar(closures=frozenset({date(2027, 1, 4)}))
    careful = calendar.deadline(start.astimezone(_ANOTHER_UTC), expr)
    for _ in range(2):
        fast = calendar.deadline(start, expr)
        assert (fast, fast.replace(tzinfo=None), fast.utcoffset(), fast.fold) == (
            careful,
            careful.replace(tzinfo=None),
            careful.utcoffset(),
            careful.fold,
        )
        assert fast.tzinfo is LONDON


def test_the_shared_tables_keep_a_bounded_number_of_working_times_the_latest_used():
    """One entry per working time (hours and closure days), at most SHARED_WORKING_TIMES:
    a process that sees a new set of closures at every policy edit must not keep them all.
    The calendars in use keep sharing; one whose entry was dropped keeps its own tables."""
    from carebroker.engine import workingtime

    first = WorkingCalendar(closures=frozenset({date(2031, 1, 2)}))
    again = WorkingCalendar(closures=frozenset({date(2031, 1, 2)}))
    assert again._day_records is first._day_records  # same working time: shared
    for n in range(workingtime.SHARED_WORKING_TIMES + 10):
        WorkingCalendar(closures=frozenset({date(2031, 2, 1) + timedelta(days=n)}))
        WorkingCalendar(closures=frozenset({date(2031, 1, 2)}))  # the one in use, kept
    assert len(workingtime._SHARED_TABLES) == workingtime.SHARED_WORKING_TIMES
    assert WorkingCalendar(closures=frozenset({date(2031, 1, 2)}))._day_records is (
        first._day_records
    )
    # Monday 3 February 2031's entry was among the oldest, dropped: made again, it is right.
    dropped = WorkingCalendar(closures=frozenset({date(2031, 2, 3)}))
    assert not dropped.is_working_day(date(2031, 2, 3))
    assert dropped.is_working_day(date(2031, 2, 4))
