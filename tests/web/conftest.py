"""The demo councils (tests/demo_once.py: seeded once for the modules that use them, one after
the other) and signing in."""

import pytest

from carebroker.demo.seed import DEMO_PASSWORD
from tests.demo_once import NOW

__all__ = ["NOW", "sign_in"]


@pytest.fixture
def sign_in(client):
    """Sign in through the login form, as a person would; returns the home page response."""

    def sign_in_as(username: str, password: str = DEMO_PASSWORD):
        return client.post("/login/", {"username": username, "password": password}, follow=True)

    return sign_in_as
