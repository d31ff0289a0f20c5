"""Benchmark: a country on one PostgreSQL: N councils' year loaded, then the 10:00 spike.

Run: .venv/bin/python bench/national.py [--councils N] [--packages-per-council P]
         [--answers A] [--seconds S] [--users U] [--keep]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/cb_national (the default)

PostgreSQL only: the database DATABASE_URL names is dropped if it exists, created, migrated
and loaded, and dropped again at the end (`--keep` leaves it). Never point it at a database
you keep. If no PostgreSQL answers there, the script says so and exits with status 2 (the
figures it exists for are PostgreSQL's; there is no SQLite fallback).

Set-up (timed as "generate" and "load", not part of the figures' ratios):

1. The what-if engine (carebroker/engine/whatif.py, the market of bench/engine.py:
   essex-lah, 200 providers in five quadrants) runs one county-year of about P packages
   (default 20,000) ending now, so its live packages (still sourcing: open requests,
   deadlines to come) are live in real time when the spike runs.
2. Every council (default 153, about 3 million packages) gets that county-year as its own:
   its own providers (ids mapped), people, referrals, packages, every request and timeline
   event of every package, bulk loaded with PostgreSQL COPY (psycopg's `cursor.copy`); the
   few rows per council (council, areas, providers, users) through bulk_create. A live
   package carries its engine state (snapshot, provider ids mapped) and `next_due`, so the
   worker and the portal take it up as if it had been sourced here. One engine run is
   reused for every council: a county-year takes the engine about a minute on this
   machine, 153 distinct ones would take hours; the database work, which is what this
   measures, is the same. History rows keep the engine's provider names (P001...) in
   their timeline details.

Measured (PostgreSQL, gunicorn on loopback with two `carebroker worker --interval 0.5`
beside, one a lane: `--lane due` and `--lane lists`):

- query times: each broker page of the largest council and a provider's pages, served in
  this process before the spike (median of 5, and the queries per page);
- the spike: A (default 3,000) provider answers to open requests, spread over every
  council, sent by locust (headless, U users, default a core each) through the portal's
  real pages (signed-in provider sessions, the answer form with its CSRF token) to
  gunicorn (W workers, default a core each), paced to the rate of A answers in S seconds
  (default 60); fewer open requests than A are sent at that rate and the spike ends
  early. Per endpoint p50/p95/p99, errors and requests/s (locust's figures), answers/s;
- at the same time, one client reading the largest council's broker list, its search and
  the dashboard, and the trivial page (`/portal/healthz/`, the floor): p50/p95 and the
  ratio of each p95 to the floor's;
- after it: every answer the server took is recorded once (its request answered, one
  answer event on the timeline), every notice made since the worker started is in the
  outbox once (no key twice) and was sent, in one attempt; worker lag: each due
  package's due time (`next_due`) to the poll that saw it ticked (DueWatch), each such
  notice's due time (`next_attempt_at`) to its processed time (`sent_at`), and due
  packages left unticked (`next_due` more than a second past). Batch-round answers
  (interest, decline) make no notice themselves: the notices are what the worker's own
  duties made while the spike ran (at night, the batch reports);
- the size of each big table with its indexes (pg_total_relation_size).

Goal (issue 14): 0 lost, p99 < 300 ms, worker lag < 1 s; each printed with "pass"/"FAIL".
The script exits non-zero only if it fails to run, not if a goal is missed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time as clock
import urllib.request
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import free_port, start_gunicorn  # noqa: E402  (bench/serving.py)

sys.path.insert(0, str(ROOT))
SEED = 20261123
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cb_national"
QUADRANTS = ("North", "Mid", "West", "South East", "South West")
DISTRICTS = ("CO4", "CM1", "CM20", "SS1", "SS14")
BIG_TABLES = ("sourcing_timelineevent", "sourcing_sourcingrequest", "sourcing_package",
              "referrals_referral", "referrals_person", "outbox_notice")  # fmt: skip
PAGES = {  # name -> path, read by the broker of the largest council during the spike
    "trivial (/portal/healthz/)": "/portal/healthz/",
    "broker list (/packages/)": "/packages/",
    "broker search (/packages/?q=)": "/packages/?q=Person+1",
    "dashboard (/reports/dashboard/)": "/reports/dashboard/",
}
GOAL_P99_MS = 300.0
GOAL_LAG_S = 1.0


# -- the database ------------------------------------------------------------------------


def _admin_url(url: str) -> tuple[str, str]:
    base, _, name = url.rpartition("/")
    return f"{base}/postgres", name.split("?")[0]


def create_database(url: str) -> None:
    """Drop and create the bench's own database; SystemExit(2) with words if unreachable."""
    import psycopg

    admin, name = _admin_url(url)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        print(f"bench/national.py needs PostgreSQL: none answered at {admin} ({error}).\n"
              "Start one, or set DATABASE_URL to a PostgreSQL database of this bench's own.",
              file=sys.stderr)  # fmt: skip
        raise SystemExit(2) from None


