"""`carebroker waiting-from [--fix] [--council SLUG]`: check when each package started waiting.

The waiting list reads the start of each package's wait that the write path stored
(sourcing/waiting_from.py). This works every one out again from the referral's acceptance
and the package's timeline and says how many differ; `--fix` stores the worked-out values
(after a bulk load that went around the write path). Exits 1 if any differ and `--fix` was
not given.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from carebroker.councils.lookup import council_by_slug
from carebroker.councils.models import Council
from carebroker.sourcing.waiting_from import refill

SHOWN = 10


class Command(BaseCommand):
    help = (
        "Work out when each package started waiting (its acceptance, a self-funder's grace "
        "end, its last handback) again and compare; --fix stores the worked-out values."
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
        self.stdout.write(
            f"Checked {found.packages} packages: {len(found.wrong)} had a start of waiting "
            "that differed from their acceptance and timeline."
        )
        if found.wrong:
            more = f" and {len(found.wrong) - SHOWN} more" if len(found.wrong) > SHOWN else ""
            self.stdout.write(f"Differed: {', '.join(found.wrong[:SHOWN])}{more}")
        if found.wrong and options["fix"]:
            self.stdout.write("Stored the worked-out values.")
        elif found.wrong:
            raise CommandError(
                "Stored starts of waiting differ: run again with --fix to store them."
            )
