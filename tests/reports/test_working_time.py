"""The working time to award and to answer, stored by the write path for the dashboard
(sourcing/working_time.py): after real work (referrals, worker sweeps, broker actions) it
equals a computation from scratch, and the dashboard reads the same figures from it as it
works out from each row's times."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from carebroker.accounts.models import Role
from carebroker.reports.council_policy import policy_and_calendar
from carebroker.reports.figures import Scope, dashboard, stored_spreads
from carebroker.reports.filters import Filters
from carebroker.sourcing.actions import (
    ActionError,
    do_award_by_hand,
    do_cancel,
    do_record_phone_answer,
)
from carebroker.sourcing.due import advance_due
from carebroker.sourcing.intake import do_submit_referral
from carebroker.sourcing.models import Package, SourcingRequest
from carebroker.sourcing.runner import SourcingError
from carebroker.sourcing.working_time import refill
from tests.factories import (
    make_area,
    make_council,
    make_package,
    make_provider,
    make_referral,
    make_user,
)
from tests.reports.world import NOW, build_world
from tests.sourcing.kent import DOCUMENTS

pytestmark = pytest.mark.django_db


def _board(council, start: date, end: date, now: datetime):  # noqa: ANN202
    policy, calendar = policy_and_calendar(council)
    return dashboard(Scope(council, policy, calendar, Filters(start, end), now))


def _tables(board) -> dict[str, list]:  # noqa: ANN001
    return {table.key: table.rows for table in board.tables()}


def _stored_path_taken(council) -> bool:  # noqa: ANN001
    awards = Package.objects.filter(council=council, awarded_at__isnull=False)
    answers = SourcingRequest.objects.filter(package__council=council, responded_at__isnull=False)
    return (
        stored_spreads(awards, "working_time_to_award", {"all": None}, ((1, 2),)) is not None
        and stored_spreads(answers, "working_time_to_answer", {"all": None}, ((1, 2),)) is not None
    )


def test_the_hand_built_figures_are_the_same_read_from_the_stored_working_times():
    """tests/reports/world.py's rows are made around the write path (no stored working
    time): the dashboard works them out (test_figures.py pins them). Stored by `refill`,
    the same figures come from the stored values."""
    world = build_world()
    worked_out = _tables(_board(world.council, date(2026, 11, 2), date(2026, 11, 22), NOW))
    assert not _stored_path_taken(world.council)

    found = refill(fix=True)
    assert (found.packages, found.requests) == (8, 7)
    assert (len(found.awards_wrong), len(found.answers_wrong)) == (3, 6)  # all were missing

    assert _stored_path_taken(world.council)
    stored = _tables(_board(world.council, date(2026, 11, 2), date(2026, 11, 22), NOW))
    assert stored == worked_out
    assert stored["award_by_stage"][-1][1:] == (3, 10, 40)  # the pinned figures, read back
    assert refill(fix=False).wrong == 0


def _work(seed: int):  # noqa: ANN202
    """Seeded random packages of two areas driven through the write path for three weeks:
    referrals checked, the worker's sweeps, phone answers, awards by hand, cancellations."""
    rng = random.Random(seed)
    council = make_council("kent-oppd")
    broker, manager = make_user(council, Role.BROKER), make_user(council, Role.MANAGER)
    referrer = make_user(council, Role.REFERRER)
    areas = [make_area(council, name) for name in ("Ashford A", "Dover B")]
    providers = [
        make_provider(council, areas={area: rank for area in areas}) for rank in (1, 2, 3, 4)
    ]
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    arrivals = sorted(
        start
        + timedelta(days=rng.randrange(14), hours=rng.randrange(12), minutes=rng.randrange(60))
        for _ in range(14)
    )
    packages: list[Package] = []
    clock = start
    while clock < start + timedelta(days=21):
        clock += timedelta(minutes=rng.randrange(20, 300))
        while arrivals and arrivals[0] <= clock:
            received = arrivals.pop(0)
            referral = make_referral(
                council, referrer=referrer, documents=DOCUMENTS, received_at=received
            )
            packages.append(make_package(council, referral=referral, area=rng.choice(areas)))
            do_submit_referral(referral, received + timedelta(minutes=rng.randrange(5, 60)))
        advance_due(clock)
        if not packages:
            continue
        package = Package.objects.get(pk=rng.choice(packages).pk)
        open_request = package.requests.filter(outcome="open").order_by("-seq").first()
        roll = rng.random()
        try:
            if open_request is not None and roll < 0.6:
                action = rng.choice(("accept", "decline", "decline"))
                answer = {"action": action} | (
                    {"reason": "no_capacity"} if action == "decline" else {}
                )
                taken = max(open_request.sent_at, clock - timedelta(minutes=rng.randrange(90)))
                do_record_phone_answer(
                    broker, package, open_request.provider, answer, taken, now=clock
                )
            elif package.status == "sourcing" and roll < 0.75:
                do_award_by_hand(manager, package, rng.choice(providers), "continuity", clock)
            elif package.status == "sourcing" and roll < 0.8:
                do_cancel(broker, package, "moved into a care home", clock)
        except (ActionError, SourcingError, ValidationError):
            pass  # an action this package cannot take now: nothing changed
    return council, clock


@pytest.mark.parametrize("seed", [13, 2026])
def test_after_real_work_the_stored_working_times_are_those_worked_out_from_scratch(seed):
    council, now = _work(seed)
    awarded = Package.objects.filter(council=council, awarded_at__isnull=False)
    answered = SourcingRequest.objects.filter(package__council=council, responded_at__isnull=False)
    assert awarded.count() >= 3 and answered.count() >= 5  # the test has something to check
    assert not awarded.filter(working_time_to_award__isnull=True).exists()
    assert not answered.filter(working_time_to_answer__isnull=True).exists()

    found = refill(fix=False)
    assert found.packages >= 14 and found.requests >= answered.count()
    assert (found.awards_wrong, found.answers_wrong) == ([], [])

    # The dashboard reads them (the stored path), and they give the figures it works out
    # from each row's times when nothing is stored.
    assert _stored_path_taken(council)
    end = now.date()
    stored = _tables(_board(council, date(2026, 11, 2), end, now))
    Package.objects.update(working_time_to_award=None)
    SourcingRequest.objects.update(working_time_to_answer=None)
    assert not _stored_path_taken(council)
    assert _tables(_board(council, date(2026, 11, 2), end, now)) == stored
    assert stored["award_by_area"], "nothing was placed: the comparison would be empty"


def test_the_command_finds_a_wrong_working_time_and_fixes_it():
    world = build_world()
    refill(fix=True)
    Package.objects.filter(pk=world.packages["M2"].pk).update(
        working_time_to_award=timedelta(hours=1)
    )
    with pytest.raises(CommandError, match="run again with --fix"):
        call_command("working_time")
    call_command("working_time", "--fix")
    call_command("working_time")  # nothing differs now
    assert Package.objects.get(pk=world.packages["M2"].pk).working_time_to_award == timedelta(
        hours=40
    )
