"""`carebroker policy check FILE|PRESET`: validate a sourcing policy (docs/policies.md)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from carebroker.engine.policy import PRESETS, PolicyError
from carebroker.engine.policy_reader import load_policy


class Command(BaseCommand):
    help = "Check a sourcing policy file (TOML) or a preset name; print OK or every error."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        check = actions.add_parser("check", help="Validate a policy and name every bad field.")
        check.add_argument("policy", help=f"a TOML file, or a preset: {', '.join(PRESETS)}")

    def handle(self, *args: Any, **options: Any) -> None:
        source: str = options["policy"]
        if source not in PRESETS and not Path(source).is_file():
            raise CommandError(f"{source}: no such file and not a preset ({', '.join(PRESETS)})")
        try:
            policy = load_policy(source if source in PRESETS else Path(source))
        except PolicyError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"{source}: {len(exc.errors)} error(s)") from None
        self.stdout.write(f"OK: {policy.name}")
