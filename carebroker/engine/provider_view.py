"""The provider view: the anonymised record providers see before an award (docs/policies.md §6.2).

`provider_view(person)` turns the full record into a JSON-ready dict:

- names as initials: the person ("Ada Lovelace" -> "A.L."), the worker, the principal
  contact; siblings as relation and initial ("sister (B)"), parents, carers and every
  other relation by relation only ("mum");
- date of birth as MM/YYYY; address as the town plus the postcode without its last
  two characters ("LE3 9QP" -> "LE3 9"); no telephone number, no address line;
- the free text (`needs`, `notes`) with every known name replaced by that person's
  label (initials or relation), and every email address, telephone number, street
  address part, full UK postcode (-> its partial form) and the date of birth in its
  common written forms redacted.

The full record returns only in the IPA sent to the winner; that is not made here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import phonenumbers

__all__ = ["PersonRecord", "Relation", "initials", "partial_postcode", "provider_view"]

EMAIL_MARK = "[email]"
PHONE_MARK = "[phone]"
ADDRESS_MARK = "[address]"
DOB_MARK = "[date of birth]"

# docs/policies.md §6.2: siblings keep an initial ("sister (A)"); any relation naming one of these.
SIBLING_WORDS = ("sister", "brother", "sibling", "twin")

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)

# A letter or digit: names match only as whole words ("Ada" is not redacted inside "Adams").
_NOT_AFTER_WORD = r"(?<![^\W_])"
_NOT_BEFORE_WORD = r"(?![^\W_])"

# Royal Mail format (the same rules as carebroker/lib/postcodes.py): outward A9, A99, AA9,
# AA99, A9A, AA9A with Q/V/X never first, I/J/Z never second; inward 9AA without C I K M O V.
_POSTCODE = (
    r"(?:GIR[^\S\r\n]*0AA"
    r"|(?:[A-PR-UWYZ][0-9][0-9]?"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?"
    r"|[A-PR-UWYZ][0-9][ABCDEFGHJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
    r"[^\S\r\n]*[0-9][ABD-HJLNP-UW-Z]{2})"
)
_POSTCODE_RE = re.compile(rf"(?<![A-Za-z0-9]){_POSTCODE}(?![A-Za-z0-9])", re.IGNORECASE)
_POSTCODE_FULL_RE = re.compile(_POSTCODE, re.IGNORECASE)

_EMAIL_RE = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")

# Fallbacks for numbers phonenumbers does not call valid (Ofcom drama ranges, typos):
# 9+ digits starting as a UK number is written (0, +44, "(0"), with any separators;
# any other 9+ digits only when spaced like a number, so "2026-12-07 14:00" is kept.
_PHONE_RUN_RE = re.compile(r"(?<![^\W_])(?:\+\s*\d|\(\s*0|0)(?:[\s().\-/]*\d){8,}(?!\d)")
_DIGIT_RUN_RE = re.compile(r"(?<!\d)\d(?: ?\d){8,}(?!\d)")


@dataclass(frozen=True)
class Relation:
    """A person named in the record and how they relate to the person ("sister", "mum")."""

    relation: str
    name: str


@dataclass(frozen=True)
class PersonRecord:
    """The full record of the person a package is for, as the council holds it."""

    name: str
    dob: date | None
    address: str
    postcode: str | None
    phone: str | None
    relations: tuple[Relation, ...] = ()
    worker: str | None = None
    principal_contact: str | None = None
    principal_contact_phone: str | None = None
    needs: str = ""
    notes: str = ""


def _words(name: str) -> list[str]:
    """The words of a name, hyphenated parts apart: "Mary-Jane O'Neil" -> Mary, Jane, O'Neil."""
    return [w for w in re.split(r"[\s\-\u2010-\u2015]+", name) if w]


def initials(name: str | None) -> str:
    """Every word's first letter, hyphenated parts too: "Mary-Jane O'Neil" -> "M.J.O."."""
    letters = []
    for word in _words(name or ""):
        first = next((c for c in word if c.isalnum()), "")
        if first:
            letters.append(first.upper()[:1] + ".")
    return "".join(letters)


def partial_postcode(postcode: str | None) -> str | None:
    """The postcode without its last two characters ("LE3 9QP" -> "LE3 9"), None if not one."""
    compact = "".join((postcode or "").split()).upper()
    if not _POSTCODE_FULL_RE.fullmatch(compact):
        return None
    return f"{compact[:-3]} {compact[-3]}"


def _address_parts(address: str) -> list[str]:
    return [part.strip() for part in address.split(",") if part.strip()]


def _town(address: str) -> str | None:
    """The last comma-separated part of the address that is not a postcode (docs/policies.md §6.2).

    A postcode written inside that part is dropped; a part with a digit is a street or a
    flat, never shown, so an address without a clear town gives None.
    """
    for part in reversed(_address_parts(address)):
        town = " ".join(_POSTCODE_RE.sub(" ", part).split())
        if town and not any(c.isdigit() for c in town):
            return town
    return None


