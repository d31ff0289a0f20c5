"""A figure's data as a table, and the same table as CSV and .xlsx (openpyxl).

Every figure on the dashboard and every report section is a `Table`: the page shows it
beside its chart, and the downloads write exactly its cells, so what is read on the page is
what is downloaded. Cells are words and numbers only (people see words, never codes).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from carebroker.exchange.spreadsheet import csv_text
from carebroker.exchange.spreadsheet import row as safe_row

Cell = str | int | Decimal | date | None
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1D70B8")  # GOV.UK blue


@dataclass(frozen=True)
class Table:
    """A titled table: `key` names it in download URLs; `numeric` marks right-aligned columns."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]] = field(default_factory=list)
    numeric: frozenset[int] = frozenset()
    empty: str = "Nothing in this period."

    def column(self, name: str) -> list[Cell]:
        i = self.columns.index(name)
        return [row[i] for row in self.rows]

    def row(self, first: Cell) -> tuple[Cell, ...]:
        """The row whose first cell is `first` (tests and charts look rows up by label)."""
        for row in self.rows:
            if row[0] == first:
                return row
        raise KeyError(first)


def cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_text(column) for column in table.columns])
    for row in table.rows:
        writer.writerow([csv_text(cell_text(value)) for value in row])
    # A byte-order mark so that Excel opens the file as UTF-8 (the £ sign, names).
    return ("\ufeff" + out.getvalue()).encode()


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """One sheet per table, the header in GOV.UK blue, dates as dates, numbers as numbers."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.title, used))
        sheet.append(safe_row(sheet, table.columns))
        for cell in sheet[1]:
            cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        for row in table.rows:
            sheet.append(safe_row(sheet, [float(v) if isinstance(v, Decimal) else v for v in row]))
        for i, name in enumerate(table.columns, start=1):
            width = max([len(name)] + [len(cell_text(r[i - 1])) for r in table.rows[:200]])
            sheet.column_dimensions[get_column_letter(i)].width = min(60, width + 2)
            if any(isinstance(r[i - 1], date) for r in table.rows[:1]):
                for cell in sheet[get_column_letter(i)][1:]:
                    cell.number_format = "d mmmm yyyy"
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique in the workbook.
    base = re.sub(r"[\[\]:*?/\\]", " ", title)[:28].strip() or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base} {n}", n + 1
    used.add(name.lower())
    return name
