"""When a package started waiting (`Package.waiting_from`, sourcing/waiting_from.py), stored by
the write path: docs/policies.md §5 Waiting list (from the acceptance), Self-funders leaving
enablement (not waiting during the grace, then from its end) and Handbacks (again from the
handback). After random real work it equals the computation from scratch, and the command
finds and fixes a wrong one."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from carebroker.accounts.models import Role
from carebroker.engine.inputs import Answer
from carebroker.portal.handbacks import Refused, hand_back
from carebroker.sourcing import runner
from carebroker.sourcing.actions import (
    ActionError,
    do_award_by_hand,
    do_cancel,
    do_hold,
    do_record_phone_answer,
    do_release,
)
from carebroker.sourcing.due import advance_due
from carebroker.sourcing.intake import do_submit_referral
from carebroker.sourcing.models import Package
from carebroker.sourcing.runner import SourcingError
from carebroker.sourcing.waiting_from import refill
from tests.factories import make_area, make_package, make_provider, make_referral, make_user
from tests.sourcing.kent import DOCUMENTS, NOW, kent_cluster

pytestmark = pytest.mark.django_db

# Checked Monday 23 November 2026 10:00: a self-funder's 5 working days of grace end Monday
# 30 November 10:00 (docs/policies.md §5 Self-funders leaving enablement).
GRACE_ENDS = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def _self_funder(kent):  # noqa: ANN001, ANN202
    referral = make_referral(kent.council, documents=DOCUMENTS, self_funder=True)
    package = make_package(kent.council, referral=referral, area=kent.council.areas.get())
    do_submit_referral(referral, NOW)
    package.refresh_from_db()
    return package


def _stored(package: Package) -> datetime | None:
    package.refresh_from_db()
    return package.waiting_from


def test_a_checked_referral_waits_from_its_acceptance():
    kent = kent_cluster()
    (package,) = kent.packages
    assert package.referral.accepted_at == NOW
    assert _stored(package) == NOW


def test_a_referral_not_checked_yet_is_not_waiting():
    kent = kent_cluster(packages=0)
    referral = make_referral(kent.council, documents=DOCUMENTS)
    package = make_package(kent.council, referral=referral, area=kent.council.areas.get())
    assert _stored(package) is None


def test_a_returned_referral_is_not_waiting():
    """Sent back for a missing document: with the referrer, not on the waiting list."""
    kent = kent_cluster(packages=0)
    referral = make_referral(kent.council, documents=["referral_form"])
    package = make_package(kent.council, referral=referral, area=kent.council.areas.get())
    do_submit_referral(referral, NOW)
    package.refresh_from_db()
    assert package.status == "returned"
    assert _stored(package) is None


def test_a_self_funder_is_not_waiting_during_its_grace():
    kent = kent_cluster(packages=0)
    package = _self_funder(kent)
    runner.do_tick(package, GRACE_ENDS - timedelta(minutes=1))
    assert package.status in ("sourcing", "held")
    assert _stored(package) is None


def test_a_self_funder_waits_from_the_end_of_its_grace_not_from_its_acceptance():
    kent = kent_cluster(packages=0)
    package = _self_funder(kent)
    runner.do_tick(package, GRACE_ENDS + timedelta(hours=3))  # the worker a little late
    assert _stored(package) == GRACE_ENDS


def test_a_package_handed_back_waits_again_from_the_handback():
    kent = kent_cluster()
    (package,) = kent.packages
    winner = kent.providers[0]
    accepted = runner.record_answer(
        package, Answer(at=NOW + timedelta(hours=1), provider=str(winner.pk), action="accept")
    )
    assert accepted.counted, accepted.why
    assert _stored(package) == NOW  # placed: it keeps the start of its last wait
    back = NOW + timedelta(days=7)
    hand_back(package, winner.pk, "staffing", "Two carers left", back)
    assert Package.objects.get(pk=package.pk).status == "sourcing"
    assert _stored(package) == back


def _work(seed: int):  # noqa: ANN202
    """Seeded random Kent packages (a third of them self-funders) driven through the write
    path for four weeks: referrals checked, the worker's sweeps, phone answers, awards by
    hand, holds and releases, handbacks, cancellations."""
    rng = random.Random(seed)
    kent = kent_cluster(packages=0)
    council = kent.council
    area = council.areas.get()
    second = make_area(council, "Dover B")
    providers = [*kent.providers, make_provider(council, areas={area: 4, second: 1})]
    referrer = make_user(council, Role.REFERRER)
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    arrivals = sorted(
        start + timedelta(days=rng.randrange(16), hours=rng.randrange(12)) for _ in range(16)
    )
    packages: list[Package] = []
    clock = start
    while clock < start + timedelta(days=28):
        clock += timedelta(minutes=rng.randrange(30, 360))
        while arrivals and arrivals[0] <= clock:
            received = arrivals.pop(0)
            referral = make_referral(
                council,
                referrer=referrer,
                documents=DOCUMENTS if rng.random() < 0.9 else ["referral_form"],
                received_at=received,
                self_funder=rng.random() < 0.35,
            )
            packages.append(
                make_package(council, referral=referral, area=rng.choice([area, second]))
            )
            do_submit_referral(referral, received + timedelta(minutes=rng.randrange(5, 60)))
        advance_due(clock)
        if not packages:
            continue
        package = Package.objects.get(pk=rng.choice(packages).pk)
        open_request = package.requests.filter(outcome="open").order_by("-seq").first()
        roll = rng.random()
        try:
            if open_request is not None and roll < 0.5:
                action = rng.choice(("accept", "decline"))
                answer = {"action": action} | (
                    {"reason": "no_capacity"} if action == "decline" else {}
                )
                taken = max(open_request.sent_at, clock - timedelta(minutes=rng.randrange(90)))
                do_record_phone_answer(
                    kent.broker, package, open_request.provider, answer, taken, now=clock
                )
            elif package.status == "sourcing" and roll < 0.6:
                do_award_by_hand(kent.manager, package, rng.choice(providers), "continuity", clock)
            elif package.status == "sourcing" and roll < 0.7:
                do_hold(kent.broker, package, "checking the address", clock)
            elif package.status == "held" and roll < 0.85:
                do_release(kent.broker, package, clock)
            elif package.status == "awarded" and package.awarded_provider_id and roll < 0.95:
                hand_back(package, package.awarded_provider_id, "staffing", "", clock)
            elif package.status == "sourcing":
                do_cancel(kent.broker, package, "moved into a care home", clock)
        except (ActionError, SourcingError, ValidationError, Refused):
            pass  # an action this package cannot take now: nothing changed
    return council


@pytest.mark.parametrize("seed", [7, 2026])
def test_after_real_work_the_stored_start_of_waiting_is_the_one_worked_out_from_scratch(seed):
    council = _work(seed)
    rows = Package.objects.filter(council=council)
    # The run reached every case the rule has: the test has something to compare.
    assert rows.filter(waiting_from__isnull=False).count() >= 5
    assert rows.filter(referral__self_funder=True, waiting_from__isnull=False).exists()
    assert rows.filter(timeline__type="returned_to_list").exists()
    found = refill(fix=False)
    assert found.packages == rows.count()
    assert found.wrong == []
    # and the comparison can fail: a wrong stored value is found
    Package.objects.filter(pk=rows.filter(waiting_from__isnull=False).first().pk).update(
        waiting_from=None
    )
    assert len(refill(fix=False).wrong) == 1


def test_the_command_finds_a_wrong_start_of_waiting_and_fixes_it():
    kent = kent_cluster()
    (package,) = kent.packages
    Package.objects.filter(pk=package.pk).update(waiting_from=NOW - timedelta(days=3))
    with pytest.raises(CommandError, match="run again with --fix"):
        call_command("waiting_from")
    call_command("waiting_from", "--fix")
    call_command("waiting_from")  # nothing differs now
    assert _stored(package) == NOW


def test_the_migration_fills_existing_rows_from_their_acceptance_and_timeline():
    """Migration 0014 on rows written before the column: an ordinary package waits from its
    acceptance, a self-funder from its grace end, one still in its grace not at all."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("carebroker.sourcing.migrations.0014_waiting_from")
    kent = kent_cluster()
    (ordinary,) = kent.packages
    ended, still = _self_funder(kent), _self_funder(kent)
    runner.do_tick(ended, GRACE_ENDS)
    Package.objects.update(waiting_from=NOW - timedelta(days=30))  # as if never stored
    migration.fill(apps, None)
    assert (_stored(ordinary), _stored(ended), _stored(still)) == (NOW, GRACE_ENDS, None)
