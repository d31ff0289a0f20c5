"""`carebroker retention [--dry-run] [--council SLUG] [--now TIME]`: anonymise the personal
data past each council's retention period (placements/personal_data.py). Run it with
--dry-run first: it lists who would be anonymised and changes nothing."""

from __future__ import annotations

from argparse import ArgumentTypeError
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from carebroker.councils.lookup import council_by_slug
from carebroker.placements.naming import LONDON
from carebroker.placements.personal_data import retention


def _time(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not a time (YYYY-MM-DD HH:MM)") from None
    return at if at.tzinfo else at.replace(tzinfo=LONDON)


class Command(BaseCommand):
    help = "Anonymise personal data past the council's retention period (--dry-run: list only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list, change nothing")
        parser.add_argument("--council", help="one council's slug (default: every council)")
        parser.add_argument("--now", type=_time, help="the time to apply it at (default: now)")

    def handle(self, *args: Any, **options: Any) -> None:
        council = council_by_slug(options["council"]) if options["council"] else None
        now = options["now"] or timezone.now()
        lines = retention(now, dry_run=options["dry_run"], council=council)
        for line in lines:
            self.stdout.write(line)
        verb = "would be anonymised" if options["dry_run"] else "anonymised"
        self.stdout.write(f"{len(lines)} {'person' if len(lines) == 1 else 'people'} {verb}.")
