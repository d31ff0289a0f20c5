"""The portal's clock, pinned: views read `timezone.now()` once; tests set what it says."""

from datetime import datetime
from unittest import mock

import pytest

from tests.factories import PASSWORD
from tests.portal.worlds import NOW


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now


@pytest.fixture
def clock():
    pinned = Clock(NOW)
    with mock.patch("carebroker.portal.views.timezone.now", side_effect=lambda: pinned.now):
        yield pinned


@pytest.fixture
def signed_in(client):
    """A client signed in as `user` (with the factories' password)."""

    def sign_in(user):
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return sign_in
