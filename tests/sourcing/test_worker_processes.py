"""Two worker processes at once over the same due packages, on SQLite (one writer at a
time, IMMEDIATE transactions) and on PostgreSQL (SKIP LOCKED): each package advanced once."""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.slow  # every test runs carebroker in a subprocess

ROOT = Path(__file__).resolve().parents[2]
NOON = "2026-11-23T12:00:00+00:00"  # every first request has run out


@pytest.fixture
def env(tmp_path):
    """Subprocesses on this test's database: PostgreSQL's test database (the test is
    transactional), or for SQLite a migrated file of their own (the test's is in memory)."""
    environment = dict(os.environ, CAREBROKER_VAR=str(tmp_path / "var"),
                       DJANGO_SETTINGS_MODULE="carebroker.settings")  # fmt: skip
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
        environment["DATABASE_URL"] = (
            f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"
        )
    else:
        environment["DATABASE_URL"] = f"sqlite:///{tmp_path / 'workers.sqlite3'}"
        migrate = [sys.executable, "-m", "carebroker.cli", "migrate", "--no-input", "-v0"]
        done = subprocess.run(migrate, env=environment, cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    return environment


def _driver(env, *args):
    return [sys.executable, "-m", "tests.sourcing.driver", *args]


def _run(env, *args):
    done = subprocess.run(
        _driver(env, *args), env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_advance_each_due_package_once(env):
    """Both sweep at once: every package is advanced by one of them; each first request
    expires once and each second provider is asked once."""
    cases = _run(env, "setup", "20")
    workers = [
        subprocess.Popen(
            _driver(env, "advance", NOON),
            env=env,
            cwd=ROOT,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        for _ in range(2)
    ]
    lines = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        lines += json.loads(out)
    assert not [line for line in lines if "FAILED" in line]
    advanced = Counter(line.split(":")[1].strip() for line in lines)
    assert sorted(advanced) == sorted(cases) and set(advanced.values()) == {1}
    report = _run(env, "report")
    assert report["expired"] == 20
    for case in cases:
        assert [outcome for _, outcome in report["requests"][case]] == ["expired", "open"]
    keys = report["notices"]
    assert len(keys) == len(set(keys))
    assert sum(key.startswith("request:") for key in keys) == 40  # first and second ask


def _shell(env, code):
    done = subprocess.run(
        [sys.executable, "-m", "carebroker.cli", "shell", "-v", "0", "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.django_db(transaction=True)
def test_a_looping_worker_runs_a_queued_job_without_waiting_for_its_next_sweep(env):
    """`carebroker worker --interval 600` sweeps, then waits ten minutes; a batch report
    build queued meanwhile (from another process, as the web server would) is run within
    seconds by the worker's jobs thread, its result is in the database, and SIGTERM stops
    the worker cleanly."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "carebroker.cli", "worker", "--interval", "600"],
        env=env,
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        result_id = _shell(
            env,
            "from tests.factories import make_council; "
            "from carebroker.exchange.tasks import build_batch_reports; "
            "c = make_council('essex-lah'); "
            "print(build_batch_reports.enqueue(council_id=c.pk, day='2026-11-20').id)",
        )
        read = (
            "from carebroker.exchange.tasks import build_batch_reports; "
            f"r = build_batch_reports.get_result('{result_id}'); "
            "print(r.status, len(r.return_value['workbooks']) if r.is_finished else '-')"
        )
        deadline = time.monotonic() + 60
        status = _shell(env, read)
        while status.split()[0] not in ("SUCCESSFUL", "FAILED"):
            assert time.monotonic() < deadline, f"the job was not run: {status}"
            time.sleep(0.5)
            status = _shell(env, read)
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=60)
    assert status == "SUCCESSFUL 0"  # that council issued no batch that day: no workbook
    assert worker.returncode == 0, err
    assert "job build_batch_reports: successful" in out.splitlines()
