"""`carebroker make-document --package CASE --kind KIND --council SLUG`: make a placement
document, keep it with the package and (with --out) write the files to a folder."""

from __future__ import annotations

from argparse import ArgumentTypeError
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from carebroker.councils.lookup import council_by_slug, provider_by_name_or_id
from carebroker.lib.london import time_argument
from carebroker.placements.documents import DocumentRefused, make_document
from carebroker.placements.documents.store import BUILDERS


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _rate(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ArgumentTypeError(f"{text!r} is not an amount (e.g. 21.50)") from None


class Command(BaseCommand):
    help = "Make a placement document (ISP, confirmation form, SDO, IPA, standard message)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--package", required=True, help="the Mosaic ID")
        parser.add_argument("--kind", required=True, choices=list(BUILDERS))
        parser.add_argument("--council", required=True, help="the council's slug")
        parser.add_argument("--provider", help="name or id (ISP, decline, not chosen)")
        parser.add_argument("--out", help="also write the files to this folder")
        parser.add_argument("--start", type=_date, help="confirmed start date, YYYY-MM-DD")
        parser.add_argument("--rate", type=_rate, help="hourly rate, e.g. 21.50")
        parser.add_argument("--deadline", type=time_argument, help="ISP answer deadline")
        parser.add_argument("--code", help="not chosen: D1 to D4")
        parser.add_argument("--reason", help="decline or not chosen: the reason")
        parser.add_argument("--missing", action="append", help="missing information, repeatable")
        parser.add_argument("--note", help="missing information: what is needed")

    def handle(self, *args: Any, **options: Any) -> None:
        council = council_by_slug(options["council"])
        package = council.packages.filter(case_number=options["package"]).first()
        if package is None:
            raise CommandError(f"--package: {council} has no package {options['package']!r}")
        provider = (
            provider_by_name_or_id(council, options["provider"]) if options["provider"] else None
        )
        kind = options["kind"]
        given = {
            name: options[name]
            for name in BUILDERS[kind].options
            if name in options and options[name] is not None
        }
        try:
            documents = make_document(package, kind, now=timezone.now(), provider=provider, **given)
        except DocumentRefused as refused:
            raise CommandError(str(refused)) from None
        out = Path(options["out"]) if options["out"] else None
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
        for document in documents:
            if out is not None:
                (out / document.filename).write_bytes(bytes(document.content))
            self.stdout.write(document.filename)
