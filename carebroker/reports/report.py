"""A report: a title, its period in words, and its sections, each a Table (reports/tables.py)
shown on a page and downloadable as CSV (a section) or .xlsx (the whole report)."""

from __future__ import annotations

from dataclasses import dataclass

from carebroker.reports.tables import Table


@dataclass(frozen=True)
class Report:
    key: str  # its URL name and download file name, e.g. "wash-up"
    title: str
    period: str
    sections: list[Table]
    intro: str = ""

    def section(self, key: str) -> Table:
        for table in self.sections:
            if table.key == key:
                return table
        raise KeyError(key)
