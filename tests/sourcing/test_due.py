"""advance_due: what is due is ticked; one broken package does not stop the sweep."""

from datetime import timedelta

import pytest

from carebroker.sourcing.due import advance_due
from carebroker.sourcing.models import Package, SourcingRequest
from tests.sourcing.kent import NOW, kent_cluster

pytestmark = pytest.mark.django_db


def test_nothing_is_ticked_before_its_deadline_and_everything_due_is_after():
    """At 11:59 no first request has run out; at 12:00 both have, once each."""
    kent = kent_cluster(packages=2)
    assert advance_due(NOW + timedelta(hours=1, minutes=59)) == []
    lines = advance_due(NOW + timedelta(hours=2))
    assert sorted(line.split(":")[1].strip() for line in lines) == sorted(
        p.case_number for p in kent.packages
    )
    assert advance_due(NOW + timedelta(hours=2)) == []


def test_a_package_whose_state_cannot_be_read_is_reported_and_the_others_still_move():
    """A corrupt snapshot fails that package alone: it is named as FAILED and stays due
    (retried next sweep); the other package is ticked."""
    kent = kent_cluster(packages=2)
    broken, fine = kent.packages
    Package.objects.filter(pk=broken.pk).update(engine_state={"version": 1, "value": {"$x": 1}})
    lines = advance_due(NOW + timedelta(hours=2))
    assert any("FAILED" in line and str(broken.pk) in line for line in lines)
    assert any(fine.case_number in line for line in lines)
    broken.refresh_from_db()
    assert broken.next_due == NOW + timedelta(hours=2)
    assert SourcingRequest.objects.filter(package=fine).count() == 2
    assert SourcingRequest.objects.filter(package=broken).count() == 1


def test_limit_stops_the_sweep_after_that_many_packages():
    """`limit` caps one sweep; the rest wait for the next."""
    kent_cluster(packages=3)
    noon = NOW + timedelta(hours=2)
    assert len(advance_due(noon, limit=2)) == 2
    assert len(advance_due(noon)) == 1


def test_the_oldest_due_package_is_ticked_first():
    """Claims go by due time, not by id (issue 14: lag is due time to processed time): of
    two packages due, the one due longer ago is ticked first, whatever its id."""
    kent = kent_cluster(packages=2)
    first_made, last_made = kent.packages
    noon = NOW + timedelta(hours=2)
    Package.objects.filter(pk=last_made.pk).update(next_due=noon - timedelta(minutes=30))
    lines = advance_due(noon, limit=1)
    assert [line.split(":")[1].strip() for line in lines] == [last_made.case_number]
    assert len(advance_due(noon)) == 1  # the other one, still due
