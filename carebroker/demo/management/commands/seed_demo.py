"""`carebroker seed-demo`: load the demo councils and print the demo logins."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from carebroker.councils.models import Council
from carebroker.demo.seed import DemoRefused, format_logins, seed_demo


class Command(BaseCommand):
    help = "Load one made-up demo council per policy preset, with a login for every role."

    def handle(self, *args: object, **options: object) -> None:
        if Council._meta.db_table not in connection.introspection.table_names():
            raise CommandError("the database has no tables yet: run `carebroker migrate` first")
        try:
            report = seed_demo(now=timezone.now())
        except DemoRefused as refused:
            raise CommandError(str(refused)) from None
        for name in report.created:
            self.stdout.write(f"Created {name}")
        for name in report.kept:
            self.stdout.write(f"Kept {name} (already there; existing logins are left as they are)")
        self.stdout.write("")
        self.stdout.write(format_logins(report.logins))
