"""The provider view: what providers see of a person before an award (docs/policies.md §6.2)."""

import json
import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carebroker.engine.provider_view import (
    PersonRecord,
    Relation,
    initials,
    partial_postcode,
    provider_view,
)
from carebroker.lib.postcodes import (
    A9A_LETTERS,
    AA9A_LETTERS,
    FIRST_LETTERS,
    INWARD_LETTERS,
    SECOND_LETTERS,
)

KEYS = [
    "name",
    "dob",
    "town",
    "postcode",
    "relations",
    "worker",
    "principal_contact",
    "needs",
    "notes",
]


def _person(**changes: object) -> PersonRecord:
    """Ada Lovelace, the example of docs/scenarios.md, with `changes` applied."""
    fields: dict[str, object] = {
        "name": "Ada Lovelace",
        "dob": date(1941, 3, 2),
        "address": "1 High Street, Colchester",
        "postcode": "CO4 3SQ",
        "phone": "01206 000000",
        "relations": (Relation("sister", "Bea Lovelace"), Relation("mum", "Cara Lovelace")),
        "worker": "Dan Evans",
        "needs": "Ada needs help ...",
    }
    fields.update(changes)
    return PersonRecord(**fields)  # type: ignore[arg-type]


def _needs(text: str, **changes: object) -> str:
    view = provider_view(_person(needs=text, **changes))
    needs = view["needs"]
    assert isinstance(needs, str)
    return needs


# --- the record fields (docs/policies.md §6.2, seed 004 step 6) ---------------------------------


def test_scenario_format_example_shows_initials_month_year_and_partial_postcode() -> None:
    """The example of docs/scenarios.md: Ada Lovelace is "A.L.", born "03/1941", in "CO4 3"."""
    view = provider_view(_person())
    assert view["name"] == "A.L."
    assert view["dob"] == "03/1941"
    assert view["postcode"] == "CO4 3"
    assert view["town"] == "Colchester"


def test_view_keys_are_stable_and_json_ready() -> None:
    """Every view has the same keys in the same order and survives a JSON round trip."""
    view = provider_view(_person())
    assert list(view) == KEYS
    assert json.loads(json.dumps(view)) == view


def test_leics_child_name_as_initials_of_every_word_and_hyphenated_part() -> None:
    """Each word's first letter, hyphenated parts too; an apostrophe belongs to its word."""
    assert initials("Mary-Jane O'Neil") == "M.J.O."
    assert initials("ada  de la lovelace") == "A.D.L.L."
    assert provider_view(_person(name="Mary-Jane O'Neil"))["name"] == "M.J.O."


@pytest.mark.parametrize("relation", ["sister", "brother", "sibling", "half-sister", "Stepbrother"])
def test_leics_sibling_shown_as_relation_and_initial(relation: str) -> None:
    """A sibling is "sister (A)": the relation and the first name's initial."""
    view = provider_view(_person(relations=(Relation(relation, "Amy Smith"),)))
    assert view["relations"] == [f"{relation.lower()} (A)"]


@pytest.mark.parametrize(
    "relation", ["mum", "dad", "mother", "father", "carer", "grandparent", "guardian", "step-dad"]
)
def test_leics_parents_and_carers_named_by_relation_only(relation: str) -> None:
    """A parent or carer is named by the relation alone, without even an initial."""
    view = provider_view(_person(relations=(Relation(relation, "Zoe Quinn"),)))
    assert view["relations"] == [relation]
    assert "Z" not in json.dumps(view["relations"])


def test_leics_relation_without_a_word_is_a_relative() -> None:
    """A relation whose kind was left blank still hides the name: "relative"."""
    view = provider_view(_person(relations=(Relation("  ", "Zoe Quinn"),)))
    assert view["relations"] == ["relative"]


def test_leics_dob_as_month_and_year() -> None:
    """The date of birth becomes MM/YYYY; no date of birth gives None."""
    assert provider_view(_person(dob=date(2015, 11, 30)))["dob"] == "11/2015"
    assert provider_view(_person(dob=None))["dob"] is None


@pytest.mark.parametrize(
    ("postcode", "partial"),
    [("LE3 9QP", "LE3 9"), ("CO4 3SQ", "CO4 3"), ("le39qp", "LE3 9"), ("EC1A 1BB", "EC1A 1")],
)
def test_leics_postcode_loses_its_last_two_characters(postcode: str, partial: str) -> None:
    """ "LE3 9QP" becomes "LE3 9" in any case and spacing."""
    assert provider_view(_person(postcode=postcode))["postcode"] == partial


