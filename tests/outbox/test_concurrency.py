"""Two workers in one process, each thread with its own database connection, over the same
50 due notices: SELECT ... FOR UPDATE SKIP LOCKED hands each notice to one of them."""

import threading

import pytest
from django.db import connection, transaction

from carebroker.outbox.delivery import deliver_due
from carebroker.outbox.models import Notice, NoticeKind, NoticeStatus
from carebroker.outbox.notices import queue_notice
from tests.factories import make_council
from tests.outbox.conftest import NOW
from tests.outbox.samples import SAMPLES

# Threads would share SQLite's in-memory test database; on SQLite the same race runs with
# worker processes (test_crash.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql]


def test_two_workers_at_once_deliver_each_of_50_notices_once(smtp):
    """Both workers claim in small passes at the same time; every notice is sent exactly
    once, by one of them, and each sent some."""
    council = make_council("kent-oppd")
    with transaction.atomic():
        for n in range(50):
            queue_notice(
                council=council,
                kind=NoticeKind.CHASE,
                key=f"chase:M{5000 + n}:P1",
                to=[f"provider{n}@provider.example.org"],
                context={**SAMPLES[NoticeKind.CHASE], "mosaic_id": f"M{5000 + n}"},
                now=NOW,
            )
    start = threading.Barrier(2)
    sent: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            start.wait()
            keys: list[str] = []
            while batch := deliver_due(NOW, limit=2, worker_id=name).sent:
                keys += batch
            sent[name] = keys
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    both = sent["worker-1"] + sent["worker-2"]
    assert sorted(both) == sorted(Notice.objects.values_list("key", flat=True))
    assert len(set(both)) == 50
    assert all(sent.values()), {name: len(keys) for name, keys in sent.items()}
    assert set(smtp.message_ids().values()) == {1} and len(smtp.message_ids()) == 50
    assert set(Notice.objects.values_list("status", "attempts")) == {(NoticeStatus.SENT, 1)}
