"""The policy simulator on the database: what a replay reads, and the run the worker does.

`start` keeps a `Simulation` row with both policies as text and queues `run_simulation`, a
Django task that `carebroker worker` runs (sourcing/jobs.py). `run` reads the council's
packages referred in the last `weeks` weeks before the run was asked for (their engine
inputs only, anonymised by `whatif_replay.anonymised`), fits provider behaviour to the
requests sent in the same weeks, replays the packages under the current and the edited
policy (the first half of the progress bar, then the second), and keeps both runs' figures
as the row's result.

The replay's clock runs on `AFTER_WEEKS` past the window, so the last week's packages have
as long to be placed as the first week's had in real life, at least.

Reads only: the live council's packages, requests, timeline, outbox and policy are not
touched (tests/reports/test_simulator.py counts them before and after).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.tasks import task
from django.utils import timezone

from carebroker.accounts.models import User
from carebroker.councils.models import Council, council_policy
from carebroker.engine.policy import PRESETS, PRESETS_DIR, Policy, PolicyError
from carebroker.engine.whatif_replay import (
    Answered,
    Fit,
    Replay,
    anonymised,
    figures,
    fit,
    replay,
)
from carebroker.engine.workingtime import WorkingCalendar
from carebroker.reports.models import Simulation, SimulationStatus
from carebroker.sourcing.market_db import engine_package, market_of
from carebroker.sourcing.models import Package, SourcingRequest

logger = logging.getLogger(__name__)

AFTER_WEEKS = 4
MAX_WEEKS = 26


def policy_text(council: Council) -> str:
    """The council's policy as TOML text: its own copy, else its preset's file."""
    if council.policy_toml.strip():
        return council.policy_toml
    if council.policy_name in PRESETS:
        return (PRESETS_DIR / f"{council.policy_name}.toml").read_text(encoding="utf-8")
    return ""


def read_policy(text: str) -> Policy:
    """A policy from its TOML text; PolicyError names every bad field (`policy check`)."""
    if not text.strip():
        raise PolicyError(["the policy is empty: paste or edit a policy"])
    return council_policy("", text)


def start(
    council: Council, user: User, name: str, weeks: int, edited: str, now: datetime
) -> Simulation:
    """Keep the run and queue it for the worker."""
    simulation = Simulation.objects.create(
        council=council,
        name=name,
        created_by=user,
        created_at=now,
        weeks=weeks,
        current_policy=policy_text(council),
        edited_policy=edited,
    )
    # The queue is a table of the same database: the job is committed with the row, or neither.
    run_simulation.enqueue(simulation_id=simulation.pk)
    return simulation


def window(simulation: Simulation) -> tuple[datetime, datetime]:
    end = simulation.created_at
    return end - timedelta(weeks=simulation.weeks), end


def replay_setup(
    council: Council, start_at: datetime, end_at: datetime, calendar: WorkingCalendar
) -> tuple[Replay, Fit]:
    """The council's providers, its packages referred in [start_at, end_at) anonymised,
    and provider behaviour fitted to the requests sent in the same weeks."""
    providers = market_of(council).providers
    rows = (
        Package.objects.filter(
            council=council,
            referral__received_at__gte=start_at,
            referral__received_at__lt=end_at,
        )
        .select_related("referral", "person", "area")
        .order_by("referral__received_at", "pk")
    )
    packages = tuple(anonymised(engine_package(row), n) for n, row in enumerate(rows, start=1))
    requests = SourcingRequest.objects.filter(
        package__council=council, sent_at__gte=start_at, sent_at__lt=end_at
    ).values_list("provider_id", "round", "outcome", "sent_at", "responded_at", "rate", "coverage")
    answers = [
        Answered(
            provider=str(provider),
            round=round_,
            outcome=outcome,
            minutes=(
                float(calendar.working_hours_between(sent, responded) * 60)
                if responded is not None and responded >= sent
                else None
            ),
            rate=rate,
            coverage=coverage or None,
        )
        for provider, round_, outcome, sent, responded, rate, coverage in requests
    ]
    behaviours, fitted = fit(answers, (p.id for p in providers))
    setup = Replay(providers, behaviours, packages, end_at + timedelta(weeks=AFTER_WEEKS))
    return setup, fitted


@task
def run_simulation(simulation_id: int) -> None:
    """The background job (sourcing/jobs.py runs it in `carebroker worker`)."""
    run(simulation_id)


def run(simulation_id: int) -> None:
    """The worker's part: replay under both policies, the progress kept as it goes."""
    simulation = Simulation.objects.select_related("council").get(pk=simulation_id)
    if simulation.done:
        return
    Simulation.objects.filter(pk=simulation.pk).update(
        status=SimulationStatus.RUNNING, started_at=timezone.now(), progress=0
    )
    try:
        current = read_policy(simulation.current_policy)
        edited = read_policy(simulation.edited_policy)
        start_at, end_at = window(simulation)
        calendar = market_of(simulation.council, current).calendar
        setup, fitted = replay_setup(simulation.council, start_at, end_at, calendar)
        runs = []
        for half, policy in enumerate((current, edited)):
            report = _progress(simulation.pk, half, start_at, setup.until)
            runs.append(figures(replay(setup, policy, simulation.seed, report)))
    except Exception as error:
        logger.exception("simulation %s failed", simulation.pk)
        Simulation.objects.filter(pk=simulation.pk).update(
            status=SimulationStatus.FAILED, finished_at=timezone.now(), error=str(error)[:2000]
        )
        raise
    result = {
        "from": start_at.isoformat(),
        "to": end_at.isoformat(),
        "until": setup.until.isoformat(),
        "packages": len(setup.packages),
        "providers": len(setup.providers),
        "fit": {
            "requests": fitted.requests,
            "yes": fitted.yes,
            "no": fitted.no,
            "silent": fitted.silent,
            "interest": fitted.interest,
            "median_minutes": fitted.median_minutes,
            "own": fitted.own,
        },
        "current": runs[0],
        "edited": runs[1],
    }
    Simulation.objects.filter(pk=simulation.pk).update(
        status=SimulationStatus.FINISHED, progress=100, finished_at=timezone.now(), result=result
    )


def _progress(
    pk: int, half: int, start_at: datetime, until: datetime
) -> Callable[[datetime], None]:
    """Writes the progress (the first policy 0-50 %, the second 50-100 %) when it moves."""
    span = (until - start_at).total_seconds() or 1.0
    shown = [-1]

    def report(at: datetime) -> None:
        done = min(1.0, max(0.0, (at - start_at).total_seconds() / span))
        percent = min(99, int(50 * half + 50 * done))
        if percent != shown[0]:
            shown[0] = percent
            Simulation.objects.filter(pk=pk).update(progress=percent)

    return report
