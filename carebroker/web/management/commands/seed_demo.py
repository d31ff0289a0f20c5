"""`carebroker seed-demo`: load the demo councils and print the demo logins."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from carebroker.demo.seed import format_logins, seed_demo


class Command(BaseCommand):
    help = "Load one made-up demo council per policy preset, with a login for every role."

    def handle(self, *args: object, **options: object) -> None:
        report = seed_demo(now=timezone.now())
        for name in report.created:
            self.stdout.write(f"Created {name}")
        for name in report.kept:
            self.stdout.write(f"Kept {name} (already there; its logins are reset)")
        self.stdout.write("")
        self.stdout.write(format_logins(report.logins))