def test_leics_postcode_taken_from_the_address_when_not_given() -> None:
    """Without a postcode field the address's postcode is used, still partial."""
    view = provider_view(_person(address="2 Mill Lane, Leicester, LE3 9QP", postcode=None))
    assert (view["town"], view["postcode"]) == ("Leicester", "LE3 9")


def test_not_a_postcode_shows_no_postcode() -> None:
    """A postcode field that is not a UK postcode is not shown rather than shown whole."""
    assert partial_postcode("QQ1 1AA") is None
    assert provider_view(_person(postcode="not known"))["postcode"] is None


@pytest.mark.parametrize(
    ("address", "town"),
    [
        ("1 High Street, Colchester", "Colchester"),
        ("Flat 2, 10 Mill Lane, Leicester LE3 9QP", "Leicester"),
        ("3 Park Road, Braintree, CM7 1AA", "Braintree"),
        ("1 High Street", None),
        ("", None),
    ],
)
def test_leics_address_shown_as_the_town_only(address: str, town: str | None) -> None:
    """The town is the last part of the address that is not a postcode; no street, no number."""
    view = provider_view(_person(address=address))
    assert view["town"] == town
    assert "High Street" not in json.dumps(view) and "Mill Lane" not in json.dumps(view)


def test_town_not_shown_when_it_holds_a_name() -> None:
    """A name typed where the town goes is not shown: no full name ever reaches a provider."""
    view = provider_view(_person(address="1 High Street, Ada Lovelace"))
    assert view["town"] is None


def test_leics_principal_contact_as_initials_and_no_phone() -> None:
    """The principal contact's name becomes initials and no telephone number is shown."""
    view = provider_view(
        _person(principal_contact="Cara Lovelace", principal_contact_phone="07700 900123")
    )
    assert view["principal_contact"] == "C.L."
    dumped = json.dumps(view)
    assert "900123" not in dumped and "000000" not in dumped


def test_leics_worker_as_initials() -> None:
    """The allocated worker's name becomes initials; no worker gives None."""
    assert provider_view(_person(worker="Dan Evans"))["worker"] == "D.E."
    assert provider_view(_person(worker=None))["worker"] is None


# --- free text -------------------------------------------------------------------------------


def test_free_text_names_become_initials_whole_word_any_case() -> None:
    """The full name, each part and the possessive become the initials, in any case."""
    text = _needs(
        "Ada Lovelace is 85. ada likes tea; Ada's carer calls her LOVELACE.", relations=()
    )
    assert text == "A.L. is 85. A.L. likes tea; A.L.'s carer calls her A.L.."


def test_free_text_full_name_joined_by_a_dash_is_one_name() -> None:
    """ "Ada-Lovelace" and "Ada  Lovelace" are the full name, taken whole."""
    assert _needs("Ada-Lovelace and Ada  Lovelace", relations=()) == "A.L. and A.L."


def test_free_text_keeps_ordinary_words_that_contain_a_name() -> None:
    """ "Ada" inside "Adams" stays; "Adams" itself goes when it is the surname."""
    assert _needs("Adams Road, Adamson") == "Adams Road, Adamson"
    assert _needs("Mr Adams called", name="Ada Adams") == "Mr A.A. called"


def test_free_text_relations_by_relation_and_sibling_initial() -> None:
    """A sibling's name becomes "sister (B)", a parent's "mum"; the word before is not doubled."""
    text = _needs("Bea and her sister Bea; Cara rang, mum, Cara said")
    assert text == "sister (B) and her sister (B); mum rang, mum said"


def test_free_text_family_surname_shared_by_several_becomes_its_initial() -> None:
    """A surname several people share becomes "L.", not one person's label."""
    assert _needs("Mrs Lovelace rang", name="Ada Byron") == "Mrs L. rang"


def test_free_text_worker_contact_and_extra_names_become_initials() -> None:
    """The worker, the principal contact and any extra names become their initials."""
    view = provider_view(
        _person(
            needs="Dan Evans met Eve Moss at Oak Tree School",
            principal_contact="Eve Moss",
        ),
        extra_names=["Oak Tree School"],
    )
    assert view["needs"] == "D.E. met E.M. at O.T.S."


@pytest.mark.parametrize(
    "phone",
    [
        "+44 7700 900123",
        "07700 900123",
        "07700900123",
        "(01632) 960001",
        "01206 000000",
        "+44 (0)1206 000000",
        "020 7946 0000",
        "0161 496 0000",
        "0800 1111",
    ],
)
def test_free_text_phone_numbers_redacted(phone: str) -> None:
    """Any UK telephone number in the text becomes "[phone]"."""
    assert _needs(f"call {phone} today") == "call [phone] today"


