"""UK postcodes: the format rules, the normal form, the provider view's partial postcode."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carebroker.lib.postcodes import (
    A9A_LETTERS,
    AA9A_LETTERS,
    FIRST_LETTERS,
    INWARD_LETTERS,
    SECOND_LETTERS,
    Postcode,
    PostcodeError,
    normalise_postcode,
    parse_district,
    parse_postcode,
)

DIGITS = "0123456789"


def _letter(allowed: frozenset[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(allowed))


def _digit() -> st.SearchStrategy[str]:
    return st.sampled_from(DIGITS)


# Every outward shape (A9, A99, AA9, AA99, A9A, AA9A) built from the letters allowed there.
outward_codes = st.one_of(
    st.tuples(_letter(FIRST_LETTERS), _digit()),
    st.tuples(_letter(FIRST_LETTERS), _digit(), _digit()),
    st.tuples(_letter(FIRST_LETTERS), _letter(SECOND_LETTERS), _digit()),
    st.tuples(_letter(FIRST_LETTERS), _letter(SECOND_LETTERS), _digit(), _digit()),
    st.tuples(_letter(FIRST_LETTERS), _digit(), _letter(A9A_LETTERS)),
    st.tuples(_letter(FIRST_LETTERS), _letter(SECOND_LETTERS), _digit(), _letter(AA9A_LETTERS)),
).map("".join)
inward_codes = st.tuples(_digit(), _letter(INWARD_LETTERS), _letter(INWARD_LETTERS)).map("".join)
valid_postcodes = st.builds(Postcode, outward_codes, inward_codes)
spacing = st.text(alphabet=" \t", max_size=3)


def _scramble(postcode: Postcode, case: list[bool], gaps: tuple[str, str, str]) -> str:
    """The same postcode as a person might type it: any case, any spacing."""
    text = str(postcode).replace(" ", gaps[1])
    mixed = "".join(c.lower() if lower else c for c, lower in zip(text, case, strict=False))
    return gaps[0] + mixed + text[len(mixed) :] + gaps[2]


@pytest.mark.parametrize(
    ("text", "outward", "inward"),
    [
        ("CO4 3SQ", "CO4", "3SQ"),
        ("co43sq", "CO4", "3SQ"),
        (" CO4  3SQ ", "CO4", "3SQ"),
        ("m1 1ae", "M1", "1AE"),  # A9
        ("B33 8TH", "B33", "8TH"),  # A99
        ("CR2 6XH", "CR2", "6XH"),  # AA9
        ("DN55 1PT", "DN55", "1PT"),  # AA99
        ("W1A 0AX", "W1A", "0AX"),  # A9A
        ("EC1A 1BB", "EC1A", "1BB"),  # AA9A
        ("le3\t9qp", "LE3", "9QP"),
        ("gir 0aa", "GIR", "0AA"),  # the one historic exception
    ],
)
def test_postcode_in_any_case_and_spacing_parses_to_outward_and_inward(text, outward, inward):
    """Case and spacing do not matter; each of the six outward shapes is accepted."""
    assert parse_postcode(text) == Postcode(outward=outward, inward=inward)


def test_postcode_is_written_as_outward_space_inward():
    """str() is the one normal form: upper case, one space before the inward code."""
    assert str(parse_postcode(" co4  3sq ")) == "CO4 3SQ"
    assert normalise_postcode("co43sq") == "CO4 3SQ"


def test_postcode_district_is_outward_code_and_sector_adds_inward_digit():
    """The district is what areas are made of; the sector is the district plus a digit."""
    postcode = parse_postcode("CO4 3SQ")
    assert postcode.district == "CO4"
    assert postcode.sector == "CO4 3"


@pytest.mark.parametrize(
    ("text", "partial"), [("LE3 9QP", "LE3 9"), ("CO4 3SQ", "CO4 3"), ("EC1A1BB", "EC1A 1")]
)
def test_provider_view_postcode_drops_last_two_characters(text, partial):
    """docs/policies.md §6.2: "LE3 9QP" becomes "LE3 9" for providers before an award."""
    assert parse_postcode(text).partial == partial


def test_postcode_is_frozen():
    """A parsed postcode is a value: it cannot be changed after parsing."""
    postcode = parse_postcode("CO4 3SQ")
    with pytest.raises(AttributeError):
        postcode.outward = "CO5"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "it is empty"),
        ("   ", "it is empty"),
        ("XYZ", "it has 3 letters and digits; a postcode has 5 to 7"),
        ("CO44 3SQQ", "it has 8 letters and digits"),
        ("CO4-3SQ", "only letters, digits and spaces"),
        ("CÖ4 3SQ", "only letters, digits and spaces"),
        ("CO4 SQ3", "the inward code 'SQ3' must be a digit then two letters"),
        ("CO4 3CQ", "the inward code '3CQ' uses C"),
        ("CO4 3SI", "the inward code '3SI' uses I"),
        ("QO4 3SQ", "the outward code 'QO4' cannot start with Q, V or X"),
        ("V1 1AA", "cannot start with Q, V or X"),
        ("XO4 3SQ", "cannot start with Q, V or X"),
        ("CI4 3SQ", "the outward code 'CI4' cannot have I, J or Z as its second letter"),
        ("CZ4 3SQ", "cannot have I, J or Z as its second letter"),
        ("W1I 0AX", "the outward code 'W1I' cannot end in I: after W1 only one of"),
        ("EC1Z 1BB", "the outward code 'EC1Z' cannot end in Z: after EC1 only one of"),
        ("CO 3SQ", "the outward code 'CO' must have the shape A9, A99, AA9, AA99, A9A or AA9A"),
        ("1O4 3SQ", "must have the shape"),
        ("ASCN 1ZZ", "the outward code 'ASCN' must have the shape"),  # overseas: out of scope
        ("BFPO 1234", "British Forces (BFPO) numbers are not accepted"),  # out of scope
    ],
)
def test_bad_postcode_is_refused_with_the_reason(text, why):
    """Bad input raises PostcodeError (a ValueError) quoting the text and saying what is wrong."""
    with pytest.raises(PostcodeError) as caught:
        parse_postcode(text)
    message = str(caught.value)
    assert message.startswith(f"{text!r} is not a UK postcode: ")
    assert why in message
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(("text", "district"), [("co4", "CO4"), (" EC1A ", "EC1A"), ("gir", "GIR")])
def test_district_is_normalised_to_upper_case(text, district):
    """A district (outward code alone) is stored upper case without surrounding spaces."""
    assert parse_district(text) == district


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("LE3 9", "a district has no space inside"),
        ("CO4 3SQ", "a district has no space inside"),
        ("", "the outward code (the district, e.g. CO4) is missing"),
        ("XX", "must have the shape"),
        ("Q1", "cannot start with Q, V or X"),
        ("CO-4", "may hold only letters and digits"),
    ],
)
def test_bad_district_is_refused_with_the_reason(text, why):
    """A district that is not an outward code is refused, naming the text; "LE3 9" is a sector,
    not district LE39."""
    with pytest.raises(PostcodeError, match="is not a UK postcode district: ") as caught:
        parse_district(text)
    assert repr(text) in str(caught.value)
    assert why in str(caught.value)


@given(valid_postcodes)
def test_any_valid_postcode_round_trips_through_its_written_form(postcode):
    """Every postcode the rules allow parses back from str() to the same value."""
    assert parse_postcode(str(postcode)) == postcode
    assert parse_district(postcode.district) == postcode.outward


@given(valid_postcodes, st.lists(st.booleans(), max_size=8), st.tuples(spacing, spacing, spacing))
def test_case_and_spacing_never_change_the_postcode(postcode, case, gaps):
    """However a valid postcode is typed (case, spaces, tabs), it parses to the same value."""
    assert parse_postcode(_scramble(postcode, case, gaps)) == postcode


@given(st.one_of(st.text(max_size=12), valid_postcodes.map(str).map(str.lower)))
def test_normalise_is_idempotent_and_fails_only_with_postcode_error(text):
    """Any text either normalises (and its normal form normalises to itself) or raises
    PostcodeError, never another exception."""
    try:
        normal = normalise_postcode(text)
    except PostcodeError:
        return
    assert normalise_postcode(normal) == normal


@given(outward_codes, inward_codes, st.sampled_from(sorted("CIKMOV")))
def test_inward_letters_c_i_k_m_o_v_are_always_refused(outward, inward, letter):
    """The inward code never uses C, I, K, M, O or V in either letter position."""
    with pytest.raises(PostcodeError, match="are never used there"):
        parse_postcode(f"{outward} {inward[:2]}{letter}")
