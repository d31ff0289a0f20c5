"""The worker's polling threads (sourcing/polling.py): the background jobs and the list lane
share one loop, which drops a connection past its age before each poll and keeps polling
after a poll that failed."""

import threading

import pytest
from django.db import connection

from carebroker.sourcing.polling import start_polling

pytestmark = pytest.mark.django_db


def test_each_poll_starts_on_a_live_connection_and_a_failed_poll_does_not_stop_the_next():
    said: list[str] = []
    seen: list[object] = []
    stop = threading.Event()

    def poll() -> list[str]:
        seen.append(connection.errors_occurred)  # the thread's own connection, as found
        if len(seen) == 1:
            connection.ensure_connection()
            connection.errors_occurred = True  # as after a database error in the poll
            raise RuntimeError("the first poll fails")
        stop.set()
        return ["polled again"]

    thread = start_polling("test-poller", poll, 0.01, said.append, stop)
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert said == ["polled again"]
    # Before the second poll the connection was checked (close_old_connections: closed if
    # unusable, else its error mark cleared), not handed on as it was left.
    assert seen == [False, False]