def test_free_text_long_spaced_numbers_redacted() -> None:
    """A long number spaced like a phone number (no leading 0) is still taken for one."""
    assert _needs("ring 44 7700 900123 or 943 476 5919") == "ring [phone] or [phone]"


def test_free_text_record_phone_redacted_however_written() -> None:
    """The record's own numbers go even when written oddly ("7700-900-123")."""
    text = _needs("mobile 7700-900-123", principal_contact_phone="0044 7700 900123")
    assert text == "mobile [phone]"


def test_free_text_email_addresses_redacted() -> None:
    """Email addresses, names and all, become "[email]"."""
    assert _needs("write to ada.lovelace@example.org.") == "write to [email]."


def test_free_text_postcodes_become_partial() -> None:
    """Every full UK postcode in the text becomes its partial form."""
    assert _needs("near le3 9qp and CO4 3SQ") == "near LE3 9 and CO4 3"


@pytest.mark.parametrize(
    "written",
    [
        "2/3/1941",
        "02/03/1941",
        "02.03.41",
        "2 March 1941",
        "2 Mar '41",
        "1941-03-02",
        "1941-03-02T00:00:00Z",
        "2nd of March 1941",
        "March 2, 1941",
    ],
)
def test_free_text_date_of_birth_redacted_in_common_forms(written: str) -> None:
    """The date of birth, in the forms people write it, becomes "[date of birth]"."""
    assert _needs(f"born {written}.") == "born [date of birth]."


def test_free_text_other_dates_and_amounts_kept() -> None:
    """Other dates, hours and rates are not personal and stay readable."""
    text = "start 2026-12-07 14:00, 14 hours at 24.10, from 1/12/2026"
    assert _needs(text) == text


def test_free_text_address_line_redacted() -> None:
    """The street part of the address never appears; the town may."""
    assert _needs("lives at 1 high street, Colchester") == "lives at [address], Colchester"


@pytest.mark.parametrize(
    "person",
    [
        PersonRecord(name="", dob=None, address="", postcode=None, phone=None),
        PersonRecord(name="A", dob=None, address=",,", postcode="", phone=""),
        PersonRecord(
            name="- '",
            dob=date(2000, 1, 1),
            address="B",
            postcode="?",
            phone="+",
            relations=(Relation("", ""),),
            worker="",
            principal_contact=" ",
            needs="A B 1/1/2000",
        ),
    ],
)
def test_odd_input_gives_a_view_not_an_error(person: PersonRecord) -> None:
    """Empty strings, one-letter names and missing values still give a full view."""
    assert list(provider_view(person, extra_names=["", "x"])) == KEYS


# --- properties: nothing personal survives ----------------------------------------------------

FILLER = (
    "needs help with washing and dressing",
    "likes swimming on Saturdays",
    "the family asks for a regular carer",
    "please call before visiting",
    "contact",
    "support at home after school",
    "uses a wheelchair outdoors",
)
TOWNS = ("Colchester", "Leicester", "Maidstone", "Loughborough")
STREETS = ("Mill Lane", "High Street", "Park Road", "Church Walk")
RELATIONS = ("sister", "brother", "half-sister", "sibling", "mum", "dad", "carer", "grandparent")
# Words that are in every view (keys, labels, marks) or in the filler, never a generated name.
RESERVED = {
    w.lower()
    for w in re.findall(
        r"[^\W\d_]+", " ".join([*KEYS, *FILLER, *TOWNS, *STREETS, *RELATIONS, "relative"])
    )
} | {"phone", "email", "address", "date", "of", "birth", "principal"}

LETTERS = "abcdefghijklmnopqrstuvwxyzéöñ"
plain_words = st.builds(
    lambda first, rest: first.upper() + rest,
    st.sampled_from(LETTERS),
    st.text(alphabet=LETTERS, min_size=1, max_size=8),
).filter(lambda w: w.lower() not in RESERVED)
name_words = st.one_of(
    plain_words,
    plain_words,
    st.builds(lambda a, b: f"{a}-{b}", plain_words, plain_words),  # Mary-Jane
    st.builds(lambda a, b: f"{a[0]}'{b}", plain_words, plain_words),  # O'Neil
)
names = st.lists(name_words, min_size=1, max_size=3).map(" ".join)


