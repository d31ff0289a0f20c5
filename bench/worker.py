"""Benchmark: the worker advancing 10,000 due packages, against a bulk UPDATE floor.

Run: .venv/bin/python bench/worker.py [--packages N]                      (SQLite, a temp file)
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/carebroker_bench \\
         .venv/bin/python bench/worker.py                                 (PostgreSQL)

Unlike the other benchmarks this one needs Django and a database: it measures the shell,
not the pure engine. The PostgreSQL database named in DATABASE_URL is created if missing
and its tables are dropped and migrated afresh (never point it at a database you keep).

Set-up (not timed): a Kent council with a cluster of three providers; one package is
referred through the runner at Monday 10:00 and its engine state cloned to N packages, each
with its first cascade request open until 12:00. Timed: `advance_due(12:00)` — for each
package, claim the row, rebuild the state, step the engine (the request expires, the next
provider is asked), save state, request rows, timeline events and the request notice, one
transaction per package. Floor: one bulk UPDATE of `next_due` on the same N rows (the
least a sweep must write), the median of three, in the same run. The ratio is the sweep's
time over the floor's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time as clock
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

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
    fields = {"council": council, "referral": referral, "person": person, "area": area,
              "hours_per_week": 14, "preferred_start": date(2026, 12, 14)}  # fmt: skip
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


def _floor(pks: list[int]) -> float:
    from django.db import transaction

    from carebroker.sourcing.models import Package

    times = []
    for _ in range(3):
        started = clock.perf_counter()
        with transaction.atomic():
            Package.objects.filter(pk__in=pks).update(next_due=NOON + timedelta(hours=2))
        times.append(clock.perf_counter() - started)
        Package.objects.filter(pk__in=pks).update(next_due=NOON)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--packages", type=int, default=10_000)
    args = parser.parse_args()
    database = _database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebroker.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from carebroker.sourcing.due import advance_due

    pks = _setup(args.packages)
    floor = _floor(pks)
    started = clock.perf_counter()
    lines = advance_due(NOON)
    took = clock.perf_counter() - started
    assert len(lines) == len(pks), f"advanced {len(lines)} of {len(pks)}"
    print(f"worker advance_due on {database}: {len(pks):,} packages due")
    print(f"  sweep:  {took:8.2f} s  {len(pks) / took:10,.0f} packages/s")
    print(f"  floor:  {floor:8.2f} s  {len(pks) / floor:10,.0f} rows/s (one bulk UPDATE)")
    print(f"  ratio:  {took / floor:8.1f} x the floor")


if __name__ == "__main__":
    main()
