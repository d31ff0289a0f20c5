"""Benchmark: every page of every role of every demo council, at the demo's size, against a
trivial page timed in the same run (issue 10: "no page over 1 s at the demo's size").

Run: .venv/bin/python bench/pages.py [--repeat R] [--slowest N]
(see bench/README.md)

A throw-away SQLite database under a temporary CAREBROKER_VAR is migrated and seeded as
`carebroker demo` seeds it (`seed_demo`: the three demo councils, their providers, packages
and referrals, every demo login), then the worker's sweeps run at 10:00 (requests go out)
and 16:05 (Essex's batch), so lists and requests have rows. The clock stays pinned at 16:05.

The pages are the ones the browser tours visit: the staff pages (`tests/web/staff_tour.py`)
for brokers and managers, with the reports and batch pages `tests/browser/test_tour.py` adds;
the public tour's (`tests/browser/test_public_pages.py`) for referrers and providers; and for
the admin the admin index and every model's list. Each role signs in once (Django's test
client, in this process: no server or network in the figure) and asks each page once to warm
it, then R
times (default 5). Printed: per page its median in ms, its ratio to the trivial page's
median (`/portal/healthz/`, no database) and its database queries; then the slowest N
(default 10) and every page over 1 s. Exits non-zero only if a page fails (not 200).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time as clock
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
BATCH = datetime(2026, 11, 23, 16, 5, tzinfo=UTC)
PRESETS = ("essex", "kent", "leics")
FLOOR = "/portal/healthz/"
SLOW_MS = 1000.0
# The pages tests/browser/test_tour.py opens besides the staff tour's (its PAGES).
EXTRA_STAFF = {"broker": ["/batch/"], "manager": ["/reports/"]}


def setup_django(var: Path) -> None:
    os.environ["CAREBROKER_VAR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "carebroker.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.pop("DATABASE_URL", None)
    # The tours' page lists are read by their own code, which the test modules hold.
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed() -> float:
    """The demo at its size, its requests sent and Essex's batch issued; seconds taken."""
    from django.core.management import call_command

    from carebroker.demo.seed import seed_demo
    from carebroker.sourcing.due import advance_due

    started = clock.perf_counter()
    call_command("migrate", verbosity=0)
    seed_demo(now=NOW)
    advance_due(NOW)
    advance_due(BATCH)
    return clock.perf_counter() - started


def admin_paths() -> list[str]:
    from django.contrib import admin
    from django.urls import reverse

    paths = ["/admin/"]
    for model in admin.site._registry:  # every list the admin shows
        meta = model._meta
        paths.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    return paths


def pages_by_login() -> dict[str, list[str]]:
    """login -> the paths it visits, as the tours list them."""
    from carebroker.demo.seed import ADMIN_USERNAME
    from tests.browser.test_public_pages import _paths as public_paths
    from tests.web.staff_tour import staff_paths

    logins: dict[str, list[str]] = {}
    for prefix in PRESETS:
        for role in ("broker", "manager"):
            paths = staff_paths(prefix, role) + EXTRA_STAFF[role]
            logins[f"{prefix}-{role}"] = list(dict.fromkeys(paths))
        for role, paths in public_paths(prefix).items():
            logins[f"{prefix}-{role}"] = list(dict.fromkeys(paths))
    logins[ADMIN_USERNAME] = admin_paths()
    return logins


def time_page(client: Any, path: str, repeat: int) -> tuple[float, int]:
    """(median ms, queries) of `repeat` GETs after one warm-up GET."""
    from django.db import connection

    queries = []  # counted by a wrapper: request_started empties Django's own query log

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path}: status {response.status_code}")
    times = []
    for _ in range(repeat):
        started = clock.perf_counter()
        client.get(path)
        times.append((clock.perf_counter() - started) * 1000)
    return statistics.median(times), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per page")
    parser.add_argument("--slowest", type=int, default=10)
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="carebroker-bench-pages-"))
    try:
        setup_django(var)
        from django.test import Client
        from django.utils import timezone

        from carebroker.accounts.models import User
        from carebroker.sourcing.models import Package

        # Pages read the clock through django.utils.timezone.now, as the tests pin it.
        with mock.patch("django.utils.timezone.now", return_value=NOW):
            took = seed()
        with mock.patch("django.utils.timezone.now", return_value=BATCH):
            assert timezone.now() == BATCH
            logins = pages_by_login()
            total = sum(len(p) for p in logins.values())
            print(f"demo seeded in {took:.0f}s: {Package.objects.count()} packages, "
                  f"{len(logins)} logins, {total} pages; median of {args.repeat} after a "
                  "warm-up; in-process (Django's test client)")  # fmt: skip
            anonymous = Client(SERVER_NAME="localhost")
            floor, _ = time_page(anonymous, FLOOR, max(args.repeat, 50))
            rows: list[tuple[str, str, float, int]] = []
            for login, paths in logins.items():
                client = Client(SERVER_NAME="localhost")
                client.force_login(User.objects.get(username=login))
                for path in paths:
                    median, queries = time_page(client, path, args.repeat)
                    rows.append((login, path, median, queries))
        print(f"\ntrivial page {FLOOR}: {floor:.2f} ms (the floor: x below is page / floor)\n")
        print(f"{'login':<18} {'page':<44} {'ms':>8} {'x':>7} {'queries':>8}")
        for login, path, median, queries in rows:
            print(f"{login:<18} {path:<44} {median:8.1f} {median / floor:7.0f} {queries:8d}")
        print(f"\nslowest {args.slowest}:")
        for login, path, median, queries in sorted(rows, key=lambda r: -r[2])[: args.slowest]:
            print(f"{login:<18} {path:<44} {median:8.1f} {median / floor:7.0f} {queries:8d}")
        slow = [row for row in rows if row[2] > SLOW_MS]
        print(f"\npages over {SLOW_MS / 1000:.0f} s: {len(slow)} of {len(rows)}")
    finally:
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
