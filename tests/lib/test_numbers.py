"""lib/numbers.py: text that int() takes, and nothing that would make it raise."""

from hypothesis import given
from hypothesis import strategies as st

from carebroker.lib.numbers import is_whole_number


def test_only_the_digits_0_to_9_make_a_whole_number():
    assert is_whole_number("0") and is_whole_number("2026")
    for text in ("", "³", "12³", "٣", "１２", "-1", "1.5", " 1", "abc"):
        assert not is_whole_number(text), text


@given(st.text(max_size=6))
def test_property_int_takes_whatever_is_a_whole_number(text):
    if is_whole_number(text):
        assert int(text) >= 0
