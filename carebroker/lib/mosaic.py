"""The format of a Mosaic ID (a package's `case_number`), issue 12 finding 4.

Councils' case-management systems (Mosaic, LAS, Eclipse) number people and cases with
letters and digits, some with a hyphen ("2387781", "M1001", "LAS-00123"). A Mosaic ID is
therefore 1 to 20 letters (A-Z, any case), digits or hyphens, starting with a letter or
digit. Anything else ("a/b", a space, "=1+2") is refused where it comes in: it would
break the package's links (a "/" in a URL) and become a formula in a spreadsheet.
"""

from __future__ import annotations

import re

MAX_LENGTH = 20
RULE = "1 to 20 letters, digits or hyphens, starting with a letter or digit"
_VALID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,19}")


def mosaic_id_problem(case: str) -> str | None:
    """Why `case` is not a Mosaic ID, or None when it is one."""
    if _VALID.fullmatch(case):
        return None
    shown = case if len(case) <= 30 else case[:30] + "..."
    return f"must be {RULE}, got {shown!r}"


def repaired_mosaic_id(case: str) -> str:
    """The nearest valid ID: each run of other characters becomes one hyphen."""
    cleaned = re.sub(r"[^A-Za-z0-9-]+", "-", case).strip("-")[:MAX_LENGTH].strip("-")
    return cleaned or "X"