def drop_database(url: str) -> None:
    import psycopg

    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(var: Path, url: str) -> None:
    os.environ["CAREBROKER_VAR"] = str(var)
    os.environ["DJANGO_SETTINGS_MODULE"] = "carebroker.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DATABASE_URL"] = url
    # One key for this process (which makes the sessions) and the server's workers.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    import django

    django.setup()


# -- the county-year ---------------------------------------------------------------------


def generate(packages: int, until: datetime) -> Any:
    """One county-year through the what-if engine, ending at `until` (bench/engine.py's)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from engine import county_year  # bench/engine.py

    from carebroker.engine.whatif import simulate_market
    from carebroker.engine.whatif_reader import read_market

    table = county_year(packages)
    start = until - timedelta(days=364)
    table["start"] = start.isoformat().replace("+00:00", "Z")
    table["until"] = until.isoformat().replace("+00:00", "Z")
    market = read_market(table)
    return simulate_market(market, market.policies[0], SEED)


class Table:
    """One model's table for COPY: its columns, and each column's default when not given."""

    def __init__(self, model: Any, now: datetime) -> None:
        from django.db.models import JSONField

        self.name = model._meta.db_table
        self.attnames: list[str] = []
        self.columns: list[str] = []
        self.defaults: dict[str, Any] = {}
        for field in model._meta.concrete_fields:
            self.attnames.append(field.attname)
            self.columns.append(field.column)
            if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
                value: Any = now
            elif field.has_default():
                value = field.get_default()
            elif field.null:
                value = None
            elif field.empty_strings_allowed and not field.is_relation:
                value = ""  # Django's own default for a blank text field
            else:
                value = KeyError  # must be given
            if isinstance(field, JSONField) and value is not None and value is not KeyError:
                value = json.dumps(value)
            self.defaults[field.attname] = value
        self.rows: list[tuple[Any, ...]] = []

    def add(self, **values: Any) -> None:
        row = []
        for name in self.attnames:
            value = values[name] if name in values else self.defaults[name]
            if value is KeyError:
                raise KeyError(f"{self.name}.{name}: no value and no default")
            row.append(value)
        self.rows.append(tuple(row))

    def copy(self, cursor: Any) -> int:
        columns = ", ".join(f'"{c}"' for c in self.columns)
        with cursor.copy(f'COPY "{self.name}" ({columns}) FROM STDIN') as copy:  # our tables
            for row in self.rows:
                copy.write_row(row)
        count = len(self.rows)
        self.rows = []
        return count


def _mapped(value: Any, providers: dict[str, str]) -> Any:
    """A snapshot with every what-if provider id replaced by the council's provider pk."""
    if isinstance(value, str):
        return providers.get(value, value)
    if isinstance(value, list):
        return [_mapped(v, providers) for v in value]
    if isinstance(value, dict):
        return {k: _mapped(v, providers) for k, v in value.items()}
    return value


def _provider_view(n: int, spec: Any) -> dict[str, object]:
    return {"name": f"P.{chr(65 + n % 26)}.", "dob": f"{1 + n % 12:02d}/19{30 + n % 60}",
            "town": "Colchester", "postcode": f"{DISTRICTS[n % 5]} {n % 10}",
            "relations": ["daughter"], "worker": "W.K.", "principal_contact": None,
            "needs": f"Help with washing and dressing, {spec.hours_per_week} hours a week.",
            "notes": ""}  # fmt: skip


