"""Why a provider declines, in words (the portal's choices, the worker's list of reasons).

No seed lists decline codes for providers; these are fixed here (Leicestershire asks for "a
reason code", docs/policies.md §6.3). A reason given another way (email, phone) is its own
words and reads as written.
"""

from __future__ import annotations

DECLINE_REASONS = (
    ("no_capacity", "No carers free for these hours"),
    ("area", "We do not cover this area"),
    ("call_times", "We cannot meet the call times"),
    ("needs", "We cannot meet these needs"),
    ("start_date", "We cannot start by the requested date"),
    ("other", "Another reason"),
)
_WORDS = dict(DECLINE_REASONS)


def decline_words(reason: str) -> str:
    """A decline reason as a person reads it: a code's label, else the words given."""
    text = str(reason or "")
    return _WORDS.get(text, text.replace("_", " "))
