"""`carebroker simulate SCENARIO.json [--out FILE]`: replay a scenario through the engine."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from carebroker.engine.result import result
from carebroker.engine.scenario import ScenarioError, parse_scenario
from carebroker.engine.simulation import simulate


class Command(BaseCommand):
    help = "Run a scenario (docs/scenarios.md) under a virtual clock; print the result as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("scenario", help="the scenario JSON file")
        parser.add_argument("--out", help="write the result here instead of stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["scenario"])
        try:
            source = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"{path}: cannot read: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path}: not valid JSON: {exc}") from None
        try:
            scenario = parse_scenario(source)
        except ScenarioError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"{path}: {len(exc.errors)} error(s)") from None
        text = json.dumps(result(simulate(scenario)), indent=2, ensure_ascii=False)
        if options["out"]:
            Path(options["out"]).write_text(text + "\n", encoding="utf-8")
        else:
            self.stdout.write(text)
