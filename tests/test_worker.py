"""`carebroker worker`: sweeps of DUTIES at one `now`, the outbox first; a failing duty is
reported and the others still run; `--once` for cron."""

import threading
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from carebroker.outbox.models import NoticeKind, NoticeStatus
from carebroker.outbox.notices import queue_notice
from carebroker.sourcing import worker
from tests.factories import make_council, make_package
from tests.outbox.conftest import smtp, smtp_server  # noqa: F401 (fixtures)
from tests.outbox.processes import migrated_sqlite, processes  # noqa: F401 (fixtures)
from tests.outbox.samples import SAMPLES

NOW = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)


def test_outbox_delivery_is_the_first_duty():
    """Notices queued by the last sweep leave before anything else is done."""
    assert worker.DUTIES[0] is worker.deliver_outbox


@pytest.mark.django_db  # each sweep tidies the database connections
def test_failing_duty_is_reported_and_the_others_still_run(caplog):
    """One duty raising does not stop the sweep: it is logged with its traceback and
    reported as a line; the duties after it run at the same `now`."""
    seen = []

    def issue_batches(now):
        raise RuntimeError("the batch report could not be built")

    def expire_requests(now):
        seen.append(now)
        return ["expired 2 request(s)"]

    lines = worker.sweep(NOW, [issue_batches, expire_requests])
    assert lines == [
        "issue_batches: FAILED: RuntimeError: the batch report could not be built",
        "expired 2 request(s)",
    ]
    assert seen == [NOW]
    assert "worker duty issue_batches failed" in caplog.text
    assert "the batch report could not be built" in caplog.text


@pytest.mark.django_db  # each sweep tidies the database connections
def test_clock_is_read_once_per_sweep(monkeypatch):
    """Every duty of a sweep sees the same instant, read once by the shell."""
    readings = iter([NOW, datetime(2026, 11, 23, 16, 0, 15, tzinfo=UTC)])
    monkeypatch.setattr(worker.timezone, "now", lambda: next(readings))
    seen = []

    def record(now):
        seen.append(now)
        return []

    out = []
    worker.run(
        once=True, interval=15, say=out.append, stop=threading.Event(), duties=[record, record]
    )
    assert seen == [NOW, NOW]
    assert out == ["nothing due"]


@pytest.mark.django_db  # each sweep tidies the database connections
def test_loop_sweeps_until_stopped():
    """Without --once the worker sweeps again after the interval, until told to stop; the
    stop takes effect after the current sweep."""
    stop = threading.Event()
    sweeps = []

    def count(now):
        sweeps.append(now)
        if len(sweeps) == 3:
            stop.set()  # as a SIGTERM during the third sweep would
        return [f"sweep {len(sweeps)}"]

    out = []
    worker.run(once=False, interval=0.01, say=out.append, stop=stop, duties=[count])
    assert out == ["sweep 1", "sweep 2", "sweep 3"]


@pytest.mark.django_db
def test_worker_once_on_an_empty_database_says_nothing_due():
    """`carebroker worker --once` with nothing to do prints "nothing due"."""
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert out.getvalue() == "nothing due\n"


@pytest.mark.django_db
def test_worker_once_delivers_the_outbox(smtp, monkeypatch):  # noqa: F811
    """One sweep sends the queued notice and says so."""
    monkeypatch.setattr(worker.timezone, "now", lambda: NOW)
    council = make_council("kent-oppd")
    package = make_package(council, case_number="M1001")
    with transaction.atomic():
        notice = queue_notice(
            council=council,
            kind=NoticeKind.CHASE,
            key="chase:M1001:P3",
            to=["alder@provider.example.org"],
            context=SAMPLES[NoticeKind.CHASE],
            package=package,
            now=NOW,
        )
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    # The outbox goes first; the sourcing duties after it may report on the package too.
    assert out.getvalue().splitlines()[0] == "outbox: sent 1 notice(s)"
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT
    # A long subject is folded on the wire; the parser keeps the fold's leading space.
    assert [str(m["Subject"]).strip() for m in smtp.messages] == [notice.subject]


def test_interval_must_be_positive():
    """A bad --interval is refused, naming the option."""
    with pytest.raises(CommandError, match=r"--interval: must be above 0 seconds, not 0.0"):
        call_command("worker", "--interval", "0")


@pytest.mark.django_db(transaction=True)
def test_carebroker_worker_once_on_an_empty_database_exits_0(processes):  # noqa: F811
    """The command as cron runs it: a fresh process, exit status 0, "nothing due"."""
    done = processes.carebroker("worker", "--once")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "nothing due\n"
