"""File names as the seeds ask: "YYYY MM DD description" (seed 004, top of the guidance).

"2026 11 23 M1001 ISP for Alder Homecare.pdf";
"2026 11 23 (A.L. & M1001) IPA for Alder Homecare.docx" (seed 004, step 20).
The date is the council's local day (docs/policies.md §1: Europe/London). A second file of
the same name for the same package gets " (2)", " (3)", ...: a document may have been
sent already, so a new run never replaces it.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import datetime

from carebroker.lib.london import LONDON

# Characters Windows and the shared drives refuse in a file name (seed 004 saves to F:\).
_NOT_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def day_prefix(now: datetime) -> str:
    """ "2026 11 23": the council's local date of `now` (which must be aware)."""
    if now.tzinfo is None:
        raise ValueError("now: a time zone is needed (an aware datetime), to know the day")
    return now.astimezone(LONDON).strftime("%Y %m %d")


def clean_part(text: str) -> str:
    """A provider's or person's name made safe for a file name: no slashes, no colons."""
    return " ".join(_NOT_IN_NAMES.sub(" ", text).split())


def document_name(now: datetime, description: str, extension: str) -> str:
    """ "YYYY MM DD description.ext" for `now`'s local day."""
    # The stored name has 255 characters; " (NN)" may follow, so the description stops at 200.
    description = clean_part(description)[:200].rstrip()
    if not description:
        raise ValueError("description: empty; a document name needs one")
    return f"{day_prefix(now)} {description}.{extension.lstrip('.')}"


def unclashing(name: str, taken: Collection[str]) -> str:
    """`name`, or "stem (2).ext", "stem (3).ext", ... the first that is not taken."""
    if name not in taken:
        return name
    stem, dot, extension = name.rpartition(".")
    n = 2
    while f"{stem} ({n}){dot}{extension}" in taken:
        n += 1
    return f"{stem} ({n}){dot}{extension}"
