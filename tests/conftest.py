"""Shared fixtures and guards. The suite runs on SQLite by default, on PostgreSQL when
DATABASE_URL says so (`make test-postgres`), in one process or several (pytest-xdist's
`-n`): each worker has its own test database (pytest-django adds `_gw0`, `_gw1`, ...)."""

import ipaddress
import socket

import pytest
from django.db import connection

# The `demo` fixture, for every module, and its hook (tests/demo_once.py).
pytest_plugins = ["tests.demo_once"]

POSTGRESQL_ONLY = pytest.StashKey[int]()
DESELECTED_KEY = "postgresql_deselected"  # a worker's count, sent to the controller


class NetworkRefused(ConnectionRefusedError):
    """A test tried to reach beyond this machine."""


def _is_loopback(host: object) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name other than localhost: a lookup beyond this machine


def _guard(method):  # noqa: ANN001, ANN202
    def loopback_only(sock: socket.socket, address, *args):  # noqa: ANN001, ANN202
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise NetworkRefused(f"tests may only connect to loopback, not {address!r}")
        return method(sock, address, *args)

    return loopback_only


def pytest_configure(config: pytest.Config) -> None:
    # No network in tests: SMTP, PostgreSQL and the live server are all on loopback; anything
    # else (a DNS lookup for a real host, an outside API) is a test depending on the world.
    socket.socket.connect = _guard(socket.socket.connect)
    socket.socket.connect_ex = _guard(socket.socket.connect_ex)


# The longest tests (the browser tour alone is three tests of two to three minutes each) start
# first: collected last, they ran at the end on one or two workers while the rest had finished,
# several idle minutes of CI. With `--dist worksteal` (Makefile) the other worker takes the
# rest and steals from this one's queue when it runs dry, so both end together.
FIRST = ("tests/browser/test_tour.py", "tests/browser/", "tests/test_demo.py")


# Then the modules that use the demo councils, one after the other: the seed is kept from one to
# the next (tests/demo_once.py), so a worker seeds it once per run of them, not once a module.
def _start_order(item: pytest.Item, demo_modules: set[str]) -> int:
    first = next((i for i, start in enumerate(FIRST) if item.nodeid.startswith(start)), None)
    if first is not None:
        return first
    return len(FIRST) + (item.nodeid.split("::")[0] not in demo_modules)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    demo_modules = {
        item.nodeid.split("::")[0] for item in items if "demo" in getattr(item, "fixturenames", ())
    }
    items.sort(key=lambda item: _start_order(item, demo_modules))  # stable within each group
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
        if hasattr(config, "workeroutput"):  # an xdist worker: tell the controller
            config.workeroutput[DESELECTED_KEY] = len(deselected)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:  # noqa: ANN001
    # xdist's controller collects nothing itself: each worker reports what it deselected.
    count = getattr(node, "workeroutput", {}).get(DESELECTED_KEY, 0)
    config = node.config
    config.stash[POSTGRESQL_ONLY] = max(config.stash.get(POSTGRESQL_ONLY, 0), count)


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
    # Under xdist the controller's reporter holds every worker's results.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _sessions_outlast_pinned_clocks(settings):  # noqa: ANN001
    """Tests sign in now and pin the clock days ahead; the 30-minute idle rule would sign
    them out. The rule itself is pinned by tests/test_hardening.py with the real value."""
    settings.SESSION_COOKIE_AGE = 60 * 60 * 24 * 366 * 5
