"""The demo councils, seeded once per test module and rolled back after it."""

from datetime import UTC, datetime

import pytest
from django.db import transaction
from django.test import override_settings

from carebroker.demo.seed import DEMO_PASSWORD, seed_demo

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
# Signing in 16 times with the production hasher would cost seconds; the hasher is not under test.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        report = seed_demo(now=NOW)
        yield report
        transaction.set_rollback(True)


@pytest.fixture
def sign_in(client):
    """Sign in through the login form, as a person would; returns the home page response."""

    def sign_in_as(username: str, password: str = DEMO_PASSWORD):
        return client.post("/login/", {"username": username, "password": password}, follow=True)

    return sign_in_as
