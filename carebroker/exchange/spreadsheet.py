"""The one way every export writes a spreadsheet cell (issue 12 finding 7: formula injection).

A text that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to
Excel (or LibreOffice, or Google Sheets) when it is typed or opened from a CSV: a provider
named `=HYPERLINK("http://evil","Click")` would become a live link in the tracker, and in a
batch report sent to every provider. So:

- in an .xlsx, `cell(sheet, value)` writes such a text as a string cell (never openpyxl's
  formula type) with Excel's quote prefix, so it is shown as typed, and stays text when the
  cell is edited;
- in a CSV, `csv_text(value)` puts an apostrophe before it (OWASP's advice: the one mark
  spreadsheet programs read as "this is text").

Numbers, dates and texts that start otherwise are written as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def risky(value: object) -> bool:
    """A text a spreadsheet program would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def cell(sheet: Any, value: object) -> Cell:
    """A cell for `sheet.append` (write-only or normal worksheet) holding `value` safely."""
    written: Cell = WriteOnlyCell(sheet, value)
    if risky(value):
        written.data_type = "s"  # openpyxl made it a formula ("="): text, never evaluated
        written.quotePrefix = True
    return written


def row(sheet: Any, values: Iterable[object]) -> list[object]:
    """`values` ready for `sheet.append`: risky texts as safe cells, cells kept as built."""
    return [
        value if isinstance(value, Cell) or not risky(value) else cell(sheet, value)
        for value in values
    ]


def csv_text(text: str) -> str:
    """A CSV field that no spreadsheet program runs as a formula."""
    return "'" + text if risky(text) else text
