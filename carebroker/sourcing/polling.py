"""A thread that polls beside the worker's sweeps: the background jobs (sourcing/jobs.py) and
the list lane's duties (sourcing/worker.py).

Each poll starts with `close_old_connections()`: the thread keeps a connection of its own for
as long as the worker runs, and a connection the server dropped (a restart, CONN_MAX_AGE)
must not fail every poll after it. A poll that raises is logged and the next one still runs;
when `stop` is set the current poll finishes and the thread closes its connection.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)


def start_polling(
    name: str,
    poll: Callable[[], Iterable[str]],
    every: float,
    say: Callable[[str], None],
    stop: threading.Event,
) -> threading.Thread:
    """Run `poll()` every `every` seconds in a daemon thread until `stop`; `say` each line."""

    def loop() -> None:
        try:
            while not stop.is_set():
                close_old_connections()
                try:
                    for line in poll():
                        say(line)
                except Exception:  # a broken poll must not stop the next one
                    logger.exception("%s: a poll failed", name)
                stop.wait(every)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()
    return thread
