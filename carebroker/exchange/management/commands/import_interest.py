"""`carebroker import-interest FILE --provider P --council SLUG [--at ISO]`: a ticked return."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from carebroker.councils.lookup import (
    aware_time,
    council_by_slug,
    provider_by_name_or_id,
)
from carebroker.exchange.interest import InterestImporter
from carebroker.exchange.sheets import ImportRefused


class Command(BaseCommand):
    help = (
        "Read a provider's ticked batch report (or a list of Mosaic IDs) as expressions of "
        "interest at the time it arrived."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the returned .xlsx (or a CSV listing Mosaic IDs)")
        parser.add_argument("--council", required=True, help="the council's slug")
        parser.add_argument("--provider", required=True, help="the provider's name or id")
        parser.add_argument(
            "--at", help="when the file arrived, ISO (London time without an offset); now"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        council = council_by_slug(options["council"])
        provider = provider_by_name_or_id(council, options["provider"])
        now = aware_time(options["at"], "--at")
        try:
            report = InterestImporter(council, provider, now=now).handle(options["file"])
        except ImportRefused as refused:
            raise CommandError(f"nothing recorded:\n{refused}") from None
        for line in report.lines():
            self.stdout.write(line)
