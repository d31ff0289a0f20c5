"""`carebroker import-providers FILE --council SLUG`: the provider directory from CSV/.xlsx."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from carebroker.councils.lookup import council_by_slug
from carebroker.exchange.directory import ProviderDirectoryImporter
from carebroker.exchange.sheets import ImportRefused


class Command(BaseCommand):
    help = "Import a council's providers (ranks, tiers, lots, contacts) from a CSV or .xlsx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a CSV or .xlsx file, one row a provider")
        parser.add_argument("--council", required=True, help="the council's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        council = council_by_slug(options["council"])
        try:
            report = ProviderDirectoryImporter(council).handle(options["file"])
        except ImportRefused as refused:
            raise CommandError(f"nothing imported:\n{refused}") from None
        self.stdout.write(f"{council}: {report}")
        for label, names in (("Created", report.created), ("Updated", report.updated)):
            for name in names:
                self.stdout.write(f"{label} {name}")
