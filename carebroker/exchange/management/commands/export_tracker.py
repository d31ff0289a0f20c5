"""`carebroker export-tracker --council SLUG --out FILE [--at ISO]`: the tracker (.xlsx)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from carebroker.councils.lookup import aware_time, council_by_slug
from carebroker.exchange.tracker import tracker_xlsx


class Command(BaseCommand):
    help = (
        "Write the tracker workbook: Open, Filled, Closed, IPAs created and Providers "
        "approached (with each provider's answer code)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--council", required=True, help="the council's slug")
        parser.add_argument("--out", required=True, help="the .xlsx file to write")
        parser.add_argument("--at", help="the date the days count to, ISO; now")

    def handle(self, *args: Any, **options: Any) -> None:
        council = council_by_slug(options["council"])
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(f"--out: the folder {out.parent} does not exist")
        out.write_bytes(tracker_xlsx(council, aware_time(options["at"], "--at")))
        self.stdout.write(str(out))
