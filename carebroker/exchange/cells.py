"""Reading one cell of an imported sheet: numbers, yes/no, lists, dates, times, emails, phones.

Each reader takes the cell's text (already stripped) and returns a value or
raises `CellError` with what is wrong and what it got; the importer adds the
row and the column ("row 7, tier: must be 1 or 2, got 'three'").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, time
from decimal import Decimal, InvalidOperation

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email


class CellError(ValueError):
    """One cell that cannot be read; the message says what it should be and what it was."""


def got(text: str) -> str:
    """The cell as quoted in a message, cut short when long."""
    return repr(text if len(text) <= 40 else text[:40] + "...")


YES = frozenset({"yes", "y", "true", "1", "x", "✓"})
NO = frozenset({"no", "n", "false", "0", ""})


def read_flag(text: str) -> bool:
    """yes/no, y/n, true/false, 1/0; blank is no."""
    folded = text.casefold()
    if folded in YES:
        return True
    if folded in NO:
        return False
    raise CellError(f"must be yes or no, got {got(text)}")


def read_count(text: str, *, minimum: int = 0, maximum: int = 10_000) -> int | None:
    """A whole number in [minimum, maximum]; blank is None."""
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,6}", text):
        raise CellError(f"must be a whole number, got {got(text)}")
    number = int(text)
    if not minimum <= number <= maximum:
        raise CellError(f"must be from {minimum} to {maximum}, got {got(text)}")
    return number


def read_money(text: str) -> Decimal | None:
    """An amount in pounds with at most 2 decimal places ("£21.50", "21.5"); blank is None."""
    if not text:
        return None
    cleaned = text.removeprefix("£").replace(",", "").strip()
    if not re.fullmatch(r"[0-9]{1,5}(\.[0-9]{1,2})?", cleaned):
        raise CellError(f"must be an amount in pounds like 21.50, got {got(text)}")
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # the pattern above already rules this out
        raise CellError(f"must be an amount in pounds like 21.50, got {got(text)}") from None


def read_list(text: str, separators: str = ";") -> list[str]:
    """Values separated by ';' (each trimmed, blanks and repeats dropped, order kept)."""
    parts = re.split("[" + re.escape(separators) + "]", text) if text else []
    return list(dict.fromkeys(part.strip() for part in parts if part.strip()))


def read_numbers(text: str) -> list[int]:
    """Whole numbers separated by ';' or ',' ("1;3"), in order, each once."""
    numbers: list[int] = []
    for part in read_list(text, ";,"):
        if not re.fullmatch(r"[0-9]{1,4}", part) or int(part) == 0:
            raise CellError(f"must be numbers from 1 separated by ';' like 1;3, got {got(text)}")
        numbers.append(int(part))
    return list(dict.fromkeys(numbers))


def read_email(text: str) -> str:
    try:
        validate_email(text)
    except ValidationError:
        raise CellError(f"must be an email address, got {got(text)}") from None
    return text


def read_phone(text: str) -> str:
    """A UK (or +country) phone number, stored as dialled from the UK ("01206 000000")."""
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        raise CellError(f"must be a phone number, got {got(text)}") from None
    if not phonenumbers.is_possible_number(number):
        raise CellError(f"must be a phone number, got {got(text)}")
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 44
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def read_choice(text: str, choices: Iterable[tuple[str, str]]) -> str:
    """One of the choices, by value or label, ignoring case, spaces, dashes and underscores."""

    def fold(value: str) -> str:
        return re.sub(r"[\s_-]+", "_", value.strip().casefold())

    options = list(choices)
    for value, label in options:
        if fold(text) in (fold(value), fold(label)):
            return value
    listed = ", ".join(label for _value, label in options)
    raise CellError(f"must be one of {listed}, got {got(text)}")


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_NAMED_DATE = re.compile(r"(\d{1,2})[ -]([A-Za-z]{3,9})[ -](\d{4})")
DATE_FORMATS = "2026-01-05, 05/01/2026 or 5 Jan 2026"


def read_date(text: str) -> date:
    """A date as ISO (2026-01-05), UK day first (05/01/2026) or named (5 Jan 2026)."""
    day = month = year = None
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _UK_DATE.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    elif (match := _NAMED_DATE.fullmatch(text)) and match.group(2).casefold() in _MONTHS:
        day, month, year = (
            int(match.group(1)),
            _MONTHS[match.group(2).casefold()],
            int(match.group(3)),
        )
    if day is None or month is None or year is None:
        raise CellError(f"must be a date like {DATE_FORMATS}, got {got(text)}")
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(f"is not a day of the calendar, got {got(text)}") from None


_TIME = re.compile(r"(\d{1,2})[:.](\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([ap]\.?m\.?)?", re.IGNORECASE)


def read_time(text: str) -> time:
    """A clock time: 08:00, 8.00, 08:00:00 or 8:00 am."""
    match = _TIME.fullmatch(text)
    if not match:
        raise CellError(f"must be a time like 08:00, got {got(text)}")
    hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    if meridiem := match.group(4):
        if not 1 <= hour <= 12:
            raise CellError(f"must be a time like 08:00, got {got(text)}")
        hour = hour % 12 + (12 if meridiem[0] in "pP" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise CellError(f"is not a time of day, got {got(text)}")
    return time(hour, minute, second)


def read_moment(text: str, day: date) -> tuple[date, time]:
    """A time on `day` ("08:00"), or a date and time ("2026-01-05 08:00", "05/01/2026 08:00")."""
    parts = re.split(r"[T ]", text, maxsplit=1) if re.match(r"\d{4}-|\d{1,2}/", text) else [text]
    if len(parts) == 2:
        return read_date(parts[0].strip()), read_time(parts[1].strip())
    if _ISO_DATE.fullmatch(text) or _UK_DATE.fullmatch(text):
        return read_date(text), time(0)  # a workbook's datetime at midnight reads as a date
    return day, read_time(text)


def read_minutes(text: str) -> int:
    """A duration as minutes ("30") or hours and minutes ("0:30", "01:15:00")."""
    if re.fullmatch(r"[0-9]{1,4}", text):
        return int(text)
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::00)?", text)
    if not match or int(match.group(2)) > 59:
        raise CellError(f"must be minutes (30) or hours:minutes (0:30), got {got(text)}")
    return int(match.group(1)) * 60 + int(match.group(2))
