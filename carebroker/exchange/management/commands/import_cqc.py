"""`carebroker import-cqc FILE --council SLUG`: CQC registration and ratings for providers."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from carebroker.councils.lookup import council_by_slug
from carebroker.exchange.cqc import CqcDirectoryImporter
from carebroker.exchange.sheets import ImportRefused


class Command(BaseCommand):
    help = "Check providers against the CQC care directory CSV: registration, latest rating."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CQC care directory CSV (or .xlsx)")
        parser.add_argument("--council", required=True, help="the council's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        council = council_by_slug(options["council"])
        try:
            report = CqcDirectoryImporter(council).handle(options["file"])
        except ImportRefused as refused:
            raise CommandError(f"nothing imported:\n{refused}") from None
        self.stdout.write(f"{council}: {report}")
        for name in report.updated:
            self.stdout.write(f"Updated {name}")
        for name in report.not_in_file:
            self.stdout.write(f"Not in the file: {name}")
        for concern in report.concerns:
            flag = "BLOCKED" if concern.blocked else "warning"
            self.stdout.write(f"{flag}: {concern.provider} ({concern.kind}): {concern.reason}")