def _town_shown(person: PersonRecord, extra_names: Iterable[str]) -> str | None:
    """The town, unless a name was typed where the town goes: no full name is ever shown."""
    town = _town(person.address or "")
    people = [person.name, person.worker, person.principal_contact, *extra_names]
    people += [r.name for r in person.relations]
    for name in people:
        full = " ".join((name or "").split())
        if (
            town
            and len(full) >= 2
            and re.search(
                f"{_NOT_AFTER_WORD}{_name_pattern(full)}{_NOT_BEFORE_WORD}", town, re.IGNORECASE
            )
        ):
            return None
    return town


def _record_postcode(person: PersonRecord) -> str | None:
    if person.postcode and person.postcode.strip():
        return partial_postcode(person.postcode)
    found = _POSTCODE_RE.search(person.address or "")
    return partial_postcode(found.group()) if found else None


def _relation_word(relation: Relation) -> str:
    return " ".join((relation.relation or "").lower().split()) or "relative"


def _relation_label(relation: Relation) -> str:
    """ "sister (B)" for a sibling, "mum" for a parent or carer (docs/policies.md §6.2)."""
    word = _relation_word(relation)
    if any(sibling in word for sibling in SIBLING_WORDS):
        first = initials(relation.name)[:1]
        return f"{word} ({first})" if first else word
    # Parents, carers and any other relation are named by relation only: the rule
    # gives initials to siblings alone, and a name here would identify the family.
    return word


def _name_pattern(name: str) -> str:
    """A regex for a name as people write it: any spacing, any apostrophe, any dash."""
    pieces = []
    for word in name.split():
        escaped = "".join(
            "['\u2019]"
            if c in "'\u2019"
            else r"[\-\u2010-\u2015\s]"
            if c in "-\u2010\u2011\u2012\u2013\u2014\u2015"
            else re.escape(c)
            for c in word
        )
        pieces.append(escaped)
    # Words apart by spaces or a dash: "Ada Lovelace" is also "Ada-Lovelace".
    return r"(?:\s+|\s*[\-\u2010-\u2015]\s*)".join(pieces)


@dataclass(frozen=True)
class _KnownName:
    """A name or name part to redact, its label, and the relation word that may precede it."""

    spelt: str
    label: str
    relation: str | None = None


def _known_names(person: PersonRecord, extra_names: Iterable[str]) -> list[_KnownName]:
    """Every known name and name part, with what replaces it in the free text.

    A name part gives way to its owner's label ("Bea" -> "sister (B)"); a part that
    belongs to two people (a family surname) becomes its own initial, "L.", so the text
    never guesses which of them it meant. The first owner of a full name wins: the
    person, then the relations, the worker, the principal contact, the extra names.
    """
    people: list[tuple[str, str, str | None]] = [(person.name or "", initials(person.name), None)]
    people += [(r.name or "", _relation_label(r), _relation_word(r)) for r in person.relations]
    people += [(n or "", initials(n), None) for n in (person.worker, person.principal_contact)]
    people += [(n or "", initials(n), None) for n in extra_names]
    owner: dict[str, _KnownName] = {}  # full name (lower case) -> its first owner
    spelt: dict[str, str] = {}
    parts: dict[str, set[str]] = {}  # name part (lower case) -> full names holding it
    for name, label, relation in people:
        full = " ".join(name.split())
        if len(full) < 2 or not any(c.isalnum() for c in full):
            continue
        key = full.lower()
        owner.setdefault(key, _KnownName(full, label, relation))
        for word in {full, *full.split(), *_words(full)}:
            if len(word) >= 2 and any(c.isalnum() for c in word):
                parts.setdefault(word.lower(), set()).add(key)
                spelt.setdefault(word.lower(), word)
    known = []
    for part, holders in parts.items():
        if len(holders) == 1:
            first = owner[next(iter(holders))]
            known.append(_KnownName(spelt[part], first.label, first.relation))
        else:
            known.append(_KnownName(spelt[part], initials(part)))
    return known


def _name_redactor(known: list[_KnownName]) -> Callable[[str], str]:
    """One pass over the text, so that a label put in is never taken for a name."""
    if not known:
        return lambda text: text
    # Longest first so that "Ada Lovelace" is taken whole before "Ada".
    names = sorted(known, key=lambda k: len(k.spelt), reverse=True)
    alternatives = []
    for i, name in enumerate(names):
        # "her sister Bea" -> "her sister (B)", not "her sister sister (B)".
        before = rf"(?:{_name_pattern(name.relation)}\s*[,:]?\s+)?" if name.relation else ""
        alternatives.append(f"(?P<n{i}>{before}{_name_pattern(name.spelt)})")
    pattern = re.compile(
        f"{_NOT_AFTER_WORD}(?:{'|'.join(alternatives)}){_NOT_BEFORE_WORD}", re.IGNORECASE
    )

    def label(match: re.Match[str]) -> str:
        return names[int((match.lastgroup or "n0")[1:])].label

    return lambda text: pattern.sub(label, text)


