"""Reports read from the read replica, everything else from the primary (reports/replica.py).

Two real PostgreSQL databases: the primary, migrated and given a Kent council with the
dashboard's world (tests/reports/world.py), and a replica made as a copy of it (CREATE
DATABASE ... TEMPLATE, what a streaming replica holds). Then one package more goes to the
primary only, as a replica's lag would have it. A process configured with both
(`DATABASE_URL`, `DATABASE_REPLICA_URL`) opens the dashboard and the broker's package list as
a manager: the dashboard's reads go to the replica (it does not see the new package), the
package list's to the primary, and every write to the primary.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

pytestmark = [pytest.mark.postgresql, pytest.mark.slow]  # two databases, subprocesses

ROOT = Path(__file__).resolve().parents[2]
SERVER = "postgres://postgres@127.0.0.1:5432"

SETUP = """
import django; django.setup()
from tests.reports.world import build_world
from tests.factories import make_user
from carebroker.accounts.models import Role
world = build_world()
make_user(world.council, Role.MANAGER, username="replica-manager")
"""

PROBE = """
import json
import django; django.setup()
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from carebroker.accounts.models import User
from carebroker.reports.replica import replica_reads
from carebroker.sourcing.models import Package
from tests.factories import make_package

manager = User.objects.get(username="replica-manager")
make_package(manager.council, case_number="LAGGED")  # the replica has not caught up
client = Client()
client.force_login(manager)
out = {}
for name, url in (("dashboard", "/reports/dashboard/"), ("packages", "/packages/")):
    with CaptureQueriesContext(connections["default"]) as primary, \\
            CaptureQueriesContext(connections["replica"]) as replica:
        response = client.get(url)
    out[name] = {
        "status": response.status_code,
        "primary_package_reads": sum("sourcing_package" in q["sql"] for q in primary),
        "replica_package_reads": sum("sourcing_package" in q["sql"] for q in replica),
        "shows_lagged": "LAGGED" in response.content.decode(),
    }
with replica_reads():
    out["replica_sees_lagged"] = Package.objects.filter(case_number="LAGGED").exists()
    Package.objects.filter(case_number="M1").update(hours_per_week=33)  # a write: the primary
out["write_on_primary"] = Package.objects.using("default").filter(hours_per_week=33).exists()
out["write_on_replica"] = Package.objects.using("replica").filter(hours_per_week=33).exists()
print(json.dumps(out))
"""


def _run(code: str, tmp_path: Path, **env: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "carebroker.settings",
            "CAREBROKER_VAR": str(tmp_path),
            "ALLOWED_HOSTS": "testserver",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.fixture
def databases():
    suffix = uuid.uuid4().hex[:10]
    primary, replica = f"cb_primary_{suffix}", f"cb_replica_{suffix}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{primary}"')
        yield admin, primary, replica
        for name in (replica, primary):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_reports_read_from_the_replica_and_every_other_page_and_write_from_the_primary(
    databases, tmp_path
):
    admin, primary, replica = databases
    _run(
        "from django.core.management import call_command; import django; django.setup(); "
        "call_command('migrate', verbosity=0)",
        tmp_path,
        DATABASE_URL=f"{SERVER}/{primary}",
    )
    _run(SETUP, tmp_path, DATABASE_URL=f"{SERVER}/{primary}")
    admin.execute(f'CREATE DATABASE "{replica}" TEMPLATE "{primary}"')

    out = json.loads(
        _run(
            PROBE,
            tmp_path,
            DATABASE_URL=f"{SERVER}/{primary}",
            DATABASE_REPLICA_URL=f"{SERVER}/{replica}",
        ).splitlines()[-1]
    )

    dashboard, packages = out["dashboard"], out["packages"]
    assert dashboard["status"] == 200 and packages["status"] == 200
    assert dashboard["replica_package_reads"] > 0
    assert dashboard["primary_package_reads"] == 0
    assert packages["primary_package_reads"] > 0 and packages["replica_package_reads"] == 0
    assert packages["shows_lagged"]  # the broker's own list is never behind
    assert out["replica_sees_lagged"] is False
    assert out["write_on_primary"] is True and out["write_on_replica"] is False