def _letter(allowed: frozenset[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(allowed))


_digit = st.sampled_from("0123456789")
outward_codes = st.one_of(
    st.tuples(_letter(FIRST_LETTERS), _digit),
    st.tuples(_letter(FIRST_LETTERS), _digit, _digit),
    st.tuples(_letter(FIRST_LETTERS), _letter(SECOND_LETTERS), _digit),
    st.tuples(_letter(FIRST_LETTERS), _letter(SECOND_LETTERS), _digit, _digit),
    st.tuples(_letter(FIRST_LETTERS), _digit, _letter(A9A_LETTERS)),
    st.tuples(_letter(FIRST_LETTERS), _letter(SECOND_LETTERS), _digit, _letter(AA9A_LETTERS)),
).map("".join)
inward_codes = st.tuples(_digit, _letter(INWARD_LETTERS), _letter(INWARD_LETTERS)).map("".join)
postcodes = st.tuples(outward_codes, inward_codes)


@st.composite
def phones(draw: st.DrawFn) -> tuple[str, str]:
    """A UK number as (national significant digits, how it is written)."""
    kind = draw(st.sampled_from(["mobile", "area4", "area3", "london"]))
    rest = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    if kind == "mobile":
        nsn = "77" + draw(st.text(alphabet="0123456789", min_size=2, max_size=2)) + rest
        forms = [
            f"0{nsn[:4]} {nsn[4:]}",
            f"+44 {nsn[:4]} {nsn[4:]}",
            f"0{nsn}",
            f"+44{nsn}",
            f"+44 (0){nsn[:4]} {nsn[4:]}",
            f"0{nsn[:4]}-{nsn[4:7]}-{nsn[7:]}",
        ]
    elif kind == "area4":
        nsn = "1" + draw(st.text(alphabet="0123456789", min_size=3, max_size=3)) + rest
        forms = [f"(0{nsn[:4]}) {nsn[4:]}", f"0{nsn[:4]} {nsn[4:]}", f"+44 {nsn[:4]} {nsn[4:]}"]
    elif kind == "area3":
        nsn = "1" + draw(st.text(alphabet="0123456789", min_size=2, max_size=2)) + "1" + rest
        forms = [f"0{nsn[:3]} {nsn[3:6]} {nsn[6:]}", f"(0{nsn[:3]}) {nsn[3:]}"]
    else:
        nsn = "20" + draw(st.text(alphabet="0123456789", min_size=2, max_size=2)) + rest
        forms = [f"020 {nsn[2:6]} {nsn[6:]}", f"+44 20 {nsn[2:6]} {nsn[6:]}", f"0{nsn}"]
    return nsn, draw(st.sampled_from(forms))


MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _dob_forms(dob: date) -> list[str]:
    month = MONTH_NAMES[dob.month - 1]
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}.get(dob.day, "th")
    return [
        f"{dob.day}/{dob.month}/{dob.year}",
        f"{dob.day:02d}/{dob.month:02d}/{dob.year}",
        f"{dob.day:02d}.{dob.month:02d}.{dob.year}",
        f"{dob.day} {month} {dob.year}",
        f"{dob.day}{suffix} {month} {dob.year}",
        f"{dob.day} {month[:3]} {dob.year}",
        f"{month} {dob.day}, {dob.year}",
        dob.isoformat(),
    ]


