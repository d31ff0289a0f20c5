"""`carebroker simulate SCENARIO.json [--out FILE]`: replay a scenario through the engine."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from carebroker.engine.result import result
from carebroker.engine.scenario import ScenarioError, parse_scenario
from carebroker.engine.simulation import simulate
from carebroker.engine.whatif import run_whatif
from carebroker.engine.whatif_reader import MarketError


class Command(BaseCommand):
    help = "Run a scenario (docs/scenarios.md) under a virtual clock; print the result as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("scenario", nargs="?", help="the scenario JSON file")
        parser.add_argument("--out", help="write the result here instead of stdout")
        parser.add_argument(
            "--generate",
            metavar="MARKET.toml",
            help="what-if: generate a market and packages, run them, print a summary",
        )
        parser.add_argument("--seed", type=int, default=0, help="with --generate (default 0)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generate"] or options["scenario"] is None:
            self._generate(options)
            return
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

    def _generate(self, options: dict[str, Any]) -> None:
        """`--generate MARKET.toml --seed N`: the what-if summary (carebroker/engine/whatif.py)."""
        if not options["generate"] or options["scenario"]:
            raise CommandError("give either SCENARIO.json or --generate MARKET.toml --seed N")
        try:
            text = run_whatif(options["generate"], options["seed"])
        except MarketError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"{options['generate']}: {len(exc.errors)} error(s)") from None
        if options["out"]:
            Path(options["out"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