def load(run: Any, councils: int, now: datetime) -> dict[str, Any]:
    """Every council's copy of the run; returns what the spike needs."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from carebroker.accounts.models import Role, User
    from carebroker.councils.models import Area, Council
    from carebroker.engine.engine import next_due
    from carebroker.engine.result import plain
    from carebroker.engine.vocabulary import LIVE
    from carebroker.providers.models import Contact, Provider, ProviderArea
    from carebroker.referrals.models import Person, Referral
    from carebroker.sourcing import snapshot
    from carebroker.sourcing.models import Package, SourcingRequest, TimelineEvent

    states = [s for s in run.states if s.status != "new"]
    market_providers = run.market.providers
    # What every council shares, worked out once: the events' details as JSON text.
    details = [[json.dumps(plain(dict(e.details))) for e in s.events] for s in states]
    tables = {m: Table(m, now) for m in (Person, Referral, Package, SourcingRequest,
                                         TimelineEvent)}  # fmt: skip
    ids = {m: 0 for m in tables}
    brokers: list[Any] = []
    live_requests: list[tuple[int, int, int]] = []  # (council index, request id, provider pk)
    rows = Counter[str]()
    unusable = make_password(None)  # nobody signs in with a password: sessions are made
    for c in range(councils):
        council = Council.objects.create(name=f"National {c + 1:03d} Council",
                                         slug=f"national-{c + 1:03d}",
                                         policy_name="essex-lah")  # fmt: skip
        areas = {q: Area.objects.create(council=council, name=q, kind="quadrant")
                 for q in QUADRANTS}  # fmt: skip
        made = Provider.objects.bulk_create(
            Provider(council=council, name=f"{p.id} Homecare {c + 1:03d}", kind=p.kind,
                     tier=p.tier, lots=list(p.lots), support_types=list(p.support_types),
                     min_age=p.min_age, max_age=p.max_age, cqc_registered=p.cqc_registered,
                     cqc_rating=p.cqc_rating or "", sanctioned=p.sanctioned)
            for p in market_providers
        )  # fmt: skip
        pk_of = {p.id: row.pk for p, row in zip(market_providers, made, strict=True)}
        text_of = {k: str(v) for k, v in pk_of.items()}
        ProviderArea.objects.bulk_create(
            ProviderArea(provider_id=pk_of[p.id], area=areas[a], rank=r)
            for p in market_providers for a, r in p.areas
        )  # fmt: skip
        Contact.objects.bulk_create(
            Contact(provider_id=pk_of[p.id], name=f"Contact {p.id}",
                    email=f"{p.id.lower()}@n{c + 1}.example.org")
            for p in market_providers
        )  # fmt: skip
        User.objects.bulk_create(
            User(username=f"n{c + 1}-{p.id.lower()}", role=Role.PROVIDER, council=council,
                 provider_id=pk_of[p.id], password=unusable)
            for p in market_providers
        )  # fmt: skip
        brokers.append(User.objects.create(username=f"n{c + 1}-broker", role=Role.BROKER,
                                           council=council, password=unusable))  # fmt: skip
        for n, (state, texts) in enumerate(zip(states, details, strict=True)):
            spec = state.package
            referred = spec.referred_at
            ids[Person] += 1
            person = ids[Person]
            tables[Person].add(id=person, council_id=council.pk, name=f"Person {n}",
                               date_of_birth=date(1930 + n % 60, 1 + n % 12, 1 + n % 28),
                               address=f"{n} High Street", town="Colchester",
                               postcode=f"{DISTRICTS[n % 5]} 3SQ")  # fmt: skip
            ids[Referral] += 1
            referral = ids[Referral]
            tables[Referral].add(id=referral, council_id=council.pk, person_id=person,
                                 received_at=referred, status="accepted",
                                 accepted_at=referred)  # fmt: skip
            ids[Package] += 1
            package = ids[Package]
            live = state.status in LIVE
            awarded = state.provider if state.status == "awarded" else None
            tables[Package].add(
                id=package, council_id=council.pk, referral_id=referral, person_id=person,
                case_number=spec.id, area_id=areas[spec.area].pk,
                hours_per_week=spec.hours_per_week, preferred_start=spec.preferred_start,
                urgent=spec.urgent, emergency=spec.emergency,
                hospital_discharge=spec.hospital_discharge, lot=spec.lot,
                support_type=spec.support_type or "",
                change_to_existing=spec.change_to_existing,
                status=state.status, stage=state.stage or "", gate=state.gate or "",
                awarded_provider_id=pk_of.get(awarded) if awarded else None,
                awarded_at=state.awarded_at, created_at=referred,
                engine_state=json.dumps(_mapped(snapshot.dump(state), text_of)) if live else None,
                provider_view=json.dumps(_provider_view(n, spec)),
                next_due=next_due(state) if live else None,
                held_reason=state.held_reason or "",
                view_confirmed_at=referred, view_confirmed_by="bench",
            )  # fmt: skip
            for seq, r in enumerate(state.requests):
                ids[SourcingRequest] += 1
                tables[SourcingRequest].add(
                    id=ids[SourcingRequest], package_id=package, seq=seq,
                    provider_id=pk_of[r.provider], stage=r.stage, round=r.round,
                    sent_at=r.sent_at, deadline=r.deadline, outcome=r.outcome,
                    responded_at=r.responded_at, rate=r.rate, coverage=r.coverage or "",
                    start=r.start, reason=r.reason or "", not_awarded=r.not_awarded or "",
                    late=r.late, chased=r.chased,
                )  # fmt: skip
                if live and r.outcome == "open" and r.deadline > now + timedelta(minutes=15):
                    live_requests.append((c, ids[SourcingRequest], pk_of[r.provider]))
            for event, text in zip(state.events, texts, strict=True):
                ids[TimelineEvent] += 1
                tables[TimelineEvent].add(id=ids[TimelineEvent], package_id=package,
                                          at=event.at, type=event.type, details=text,
                                          source="engine", actor="")  # fmt: skip
        with connection.cursor() as cursor:
            raw = cursor.cursor
            for model, table in tables.items():
                rows[model._meta.db_table] += table.copy(raw)
    with connection.cursor() as cursor:
        for model in tables:
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                           f"(SELECT max(id) FROM \"{table}\"))")  # fmt: skip
        cursor.execute("ANALYZE")
    # The duties' moments (sourcing/duty_due.py), as the write path would have left them
    # (and migration 0016 works them out): not left for the first sweep to work out.
    from carebroker.sourcing.duty_due import refill

    refill(fix=True)
    return {"brokers": brokers, "live_requests": live_requests, "rows": rows}


# -- query times, before the spike ------------------------------------------------------

QUERY_ROUNDS = 5


def query_times(broker: Any, provider: Any, request_pk: int) -> list[tuple[str, float, int]]:
    """Each page of the largest council's broker and of one provider, served in this
    process (Django's test client: no HTTP, no queue, one core), before the spike: the
    median of QUERY_ROUNDS reads after one to warm, and the queries it made. These are
    the "query times at 3 sizes" of the extrapolation (bench/README.md)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    pages = [(name, path, broker) for name, path in PAGES.items()] + [
        ("provider: request list (/portal/)", "/portal/", provider),
        ("provider: a request (/portal/requests/[id]/)", f"/portal/requests/{request_pk}/",
         provider),
    ]  # fmt: skip
    out = []
    for name, path, user in pages:
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        client.get(path)  # warm: the session, the templates, the caches
        times = []
        with CaptureQueriesContext(connection) as queries:
            for _ in range(QUERY_ROUNDS):
                started = clock.perf_counter()
                response = client.get(path)
                times.append((clock.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"query times: {path} answered {response.status_code}")
        out.append((name, percentile(times, 50), len(queries) // QUERY_ROUNDS))
    return out


# -- worker lag: due time to processed time ------------------------------------------------


class DueWatch:
    """Polls the due packages every POLL seconds from a connection of its own; a package
    due at one poll whose `next_due` has moved by a later poll was processed between them.
    Its lag is that poll's time (the database's clock) less its due time, or less the
    watch's start for a package already due then: an upper bound, POLL coarse. Packages
    still due at the end are counted with their wait so far (late, not lost)."""

    POLL = 0.25

    def __init__(self, url: str, since: datetime) -> None:
        self.url, self.since = url, since
        self.lags: list[float] = []
        # The outbox alone: a notice first seen queued (committed) to the poll that sees it
        # sent, whatever its due time says (a report is due at its list sweep's start).
        self.delivery: list[float] = []
        self.unprocessed: list[float] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _due(self, cursor: Any) -> tuple[datetime, dict[int, datetime]]:
        cursor.execute("SELECT now()")
        (at,) = cursor.fetchone()
        cursor.execute("SELECT id, next_due FROM sourcing_package "
                       "WHERE next_due <= %s AND held_reason = ''", [at])  # fmt: skip
        return at, dict(cursor.fetchall())

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            cursor = connection.cursor()
            pending: dict[int, datetime] = {}
            queued: dict[int, datetime] = {}
            while True:
                at, due = self._due(cursor)
                for pk, was in pending.items():
                    if due.get(pk) != was:
                        self.lags.append((at - max(was, self.since)).total_seconds())
                pending = due
                cursor.execute("SELECT id FROM outbox_notice WHERE status <> 'sent'")
                unsent = {pk for (pk,) in cursor.fetchall()}
                for pk, seen in list(queued.items()):
                    if pk not in unsent:
                        self.delivery.append((at - seen).total_seconds())
                        del queued[pk]
                for pk in unsent - queued.keys():
                    queued[pk] = at
                if self.stop.wait(self.POLL):
                    break
            self.unprocessed = [(at - max(d, self.since)).total_seconds() for d in due.values()]

    def start(self) -> None:
        self.thread.start()

    def finish(self) -> None:
        self.stop.set()
        self.thread.join()


def make_due(count: int, first: float, seconds: float) -> int:
    """Bring `count` live packages' next clock forward to moments spread over the spike (from
    `first` seconds from now, over `seconds`), so the due lane has work while the spike runs
    and its lag is measured (at night no clock of the county-year falls due). The worker's
    tick at the brought-forward moment finds nothing due in the engine yet and sets the
    package's real next clock back: a real claim, engine step and write, no change of
    state. Returns how many were brought forward."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "WITH picked AS (SELECT id FROM sourcing_package "
            "  WHERE next_due > now() + make_interval(secs => %s) AND held_reason = '' "
            "  ORDER BY md5(id::text) LIMIT %s), "
            "chosen AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM picked) "
            "UPDATE sourcing_package p SET next_due = now() + make_interval(secs => "
            "  %s + chosen.n * %s / %s) FROM chosen WHERE p.id = chosen.id",
            [first + seconds + 600, count, first, seconds, max(count, 1)],
        )
        return cursor.rowcount


def first_tick(most: float = 600.0) -> float:
    """Seconds until the due lane ticks one package brought due now (its next clock put back
    to now; the tick puts the real one back), at most `most`: the workers' start-up."""
    from django.db import connection

    started = clock.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE sourcing_package SET next_due = now() WHERE id = (SELECT id FROM "
            "sourcing_package WHERE next_due > now() + interval '1 hour' AND held_reason = '' "
            "ORDER BY id LIMIT 1) RETURNING id"
        )
        row = cursor.fetchone()
    while row is not None and clock.monotonic() - started < most:
        with connection.cursor() as cursor:
            cursor.execute("SELECT next_due <= now() FROM sourcing_package WHERE id = %s", row)
            if not cursor.fetchone()[0]:
                break
        clock.sleep(0.25)
    return clock.monotonic() - started


# -- the spike ---------------------------------------------------------------------------


def session_cookie(user: Any) -> str:
    from django.test import Client

    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    return str(client.cookies["sessionid"].value)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def read_pages(base: str, cookie: tuple[str, str], stop: threading.Event) -> dict[str, list[float]]:
    """One client going round the broker's pages and the trivial page until `stop`."""
    openers = {}
    for name in PAGES:
        openers[name] = urllib.request.build_opener()
        which = cookie[1] if "search" in name else cookie[0]
        openers[name].addheaders = [("Cookie", f"sessionid={which}")]
    times: dict[str, list[float]] = defaultdict(list)
    failures: list[str] = []
    while not stop.is_set():
        for name, path in PAGES.items():
            started = clock.perf_counter()
            try:
                with openers[name].open(base + path, timeout=120) as response:
                    response.read()
                    if response.status != 200 or response.url != base + path:
                        failures.append(f"{path}: {response.status} at {response.url}")
            except OSError as error:
                failures.append(f"{path}: {error}")
            times[name].append((clock.perf_counter() - started) * 1000)
    if failures:
        print(f"  broker pages: {len(failures)} failed, e.g. {failures[0]}")
    return times


def plan_spike(live: list[tuple[int, int, int]], answers: int) -> dict[int, list[int]]:
    """`answers` open requests, spread over the councils; grouped by provider."""
    rng = random.Random(SEED)
    chosen = rng.sample(live, min(answers, len(live)))
    by_provider: dict[int, list[int]] = defaultdict(list)
    for _council, request, provider in chosen:
        by_provider[provider].append(request)
    return by_provider


def run_locust(base: str, plan_path: Path, done_path: Path, csv_prefix: Path, users: int,
               rate: float, seconds: int) -> None:  # fmt: skip
    env = {**os.environ, "NATIONAL_SPIKE_PLAN": str(plan_path),
           "NATIONAL_SPIKE_DONE": str(done_path), "NATIONAL_SPIKE_RATE": str(rate),
           "NATIONAL_SPIKE_USERS": str(users)}  # fmt: skip
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench/locust/national_spike.py"),
               "--headless", "--host", base, "-u", str(users), "-r", str(users),
               "--run-time", f"{seconds}s", "--stop-timeout", "30", "--csv", str(csv_prefix),
               "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, env=env, check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"locust failed ({done.returncode}): {done.stderr[-3000:]}")


def locust_figures(csv_prefix: Path) -> list[dict[str, str]]:
    with open(f"{csv_prefix}_stats.csv") as handle:  # noqa: PTH123
        return list(csv.DictReader(handle))


# -- after the spike ---------------------------------------------------------------------


def check_nothing_lost(done: list[int], started: datetime, worker: datetime) -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.id, r.outcome, r.responded_at IS NOT NULL, "
            "  (SELECT count(*) FROM sourcing_timelineevent e WHERE e.package_id = r.package_id"
            "     AND e.at >= %s AND e.type IN ('interest', 'decline', 'offer', 'accept')"
            "     AND e.details->>'provider' = r.provider_id::text) "
            "FROM sourcing_sourcingrequest r WHERE r.id = ANY(%s)",
            [started, done],
        )
        found = {row[0]: row[1:] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'sent'), "
            "  count(DISTINCT key), count(*) FILTER (WHERE attempts > 1) "
            "FROM outbox_notice WHERE created_at >= %s",
            [worker],
        )
        notices, sent, keys, retried = cursor.fetchone()
        cursor.execute(
            # a notice still unsent has waited until now so far
            "SELECT extract(epoch FROM coalesce(sent_at, now()) - next_attempt_at) "
            "FROM outbox_notice WHERE created_at >= %s",
            [worker],
        )
        lags = [float(row[0]) for row in cursor.fetchall()]
        cursor.execute("SELECT count(*), min(next_due) FROM sourcing_package "
                       "WHERE next_due < now() - interval '1 second'")  # fmt: skip
        overdue, oldest = cursor.fetchone()
    not_recorded = [pk for pk in done if pk not in found or found[pk][0] == "open"
                    or not found[pk][1]]  # fmt: skip
    events = Counter(found[pk][2] for pk in done if pk in found)
    return {"answers": len(done), "distinct": len(set(done)), "not_recorded": not_recorded,
            "events": events, "notices": notices, "sent": sent, "keys": keys,
            "retried": retried, "lags": lags, "overdue": overdue, "oldest": oldest}  # fmt: skip


def wait_for_outbox(since: datetime, most: float = 30.0) -> None:
    """Until every notice made since `since` is sent, or `most` seconds."""
    from django.db import connection

    deadline = clock.monotonic() + most
    while clock.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM outbox_notice WHERE created_at >= %s "
                           "AND status <> 'sent'", [since])  # fmt: skip
            if cursor.fetchone()[0] == 0:
                return
        clock.sleep(0.5)


def sizes() -> list[tuple[str, int, int, int]]:
    from django.db import connection

    with connection.cursor() as cursor:
        out = []
        for table in BIG_TABLES:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608
            (count,) = cursor.fetchone()
            # A partitioned table (the timeline, the notices: docs/deployment.md) holds its
            # rows in its partitions: the sizes are summed over its partition tree.
            cursor.execute(
                "SELECT sum(pg_table_size(relid))::bigint, sum(pg_indexes_size(relid))::bigint"
                " FROM (SELECT %s::regclass AS relid UNION SELECT relid FROM pg_partition_tree(%s))"
                " AS tree",
                [table, table],
            )
            data, index = cursor.fetchone()
            out.append((table, count, data, index))
        return out


def mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


def verdict(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def uptime() -> str:
    return os.getloadavg().__repr__()


def main() -> None:  # noqa: PLR0915
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--councils", type=int, default=153)
    parser.add_argument("--packages-per-council", type=int, default=20_000)
    parser.add_argument("--answers", type=int, default=3_000, help="provider answers in the spike")
    parser.add_argument("--seconds", type=int, default=60, help="the spike's length")
    # Sized to the machine (issue 14, the last runs: 50 users on 4 workers queued 10-20 s
    # for 2 cores, so the latencies measured the queue): a worker a core, a user a worker,
    # so each request waits for little but its own work, and the rate is what the cores do.
    cores = os.cpu_count() or 2
    parser.add_argument("--users", type=int, default=cores, help="locust users (default: cores)")
    parser.add_argument("--workers", type=int, default=cores,
                        help="gunicorn workers (default: cores)")  # fmt: skip
    parser.add_argument("--due", type=int, default=1_000,
                        help="packages brought due in the spike (the due lane's work)")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="leave the database")
    args = parser.parse_args()
    for name in ("councils", "packages_per_council", "answers", "seconds", "users", "workers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')}: must be at least 1")
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        parser.error(f"DATABASE_URL: bench/national.py runs on PostgreSQL only, not {url!r}")
    print(f"load average at start: {uptime()}", flush=True)
    create_database(url)
    var = Path(tempfile.mkdtemp(prefix="carebroker-bench-national-"))
    server = None
    workers: list[subprocess.Popen[bytes]] = []
    try:
        setup_django(var, url)
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        # The spike is now: the county-year ends a minute ago, its live packages live now.
        now = datetime.now(UTC).replace(microsecond=0)
        started = clock.perf_counter()
        run = generate(args.packages_per_council, now - timedelta(minutes=1))
        generated = clock.perf_counter() - started
        per = len([s for s in run.states if s.status != "new"])
        print(f"generate: one county-year, {per:,} packages, {run.steps:,} engine steps, "
              f"{generated:.0f} s", flush=True)  # fmt: skip
        started = clock.perf_counter()
        loaded = load(run, args.councils, now)
        took = clock.perf_counter() - started
        total = sum(loaded["rows"].values())
        print(f"load: {args.councils} councils, {args.councils * per:,} packages, {total:,} rows "
              f"by COPY in {took:.0f} s ({total / took:,.0f} rows/s); load average "
              f"{uptime()}", flush=True)  # fmt: skip
        print(f"\n{'table':<28} {'rows':>12} {'table':>10} {'indexes':>10} {'total':>10}")
        for table, count, data, index in sizes():
            print(f"{table:<28} {count:>12,} {mb(data):>10} {mb(index):>10} {mb(data + index):>10}")

        plan = plan_spike(loaded["live_requests"], args.answers)
        from carebroker.accounts.models import User

        users = {u.provider_id: u for u in User.objects.filter(provider_id__in=list(plan))}
        spike = [{"session": session_cookie(users[p]), "requests": r} for p, r in plan.items()]
        planned = sum(len(r) for r in plan.values())
        # The list keeps its filters in the session: the search reads with a session of its own.
        broker = (session_cookie(loaded["brokers"][0]), session_cookie(loaded["brokers"][0]))
        print(f"\nspike: {planned:,} answers planned ({len(loaded['live_requests']):,} open "
              f"requests to choose from) from {len(spike)} providers in "
              f"{len({c for c, _, _ in loaded['live_requests']})} councils",
              flush=True)  # fmt: skip
        first_provider = next(iter(plan))
        times_before = query_times(loaded["brokers"][0], users[first_provider],
                                   plan[first_provider][0])  # fmt: skip
        print(f"\n{'query times, before the spike (in process)':<48} {'median':>8} {'queries':>8}")
        for name, median, count in times_before:
            print(f"{name:<48} {median:6.0f} ms {count:>8}")
        connection.close()  # the server's workers and the worker open their own

        env = {**os.environ, "CAREBROKER_VAR": str(var), "LOG_LEVEL": "WARNING",
               "CONN_MAX_AGE": "60"}  # fmt: skip
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_gunicorn(port, args.workers, env)
        worker_log = (var / "worker.log").open("w")
        worker_started = datetime.now(UTC)
        # One process a lane (docs/deployment.md): the due steps and the outbox, and the
        # batch reports and lists, so neither waits for the other's sweep nor its GIL.
        workers = [subprocess.Popen(
            [str(Path(sys.executable).parent / "carebroker"), "worker", "--interval", "0.5",
             "--lane", lane],
            cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT,
        ) for lane in ("due", "lists")]  # fmt: skip
        # The lag to measure is a running worker's: a worker starting on this loaded
        # machine took 100 s to its first sweep (its start-up, said here, not the lag).
        ready = first_tick()
        print(f"  workers: the due lane ticked a package brought due at its start "
              f"{ready:.0f} s later; load average {uptime()}", flush=True)  # fmt: skip
        brought = make_due(args.due, 5, args.seconds)
        connection.close()
        watch = DueWatch(url, datetime.now(UTC))
        watch.start()
        plan_path, done_path, csv_prefix = var / "plan.json", var / "done.txt", var / "locust"
        plan_path.write_text(json.dumps(spike))
        stop = threading.Event()
        pages: dict[str, dict[str, list[float]]] = {}
        reader = threading.Thread(target=lambda: pages.update(r=read_pages(base, broker, stop)))
        spike_started = datetime.now(UTC)
        load_before = uptime()
        reader.start()
        # The rate (A answers in S seconds), whatever the plan holds: a short plan
        # is sent at that rate and ends early, rather than spread thin over S seconds.
        rate = args.answers / args.seconds
        wall = clock.perf_counter()
        run_locust(base, plan_path, done_path, csv_prefix, args.users, rate, args.seconds)
        wall = clock.perf_counter() - wall
        stop.set()
        reader.join()
        load_after = uptime()
        wait_for_outbox(worker_started)  # the worker's last sweeps: the notices made so far
        watch.finish()
        if any(process.poll() is not None for process in workers):
            print(f"  a worker stopped: {(var / 'worker.log').read_text()[-2000:]}")
        answered = [line.split() for line in done_path.read_text().splitlines() if line]
        done = [int(pk) for pk, _ in answered]
        moments = sorted(float(at) for _, at in answered)
        span = moments[-1] - moments[0] if len(moments) > 1 else 0.0
        print(f"  locust: {args.users} users, {wall:.0f} s; load average {load_before} -> "
              f"{load_after}")  # fmt: skip
        print(f"\n{'endpoint (locust)':<44} {'requests':>8} {'errors':>6} {'p50':>6} "
              f"{'p95':>6} {'p99':>6} ms {'req/s':>6}")  # fmt: skip
        worst99 = 0.0
        for row in locust_figures(csv_prefix):
            name = row["Name"] if row["Name"] != "Aggregated" else "all"
            p99 = float(row["99%"] or 0)
            if name != "all":
                worst99 = max(worst99, p99)
            print(f"{name:<44} {row['Request Count']:>8} {row['Failure Count']:>6} "
                  f"{row['50%']:>6} {row['95%']:>6} {row['99%']:>6}    "
                  f"{float(row['Requests/s'] or 0):>6.1f}")  # fmt: skip
        times = pages.get("r", {})
        floor95 = percentile(times.get("trivial (/portal/healthz/)", []), 95)
        print(f"\n{'largest council, under the spike':<44} {'n':>5} {'p50':>7} {'p95':>7} "
              f"{'p95 x':>6}")  # fmt: skip
        for name in PAGES:
            values = times.get(name, [])
            p95 = percentile(values, 95)
            print(f"{name:<44} {len(values):>5} {percentile(values, 50):7.0f} {p95:7.0f} "
                  f"{p95 / floor95:6.1f}")  # fmt: skip
        print("(x: the page's p95 over the trivial page's p95, same client, same time)")

        check = check_nothing_lost(done, spike_started, worker_started)
        lost = len(check["not_recorded"]) + (check["answers"] - check["distinct"])
        twice = sum(n for events, n in check["events"].items() if events > 1)
        duplicate_notices = check["notices"] - check["keys"]
        unsent = check["notices"] - check["sent"]
        lags = check["lags"]
        lag_max = max(lags) if lags else 0.0
        due_lags = watch.lags + watch.unprocessed
        due_max = max(due_lags) if due_lags else 0.0
        per_second = check["answers"] / span if span else 0.0
        print(f"\nanswers taken by the server: {check['answers']:,} of {planned:,} planned, "
              f"{per_second:.1f}/s (first to last answer {span:.0f} s; the goal's rate "
              f"{args.answers / args.seconds:.0f}/s)")  # fmt: skip
        print(f"  not recorded: {len(check['not_recorded'])}; answer events per answer: "
              f"{dict(sorted(check['events'].items()))}")  # fmt: skip
        print(f"notices made since the worker started: {check['notices']:,}; sent "
              f"{check['sent']:,} (still waiting: {unsent:,}); a key twice: {duplicate_notices}; "
              f"more than one delivery attempt: {check['retried']}")  # fmt: skip
        print(f"worker lag, due packages (next_due -> ticked, polled every {DueWatch.POLL} s): "
              f"{len(watch.lags):,} ticked, p50 {percentile(watch.lags, 50):.2f} s, p95 "
              f"{percentile(watch.lags, 95):.2f} s, max {due_max:.2f} s; still due at the end: "
              f"{len(watch.unprocessed)}")  # fmt: skip
        print(f"  ({brought:,} packages brought due over the spike: make_due)")
        print(f"outbox delivery (notice committed -> sent, polled): {len(watch.delivery):,} sent,"
              f" p50 {percentile(watch.delivery, 50):.2f} s, p95 "
              f"{percentile(watch.delivery, 95):.2f} s")  # fmt: skip
        print(f"worker lag, notices (due -> sent, or -> now if unsent): p50 "
              f"{percentile(lags, 50):.2f} s, p95 "
              f"{percentile(lags, 95):.2f} s, max {lag_max:.2f} s; due packages left "
              f"unticked: {check['overdue']}")  # fmt: skip
        print("\ngoals (issue 14):")
        lost_all = lost + twice + duplicate_notices  # unsent notices are late, not lost
        print(f"  lost or doubled: {lost_all} (goal 0): {verdict(lost_all == 0)}")
        print(f"  worst endpoint p99: {worst99:.0f} ms (goal < {GOAL_P99_MS:.0f}): "
              f"{verdict(worst99 < GOAL_P99_MS)}")  # fmt: skip
        worst_lag = max(lag_max, due_max)
        print(
            f"  worker lag, max (packages and notices): {worst_lag:.2f} s (goal < "
            f"{GOAL_LAG_S:.0f} s): {verdict(worst_lag < GOAL_LAG_S and not check['overdue'])}"
        )
        goal_rate = args.answers / args.seconds
        met = check["answers"] >= args.answers and per_second >= goal_rate
        print(f"  answers: {check['answers']:,} at {per_second:.1f}/s (goal {args.answers:,} in "
              f"{args.seconds} s, {goal_rate:.0f}/s): {verdict(met)}")  # fmt: skip
        print(f"load average at end: {uptime()}")
    finally:
        for process in [*workers, server]:
            if process is not None:
                process.terminate()
                process.wait(timeout=60)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001, S110 - Django may not be set up yet
            pass
        if not args.keep:
            drop_database(url)
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
