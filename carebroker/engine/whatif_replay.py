"""Replaying a council's own packages under a policy: the browser's policy simulator.

The what-if runs of `whatif.py` draw their packages and providers from a MARKET.toml; a
replay takes them as they are: the council's own providers (their areas, ranks, tiers,
lots, ratings) and the engine inputs of its last weeks' packages, less everything that
names or locates a person (`anonymised`). Only how providers answer is generated, with a
`Behaviour` fitted to the answers the council's providers really gave (`fit`), and the
council's decisions at gates come from `COUNCIL`.

`replay` runs one policy over a `Replay`; run twice with the same seed, once under the
council's policy and once under an edited copy, the two results differ only by the policy
(the same packages, providers and behaviours; each run draws from its own
`random.Random(seed)`). `figures` turns a run into plain JSON the web keeps.

Fitting (docs/reports.md, The policy simulator): a finished request is one that was
answered or expired (open, withdrawn and considering requests say nothing of how a
provider answers). On offer-round requests the weights offer : decline : silence are the
shares of offers (and acceptances), declines and expiries; on interest-round requests only
the share of interest is fitted, by choosing the interest weight that gives that share
against the same decline and silence weights. The answer time is the median working time
from request to answer (a lognormal with that median, sigma 0.8 as in the examples); the
rate is uniform between the lowest and highest rate offered; `part` is the share of offers
for part of a package. A provider with at least `MIN_OWN` finished requests gets its own
behaviour, every other provider the council's; a council with fewer than `MIN_OWN` finished
requests gets `DEFAULT_BEHAVIOUR` (the examples' market).
"""

from __future__ import annotations

import random
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from carebroker.engine.market import Market, MarketProvider, PackageSpec
from carebroker.engine.policy import Policy
from carebroker.engine.vocabulary import PackageStatus
from carebroker.engine.whatif import Run
from carebroker.engine.whatif_market import Behaviour, Council, Distribution, GeneratedMarket
from carebroker.engine.whatif_run import WhatIfRun
from carebroker.engine.whatif_summary import award_stage, percentile, requests_per_placement
from carebroker.lib.london import LONDON

_HUNDREDTH = Decimal("0.01")
MIN_OWN = 10  # finished requests before a provider's own answers are fitted
SIGMA = 0.8  # spread of answer times around the median (the examples' markets)
POSITIVE = {"interest": ("interest",), "offer": ("offer", "accept")}
FINISHED = frozenset({"interest", "offer", "accept", "decline", "expired"})

DEFAULT_BEHAVIOUR = Behaviour(
    interest=0.6,
    offer=0.5,
    decline=0.3,
    silence=0.2,
    part=0.1,
    delay=Distribution("lognormal", median=45, sigma=SIGMA),
    rate=Distribution("uniform", low=19, high=26),
)

# How the council decides at each gate in a replay, the same under both policies: the
# choices the seeds' example markets make (examples/whatif-*.toml), half a working day later.
COUNCIL = Council(
    delay=Distribution("uniform", low=30, high=480),
    choices=(
        ("non_contracted_approval", "approve"),
        ("sanction_approval", "approve"),
        ("later_start", "accept"),
        ("mini_competition", "award"),
        ("part_offer", "accept_part"),
        ("unable_to_fill", "close"),
        ("open_market_choice", "award"),
    ),
)


@dataclass(frozen=True)
class Answered:
    """One finished request as the fit reads it."""

    provider: str
    round: str  # interest | offer
    outcome: str  # interest, offer, accept, decline or expired
    minutes: float | None = None  # working minutes from the request to the answer
    rate: Decimal | None = None
    coverage: str | None = None


@dataclass(frozen=True)
class Fit:
    """What was fitted, in numbers a manager can read beside the result."""

    requests: int  # finished requests read
    yes: float  # offer round: share of offers and acceptances
    no: float  # share of declines
    silent: float  # share expired without an answer
    interest: float | None  # interest round: share of interest (None: no such requests)
    median_minutes: float | None
    own: int  # providers fitted on their own answers


@dataclass(frozen=True)
class Replay:
    """Everything a replay runs on but the policy."""

    providers: tuple[MarketProvider, ...]
    behaviours: Mapping[str, Behaviour]
    packages: tuple[PackageSpec, ...]
    until: datetime
    council: Council = COUNCIL


def anonymised(package: PackageSpec, number: int) -> PackageSpec:
    """The engine inputs of a package without its person: no name, date of birth, address,
    postcode or case number (the age, area, hours, flags and document kinds stay: the
    rules read them)."""
    return replace(
        package,
        id=f"R{number:05d}",
        postcode=None,
        person=None,
        view_confirmed=True,  # no broker in a replay: the provider view counts as confirmed
    )


