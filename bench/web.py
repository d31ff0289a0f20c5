"""Benchmark: the broker list and its search, the provider portal and the dashboard with
100,000 historical packages, under 8 concurrent clients, against a trivial page served by
the same server.

Run: .venv/bin/python bench/web.py [--packages N] [--requests R] [--clients C] [--workers W]
     [--pages dashboard,portal] (only the pages whose name holds one of these words; the
     floors are always measured) [--keep DIR] [--no-queries] [--in-process N]
(see bench/README.md; BENCH_DATABASE_URL=postgres://... runs it on PostgreSQL instead;
--keep DIR keeps the SQLite database there and reuses it next time, without loading)

A throw-away database (SQLite under a temporary CAREBROKER_VAR, or the PostgreSQL database
BENCH_DATABASE_URL names, flushed first) is migrated and loaded with bulk_create: one
Essex council of 40 providers in five quadrants, N packages (default 100,000) of which 1%
are still being sourced and the rest awarded, two requests each, and 300 open batch
requests to the provider user's organisation; then the working times the write path would
have stored with each award and answer (sourcing/working_time.py `refill`). gunicorn
serves it on loopback (`python -m gunicorn carebroker.wsgi`); C client threads (default
8), each with its own session cookie and urllib, ask each page R times (default 50 each).
Printed: p50 and p95 per page and their ratio to the trivial page (`/portal/healthz/`, no
database, no session) measured in the same run, and beside it the ratio to a second floor,
a signed-in trivial page (`/bench/signed-in/`, bench/webfloor/: the same middleware,
session and user load as the pages, a tiny body), with the load average at the start and
end. Then the database queries per page, counted in-process with CaptureQueriesContext,
for a council showing 10 rows and one showing 50: they must not grow with the rows shown.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import sys
import tempfile
import threading
import time as clock
import urllib.request
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import free_port, start_gunicorn  # noqa: E402  (bench/serving.py)

SEED = 20261123
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
QUADRANTS = ("North", "Mid", "West", "South East", "South West")
DISTRICTS = ("CO4", "CM1", "CM20", "SS1", "SS14")
CHUNK = 2_000
PAGES = {  # name -> (path, who asks)
    "trivial (/portal/healthz/)": ("/portal/healthz/", "anonymous"),
    # the second floor: signed in, same middleware, session and user load, a tiny body
    # (bench/webfloor/; the app does not have this page)
    "signed-in trivial (/bench/signed-in/)": ("/bench/signed-in/", "broker"),
    "broker list (/packages/)": ("/packages/", "broker"),
    # the list's search (a name, any part): after the list, as it keeps its filters
    "broker search (/packages/?q=)": ("/packages/?q=Person+1", "broker"),
    "provider portal (/portal/)": ("/portal/", "provider"),
    "provider history (/portal/history/)": ("/portal/history/", "provider"),
    # issue 13: the dashboard's default range (the last eight weeks), every figure
    "dashboard (/reports/dashboard/)": ("/reports/dashboard/", "broker"),
}


def setup_django(var: Path, database_url: str | None) -> None:
    os.environ["CAREBROKER_VAR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "webfloor.settings"  # the project's, one URL more
    os.environ["LOG_LEVEL"] = "WARNING"
    # One key for this process (which signs the session cookies) and gunicorn's workers:
    # left unset, the server makes its own under var/ and every session reads as corrupted.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "bench"), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    )  # gunicorn's workers find webfloor.settings too
    import django

    django.setup()


def migrate(database_url: str | None) -> None:
    from django.core.management import call_command

    if database_url:  # a PostgreSQL database of its own: emptied, then migrated
        call_command("migrate", verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
    else:
        call_command("migrate", verbosity=0)


def _provider_view(i: int) -> dict[str, object]:
    return {
        "name": f"P.{chr(65 + i % 26)}.",
        "dob": f"{1 + i % 12:02d}/19{30 + i % 60}",
        "town": "Colchester",
        "postcode": f"{DISTRICTS[i % 5]} {i % 10}",
        "relations": ["daughter"],
        "worker": "W.K.",
        "principal_contact": None,
        "needs": "Help with washing and dressing, morning and evening.",
        "notes": "",
    }


def load(packages: int) -> dict[str, Any]:
    """The big council; returns its broker and provider user."""
    from carebroker.accounts.models import Role, User
    from carebroker.councils.models import Area, Council, PostcodeDistrict
    from carebroker.providers.models import Provider, ProviderArea
    from carebroker.referrals.models import Person, Referral
    from carebroker.sourcing.models import Package, SourcingRequest

    rng = random.Random(SEED)
    council = Council.objects.create(name="Benchshire County Council", slug="bench",
                                     policy_name="essex-lah")  # fmt: skip
    areas = [Area.objects.create(council=council, name=q, kind="quadrant") for q in QUADRANTS]
    for area, district in zip(areas, DISTRICTS, strict=True):
        PostcodeDistrict.objects.create(council=council, area=area, district=district)
    providers = Provider.objects.bulk_create(
        Provider(council=council, name=f"Bench Homecare {n:02d}", kind="framework",
                 tier=1 if n < 25 else 2, specialisms=["dementia"])
        for n in range(40)
    )  # fmt: skip
    ProviderArea.objects.bulk_create(
        ProviderArea(provider=p, area=a, rank=r + 1) for a in areas for r, p in enumerate(providers)
    )
    broker = User.objects.create(username="bench-broker", role=Role.BROKER, council=council)
    ours = providers[0]
    provider_user = User.objects.create(
        username="bench-provider", role=Role.PROVIDER, council=council, provider=ours
    )
    live_every = 100  # 1% still being sourced
    open_ours = 0
    for start in range(0, packages, CHUNK):
        ids = range(start, min(packages, start + CHUNK))
        people = Person.objects.bulk_create(
            Person(council=council, name=f"Historic Person {i}", date_of_birth=date(1940, 1, 1)
                   + timedelta(days=i % 9000), address=f"{i} Bench Road", town="Colchester",
                   postcode=f"{DISTRICTS[i % 5]} 3SQ")
            for i in ids
        )  # fmt: skip
        received = [NOW - timedelta(days=1 + (packages - i) // 80, hours=i % 7) for i in ids]
        referrals = Referral.objects.bulk_create(
            Referral(council=council, person=person, received_at=at, status="accepted",
                     accepted_at=at)
            for person, at in zip(people, received, strict=True)
        )  # fmt: skip
        rows = []
        for i, person, referral, at in zip(ids, people, referrals, received, strict=True):
            live = i % live_every == 0
            winner = None if live else providers[rng.randrange(40)]
            rows.append(Package(
                council=council, referral=referral, person=person, case_number=f"H{i:06d}",
                area=areas[i % 5], hours_per_week=Decimal(7 + i % 21),
                preferred_start=(at + timedelta(days=14)).date(), urgent=i % 17 == 0,
                specialisms=["dementia"] if i % 3 == 0 else [],
                status="sourcing" if live else "awarded", stage="batch" if live else "",
                awarded_provider=winner, awarded_at=None if live else at + timedelta(days=3),
                provider_view=_provider_view(i), waiting_from=at,
            ))  # fmt: skip
        rows = Package.objects.bulk_create(rows)
        requests = []
        for package, at in zip(rows, received, strict=True):
            live = package.status == "sourcing"
            pair = rng.sample(providers, 2)
            if live and open_ours < 300:
                pair[0] = ours
                open_ours += 1
            for seq, provider in enumerate(pair):
                is_open = live and seq == 0
                requests.append(SourcingRequest(
                    package=package, seq=seq, provider=provider, stage="batch",
                    round="interest" if is_open else "offer", sent_at=at + timedelta(hours=5),
                    deadline=(NOW + timedelta(days=1)) if is_open else at + timedelta(days=1),
                    outcome="open" if is_open else rng.choice(("offer", "decline", "expired")),
                    rate=Decimal("23.50") if not is_open else None,
                ))  # fmt: skip
        SourcingRequest.objects.bulk_create(requests)
    return {"broker": broker, "provider": provider_user}


def reuse(packages: int) -> dict[str, Any] | None:
    """The users of a database `load` filled before (--keep), or None when there is none."""
    from carebroker.accounts.models import User
    from carebroker.sourcing.models import Package

    users = {u.username: u for u in User.objects.filter(username__startswith="bench-")}
    if len(users) < 2:
        return None
    found = Package.objects.filter(council__slug="bench").count()
    if found != packages:
        raise SystemExit(f"--keep: the kept database holds {found:,} packages, not {packages:,}")
    return {"broker": users["bench-broker"], "provider": users["bench-provider"]}


def reuse_small(rows: int) -> dict[str, Any]:
    from carebroker.accounts.models import User

    return {
        "broker": User.objects.get(username=f"rows{rows}-broker"),
        "provider": User.objects.get(username=f"rows{rows}-provider"),
    }


def small_council(rows: int) -> dict[str, Any]:
    """A council whose broker list and provider portal show exactly `rows` rows."""
    from carebroker.accounts.models import Role, User
    from carebroker.councils.models import Area, Council
    from carebroker.providers.models import Provider
    from carebroker.referrals.models import Person, Referral
    from carebroker.sourcing.models import Package, SourcingRequest

    council = Council.objects.create(name=f"Rows {rows} Council", slug=f"rows-{rows}",
                                     policy_name="essex-lah")  # fmt: skip
    area = Area.objects.create(council=council, name="North", kind="quadrant")
    provider = Provider.objects.create(council=council, name=f"Rows {rows} Care",
                                       kind="framework", tier=1)  # fmt: skip
    for i in range(rows):
        person = Person.objects.create(council=council, name=f"Row Person {i}",
                                       date_of_birth=date(1940, 1, 1), address="1 Row Road",
                                       postcode="CO4 3SQ")  # fmt: skip
        at = NOW - timedelta(days=1 + i)
        referral = Referral.objects.create(council=council, person=person, received_at=at,
                                           status="accepted", accepted_at=at)  # fmt: skip
        package = Package.objects.create(
            council=council, referral=referral, person=person, case_number=f"R{rows}-{i:03d}",
            area=area, hours_per_week=Decimal(10), preferred_start=date(2026, 12, 7),
            stage="batch", provider_view=_provider_view(i), waiting_from=at,
        )  # fmt: skip
        SourcingRequest.objects.create(
            package=package, seq=0, provider=provider, stage="batch", round="interest",
            sent_at=at, deadline=NOW + timedelta(days=1), outcome="open",
        )  # fmt: skip
    return {
        "broker": User.objects.create(username=f"rows{rows}-broker", role=Role.BROKER,
                                      council=council),
        "provider": User.objects.create(username=f"rows{rows}-provider", role=Role.PROVIDER,
                                        council=council, provider=provider),
    }  # fmt: skip


def session_cookie(user: Any) -> str:
    from django.test import Client

    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def hammer(url: str, cookie: str, clients: int, requests: int) -> list[float]:
    """`clients` threads each GET `url` `requests` times; every latency in milliseconds."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        opener = urllib.request.build_opener()
        headers = [("Cookie", cookie)] if cookie else []
        opener.addheaders = headers
        mine = []
        for _ in range(requests):
            started = clock.perf_counter()
            try:
                with opener.open(url, timeout=60) as response:
                    response.read()
                    if response.status != 200 or response.url != url:
                        failures.append(f"{url}: {response.status} at {response.url}")
            except OSError as error:
                failures.append(f"{url}: {error}")
            mine.append((clock.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"{len(failures)} failed requests, e.g. {failures[0]}")
    return latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def count_queries(users: dict[str, Any], path: str, role: str) -> tuple[int, int]:
    """(queries, rows shown) for one page, in-process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="localhost")
    client.force_login(users[role])
    client.get(path)  # warm: sessions, content types
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    body = response.content.decode()
    prefix = users["case_prefix"]
    return len(queries), body.count(f">{prefix}")


def in_process(users: dict[str, Any], pages: dict[str, tuple[str, str]], times: int) -> None:
    """Each page `times` times through Django's test client in this process: median and
    fastest CPU ms (time.process_time), and the median's ratio to the signed-in floor's."""
    import statistics

    from django.test import Client

    import carebroker.wsgi  # noqa: F401 - the start-up gunicorn's workers run (gc.freeze)

    clients = {"anonymous": Client(SERVER_NAME="localhost")}
    for role, user in users.items():
        clients[role] = Client(SERVER_NAME="localhost")
        clients[role].force_login(user)
    print(f"\n{'in-process, CPU ms':<38} {'median':>8} {'fastest':>8} {'x signed':>9}")
    found = {}
    for name, (path, role) in pages.items():
        client = clients[role]
        for _ in range(3):  # warm: templates, caches
            client.get(path)
        spent = []
        for _ in range(times):
            started = clock.process_time()
            response = client.get(path)
            spent.append((clock.process_time() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        found[name] = (statistics.median(spent), min(spent))
    floor = found["signed-in trivial (/bench/signed-in/)"][0]
    for name, (median, fastest) in found.items():
        print(f"{name:<38} {median:8.2f} {fastest:8.2f} {median / floor:9.1f}")
    print(f"(each page {times} times after 3 warm-up requests; x signed: to the signed-in "
          "trivial page's median)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--packages", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50, help="per client and page")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=max(2, min(8, (os.cpu_count() or 2) * 2)))
    parser.add_argument(
        "--pages",
        default="",
        help="comma-separated words: only the pages whose name holds one (e.g. dashboard); "
        "the floors (the trivial and the signed-in trivial page) are always measured",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="SQLite only: keep the "
        "database under this directory, and reuse it if it is already loaded "
        "(to profile the pages against it, or measure again without loading)",
    )
    parser.add_argument("--no-queries", action="store_true", help="skip the queries per page")
    parser.add_argument(
        "--in-process",
        type=int,
        default=0,
        metavar="N",
        help="also time each page N times in this process (Django's test client, no server): "
        "the median CPU ms per page, less noisy than HTTP on a busy machine",
    )
    args = parser.parse_args()
    wanted = [w.strip().lower() for w in args.pages.split(",") if w.strip()]
    pages = {
        name: page
        for name, page in PAGES.items()
        if name.startswith(("trivial", "signed-in"))
        or not wanted
        or any(w in name.lower() for w in wanted)
    }

    database_url = os.environ.get("BENCH_DATABASE_URL")
    if args.keep and database_url:
        raise SystemExit("--keep: SQLite only")
    if args.keep is None:
        var = Path(tempfile.mkdtemp(prefix="carebroker-bench-web-"))
    else:
        var = args.keep.resolve()
    var.mkdir(parents=True, exist_ok=True)
    server = None
    try:
        setup_django(var, database_url)
        from django.db import connection

        migrate(database_url)
        started = clock.perf_counter()
        users = reuse(args.packages) if args.keep else None
        if users is None:
            users = load(args.packages)
            small = {rows: small_council(rows) for rows in (10, 50)}
        else:
            small = {rows: reuse_small(rows) for rows in (10, 50)}
        loaded = clock.perf_counter() - started
        # bulk_create bypasses the write path, which stores each award's and answer's working
        # time (sourcing/working_time.py): stored here as migration 0013 does for old rows.
        from carebroker.sourcing.working_time import refill

        started = clock.perf_counter()
        filled = refill(fix=True)
        print(f"database: {connection.vendor}; {args.packages:,} packages loaded in "
              f"{loaded:.0f}s, working times stored in {clock.perf_counter() - started:.0f}s "
              f"({filled.wrong:,} rows); gunicorn {args.workers} workers; {args.clients} "
              f"clients x {args.requests} requests per page")  # fmt: skip
        cookies = {"anonymous": "", **{role: session_cookie(u) for role, u in users.items()}}
        connection.close()  # gunicorn's workers open their own
        port = free_port()
        env = {**os.environ, "CAREBROKER_VAR": str(var), "LOG_LEVEL": "WARNING"}
        # Each worker keeps its database connection 60 s, as deployed (docs/deployment.md);
        # CONN_MAX_AGE=0 in the environment measures a new connection per request instead.
        env.setdefault("CONN_MAX_AGE", "60")
        server = start_gunicorn(port, args.workers, env)
        base = f"http://127.0.0.1:{port}"
        print(f"gunicorn: CONN_MAX_AGE={env['CONN_MAX_AGE']} (seconds a worker keeps its "
              "database connection; 0: a new one per request)")  # fmt: skip
        print(f"load at start: {os.getloadavg()[0]:.1f} (1-minute average)")
        results: dict[str, tuple[float, float]] = {}
        for name, (path, role) in pages.items():
            hammer(base + path, cookies[role], args.clients, 3)  # warm-up
            times = hammer(base + path, cookies[role], args.clients, args.requests)
            results[name] = (percentile(times, 50), percentile(times, 95))
        print(f"load at end: {os.getloadavg()[0]:.1f}")
        floor50, floor95 = results["trivial (/portal/healthz/)"]
        signed50, signed95 = results["signed-in trivial (/bench/signed-in/)"]
        print(f"\n{'page':<38} {'p50 ms':>8} {'p95 ms':>8} {'p50 x':>7} {'p95 x':>7} "
              f"{'p50 xs':>7} {'p95 xs':>7}")  # fmt: skip
        for name, (p50, p95) in results.items():
            print(f"{name:<38} {p50:8.1f} {p95:8.1f} {p50 / floor50:7.1f} {p95 / floor95:7.1f} "
                  f"{p50 / signed50:7.1f} {p95 / signed95:7.1f}")  # fmt: skip
        print(
            "(x: the ratio to the trivial page's p50 / p95 in this run, the issue's floor;\n"
            " xs: to the signed-in trivial page's, the same middleware, session and user)"
        )
        if args.in_process:
            in_process(users, pages, args.in_process)
        if args.no_queries:
            return

        print(f"\n{'queries per page':<38} {'10 rows':>9} {'50 rows':>9}")
        for name, (path, role) in pages.items():
            if role == "anonymous":
                continue
            cells = []
            for rows in (10, 50):
                counted, shown = count_queries(
                    {**small[rows], "case_prefix": f"R{rows}-"}, path, role
                )
                cells.append(f"{counted} ({shown})")
            print(f"{name:<38} {cells[0]:>9} {cells[1]:>9}")
        print("(in brackets: the rows the page showed)")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
