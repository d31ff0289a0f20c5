"""Whether text is a whole number written with the digits 0 to 9.

`str.isdigit()` is also true of superscripts and other digit characters that `int()`
refuses ("³"), so text checked with it before `int()` could still raise, and a page or the
API answered 500 (schemathesis found the API's cursor). Typed, uploaded or sent text is
checked here before `int()`.
"""

from __future__ import annotations


def is_whole_number(text: str) -> bool:
    return text.isascii() and text.isdigit()
