"""`carebroker working_time [--fix] [--council SLUG]`: check the stored working times.

The dashboard reads the working time to award and to answer that the write path stored
(sourcing/working_time.py). This works every one out again from the rows' own times and
says how many differ; `--fix` stores the worked-out values (after a bulk load, or after a
council's working day changed). Exits 1 if any differ and `--fix` was not given.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from carebroker.councils.lookup import council_by_slug
from carebroker.councils.models import Council
from carebroker.sourcing.working_time import refill

SHOWN = 10


class Command(BaseCommand):
    help = (
        "Work out every stored working time (referral to award, request to answer) again "
        "and compare; --fix stores the worked-out values."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="store the worked-out values")
        parser.add_argument("--council", help="only this council (its short name, the slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        councils = Council.objects.order_by("pk")
        if options["council"]:
            councils = councils.filter(pk=council_by_slug(options["council"]).pk)
        with transaction.atomic():
            found = refill(fix=options["fix"], councils=councils)
        for slug in found.councils_skipped:
            self.stderr.write(f"{slug}: its policy cannot be read; its rows were not checked")
        self.stdout.write(
            f"Checked {found.packages} packages and {found.requests} requests: "
            f"{len(found.awards_wrong)} working times to award and "
            f"{len(found.answers_wrong)} to answer differed from the rows' own times."
        )
        for what, wrong in (("award", found.awards_wrong), ("answer", found.answers_wrong)):
            if wrong:
                more = f" and {len(wrong) - SHOWN} more" if len(wrong) > SHOWN else ""
                self.stdout.write(f"To {what}: {', '.join(wrong[:SHOWN])}{more}")
        if found.wrong and options["fix"]:
            self.stdout.write("Stored the worked-out values.")
        elif found.wrong:
            raise CommandError("Stored working times differ: run again with --fix to store them.")
