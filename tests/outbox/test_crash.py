"""The worker killed at the worst moments: every notice still arrives exactly once, except
in the one documented window (outbox/delivery.py), where the copy has the same Message-ID.
Each test runs real `carebroker` processes against the test database and a real SMTP
server on loopback."""

import json
import signal
import subprocess

import pytest

# Committed data, visible to the subprocesses on PostgreSQL (tests/outbox/processes.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]  # subprocesses

N = 20


def assert_each_once(smtp, count):
    ids = smtp.message_ids()
    assert len(ids) == count, ids
    assert set(ids.values()) == {1}, ids


def test_worker_killed_after_claiming_then_restarted_delivers_each_notice_once(
    processes, smtp_server
):
    """The worker dies (os._exit, as a kill) right after claiming the committed notices and
    before sending any; once their lease runs out a fresh `worker --once` sends them all,
    each exactly once."""
    processes.driver("queue", str(N))
    crashed = processes.carebroker("worker", "--once", crash="after_claim")
    assert crashed.returncode == 70, crashed.stderr
    assert smtp_server.messages == []
    assert processes.driver("statuses") == {"sending": N}

    processes.driver("expire")
    restarted = processes.carebroker("worker", "--once")
    assert restarted.returncode == 0, restarted.stderr
    assert f"outbox: sent {N} notice(s)" in restarted.stdout
    assert_each_once(smtp_server, N)
    assert processes.driver("statuses") == {"sent": N}


def test_worker_sigkilled_in_the_middle_of_a_send_then_restarted_sends_it_once(
    processes, smtp_server
):
    """SIGKILL while the worker is talking to the SMTP server (before the message data):
    nothing was accepted, and the restarted worker sends every notice exactly once."""
    processes.driver("queue", "5")
    smtp_server.handler.hold_mail.set()
    worker = processes.start_carebroker("worker", "--interval", "60")
    reached = smtp_server.handler.holding.wait(timeout=30)
    worker.send_signal(signal.SIGKILL)
    out, err = worker.communicate(timeout=30)
    assert reached, f"the worker never reached SMTP:\n{out}\n{err}"
    assert worker.returncode == -signal.SIGKILL
    smtp_server.handler.hold_mail.clear()
    smtp_server.handler.release.set()
    assert processes.driver("statuses") == {"sending": 5}

    processes.driver("expire")
    restarted = processes.carebroker("worker", "--once")
    assert restarted.returncode == 0, restarted.stderr
    assert_each_once(smtp_server, 5)
    assert processes.driver("statuses") == {"sent": 5}


def test_crash_after_the_server_accepted_resends_only_with_the_same_message_id(
    processes, smtp_server
):
    """The documented window: the worker dies after the server accepted a message but
    before marking it sent. That one notice arrives twice, both copies with the same
    Message-ID (so the receiver can drop one); every other notice arrives once."""
    processes.driver("queue", "3")
    crashed = processes.carebroker("worker", "--once", crash="after_send")
    assert crashed.returncode == 70, crashed.stderr
    assert len(smtp_server.messages) == 1

    processes.driver("expire")
    assert processes.carebroker("worker", "--once").returncode == 0
    ids = smtp_server.message_ids()
    assert len(ids) == 3
    assert sorted(ids.values()) == [1, 1, 2]
    twice = [m for m in smtp_server.messages if ids[str(m["Message-ID"])] == 2]
    assert twice[0]["Subject"] == twice[1]["Subject"] and twice[0]["To"] == twice[1]["To"]
    assert processes.driver("statuses") == {"sent": 3}


@pytest.mark.parametrize("workers", [2, 3])
def test_workers_at_once_deliver_each_notice_once(processes, smtp_server, workers):
    """Several worker processes over the same 50 due notices, in small passes at the same
    time (SKIP LOCKED on PostgreSQL, the conditional claim on SQLite): each notice is
    delivered exactly once, and the passes add up."""
    processes.driver("queue", "50")
    running = [processes.start_driver("deliver", "3", f"worker-{n}") for n in range(workers)]
    sent = 0
    for process in running:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        sent += json.loads(out)["sent"]
    assert sent == 50
    assert_each_once(smtp_server, 50)
    assert processes.driver("statuses") == {"sent": 50}


def test_sigterm_stops_the_worker_after_the_current_sweep(processes, smtp_server):
    """SIGTERM during a sweep: the sweep finishes (the notice in flight is sent and marked
    sent), then the worker exits 0."""
    processes.driver("queue", "1")
    smtp_server.handler.hold_mail.set()
    worker = processes.start_carebroker("worker", "--interval", "60")
    try:
        assert smtp_server.handler.holding.wait(timeout=30), "the worker never reached SMTP"
        worker.send_signal(signal.SIGTERM)
        smtp_server.handler.release.set()
        out, err = worker.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        raise
    assert worker.returncode == 0, err
    assert "SIGTERM: stopping after this sweep" in out
    assert "outbox: sent 1 notice(s)" in out
    assert_each_once(smtp_server, 1)
    assert processes.driver("statuses") == {"sent": 1}
