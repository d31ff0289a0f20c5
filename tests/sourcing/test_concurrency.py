"""Two workers, and two brokers, at once on PostgreSQL: each thread has its own database
connection; row locks make every effect happen once (issue 4 items 4 and 7)."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection

from carebroker.outbox.models import Notice
from carebroker.sourcing.actions import AlreadyAwarded, do_award_by_hand
from carebroker.sourcing.due import advance_due
from carebroker.sourcing.models import SourcingRequest, TimelineEvent
from tests.sourcing.kent import NOW, kent_cluster

# Threads share SQLite's in-memory test database: these run on PostgreSQL only.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql]


def _together(work, names):
    """Run work(name) in one thread per name, released together by a barrier."""
    start = threading.Barrier(len(names))
    results, errors = {}, []

    def run(name):
        try:
            start.wait()
            results[name] = work(name)
        except BaseException as error:  # reported by the test, not lost in the thread
            results[name] = error
            if not isinstance(error, AlreadyAwarded):
                errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def test_two_workers_over_the_same_due_packages_tick_each_once():
    """30 packages whose first cascade request runs out at 12:00: two workers sweeping at
    once expire each request once and ask each next provider once."""
    kent = kent_cluster(packages=30)
    noon = NOW + timedelta(hours=2)
    results = _together(lambda name: advance_due(noon), ["worker-1", "worker-2"])
    lines = results["worker-1"] + results["worker-2"]
    ticked = Counter(line.split(":")[1].strip() for line in lines)
    assert sorted(ticked) == sorted(p.case_number for p in kent.packages)
    assert set(ticked.values()) == {1}
    second = kent.providers[1]
    for package in kent.packages:
        outcomes = list(
            SourcingRequest.objects.filter(package=package)
            .order_by("seq")
            .values_list("provider", "outcome")
        )
        assert outcomes == [(kent.providers[0].pk, "expired"), (second.pk, "open")]
        expired = TimelineEvent.objects.filter(package=package, type="request_expired")
        assert expired.count() == 1
    sent = Notice.objects.filter(kind="request_sent", to=[second.contacts.get().email])
    assert sent.count() == 30


def test_two_brokers_awarding_the_same_package_at_once_make_one_award():
    """Both press award at the same moment, for different providers: one award, one award
    notice, one audit event; the other broker is told it is already awarded."""
    kent = kent_cluster()
    package = kent.packages[0]
    brokers = {"broker": kent.broker, "manager": kent.manager}
    choice = {"broker": kent.providers[1], "manager": kent.providers[2]}
    at = NOW + timedelta(minutes=10)

    def award(name):
        return do_award_by_hand(brokers[name], package, choice[name], f"{name} chose", at)

    results = _together(award, list(brokers))
    failures = [r for r in results.values() if isinstance(r, AlreadyAwarded)]
    assert len(failures) == 1
    assert "already awarded" in str(failures[0])
    package.refresh_from_db()
    winner = next(name for name, r in results.items() if not isinstance(r, AlreadyAwarded))
    assert package.awarded_provider == choice[winner]
    assert Notice.objects.filter(package=package, kind="award").count() == 1
    assert TimelineEvent.objects.filter(package=package, type="award").count() == 1
    assert TimelineEvent.objects.filter(package=package, type="awarded_by_hand").count() == 1
