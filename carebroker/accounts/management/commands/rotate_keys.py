"""`carebroker rotate-keys`: seal every sealed secret again under the first of ENCRYPTION_KEYS
(accounts/sealed.py). `carebroker rotate-keys --new-key` prints a new key and changes nothing.

Rotating a key: put a new key first in ENCRYPTION_KEYS, keeping the old one after it, and
restart the processes; run `carebroker rotate-keys`; then drop the old key and restart."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from carebroker.accounts.sealed import reseal, sealed_fields


def rotate_all() -> dict[str, int]:
    """Each sealed column's values sealed again under the first key; how many, per column.
    Tokens are read and written as they are (no model is loaded or saved: no signals, and
    the plain secret never leaves this function's loop)."""
    counts: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for model, field in sealed_fields():
            table = connection.ops.quote_name(model._meta.db_table)
            column = connection.ops.quote_name(field.column)
            pk = connection.ops.quote_name(model._meta.pk.column)
            cursor.execute(
                f"SELECT {pk}, {column} FROM {table} WHERE {column} IS NOT NULL AND {column} <> ''"  # noqa: S608 (names from the models)
            )
            rows = cursor.fetchall()
            for key, token in rows:
                cursor.execute(
                    f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                    [reseal(token), key],
                )
            counts[f"{model._meta.verbose_name} {field.verbose_name}"] = len(rows)
    return counts


class Command(BaseCommand):
    help = "Seal every stored secret again under the first encryption key (--new-key: make one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--new-key", action="store_true", help="print a new key for ENCRYPTION_KEYS and stop"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(Fernet.generate_key().decode("ascii"))
            return
        for what, count in rotate_all().items():
            self.stdout.write(f"{what}: {count} sealed again under the first key")
