"""Shared fixtures and guards. The suite runs on SQLite by default, on PostgreSQL when
DATABASE_URL says so (`make test-postgres`)."""

import pytest
from django.db import connection

POSTGRESQL_ONLY = pytest.StashKey[int]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Tests that need several real connections at once (SKIP LOCKED, row locks) run on
    # PostgreSQL; on SQLite they are deselected, visibly, never skipped.
    if connection.vendor == "postgresql":
        return
    selected = [item for item in items if item.get_closest_marker("postgresql") is None]
    deselected = [item for item in items if item.get_closest_marker("postgresql") is not None]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected
        config.stash[POSTGRESQL_ONLY] = len(deselected)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    skipped = len(terminalreporter.stats.get("skipped", []))
    if skipped:
        terminalreporter.write_line(f"FAILED: {skipped} test(s) skipped; no test may be skipped")
    deselected = config.stash.get(POSTGRESQL_ONLY, 0)
    if deselected:
        terminalreporter.write_line(
            f"{deselected} PostgreSQL-only tests deselected on SQLite "
            "(`make test-postgres` runs them)"
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # A skipped test is a test that did not run: the suite fails rather than going green.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _sessions_outlast_pinned_clocks(settings):  # noqa: ANN001
    """Tests sign in now and pin the clock days ahead; the 30-minute idle rule would sign
    them out. The rule itself is pinned by tests/test_hardening.py with the real value."""
    settings.SESSION_COOKIE_AGE = 60 * 60 * 24 * 366 * 5
