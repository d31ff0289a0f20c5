"""The demo councils, seeded once for each run of modules that use them, rolled back after.

Seeding the demo costs 10 to 50 s under CI's load, and a dozen modules read it. Seeded per
module (the fixture's scope was "module"), each module on each xdist worker paid it again.
Now the seed stays in one open transaction from one module to the next, as long as the tests
that follow use it; it is rolled back before any test that does not (a clean database, as it
had before), and at the end of the session. tests/conftest.py collects the modules that use
the demo one after the other, so a worker seeds it once or twice rather than a dozen times.

Isolation is what it was inside one module: every test runs in its own savepoint under the
seed's transaction (pytest-django's `db`), so what a test writes is rolled back after it,
and the next module finds the demo as seeded.
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import UTC, datetime

import pytest
from django.db import transaction
from django.test import override_settings

from carebroker.demo.seed import seed_demo

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
# Signing in 16 times with the production hasher would cost seconds; the hasher is not under test.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class SeededDemo:
    """The open transaction holding the seed, and the modules using it now."""

    def __init__(self) -> None:
        self.stack: ExitStack | None = None
        self.report: object = None
        self.holders: set[str] = set()  # the nodeids of the modules whose fixture is set up
        self.seeds = 0

    def open(self, blocker) -> object:  # noqa: ANN001 (pytest-django's DjangoDbBlocker)
        if self.stack is None:
            stack = ExitStack()
            stack.enter_context(blocker.unblock())
            stack.enter_context(override_settings(PASSWORD_HASHERS=FAST_HASHERS))
            stack.enter_context(transaction.atomic())
            self.stack = stack
            try:
                self.report = seed_demo(now=NOW)
            except BaseException:
                self.close()
                raise
            self.seeds += 1
        return self.report

    def close(self) -> None:
        if self.stack is not None:
            transaction.set_rollback(True)  # the seed is never committed
            stack, self.stack, self.report = self.stack, None, None
            stack.close()

    def before(self, item: pytest.Item) -> None:
        """Before `item` is set up: roll the seed back unless the test can see it (it asks for
        `demo`, or its module already has it, as a module-scoped fixture always did)."""
        if self.stack is None or "demo" in getattr(item, "fixturenames", ()):
            return
        module = getattr(item, "module", None)
        if module is None or module.__name__ not in self.holders:
            self.close()


SEEDED = SeededDemo()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    SEEDED.before(item)  # a test that cannot see the demo finds the database without it


@pytest.fixture(scope="session")
def _demo_session(django_db_setup, django_db_blocker):  # noqa: ANN001, ANN202
    yield django_db_blocker
    SEEDED.close()  # before django_db_setup drops the test database


@pytest.fixture(scope="module")
def demo(request, _demo_session):  # noqa: ANN001, ANN201
    """The demo councils as seeded at NOW; what each test writes is rolled back after it."""
    name = request.module.__name__
    report = SEEDED.open(_demo_session)
    SEEDED.holders.add(name)
    yield report
    SEEDED.holders.discard(name)
