"""advance_due in batches (issue 14): a batch per transaction, a savepoint per package, the
rows written in bulk; a bad package fails alone, and the audit is what a save would log."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from carebroker.outbox.models import Notice
from carebroker.sourcing import due
from carebroker.sourcing.due import advance_due
from carebroker.sourcing.models import Package, SourcingRequest, TimelineEvent
from tests.sourcing.kent import NOW, kent_cluster

pytestmark = pytest.mark.django_db

NOON = NOW + timedelta(hours=2)  # every first request has run out


def test_a_package_whose_rows_break_the_bulk_write_fails_alone_and_its_batch_still_moves():
    """One package's request rows are out of step with its engine state (a row already
    stands where the engine puts its next request), so its rows cannot be written. It is
    reported and left exactly as it was, still due; the packages claimed with it in the
    same batch are ticked and their notices queued."""
    kent = kent_cluster(packages=3)
    first, bad, last = kent.packages
    stray = SourcingRequest.objects.get(package=bad, seq=0)
    stray.pk, stray.seq = None, 1
    stray.save()
    events_before = TimelineEvent.objects.filter(package=bad).count()

    lines = advance_due(NOON)

    assert [line for line in lines if "FAILED" in line] == [
        f"sourcing: package {bad.pk} FAILED (see the log); it will be retried"
    ]
    for package in (first, last):
        assert any(line.startswith(f"sourcing: {package.case_number}:") for line in lines)
        outcomes = SourcingRequest.objects.filter(package=package).order_by("seq")
        assert [r.outcome for r in outcomes] == ["expired", "open"]
        assert Notice.objects.filter(package=package, key__contains=":cluster:").count() == 2
    bad.refresh_from_db()
    assert bad.next_due == NOON
    assert [r.outcome for r in SourcingRequest.objects.filter(package=bad).order_by("seq")] == [
        "open",
        "open",
    ]
    assert TimelineEvent.objects.filter(package=bad).count() == events_before
    assert Notice.objects.filter(package=bad, key__contains=":cluster:").count() == 1


def test_packages_are_claimed_a_batch_at_a_time_and_each_is_ticked_once(monkeypatch):
    """With batches of two, five due packages take three batches; every package is ticked
    once and the sweep ends."""
    monkeypatch.setattr(due, "BATCH", 2)
    kent = kent_cluster(packages=5)
    lines = advance_due(NOON)
    assert sorted(line.split(":")[1].strip() for line in lines) == sorted(
        p.case_number for p in kent.packages
    )
    assert SourcingRequest.objects.filter(outcome="expired").count() == 5
    assert advance_due(NOON) == []


def test_a_sweep_that_moves_a_package_on_is_audited_as_saving_it_would_be():
    """The worker writes packages in bulk (no save signal); a tick that changes what the
    audit watches (status, stage, gate) still leaves the entry a save leaves: one, by no
    one, with what changed, and none for ticks that change only the engine's snapshot and
    clocks (not audited)."""
    kent = kent_cluster(packages=1)
    package = kent.packages[0]
    kind = ContentType.objects.get_for_model(Package)
    entries = LogEntry.objects.filter(content_type=kind, object_pk=str(package.pk))
    before = entries.count()
    for hours in (2, 4):  # the second and third providers are asked: nothing audited moves
        assert advance_due(NOW + timedelta(hours=hours))
    assert entries.count() == before
    assert advance_due(NOW + timedelta(hours=6))  # every provider let it expire: a gate
    (entry,) = entries.order_by("-pk")[: entries.count() - before]
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.actor is None
    assert entry.changes_dict["status"] == ["sourcing", "on_hold"]
    assert entry.changes_dict["stage"] == ["cluster", "other_contracted"]
    assert entry.changes_dict["gate"] == ["", "non_contracted_approval"]
    assert "engine_state" not in entry.changes_dict
    assert "next_due" not in entry.changes_dict
