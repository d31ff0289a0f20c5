"""Running carebroker in subprocesses against the test's database and SMTP server.

On PostgreSQL the subprocesses use the test database (the test is transactional, so what
it commits they see, and it is emptied after the test: mark such tests
`django_db(transaction=True)`). On SQLite pytest's test database
lives in memory, out of their reach, so they share a migrated file of their own instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from carebroker.outbox.delivery import CRASH_ENV

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60


class Processes:
    """Run `carebroker ...` and the test driver with one environment."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def carebroker(self, *args: str, crash: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "carebroker.cli", *args],
            env=self._env(crash),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )

    def start_carebroker(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "carebroker.cli", *args],
            env=self._env(None),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def start_driver(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.outbox.driver", *args],
            env=self._env(None),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def driver(self, *args: str) -> Any:
        done = subprocess.run(
            [sys.executable, "-m", "tests.outbox.driver", *args],
            env=self._env(None),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else None

    def _env(self, crash: str | None) -> dict[str, str]:
        env = dict(self.env)
        if crash:
            env[CRASH_ENV] = crash
        return env


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A migrated SQLite file, made once; each test gets a copy."""
    path = tmp_path_factory.mktemp("worker-db") / "template.sqlite3"
    done = subprocess.run(
        [sys.executable, "-m", "carebroker.cli", "migrate", "--no-input", "-v0"],
        env=_base_env(tmp_path_factory.mktemp("var"), f"sqlite:///{path}"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture
def processes(request, smtp_server, tmp_path) -> Processes:
    """Subprocesses sharing this test's database (see the module docstring), sending mail
    to `smtp_server`. Tests using it are marked django_db(transaction=True)."""
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
        url = f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"
    else:
        path = tmp_path / "worker.sqlite3"
        shutil.copy(request.getfixturevalue("migrated_sqlite"), path)
        url = f"sqlite:///{path}"
    env = _base_env(tmp_path / "var", url)
    env["EMAIL_HOST"] = "127.0.0.1"
    env["EMAIL_PORT"] = str(smtp_server.port)
    return Processes(env)


def _base_env(var: Path, database_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != CRASH_ENV}
    env.update(
        DATABASE_URL=database_url,
        CAREBROKER_VAR=str(var),
        DJANGO_SETTINGS_MODULE="carebroker.settings",
        PYTHONUNBUFFERED="1",
    )
    return env
