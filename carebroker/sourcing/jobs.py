"""Ad hoc background jobs: Django tasks (`django.tasks`) queued in the database by
django-tasks-db and run by `carebroker worker` beside its sweeps.

The sweeps (sourcing/worker.py) do what the clock makes due, claiming their rows with
SKIP LOCKED; jobs are what someone asked for just now (a report build, later an uploaded
file parsed off the web worker, a simulation run from the browser). A long job must not hold
up the 16:00 batch, so the looping worker runs jobs in a thread of their own that polls
every JOB_POLL_SECONDS; `--once` runs the jobs ready after its sweep, then exits.

Each job is claimed by django-tasks-db's own worker code (SKIP LOCKED on PostgreSQL, an
exclusive transaction on SQLite), so several `carebroker worker` processes share the queue.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db.utils import OperationalError
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from carebroker.sourcing.polling import start_polling

logger = logging.getLogger(__name__)

JOB_POLL_SECONDS = 1.0


def run_ready_jobs(worker_id: str) -> list[str]:
    """Run every job ready now, one after another; one line per job run.

    django-tasks-db's own `db_worker` loop, less what belongs to a process of its own
    (signal handlers, closing connections: the caller tidies them, never inside a
    transaction): claim the next ready job (SKIP LOCKED on PostgreSQL, an exclusive
    transaction on SQLite), run it, record its outcome."""
    runner = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id[:64],
        excluded_queue_names=[],
    )
    lines: list[str] = []
    while True:
        ready = DBTaskResult.objects.ready().filter(backend_name=DEFAULT_TASK_BACKEND_ALIAS)
        with exclusive_transaction(ready.db):
            try:
                job = ready.get_locked()
                if job is not None:
                    job.claim(runner.worker_id)
            except OperationalError as error:
                if not is_locked_database_exception(error):
                    raise
                return lines  # SQLite busy with another claimer: the next poll tries again
        if job is None:
            return lines
        runner.run_task(job)  # records success or failure (and the traceback) on the job
        name = job.task_path.rsplit(".", 1)[-1]
        lines.append(f"job {name}: {TaskResultStatus(job.status).label.lower()}")


def start_job_thread(
    worker_id: str, say: Callable[[str], None], stop: threading.Event
) -> threading.Thread:
    """Run jobs as they are queued until `stop` is set (after the current job)."""
    return start_polling(
        "carebroker-jobs", lambda: run_ready_jobs(worker_id), JOB_POLL_SECONDS, say, stop
    )