@st.composite
def records(draw: st.DrawFn) -> tuple[PersonRecord, list[str], dict[str, list[str]]]:
    """A made-up person whose free text mixes every personal value into filler, and the
    values that must not survive: names, phones (digits), emails, postcodes, DOB forms."""
    name = draw(names)
    relations = tuple(
        Relation(draw(st.sampled_from(RELATIONS)), draw(names))
        for _ in range(draw(st.integers(0, 3)))
    )
    worker = draw(st.none() | names)
    contact = draw(st.none() | names)
    extra = draw(st.lists(names, max_size=2))
    phone_list = draw(st.lists(phones(), min_size=1, max_size=4))
    emails = [
        ".".join(name.split()).lower() + "@example.org",  # names inside an email go with it
        f"{draw(plain_words).lower()}{draw(st.integers(0, 99))}@example.org",
    ]
    outward, inward = draw(postcodes)
    gap = draw(st.sampled_from([" ", "", "  "]))
    written_postcode = draw(st.sampled_from([str.upper, str.lower]))(f"{outward}{gap}{inward}")
    dob = draw(st.dates(date(1920, 1, 1), date(2025, 12, 31)))
    street = f"{draw(st.integers(1, 200))} {draw(st.sampled_from(STREETS))}"
    address = f"{street}, {draw(st.sampled_from(TOWNS))}"
    people = [name, *(r.name for r in relations), *(n for n in (worker, contact) if n), *extra]
    parts = sorted({p for n in people for p in re.split(r"[\s\-]+", n) if len(p) >= 2})
    mixed = [
        *people,
        *(f"{p}'s" for p in parts),
        *(p.upper() for p in parts[:2]),
        *parts,
        *(written for _, written in phone_list),
        *emails,
        written_postcode,
        f"{outward} {inward}",
        *_dob_forms(dob),
        street,
        address,
        *FILLER,
    ]
    text = " ".join(
        f"{v}{draw(st.sampled_from(['', ',', '.', ';']))}" for v in draw(st.permutations(mixed))
    )
    person = PersonRecord(
        name=name,
        dob=dob,
        address=address,
        postcode=draw(st.none() | st.just(f"{outward} {inward}")),
        phone=phone_list[0][1],
        relations=relations,
        worker=worker,
        principal_contact=contact,
        principal_contact_phone=phone_list[-1][1],
        needs=text,
        notes=text.lower(),
    )
    secrets = {
        "names": people,
        "parts": parts,
        "nsn": [nsn for nsn, _ in phone_list],
        "phones": [written for _, written in phone_list],
        "emails": emails,
        "postcode": [f"{outward}\\s*{inward}"],
        "dob": _dob_forms(dob),
        "street": [street],
    }
    return person, extra, secrets


def _surfaces(view: dict[str, object]) -> str:
    """Everything in the view: its JSON (unescaped) and every string value, one a line."""
    strings: list[str] = []
    for value in view.values():
        strings += value if isinstance(value, list) else [str(value)]
    return "\n".join([json.dumps(view, ensure_ascii=False), *strings])


def _whole_word(text: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![^\W_]){re.escape(text)}(?![^\W_])", re.IGNORECASE)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
@pytest.mark.slow  # a heavy property test
def test_property_nothing_personal_survives_in_the_view(
    record: tuple[PersonRecord, list[str], dict[str, list[str]]],
) -> None:
    """For any made-up person, no full name, name part (2+ letters), telephone number or its
    digits, email, full postcode, date of birth (any common form) or street survives."""
    person, extra, secrets = record
    seen = _surfaces(provider_view(person, extra_names=extra))
    for name in secrets["names"] + secrets["parts"]:
        assert not _whole_word(name).search(seen), f"name {name!r} survived"
    squeezed = re.sub(r"[\s().\-/+]", "", seen)
    for nsn in secrets["nsn"]:
        assert nsn not in squeezed, f"phone digits {nsn!r} survived"
    for literal in secrets["phones"] + secrets["emails"] + secrets["street"]:
        assert literal.lower() not in seen.lower(), f"{literal!r} survived"
    for pattern in secrets["postcode"]:
        found = re.search(rf"(?<![A-Za-z0-9]){pattern}(?![A-Za-z0-9])", seen, re.IGNORECASE)
        assert not found, f"postcode {found and found.group()!r} survived"
    for written in secrets["dob"]:
        assert not re.search(
            rf"(?<![0-9A-Za-z]){re.escape(written)}(?![0-9A-Za-z])", seen, re.IGNORECASE
        ), f"date of birth {written!r} survived"


relations_any = st.builds(Relation, st.text(max_size=12), st.text(max_size=12))
odd_people = st.builds(
    PersonRecord,
    name=st.text(max_size=20),
    dob=st.none() | st.dates(),
    address=st.text(max_size=40),
    postcode=st.none() | st.text(max_size=9),
    phone=st.none() | st.text(alphabet="0123456789 +()-", max_size=16),
    relations=st.lists(relations_any, max_size=3).map(tuple),
    worker=st.none() | st.text(max_size=12),
    principal_contact=st.none() | st.text(max_size=12),
    principal_contact_phone=st.none() | st.text(max_size=16),
    needs=st.text(max_size=80),
    notes=st.text(max_size=80),
)


@settings(max_examples=300, deadline=None)
@given(odd_people, st.lists(st.text(max_size=10), max_size=3))
def test_property_any_input_gives_a_json_view(person: PersonRecord, extra: list[str]) -> None:
    """Whatever the record holds (empty, one letter, symbols), the view is made, JSON-ready,
    with the same keys, and the name is the initials."""
    view = provider_view(person, extra_names=extra)
    assert list(view) == KEYS
    assert json.loads(json.dumps(view)) == view
    assert view["name"] == initials(person.name)
