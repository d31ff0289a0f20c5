"""`carebroker batch-report --council SLUG --date YYYY-MM-DD --out DIR`: the batch reports."""

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from carebroker.councils.lookup import council_by_slug
from carebroker.exchange.batch_report import batch_reports


class Command(BaseCommand):
    help = (
        "Write the .xlsx batch report of each area for the batch issued on a date "
        "('YYYY MM DD <area> batch report.xlsx')."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--council", required=True, help="the council's slug")
        parser.add_argument("--date", required=True, help="the batch date, YYYY-MM-DD")
        parser.add_argument("--out", required=True, help="the directory to write them in")

    def handle(self, *args: Any, **options: Any) -> None:
        council = council_by_slug(options["council"])
        try:
            day = date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError(f"--date: a date like 2026-11-20, got {options['date']!r}") from None
        out = Path(options["out"])
        if not out.is_dir():
            raise CommandError(f"--out: {out} is not a directory")
        workbooks = batch_reports(council, day)
        if not workbooks:
            # docs/policies.md §4.2: no packages, no report.
            self.stdout.write(f"{council}: no batch issued on {day:%d/%m/%Y}; nothing written")
            return
        for workbook in workbooks:
            path = out / workbook.filename
            path.write_bytes(workbook.content)
            self.stdout.write(f"{path} ({len(workbook.cases)} package(s))")
