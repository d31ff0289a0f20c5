"""`carebroker worker [--once] [--interval SECONDS] [--lane all|due|lists]`: run the worker
(sourcing/worker.py)."""

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from carebroker.sourcing import worker


class Command(BaseCommand):
    help = (
        "Deliver the outbox and do what sourcing has due, every few seconds or once; "
        "run queued background jobs beside."
    )
    saying = threading.Lock()

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one sweep, then exit (cron)")
        parser.add_argument(
            "--interval", type=float, default=15.0, help="seconds between sweeps (default 15)"
        )
        parser.add_argument(
            "--lane",
            choices=worker.LANES,
            default=worker.ALL,
            help="the due steps, the lists of many packages (batch reports), or all "
            "(default: both, the lists in a thread of their own)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] <= 0:
            raise CommandError(f"--interval: must be above 0 seconds, not {options['interval']}")
        stop = threading.Event()

        def stop_after_sweep(signum: int, frame: Any) -> None:
            self.stdout.write(f"{signal.Signals(signum).name}: stopping after this sweep")
            stop.set()

        # healthchecks style: a deploy's SIGTERM lets the current sweep finish.
        previous = {
            signum: signal.signal(signum, stop_after_sweep)
            for signum in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            worker.run(
                once=options["once"],
                interval=options["interval"],
                say=self.say,
                stop=stop,
                run_jobs=True,
                lane=options["lane"],
            )
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def say(self, line: str) -> None:
        with self.saying:  # the sweeps and the jobs thread report here
            self.stdout.write(line)
            self.stdout.flush()  # a log collector reading a pipe sees each line as it happens