def _behaviour(answers: Sequence[Answered]) -> Behaviour | None:
    offers = [a for a in answers if a.round != "interest"]
    interests = [a for a in answers if a.round == "interest"]
    if not offers and not interests:
        return None
    counted = offers or interests
    yes = sum(1 for a in counted if a.outcome in POSITIVE["offer"] + POSITIVE["interest"])
    no = sum(1 for a in counted if a.outcome == "decline")
    silent = len(counted) - yes - no
    total = len(counted)
    offer, decline, silence = yes / total, no / total, silent / total
    interest = offer
    if interests and offers:
        share = sum(1 for a in interests if a.outcome == "interest") / len(interests)
        against = decline + silence
        # interest / (interest + decline + silence) = share
        if not against:
            interest = share
        elif share >= 1:
            interest = 1e6  # every interest request answered with interest
        else:
            interest = share / (1 - share) * against
    minutes = [a.minutes for a in answers if a.minutes is not None and a.outcome != "expired"]
    delay = (
        Distribution("lognormal", median=max(1.0, statistics.median(minutes)), sigma=SIGMA)
        if minutes
        else DEFAULT_BEHAVIOUR.delay
    )
    rates = sorted(float(a.rate) for a in answers if a.rate is not None)
    rate = (
        Distribution("uniform", low=rates[0], high=rates[-1]) if rates else DEFAULT_BEHAVIOUR.rate
    )
    positive = [a for a in answers if a.outcome in ("offer", "accept")]
    part = (
        sum(1 for a in positive if a.coverage == "part") / len(positive)
        if positive
        else DEFAULT_BEHAVIOUR.part
    )
    return Behaviour(interest, offer, decline, silence, part, delay, rate)


def fit(answers: Iterable[Answered], providers: Iterable[str]) -> tuple[dict[str, Behaviour], Fit]:
    """Each provider's behaviour (module docstring), and what the fit read."""
    finished = [a for a in answers if a.outcome in FINISHED]
    council = _behaviour(finished) if len(finished) >= MIN_OWN else None
    everyone = council or DEFAULT_BEHAVIOUR
    by_provider: dict[str, list[Answered]] = {}
    for answer in finished:
        by_provider.setdefault(answer.provider, []).append(answer)
    behaviours: dict[str, Behaviour] = {}
    own = 0
    for provider in providers:
        mine = by_provider.get(provider, [])
        fitted = _behaviour(mine) if len(mine) >= MIN_OWN else None
        own += fitted is not None
        behaviours[provider] = fitted or everyone
    offers = [a for a in finished if a.round != "interest"]
    interests = [a for a in finished if a.round == "interest"]
    minutes = [a.minutes for a in finished if a.minutes is not None and a.outcome != "expired"]
    n = len(offers)
    return behaviours, Fit(
        requests=len(finished),
        yes=sum(1 for a in offers if a.outcome in POSITIVE["offer"]) / n if n else 0.0,
        no=sum(1 for a in offers if a.outcome == "decline") / n if n else 0.0,
        silent=sum(1 for a in offers if a.outcome == "expired") / n if n else 0.0,
        interest=(
            sum(1 for a in interests if a.outcome == "interest") / len(interests)
            if interests
            else None
        ),
        median_minutes=statistics.median(minutes) if minutes else None,
        own=own,
    )


def replay(
    setup: Replay,
    policy: Policy,
    seed: int,
    on_progress: Callable[[datetime], None] | None = None,
) -> WhatIfRun:
    """The packages of `setup` sourced under `policy` with `random.Random(seed)`."""
    market = Market.of(policy, setup.providers)
    generated = GeneratedMarket(setup.providers, setup.behaviours, setup.packages)
    rng = random.Random(seed)
    return Run(market, generated, setup.until, setup.council, rng, False, on_progress).run()


def _week(moment: datetime) -> str:
    day = moment.astimezone(LONDON).date()
    return (day - timedelta(days=day.weekday())).isoformat()


def figures(run: WhatIfRun) -> dict[str, object]:
    """A run in plain JSON: packages by outcome, working hours from referral to award
    (median and 90th percentile, nearest rank), requests per placement, and per week of
    referral (Monday, London) the packages referred, placed and left unfilled."""
    states = run.states
    calendar = run.market.calendar
    statuses = Counter(
        PackageStatus.SOURCING if s.status == PackageStatus.NEW else PackageStatus(s.status)
        for s in states
    )
    hours = []
    for state in states:
        found = award_stage(state)
        if found is not None and state.status == PackageStatus.AWARDED:
            hours.append(calendar.working_hours_between(state.package.referred_at, found[1]))
    hours.sort()
    weeks: dict[str, list[int]] = {}
    for state in states:
        row = weeks.setdefault(_week(state.package.referred_at), [0, 0, 0])
        row[0] += 1
        row[1] += state.status == PackageStatus.AWARDED
        row[2] += state.status == PackageStatus.UNFILLED
    per_placement = requests_per_placement(states)
    return {
        "packages": len(states),
        "statuses": {status.value: statuses.get(status, 0) for status in PackageStatus},
        "placed": statuses.get(PackageStatus.AWARDED, 0),
        "unfilled": statuses.get(PackageStatus.UNFILLED, 0),
        "hours_median": str(percentile(hours, 50).quantize(_HUNDREDTH)) if hours else None,
        "hours_p90": str(percentile(hours, 90).quantize(_HUNDREDTH)) if hours else None,
        "requests": sum(len(s.requests) for s in states),
        "requests_per_placement": (
            str(per_placement.quantize(_HUNDREDTH)) if per_placement is not None else None
        ),
        "weeks": [[week, *counts] for week, counts in sorted(weeks.items())],
    }
