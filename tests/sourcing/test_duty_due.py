"""The waiting-list and after-award duties' stored moments (`Package.waiting_due`,
`Package.chase_due`, sourcing/duty_due.py): after random real work through the write path and
the worker's sweeps they equal the computation from scratch; nothing is escalated or chased
twice; a sweep reads the packages due, not every live one; the migration fills them."""

from __future__ import annotations

import importlib
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carebroker.accounts.models import Role
from carebroker.engine.inputs import Answer
from carebroker.outbox.models import Notice
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
from carebroker.sourcing.after_award import chase_after_award, do_record_step
from carebroker.sourcing.due import advance_due
from carebroker.sourcing.duty_due import NOT_WORKED_OUT, refill, timeline_rows, waiting_start
from carebroker.sourcing.intake import do_submit_referral
from carebroker.sourcing.models import Package, TimelineEvent
from carebroker.sourcing.runner import SourcingError
from carebroker.sourcing.waiting_list import escalate_waiting
from tests.factories import make_area, make_package, make_provider, make_referral, make_user
from tests.sourcing.kent import DOCUMENTS, NOW, kent_cluster

pytestmark = pytest.mark.django_db


def _duties(now: datetime) -> list[str]:
    return advance_due(now) + escalate_waiting(now) + chase_after_award(now)


def _work(seed: int, checks: list[int] | None = None):  # noqa: ANN202, C901, PLR0912, PLR0915
    """Seeded random Kent packages (some self-funders) for five weeks through the write path
    and the worker's due duties: referrals checked, sweeps, phone answers, awards by hand,
    confirmations, steps recorded, holds and releases, handbacks, cancellations. With
    `checks`, every tenth turn compares the stored moments with a computation from scratch
    (before the duties run: moments due then are still stored) and counts the packages."""
    rng = random.Random(seed)
    kent = kent_cluster(packages=0)
    council = kent.council
    area = council.areas.get()
    second = make_area(council, "Dover B")
    providers = [*kent.providers, make_provider(council, areas={area: 4, second: 1})]
    for provider in providers:
        provider.framework_hourly_rate = Decimal("23.40")  # the SDO states the price
        provider.save()
    referrer = make_user(council, Role.REFERRER)
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    arrivals = sorted(
        start + timedelta(days=rng.randrange(16), hours=rng.randrange(12)) for _ in range(14)
    )
    packages: list[Package] = []
    clock = start
    turn = 0
    while clock < start + timedelta(days=35):
        clock += timedelta(minutes=rng.randrange(60, 600))
        turn += 1
        if checks is not None and turn % 10 == 0:
            assert refill(fix=False).wrong == [], f"turn {turn}, {clock}"
            checks.append(Package.objects.exclude(waiting_due=None, chase_due=None).count())
        while arrivals and arrivals[0] <= clock:
            received = arrivals.pop(0)
            referral = make_referral(
                council,
                referrer=referrer,
                documents=DOCUMENTS if rng.random() < 0.9 else ["referral_form"],
                received_at=received,
                self_funder=rng.random() < 0.3,
            )
            packages.append(
                make_package(council, referral=referral, area=rng.choice([area, second]))
            )
            do_submit_referral(referral, received + timedelta(minutes=rng.randrange(5, 60)))
        _duties(clock)
        if not packages:
            continue
        package = Package.objects.get(pk=rng.choice(packages).pk)
        open_request = package.requests.filter(outcome="open").order_by("-seq").first()
        roll = rng.random()
        try:
            if open_request is not None and roll < 0.4:
                action = rng.choice(("accept", "decline"))
                answer = {"action": action} | (
                    {"reason": "no_capacity"} if action == "decline" else {}
                )
                taken = max(open_request.sent_at, clock - timedelta(minutes=rng.randrange(90)))
                do_record_phone_answer(
                    kent.broker, package, open_request.provider, answer, taken, now=clock
                )
            elif package.status == "sourcing" and roll < 0.5:
                do_award_by_hand(kent.manager, package, rng.choice(providers), "continuity", clock)
            elif package.status == "awarded" and roll < 0.65:
                winner = str(package.awarded_provider_id)
                runner.record_answer(
                    package,
                    Answer(at=clock, provider=winner, action="confirm", start=date(2027, 1, 4)),
                )
            elif package.status == "awarded" and roll < 0.75:
                step = rng.choice(("service_delivery_order", "financial_assessment"))
                do_record_step(kent.broker, package, step, clock)
            elif package.status == "sourcing" and roll < 0.8:
                do_hold(kent.broker, package, "checking the address", clock)
            elif package.status == "held" and roll < 0.9:
                do_release(kent.broker, package, clock)
            elif package.status == "awarded" and package.awarded_provider_id and roll < 0.95:
                hand_back(package, package.awarded_provider_id, "staffing", "", clock)
            elif package.status == "sourcing":
                do_cancel(kent.broker, package, "moved into a care home", clock)
        except (ActionError, SourcingError, ValidationError, Refused):
            pass  # an action this package cannot take now: nothing changed
    return council, clock


