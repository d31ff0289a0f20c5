"""`carebroker partitions [--ahead N] [--archive-before YYYY-MM] [--now TIME]`: the monthly
partitions of the timeline and the notices on PostgreSQL (sourcing/partitions.py,
docs/deployment.md). Makes the partitions of this month and the next N (the worker does the
same once a day), archives the months before the one given, and lists what there is."""

from __future__ import annotations

from argparse import ArgumentTypeError
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from carebroker.lib.london import time_argument
from carebroker.lib.numbers import is_whole_number
from carebroker.sourcing import partitions


def _month(text: str) -> date:
    year, _, month = text.partition("-")
    try:
        if len(year) != 4 or len(month) != 2:
            raise ValueError(text)
        return date(int(year), int(month), 1)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not a month (YYYY-MM, e.g. 2025-01)") from None


def _ahead(text: str) -> int:
    if not is_whole_number(text) or not 0 <= int(text) <= 24:
        raise ArgumentTypeError(f"{text!r} is not a number of months from 0 to 24")
    return int(text)


class Command(BaseCommand):
    help = "Make next months' partitions of the timeline and notices; archive old ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--ahead", type=_ahead, default=partitions.AHEAD,
            help=f"months to make after this one (default {partitions.AHEAD})",
        )  # fmt: skip
        parser.add_argument(
            "--archive-before", type=_month, metavar="YYYY-MM",
            help="detach the months before this one and move them to the archive schema",
        )  # fmt: skip
        parser.add_argument(
            "--now", type=time_argument, help="the time to apply it at (default: now)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = options["now"] or timezone.now()
        try:
            lines = partitions.partitions_ahead(now, options["ahead"])
            if options["archive_before"] is not None:
                lines += partitions.archive_before(options["archive_before"], now)
            lines += partitions.summary()
        except partitions.NotPartitioned as error:
            raise CommandError(f"partitions: {error}") from None
        except ValueError as error:
            raise CommandError(f"--archive-before: {error}") from None
        for line in lines:
            self.stdout.write(line)
