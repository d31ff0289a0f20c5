"""Benchmark: the worker advancing 10,000 due packages, against two floors.

Run: .venv/bin/python bench/worker.py [--packages N] [--passes P]         (SQLite, a temp file)
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/carebroker_bench \\
         .venv/bin/python bench/worker.py                                 (PostgreSQL)

Unlike the other benchmarks this one needs Django and a database: it measures the shell,
not the pure engine. The PostgreSQL database named in DATABASE_URL is created if missing
and its tables are dropped and migrated afresh (never point it at a database you keep).

Set-up (not timed): a Kent council with a cluster of three providers; one package is
referred through the runner at Monday 10:00 (its provider view already confirmed) and its
engine state cloned to N packages, each with its first cascade request open until 12:00.

Timed: `advance_due(12:00)` — claim the due packages, rebuild each state, step the engine
(the request expires, the next provider is asked), save the state, the request rows, the
timeline events and the request notice.

Two floors, each measured in the same run on the same packages:

- the bulk UPDATE floor (the old one): one UPDATE of `next_due` on the N rows, the least a
  sweep could write;
- the engine-plus-bulk-write floor: the pure `engine.step` of every package (states already
  rebuilt, the market already built), plus one transaction writing exactly the rows the
  sweep produced, in bulk: the package columns and the changed request rows (one
  `executemany` UPDATE each), the new request rows, timeline events and notices (one
  `bulk_create` each). That is what no worker can avoid: the engine's work and the writes.
  It is measured after the sweep: the sweep's new rows are deleted first (untimed), then
  the same rows go in again, committed as a sweep's are.

Each figure is the median of `--passes` passes (every pass sets the packages up afresh);
the ratios are the sweep's time over each floor's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time as clock
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
NOON = MONDAY_10 + timedelta(hours=2)


def _database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        _create_postgres(url)
        return "PostgreSQL"
    folder = tempfile.mkdtemp(prefix="carebroker-bench-")
    os.environ["CAREBROKER_VAR"] = folder
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    return "SQLite"


def _create_postgres(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def _setup(packages: int) -> list[int]:
    from django.core.management import call_command

    from carebroker.accounts.models import Role, User
    from carebroker.councils.models import Area, Council
    from carebroker.providers.models import Contact, Provider, ProviderArea
    from carebroker.referrals.models import Person, Referral
    from carebroker.sourcing import runner, snapshot
    from carebroker.sourcing.models import Package, SourcingRequest

    call_command("flush", interactive=False, verbosity=0)
    council = Council.objects.create(name="Bench County", slug="bench", policy_name="kent-oppd")
    User.objects.create(username="bench-manager", role=Role.MANAGER, council=council,
                        email="manager@council.example.org")  # fmt: skip
    area = Area.objects.create(council=council, name="Ashford A", kind="cluster")
    for rank in (1, 2, 3):
        provider = Provider.objects.create(council=council, name=f"Bench Care {rank}",
                                           kind="clustered")  # fmt: skip
        ProviderArea.objects.create(provider=provider, area=area, rank=rank)
        Contact.objects.create(provider=provider, name=f"Contact {rank}",
                               email=f"contact{rank}@provider{rank}.example.org")  # fmt: skip
    person = Person.objects.create(
        council=council,
        name="Ada Bench",
        date_of_birth=date(1941, 3, 2),
        address="1 High Street",
        town="Ashford",
        postcode="TN23 1AA",
    )
    referral = Referral.objects.create(
        council=council, person=person, received_at=MONDAY_10,
        documents=["financial_authorisation", "referral_form", "charging_letter"],
    )  # fmt: skip
    # The provider view counts as confirmed (docs/policies.md §6.2): sourcing starts at once.
    fields = {"council": council, "referral": referral, "person": person, "area": area,
              "hours_per_week": 14, "preferred_start": date(2026, 12, 14),
              "view_confirmed_at": MONDAY_10, "view_confirmed_by": "broker"}  # fmt: skip
    template = Package.objects.create(case_number="B0", **fields)
    runner.do_referral(template, MONDAY_10)
    template.refresh_from_db()
    state = runner.state_of(template)
    first = SourcingRequest.objects.get(package=template)
    rows = []
    for n in range(1, packages + 1):
        case = f"B{n}"
        clone = replace(state, package=replace(state.package, id=case))
        rows.append(
            Package(
                case_number=case,
                engine_state=snapshot.dump(clone),
                provider_view=template.provider_view,
                status=template.status,
                stage=template.stage,
                next_due=template.next_due,
                # As the write path left the template (no timeline is cloned: the clones'
                # moments worked out from scratch are the template's).
                waiting_from=template.waiting_from,
                waiting_due=template.waiting_due,
                chase_due=template.chase_due,
                **fields,
            )
        )
    Package.objects.bulk_create(rows, batch_size=1000)
    Package.objects.filter(pk=template.pk).update(next_due=None)
    created = list(Package.objects.exclude(pk=template.pk).values_list("pk", flat=True))
    SourcingRequest.objects.bulk_create(
        [SourcingRequest(package_id=pk, seq=0, provider_id=first.provider_id, stage=first.stage,
                         round=first.round, sent_at=first.sent_at, deadline=first.deadline)
         for pk in created],
        batch_size=1000,
    )  # fmt: skip
    return created


def _old_floor(pks: list[int]) -> float:
    """One bulk UPDATE of next_due on the same rows (then put back, untimed)."""
    from django.db import transaction

    from carebroker.sourcing.models import Package

    with transaction.atomic():
        due = dict(Package.objects.filter(pk__in=pks).values_list("pk", "next_due"))
    started = clock.perf_counter()
    with transaction.atomic():
        Package.objects.filter(pk__in=pks).update(next_due=NOON + timedelta(hours=2))
    took = clock.perf_counter() - started
    with transaction.atomic():
        for moment in set(due.values()):
            Package.objects.filter(pk__in=[pk for pk, d in due.items() if d == moment]).update(
                next_due=moment
            )
    return took


@dataclass
class Before:
    """What the floor needs from before the sweep: the rebuilt states and the high marks."""

    states: dict[int, Any]
    market: Any
    marks: dict[str, int]


PACKAGE_COLUMNS = ("engine_state", "status", "stage", "gate", "next_due")
REQUEST_COLUMNS = ("outcome", "responded_at", "reason", "not_awarded", "chased")


def _before(pks: list[int]) -> Before:
    from django.db.models import Max

    from carebroker.councils.models import Council
    from carebroker.outbox.models import Notice
    from carebroker.sourcing import snapshot
    from carebroker.sourcing.market_db import market_of
    from carebroker.sourcing.models import Package, SourcingRequest, TimelineEvent

    states = {
        pk: snapshot.load(value)
        for pk, value in Package.objects.filter(pk__in=pks).values_list("pk", "engine_state")
    }
    market = market_of(Council.objects.get(slug="bench"))
    marks = {
        model.__name__: model.objects.aggregate(top=Max("pk"))["top"] or 0
        for model in (TimelineEvent, SourcingRequest, Notice)
    }
    return Before(states, market, marks)


def _new_floor(pks: list[int], before: Before) -> tuple[float, float, dict[str, int]]:
    """(engine seconds, bulk write seconds, rows written) for the same packages and rows."""
    from django.db import connection, transaction

    from carebroker.engine import engine
    from carebroker.engine.inputs import Tick
    from carebroker.outbox.models import Notice
    from carebroker.sourcing.models import Package, SourcingRequest, TimelineEvent

    def copies(model: Any) -> list[Any]:
        rows = list(model.objects.filter(pk__gt=before.marks[model.__name__]))
        for row in rows:
            row.pk = None
        return rows

    events, requests, notices = copies(TimelineEvent), copies(SourcingRequest), copies(Notice)
    package_rows = [
        [*row[1:], row[0]]
        for row in Package.objects.filter(pk__in=pks).values_list("pk", *PACKAGE_COLUMNS)
    ]
    changed = [
        [*row[1:], row[0]]
        for row in SourcingRequest.objects.filter(
            package_id__in=pks, pk__lte=before.marks["SourcingRequest"]
        ).values_list("pk", *REQUEST_COLUMNS)
    ]
    engine_state = Package._meta.get_field("engine_state")
    table = Package._meta.db_table
    request_table = SourcingRequest._meta.db_table
    set_package = ", ".join(f"{name} = %s" for name in PACKAGE_COLUMNS)
    set_request = ", ".join(f"{name} = %s" for name in REQUEST_COLUMNS)
    took: dict[str, float] = {}
    with transaction.atomic():  # the sweep's new rows go, untimed, so the same go in again
        gone = Notice.objects.filter(pk__gt=before.marks["Notice"])
        if connection.vendor == "postgresql":  # a notice's key is kept in its own table
            keys = list(gone.values_list("council_id", "key"))
            with connection.cursor() as cursor:
                cursor.executemany(
                    "DELETE FROM outbox_noticekey WHERE council_id = %s AND key = %s", keys
                )
        for model in (TimelineEvent, SourcingRequest, Notice):
            model.objects.filter(pk__gt=before.marks[model.__name__]).delete()
    started = clock.perf_counter()
    for pk in pks:
        engine.step(before.market, before.states[pk], Tick(NOON))
    took["engine"] = clock.perf_counter() - started
    started = clock.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:  # committed, as a sweep's are
        for row in package_rows:  # the snapshot as JSON text for the driver
            row[0] = engine_state.get_db_prep_save(row[0], connection)
        # Table and column names of our own models; the values are parameters.
        cursor.executemany(f"UPDATE {table} SET {set_package} WHERE id = %s", package_rows)  # noqa: S608
        cursor.executemany(f"UPDATE {request_table} SET {set_request} WHERE id = %s", changed)  # noqa: S608
        SourcingRequest.objects.bulk_create(requests, batch_size=1000)
        TimelineEvent.objects.bulk_create(events, batch_size=1000)
        Notice.objects.bulk_create(notices, batch_size=1000)
    took["write"] = clock.perf_counter() - started
    rows = {
        "packages": len(package_rows),
        "requests changed": len(changed),
        "requests": len(requests),
        "events": len(events),
        "notices": len(notices),
    }
    return took["engine"], took["write"], rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--packages", type=int, default=10_000)
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args()
    database = _database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebroker.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from carebroker.sourcing.due import advance_due

    sweeps, old, engines, writes = [], [], [], []
    rows: dict[str, int] = {}
    for n in range(args.passes):
        pks = _setup(args.packages)
        old.append(_old_floor(pks))
        before = _before(pks)
        started = clock.perf_counter()
        lines = advance_due(NOON)
        sweeps.append(clock.perf_counter() - started)
        assert len(lines) == len(pks), f"advanced {len(lines)} of {len(pks)}"
        assert not [line for line in lines if "FAILED" in line], lines[:3]
        engine_s, write_s, rows = _new_floor(pks, before)
        engines.append(engine_s)
        writes.append(write_s)
        print(f"  pass {n + 1}: sweep {sweeps[-1]:.2f} s, engine {engine_s:.2f} s, "
              f"bulk write {write_s:.2f} s, bulk UPDATE {old[-1]:.3f} s", flush=True)  # fmt: skip
    took, floor_old = statistics.median(sweeps), statistics.median(old)
    engine_s, write_s = statistics.median(engines), statistics.median(writes)
    floor_new = engine_s + write_s
    count = args.packages
    print(f"worker advance_due on {database}: {count:,} packages due, medians of {args.passes}")
    print(f"  rows the sweep wrote: {', '.join(f'{v:,} {k}' for k, v in rows.items())}")
    print(f"  sweep:                 {took:8.2f} s  {count / took:10,.0f} packages/s")
    print(f"  floor, engine + bulk:  {floor_new:8.2f} s  {count / floor_new:10,.0f} packages/s"
          f"  (engine {engine_s:.2f} s, bulk write {write_s:.2f} s)")  # fmt: skip
    print(f"  floor, bulk UPDATE:    {floor_old:8.2f} s  {count / floor_old:10,.0f} rows/s")
    print(f"  ratio:                 {took / floor_new:8.1f} x the engine + bulk write floor")
    print(f"  ratio:                 {took / floor_old:8.1f} x the bulk UPDATE floor")


if __name__ == "__main__":
    main()
