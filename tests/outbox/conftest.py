"""Fixtures for the outbox tests: a council with a package, a real SMTP server on loopback."""

from datetime import UTC, datetime

import pytest

from tests.factories import make_council, make_package

# Subprocess fixtures, for the crash and concurrency tests.
from tests.outbox.processes import migrated_sqlite, processes  # noqa: F401
from tests.outbox.smtp import SmtpServer

# Monday 23 November 2026, 09:30 in London (GMT): the clock of every outbox test.
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture
def council(db):
    return make_council("kent-oppd")


@pytest.fixture
def package(council):
    return make_package(council, case_number="M1001")


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server, settings):
    """The SMTP server, with Django's default mailer pointed at it."""
    settings.MAILERS = smtp_server.mailers()
    return smtp_server
