"""`carebroker subject-access --council SLUG --package MOSAIC_ID --out FILE.zip`: everything
held about the package's person, one zip of JSON and documents (UK GDPR subject access)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from carebroker.councils.lookup import council_by_slug
from carebroker.placements.personal_data import subject_access_zip
from carebroker.sourcing.models import Package


class Command(BaseCommand):
    help = "Export everything held about a person (subject access): one zip."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--council", required=True, help="the council's slug")
        parser.add_argument("--package", required=True, help="a Mosaic ID of the person")
        parser.add_argument("--out", required=True, help="the zip file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        council = council_by_slug(options["council"])
        package = Package.objects.filter(council=council, case_number=options["package"]).first()
        if package is None:
            raise CommandError(f"--package: no package {options['package']} in {council.name}")
        out = Path(options["out"])
        if out.exists():
            raise CommandError(f"--out: {out} exists already; name a new file")
        data = subject_access_zip(package.person, timezone.now(), by="command line")
        out.write_bytes(data)
        out.chmod(0o600)  # personal data: readable by its owner only
        self.stdout.write(f"Wrote {out} ({len(data):,} bytes).")