def _dob_pattern(dob: date) -> re.Pattern[str]:
    """The date of birth as people write it: 2/3/1941, 02.03.41, 2nd March 1941, 1941-03-02."""
    day = rf"0?{dob.day}(?:st|nd|rd|th)?"
    month_num = rf"0?{dob.month}"
    year = rf"(?:{dob.year}|['\u2019]?{dob.year % 100:02d})"
    name = MONTHS[dob.month - 1]
    month_name = rf"(?:{name}|{name[:3]}{'t?' if name == 'september' else ''})\.?"
    sep = r"\s*[/.\-]\s*|\s+"
    forms = [
        rf"{day}(?:{sep}){month_num}(?:{sep}){year}",  # 2/3/1941, 02-03-41
        rf"{month_num}(?:{sep}){day}(?:{sep}){year}",  # 3/2/1941, written the US way
        rf"{dob.year}(?:{sep}){month_num}(?:{sep}){day}(?:T[0-9:.]*Z?)?",  # 1941-03-02T00:00Z
        rf"{day}(?:\s+of)?[\s\-/]*{month_name}[\s,\-/]*{year}",  # 2nd of March 1941
        rf"{month_name}\s*{day},?\s*{year}",  # March 2, 1941
    ]
    return re.compile(r"(?<![0-9A-Za-z])(?:" + "|".join(forms) + r")(?![0-9A-Za-z])", re.IGNORECASE)


def _redact_phones(text: str, known: Iterable[str]) -> str:
    """Every telephone number: the record's own, the valid GB ones, then long digit runs."""
    for phone in known:
        # The national digits: "+44 (0)7700 900123" and "0044 7700 900123" give 7700900123.
        digits = re.sub(r"\D", "", phone).lstrip("0")
        digits = (digits[2:] if digits.startswith("44") else digits).lstrip("0")
        if len(digits) >= 6:
            # The record's own numbers, however they are spaced or prefixed.
            spaced = r"[\s().\-/]*".join(digits)
            text = re.sub(
                rf"(?<!\d)(?:\+?\s*44[\s()]*)?(?:\(?0\)?[\s()\-]*)?{spaced}(?!\d)", PHONE_MARK, text
            )
    pieces = []
    last = 0
    for match in phonenumbers.PhoneNumberMatcher(text, "GB"):
        pieces += [text[last : match.start], PHONE_MARK]
        last = match.end
    text = "".join([*pieces, text[last:]])
    return _DIGIT_RUN_RE.sub(PHONE_MARK, _PHONE_RUN_RE.sub(PHONE_MARK, text))


def _redactor(person: PersonRecord, extra_names: Iterable[str]) -> Callable[[str], str]:
    """The free-text redaction for this record (docs/policies.md §6.2), as one function."""
    town = _town(person.address or "")
    # The address line never reaches a provider: every part but the town (§6.2).
    street_parts = {
        cleaned
        for part in _address_parts(person.address or "")
        if (cleaned := " ".join(_POSTCODE_RE.sub(" ", part).split()))
        and cleaned != town
        and len(cleaned) >= 3
    }
    street = (
        re.compile(
            _NOT_AFTER_WORD
            + "(?:"
            + "|".join(_name_pattern(p) for p in sorted(street_parts, key=len, reverse=True))
            + ")"
            + _NOT_BEFORE_WORD,
            re.IGNORECASE,
        )
        if street_parts
        else None
    )
    dob = _dob_pattern(person.dob) if person.dob else None
    phones = [p for p in (person.phone, person.principal_contact_phone) if p]
    names = _name_redactor(_known_names(person, extra_names))

    def redact(text: str) -> str:
        # Order matters: emails before names (they hold names), the date before the
        # telephone numbers (1941-03-02 is a run of digits), postcodes before names.
        text = _EMAIL_RE.sub(EMAIL_MARK, text or "")
        if street is not None:
            text = street.sub(ADDRESS_MARK, text)
        if dob is not None:
            text = dob.sub(DOB_MARK, text)
        text = _redact_phones(text, phones)
        text = _POSTCODE_RE.sub(lambda m: partial_postcode(m.group()) or "", text)
        return names(text)

    return redact


def provider_view(person: PersonRecord, *, extra_names: Iterable[str] = ()) -> dict[str, object]:
    """What providers see of `person` before an award (docs/policies.md §6.2).

    Keys, always present and in this order: name, dob, town, postcode, relations,
    worker, principal_contact, needs, notes. Missing values are None ("" for text).
    `extra_names` are other names to redact from the free text (a neighbour, a school).
    """
    extra_names = list(extra_names)
    redact = _redactor(person, extra_names)
    return {
        "name": initials(person.name),
        "dob": f"{person.dob.month:02d}/{person.dob.year:04d}" if person.dob else None,
        "town": _town_shown(person, extra_names),
        "postcode": _record_postcode(person),
        "relations": [redact(_relation_label(r)) for r in person.relations],
        "worker": initials(person.worker) or None,
        "principal_contact": initials(person.principal_contact) or None,
        "needs": redact(person.needs),
        "notes": redact(person.notes),
    }
