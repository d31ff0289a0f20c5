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


@pytest.mark.django_db  # each sweep tidies the database connections
def test_a_long_list_duty_does_not_hold_back_the_due_duties(monkeypatch):
    """A looping worker sweeps the list lane (batch reports) in a thread of its own: while a
    list duty is still working, the due duties (outbox, deadlines) sweep again and again
    (issue 14: one sweep of every council's batch reports held the notices 39 to 87 s)."""
    stop = threading.Event()
    due_sweeps = []
    seen_while_listing = []
    release = threading.Event()

    def tick_deadlines(now):
        due_sweeps.append(now)
        if len(due_sweeps) == 3:
            release.set()
        return []

    def make_reports(now):
        if not seen_while_listing:
            release.wait(timeout=10)  # in one sweep, the due duty could never run meanwhile
            seen_while_listing.append(len(due_sweeps))
            stop.set()
        return []

    monkeypatch.setattr(worker, "DUTIES", [tick_deadlines, make_reports])
    monkeypatch.setattr(worker, "LIST_DUTIES", {make_reports})
    worker.run(once=False, interval=0.01, say=lambda line: None, stop=stop)
    assert seen_while_listing and seen_while_listing[0] >= 3


def test_the_list_duties_are_their_own_lane_and_once_runs_every_duty_in_order():
    """The batch reports, Available Packages lists, scheduled reports and retention are the
    list lane; the outbox and the engine's clocks the due lane; `--once` (lane all) keeps
    every duty in its order."""
    from carebroker.exchange.provider_lists import send_batch_reports, send_open_market_lists
    from carebroker.placements.personal_data import retention_duty
    from carebroker.reports.schedule import send_scheduled_reports
    from carebroker.sourcing.due import advance_due

    lists = worker.lane_duties(worker.LISTS)
    due = worker.lane_duties(worker.DUE)
    assert set(lists) == {
        send_batch_reports,
        send_open_market_lists,
        retention_duty,
        send_scheduled_reports,
    }
    assert worker.deliver_outbox in due and advance_due in due
    assert not set(lists) & set(due)
    assert worker.lane_duties(worker.ALL) == worker.DUTIES
    with pytest.raises(ValueError, match="no worker lane 'fast'"):
        worker.lane_duties("fast")


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
