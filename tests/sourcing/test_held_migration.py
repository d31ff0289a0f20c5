"""Migration 0005: a package held the old way (status on_hold with a held_reason, engine
state still sourcing) becomes `held`, and the engine's state carries the hold, so that its
clocks wait and a release goes through the engine."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps

from carebroker.engine.inputs import Answer
from carebroker.sourcing import runner
from carebroker.sourcing.actions import do_release
from carebroker.sourcing.models import Package
from tests.sourcing.kent import NOW, kent_cluster

pytestmark = pytest.mark.django_db
migration = importlib.import_module("carebroker.sourcing.migrations.0005_held_status")


def test_an_old_hold_becomes_status_held_with_the_hold_in_the_engine_state():
    kent = kent_cluster()
    package, first = kent.packages[0], kent.providers[0]
    Package.objects.filter(pk=package.pk).update(
        status="on_hold", held_reason="in hospital", next_due=None
    )
    migration.held_status(apps, None)
    package.refresh_from_db()
    state = runner.state_of(package)
    assert (package.status, state.status, state.held_reason) == ("held", "held", "in hospital")
    answer = Answer(NOW + timedelta(minutes=5), str(first.pk), "accept")
    assert runner.record_answer(package, answer).why == "the package is held"
    do_release(kent.broker, package, NOW + timedelta(minutes=10))
    package.refresh_from_db()
    assert (package.status, package.held_reason) == ("sourcing", "")
    assert package.next_due is not None
