"""`carebroker import-ehm FILE --council SLUG --provider NAME_OR_ID`: an EHM visit return."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from carebroker.councils.lookup import council_by_slug, provider_by_name_or_id
from carebroker.exchange.ehm import LATE_AFTER, SHORT_BY, EhmVisitImporter
from carebroker.exchange.sheets import ImportRefused


class Command(BaseCommand):
    help = "Check a provider's four-weekly EHM visit CSV against its packages and summarise it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the provider's EHM CSV (or .xlsx)")
        parser.add_argument("--council", required=True, help="the council's slug")
        parser.add_argument("--provider", required=True, help="the provider's name or id")
        parser.add_argument(
            "--late-after",
            type=int,
            default=int(LATE_AFTER.total_seconds() // 60),
            metavar="MINUTES",
            help="a visit starting more than this after its planned start is late (%(default)s)",
        )
        parser.add_argument(
            "--short-by",
            type=int,
            default=int(SHORT_BY.total_seconds() // 60),
            metavar="MINUTES",
            help="a visit more than this shorter than planned is short (%(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        council = council_by_slug(options["council"])
        provider = provider_by_name_or_id(council, options["provider"])
        for option in ("late_after", "short_by"):
            if not 0 <= options[option] <= 240:
                raise CommandError(f"--{option.replace('_', '-')}: minutes from 0 to 240")
        try:
            summary = EhmVisitImporter(
                council,
                provider,
                now=timezone.now(),
                late_after=timedelta(minutes=options["late_after"]),
                short_by=timedelta(minutes=options["short_by"]),
            ).handle(options["file"])
        except ImportRefused as refused:
            raise CommandError(f"nothing imported:\n{refused}") from None
        for line in summary.lines():
            self.stdout.write(line)
