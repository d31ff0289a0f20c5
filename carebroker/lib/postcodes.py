"""UK postcodes: parse, validate and normalise ("co43sq" -> "CO4 3SQ").

The rules are the format rules of the Royal Mail postcode (as published by the
ONS and data.gov.uk), checked position by position so a bad postcode gets a
message that says what is wrong:

- outward code (the district): A9, A99, AA9, AA99, A9A or AA9A, where A is a
  letter and 9 a digit;
- inward code: 9AA;
- Q, V and X never start a postcode; I, J and Z are never its second letter;
  the letter after the digit in A9A is one of ABCDEFGHJKPSTUW, in AA9A one of
  ABEHMNPRVWXY; the inward letters are never C, I, K, M, O or V;
- GIR 0AA (the historic Girobank postcode) is the one exception accepted.

Out of scope, decided here: BFPO numbers (British Forces post is not an
address a council's care is delivered to, refused with a message saying so)
and the overseas territories' postcodes (ASCN 1ZZ and the like, refused by
the shape rule). Whether a well-formed postcode exists is not checked (there
is no address file here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "Postcode",
    "PostcodeError",
    "normalise_postcode",
    "parse_district",
    "parse_postcode",
]

FIRST_LETTERS = frozenset("ABCDEFGHIJKLMNOPRSTUWYZ")  # not Q, V, X
SECOND_LETTERS = frozenset("ABCDEFGHKLMNOPQRSTUVWXY")  # not I, J, Z
A9A_LETTERS = frozenset("ABCDEFGHJKPSTUW")  # the letter in A9A (e.g. W1A)
AA9A_LETTERS = frozenset("ABEHMNPRVWXY")  # the letter in AA9A (e.g. EC1A)
INWARD_LETTERS = frozenset("ABDEFGHJLNPQRSTUWXYZ")  # not C, I, K, M, O, V

GIRO = ("GIR", "0AA")
OUTWARD_SHAPES = "A9, A99, AA9, AA99, A9A or AA9A (A a letter, 9 a digit)"

_OUTWARD_RE = re.compile(r"[A-Z]{1,2}[0-9][0-9A-Z]?")
_INWARD_RE = re.compile(r"[0-9][A-Z]{2}")


class PostcodeError(ValueError):
    """A text that is not a UK postcode (or district); the message says why."""


@dataclass(frozen=True, slots=True)
class Postcode:
    """A valid, normalised UK postcode: outward "CO4", inward "3SQ"."""

    outward: str
    inward: str

    def __str__(self) -> str:
        return f"{self.outward} {self.inward}"

    @property
    def district(self) -> str:
        """The outward code, "CO4": what a council's areas are made of."""
        return self.outward

    @property
    def sector(self) -> str:
        """The district and the inward digit, "CO4 3"."""
        return f"{self.outward} {self.inward[0]}"

    @property
    def partial(self) -> str:
        """What a provider sees before an award: the postcode without its last
        two characters, "LE3 9QP" -> "LE3 9" (docs/policies.md §6.2). It is the sector."""
        return self.sector


def _compact(text: str) -> str:
    # Any case and any spacing: " co4  3sq " and "CO43SQ" are the same postcode.
    return "".join(text.split()).upper()


def _outward_problem(outward: str) -> str | None:
    """Why `outward` (upper case, no spaces) is not an outward code, or None if it is."""
    if not outward:
        return "the outward code (the district, e.g. CO4) is missing"
    if not outward.isascii() or not outward.isalnum():
        return f"the outward code {outward!r} may hold only letters and digits"
    if not _OUTWARD_RE.fullmatch(outward):
        return f"the outward code {outward!r} must have the shape {OUTWARD_SHAPES}"
    if outward[0] not in FIRST_LETTERS:
        return f"the outward code {outward!r} cannot start with Q, V or X"
    letters = 2 if outward[1].isalpha() else 1
    if letters == 2 and outward[1] not in SECOND_LETTERS:
        return f"the outward code {outward!r} cannot have I, J or Z as its second letter"
    tail = outward[letters + 1 :]
    if tail.isalpha():
        allowed = AA9A_LETTERS if letters == 2 else A9A_LETTERS
        if tail not in allowed:
            return (
                f"the outward code {outward!r} cannot end in {tail}: after "
                f"{outward[: letters + 1]} only one of {''.join(sorted(allowed))} is used"
            )
    return None


def _refuse(text: str, why: str) -> PostcodeError:
    return PostcodeError(f"{text!r} is not a UK postcode: {why}")


def parse_postcode(text: str) -> Postcode:
    """Parse a UK postcode in any case and spacing; raise PostcodeError saying why not."""
    compact = _compact(text)
    if not compact:
        raise _refuse(text, "it is empty")
    if compact.startswith("BFPO"):
        raise _refuse(text, "British Forces (BFPO) numbers are not accepted")
    if not compact.isascii() or not compact.isalnum():
        raise _refuse(text, "it may hold only letters, digits and spaces")
    if (compact[:-3], compact[-3:]) == GIRO:
        return Postcode(*GIRO)
    if not 5 <= len(compact) <= 7:
        raise _refuse(text, f"it has {len(compact)} letters and digits; a postcode has 5 to 7")
    outward, inward = compact[:-3], compact[-3:]
    if not _INWARD_RE.fullmatch(inward):
        raise _refuse(
            text, f"the inward code {inward!r} must be a digit then two letters (e.g. 3SQ)"
        )
    bad = sorted(set(inward[1:]) - INWARD_LETTERS)
    if bad:
        raise _refuse(
            text,
            f"the inward code {inward!r} uses {', '.join(bad)}; "
            "C, I, K, M, O and V are never used there",
        )
    problem = _outward_problem(outward)
    if problem:
        raise _refuse(text, problem)
    return Postcode(outward, inward)


def normalise_postcode(text: str) -> str:
    """The postcode in its one written form, "co43sq" -> "CO4 3SQ"; PostcodeError if bad."""
    return str(parse_postcode(text))


def parse_district(text: str) -> str:
    """A postcode district (outward code) in its normal form, " co4 " -> "CO4".

    Raise PostcodeError naming the text and what is wrong with it.
    """
    compact = text.strip().upper()
    if compact == GIRO[0]:
        return compact
    # "LE3 9" is a sector, not district LE39: a space inside is refused, not squeezed out.
    problem = (
        "a district has no space inside (give the outward code alone, e.g. CO4)"
        if any(c.isspace() for c in compact)
        else _outward_problem(compact)
    )
    if problem:
        raise PostcodeError(f"{text!r} is not a UK postcode district: {problem}")
    return compact
