"""`carebroker retention [--dry-run] [--council SLUG] [--now TIME]`: anonymise the personal
data past each council's retention period (placements/personal_data.py). Run it with
--dry-run first: it lists who would be anonymised and changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from carebroker.councils.lookup import council_by_slug
from carebroker.lib.london import time_argument
from carebroker.placements.personal_data import retention


class Command(BaseCommand):
    help = "Anonymise personal data past the council's retention period (--dry-run: list only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list, change nothing")
        parser.add_argument("--council", help="one council's slug (default: every council)")
        parser.add_argument(
            "--now", type=time_argument, help="the time to apply it at (default: now)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        council = council_by_slug(options["council"]) if options["council"] else None
        now = options["now"] or timezone.now()
        lines = retention(now, dry_run=options["dry_run"], council=council)
        for line in lines:
            self.stdout.write(line)
        verb = "would be anonymised" if options["dry_run"] else "anonymised"
        self.stdout.write(f"{len(lines)} {'person' if len(lines) == 1 else 'people'} {verb}.")