@pytest.mark.parametrize("seed", [3, 2026])
def test_after_real_work_the_stored_moments_are_the_ones_worked_out_from_scratch(seed):
    checks: list[int] = []
    council, end = _work(seed, checks)
    # Compared along the way, with moments stored (not only at the end, when all are done).
    assert len(checks) >= 10 and max(checks) >= 5
    rows = Package.objects.filter(council=council)
    # The run reached both duties: the test has something to compare.
    assert TimelineEvent.objects.filter(package__council=council, type="waiting_list_rag")
    assert TimelineEvent.objects.filter(package__council=council, type="step_overdue")
    assert not rows.filter(waiting_due=NOT_WORKED_OUT).exists()
    found = refill(fix=False)
    assert found.packages == rows.count()
    assert found.wrong == []
    # Nothing left due that the duties did not raise: the moments are all past `end`.
    assert not rows.filter(waiting_due__lte=end).exists()
    assert not rows.filter(chase_due__lte=end).exists()
    # and the comparison can fail: a wrong stored moment is found
    Package.objects.filter(pk=rows.first().pk).update(waiting_due=end)
    assert len(refill(fix=False).wrong) == 1


@pytest.mark.parametrize("seed", [5])
def test_nothing_is_escalated_or_chased_twice(seed):
    council, end = _work(seed)
    overdue = Counter(
        (e.package_id, e.details["step"], e.details["level"], e.details["due"])
        for e in TimelineEvent.objects.filter(package__council=council, type="step_overdue")
    )
    assert overdue and max(overdue.values()) == 1
    # A level is raised once per wait: at most once more than the package's handbacks.
    handbacks = Counter(
        TimelineEvent.objects.filter(package__council=council, type="returned_to_list").values_list(
            "package_id", flat=True
        )
    )
    raised = Counter(
        (e.package_id, e.details["rag"])
        for e in TimelineEvent.objects.filter(package__council=council, type="waiting_list_rag")
    )
    assert raised
    assert all(count <= 1 + handbacks[pk] for (pk, _), count in raised.items())
    keys = Counter(Notice.objects.filter(council=council).values_list("key", flat=True))
    assert max(keys.values()) == 1
    # A sweep again, and one a day later: nothing more.
    assert escalate_waiting(end) == [] and chase_after_award(end) == []


def _swept_queries(now: datetime) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as waiting:
        escalate_waiting(now)
    with CaptureQueriesContext(connection) as chasing:
        chase_after_award(now)
    return len(waiting), len(chasing)


