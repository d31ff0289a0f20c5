"""`carebroker ingest-email FILE.eml|MBOX|MAILDIR|DIR --council SLUG [--at ISO]`: replies."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from carebroker.councils.lookup import aware_time, council_by_slug
from carebroker.exchange.replies import ReplyReader
from carebroker.exchange.sheets import ImportRefused


class Command(BaseCommand):
    help = (
        "Read provider replies (an .eml, an mbox, a Maildir or a folder of .eml files): "
        "record the answers that are clear, queue the others for a broker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="an .eml file, an mbox file, a Maildir or a folder")
        parser.add_argument("--council", required=True, help="the council's slug")
        parser.add_argument(
            "--at", help="the time of reading, ISO (London time without an offset); now"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        council = council_by_slug(options["council"])
        now = aware_time(options["at"], "--at")
        try:
            report = ReplyReader(council, now=now).handle(options["path"])
        except ImportRefused as refused:
            raise CommandError(f"nothing read:\n{refused}") from None
        for line in report.lines:
            self.stdout.write(line)
        self.stdout.write(
            f"{report.recorded} recorded, {report.queued} queued for a broker, "
            f"{report.skipped} already read"
        )
