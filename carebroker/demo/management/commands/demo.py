"""`carebroker demo`: database, static files, demo data, then the web server and a worker."""

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections
from django.utils import timezone

from carebroker.demo import clock
from carebroker.demo.seed import DemoRefused, format_logins, refuse_unsafe, seed_demo
from carebroker.demo.supervisor import Child, Supervisor, port_is_free

HOST = "127.0.0.1"
STARTUP_SECONDS = 60


class Command(BaseCommand):
    help = (
        "Set up the demo (migrate, static files, demo councils) and run the web server and worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="Web port (default 8000).")
        parser.add_argument(
            "--no-serve", action="store_true", help="Set up and print the logins; start nothing."
        )
        parser.add_argument(
            "--at",
            help='Start the demo clock at this London time, e.g. "2026-12-01 12:00" '
            "(the administrator can then advance it to the next event).",
        )

    def handle(
        self, *args: object, port: int, no_serve: bool, at: str | None = None, **options: object
    ) -> None:
        if getattr(settings, "PRODUCTION", False):
            try:
                refuse_unsafe()  # before migrate: nothing is touched in production
            except DemoRefused as refused:
                raise CommandError(str(refused)) from None
        if not no_serve and not port_is_free(HOST, port):
            raise CommandError(f"--port: {HOST}:{port} is already in use; pass another port")
        self.start_clock(at)
        self.say(f"Database: {self.describe_database()}")
        call_command("migrate", interactive=False, verbosity=0)
        # WhiteNoise serves from STATIC_ROOT without DEBUG; collecting again only copies changes.
        call_command("collectstatic", interactive=False, verbosity=0)
        try:
            report = seed_demo(now=timezone.now())
        except DemoRefused as refused:
            raise CommandError(str(refused)) from None
        for name in report.created:
            self.say(f"Created demo council {name}")
        for name in report.kept:
            self.say(f"Kept demo council {name} (already there)")
        self.say("")
        self.say(format_logins(report.logins))
        if no_serve:
            self.say("\nSet up. Run `carebroker demo` to start the web server and worker.")
            return
        connections.close_all()  # the children open their own; SQLite prefers no idle writer
        self.serve(port)

    def serve(self, port: int) -> None:
        supervisor = Supervisor(
            [
                Child(
                    "web",
                    [sys.executable, "-m", "gunicorn", "carebroker.wsgi", "-b", f"{HOST}:{port}"]
                    + ["--workers", "2", "--graceful-timeout", "5", "--no-control-socket"],
                ),
                # Batches, deadlines, escalations and the outbox (mail goes to var/mail/).
                Child("worker", [sys.executable, "-m", "carebroker.cli", "worker"]),
            ],
            self.stdout,
        )
        supervisor.start()
        if not supervisor.wait_for_port(HOST, port, STARTUP_SECONDS):
            supervisor.stop()
            raise CommandError(f"the web server did not start on {HOST}:{port}")
        self.say(f"\ncarebroker demo is running at http://{HOST}:{port}/ (Ctrl+C stops it)")
        self.say(f"Brokers, managers and admin also have http://{HOST}:{port}/admin/")
        code = supervisor.run()
        if code:
            raise CommandError("a demo process stopped unexpectedly")

    def start_clock(self, at: str | None) -> None:
        """The demo clock (demo/clock.py) for this process and its children: at `--at`, or
        the real time."""
        try:
            moment = clock.parse_at(at) if at else None
        except ValueError as error:
            raise CommandError(f"--at: {error}") from None
        os.environ[clock.ENV] = "1"
        clock.install()
        clock.set_now(moment or clock.real_now())
        if moment:
            self.say(f"Demo clock: {moment:%d %b %Y, %H:%M} London time")

    def describe_database(self) -> str:
        engine = connection.vendor
        if engine == "sqlite":
            return f"SQLite at {settings.DATABASES['default']['NAME']}"
        return f"{engine} database {connection.settings_dict['NAME']!r} (from DATABASE_URL)"

    def say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()