def test_a_sweep_reads_the_packages_due_not_every_live_one():
    """Nothing due: the same queries at 2 live packages as at 12, and no package row read.
    Then one package due among the 12: a constant handful more, not one per package."""
    kent = kent_cluster(packages=2)
    now = NOW + timedelta(days=1)  # no crossing yet (amber is 5 working days on)
    _duties(now)
    few = _swept_queries(now)
    for _ in range(10):
        referral = make_referral(kent.council, referrer=None, documents=DOCUMENTS)
        make_package(kent.council, referral=referral, area=kent.council.areas.get())
        do_submit_referral(referral, NOW)
    _duties(now)
    assert Package.objects.filter(status__in=("sourcing", "held", "on_hold")).count() == 12
    assert _swept_queries(now) == few
    with CaptureQueriesContext(connection) as seen:
        escalate_waiting(now)
    package_reads = [q for q in seen if 'FROM "sourcing_package"' in q["sql"]]
    assert len(package_reads) == 1 and "waiting_due" in package_reads[0]["sql"]
    # One package due (hand-built: its moment not worked out yet), the rest not.
    one = Package.objects.order_by("pk").last()
    Package.objects.filter(pk=one.pk).update(waiting_due=NOT_WORKED_OUT)
    with CaptureQueriesContext(connection) as due_one:
        escalate_waiting(now)
    work = [q["sql"] for q in due_one if "SAVEPOINT" not in q["sql"]]
    # The councils, a claim of the due packages, their timeline in one query, the package's
    # update, and the claim past it that finds none.
    assert len(work) == 5, work
    assert sum('FROM "sourcing_package"' in sql for sql in work) == 2
    one.refresh_from_db()
    assert one.waiting_due is not None and one.waiting_due > now


def test_the_migration_fills_existing_rows_from_their_status_acceptance_and_timeline():
    migration = importlib.import_module("carebroker.sourcing.migrations.0016_duty_due_fill")
    kent = kent_cluster(packages=2)
    waiting, awarded = kent.packages
    winner = str(kent.providers[0].pk)
    runner.record_answer(
        awarded, Answer(at=NOW + timedelta(minutes=5), provider=winner, action="accept")
    )
    stored = {p.pk: (p.waiting_due, p.chase_due) for p in Package.objects.all()}
    assert stored[waiting.pk] == (datetime(2026, 11, 30, 10, tzinfo=UTC), None)  # amber
    assert stored[awarded.pk] == (None, datetime(2026, 11, 23, 12, 5, tzinfo=UTC))  # the form
    Package.objects.update(waiting_due=NOT_WORKED_OUT, chase_due=None)  # as if never stored
    migration.fill(apps, None)
    assert {p.pk: (p.waiting_due, p.chase_due) for p in Package.objects.all()} == stored


def test_a_council_whose_policy_is_saved_has_its_moments_worked_out_again():
    kent = kent_cluster()
    (package,) = kent.packages
    kent.council.save()
    package.refresh_from_db()
    assert package.waiting_due == NOT_WORKED_OUT
    escalate_waiting(NOW)
    package.refresh_from_db()
    assert package.waiting_due == datetime(2026, 11, 30, 10, tzinfo=UTC)


@pytest.mark.parametrize("seed", [3, 11])
def test_the_duty_starts_the_wait_where_waiting_from_does_except_for_self_funders(seed):
    """The duties work the wait's start out from the timeline: the acceptance, the last
    handback, or a self-funder's grace end as announced (`self_funder_grace`), whichever is
    latest. `Package.waiting_from` gives the same start for every package that is not a
    self-funder. For self-funders it differs (found by this run: a grace held past its
    announced end, or a handback before it), so the duties do not read it instead: that
    would change when a self-funder is escalated."""
    council, _ = _work(seed)
    rows = list(
        Package.objects.filter(council=council, status__in=("sourcing", "held", "on_hold"))
        .exclude(referral__accepted_at=None)
        .select_related("referral")
    )
    timelines = timeline_rows(Package, TimelineEvent, [row.pk for row in rows])
    others = [row for row in rows if not row.referral.self_funder]
    assert len(others) >= 3
    for row in others:
        start = waiting_start(row.referral.accepted_at, timelines.get(row.pk, []))
        assert start == row.waiting_from, row.case_number
