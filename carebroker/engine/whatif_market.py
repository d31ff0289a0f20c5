"""What-if markets: a county in numbers, and the providers and packages drawn from it.

A what-if market (`MarketSpec`, read from a MARKET.toml by `whatif_reader.py`; the format is
documented in `whatif.py`, an example is `examples/whatif-essex.toml`) says how many
packages arrive per working day in each area and what they look like, which providers
there are and how they behave. `generate` draws the providers and the package stream with
one seeded `random.Random`; `Behaviour.answer` draws a provider's answer to one request.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from carebroker.engine.market import Capacity, MarketProvider, PackageSpec
from carebroker.engine.policy import Policy
from carebroker.engine.workingtime import WorkingCalendar
from carebroker.lib.london import LONDON

DISTRIBUTIONS = ("uniform", "lognormal", "choice")
PACKAGE_CHANCES = ("urgent", "hospital_discharge", "emergency", "change_to_existing")
BEHAVIOUR_CHANCES = ("interest", "offer", "decline", "silence", "part")
DECLINE_REASONS = ("capacity", "location", "skills")
_MAX_DELAY_MINUTES = 20 * 8 * 60  # an answer later than four working weeks is not an answer


@dataclass(frozen=True)
class Distribution:
    """A number drawn at random: `uniform` (low, high), `lognormal` (median, sigma), `choice`."""

    kind: str
    low: float = 0.0
    high: float = 0.0
    median: float = 0.0
    sigma: float = 0.0
    values: tuple[float, ...] = ()

    def draw(self, rng: random.Random) -> float:
        if self.kind == "uniform":
            return rng.uniform(self.low, self.high)
        if self.kind == "lognormal":
            return rng.lognormvariate(math.log(self.median), self.sigma)
        return rng.choice(self.values)


@dataclass(frozen=True)
class Behaviour:
    """How one provider answers requests (relative weights; `part` is a chance per offer)."""

    interest: float
    offer: float
    decline: float
    silence: float
    part: float
    delay: Distribution  # working minutes from the request to the answer
    rate: Distribution  # hourly rate offered, pounds

    def answer(self, rng: random.Random, round_: str) -> str | None:
        """`interest`/`offer`, `decline`, or None (silence) for one request of `round_`."""
        positive = self.interest if round_ == "interest" else self.offer
        draw = rng.random() * (positive + self.decline + self.silence)
        if draw < positive:
            return "interest" if round_ == "interest" else "offer"
        if draw < positive + self.decline:
            return "decline"
        return None

    def delay_minutes(self, rng: random.Random) -> int:
        # whole minutes keep the working-time module's cache of amounts small
        return max(1, min(_MAX_DELAY_MINUTES, round(self.delay.draw(rng))))


@dataclass(frozen=True)
class PackageMix:
    """What the packages of an area look like."""

    per_working_day: float
    hours_per_week: Distribution
    start_after_days: Distribution  # preferred start, calendar days after the referral
    chances: tuple[tuple[str, float], ...]  # urgent, hospital_discharge, ... -> chance
    lots: tuple[int, ...]
    support_types: tuple[str, ...]
    age: Distribution | None


@dataclass(frozen=True)
class ProviderMix:
    """How to generate providers: how many, of which kinds and tiers, where, how rated."""

    count: int
    kinds: tuple[tuple[str, float], ...]
    tiers: tuple[tuple[int, float], ...]
    areas_low: int
    areas_high: int
    lots: tuple[int, ...]
    support_types: tuple[str, ...]
    min_age: Distribution | None
    max_age: Distribution | None
    cqc: tuple[tuple[str, float], ...]  # rating (or "unregistered") -> weight
    sanctioned: float
    spread: float  # each provider's chances vary by up to this fraction either way


@dataclass(frozen=True)
class Council:
    """How the council answers gates in a what-if run (absent: packages wait on hold)."""

    delay: Distribution  # working minutes from the gate to the decision
    choices: tuple[tuple[str, str], ...]  # gate -> choice


@dataclass(frozen=True)
class CapacityMix:
    """Declared capacity in a what-if market (docs/policies.md §8): the chance a generated
    provider declares room, or none, in every area it serves (until the run's end), and how
    it then answers; the rest declare nothing and keep their own behaviour."""

    room: float
    full: float
    with_room: Behaviour
    when_full: Behaviour


@dataclass(frozen=True)
class MarketSpec:
    """A validated MARKET.toml."""

    policies: tuple[Policy, ...]
    start: datetime
    until: datetime
    areas: tuple[tuple[str, PackageMix], ...]
    generated: ProviderMix | None
    listed: tuple[tuple[MarketProvider, Behaviour | None], ...]
    behaviour: Behaviour
    council: Council | None
    capacity: CapacityMix | None = None


@dataclass(frozen=True)
class GeneratedMarket:
    """Providers with their behaviour and the packages in referral order."""

    providers: tuple[MarketProvider, ...]
    behaviours: Mapping[str, Behaviour]
    packages: tuple[PackageSpec, ...]


# -- generating ----------------------------------------------------------------------------


def generate(spec: MarketSpec, rng: random.Random, calendar: WorkingCalendar) -> GeneratedMarket:
    """Providers (listed, then generated) and the packages arriving from start to until."""
    providers = [provider for provider, _ in spec.listed]
    behaviours = {p.id: own or spec.behaviour for p, own in spec.listed}
    if spec.generated is not None:
        made = _generate_providers(spec, spec.generated, rng, len(providers))
        for provider, behaviour in made:
            providers.append(provider)
            behaviours[provider.id] = behaviour
    packages = _generate_packages(spec, rng, calendar)
    if spec.capacity is not None and spec.generated is not None:
        # Drawn after the packages, so a market with declarations has the same providers and
        # package stream as the same market without them.
        listed = len(spec.listed)
        providers[listed:] = [
            _declare(p, spec.capacity, spec, rng, behaviours) for p in providers[listed:]
        ]
    return GeneratedMarket(tuple(providers), behaviours, packages)


def _declare(
    provider: MarketProvider,
    mix: CapacityMix,
    spec: MarketSpec,
    rng: random.Random,
    behaviours: dict[str, Behaviour],
) -> MarketProvider:
    """`provider` with a declaration of room or none in each area it serves, or unchanged."""
    draw = rng.random()
    if draw >= mix.room + mix.full:
        return provider
    room = draw < mix.room
    spread = spec.generated.spread if spec.generated is not None else 0.0
    behaviours[provider.id] = _vary(mix.with_room if room else mix.when_full, spread, rng)
    until = spec.until.astimezone(LONDON).date()
    amount = Decimal(2 if room else 0)
    declared = tuple(Capacity(area, amount, "packages", until) for area, _ in provider.areas)
    return replace(provider, capacity=declared)


def _weighted[T](rng: random.Random, weights: tuple[tuple[T, float], ...]) -> T:
    draw = rng.random() * sum(w for _, w in weights)
    for value, weight in weights:
        draw -= weight
        if draw < 0:
            return value
    return weights[-1][0]


def _generate_providers(
    spec: MarketSpec, mix: ProviderMix, rng: random.Random, offset: int
) -> list[tuple[MarketProvider, Behaviour]]:
    area_names = [name for name, _ in spec.areas]
    drafts: list[tuple[MarketProvider, Behaviour]] = []
    for n in range(mix.count):
        kind = _weighted(rng, mix.kinds)
        tier = _weighted(rng, mix.tiers) if mix.tiers else None
        served = rng.sample(
            area_names, min(len(area_names), rng.randint(mix.areas_low, mix.areas_high))
        )
        rating = _weighted(rng, mix.cqc)
        min_age = round(mix.min_age.draw(rng)) if mix.min_age else None
        max_age = round(mix.max_age.draw(rng)) if mix.max_age else None
        if min_age is not None and max_age is not None and max_age < min_age:
            min_age, max_age = max_age, min_age
        pid = f"P{offset + n + 1:03d}"
        provider = MarketProvider(
            id=pid,
            name=f"Made-up Care {offset + n + 1}",
            kind=kind,
            areas=tuple((area, 0) for area in served),  # ranked below, per area
            tier=tier,
            lots=_some(rng, mix.lots),
            support_types=_some(rng, mix.support_types),
            min_age=min_age,
            max_age=max_age,
            cqc_registered=rating != "unregistered",
            cqc_rating=None if rating == "unregistered" else rating,
            sanctioned=rng.random() < mix.sanctioned,
        )
        drafts.append((provider, _vary(spec.behaviour, mix.spread, rng)))
    # ranks: a random order of the providers serving each area, 1 first (per tier is not needed:
    # policies order by tier first where they must)
    ranks: dict[str, dict[str, int]] = {}
    for area in area_names:
        serving = [p.id for p, _ in drafts if area in dict(p.areas)]
        rng.shuffle(serving)
        ranks[area] = {pid: i + 1 for i, pid in enumerate(serving)}
    return [
        (replace(p, areas=tuple((a, ranks[a][p.id]) for a, _ in p.areas)), b) for p, b in drafts
    ]


def _some[T](rng: random.Random, values: tuple[T, ...]) -> tuple[T, ...]:
    """A non-empty random subset of `values` (all of them if one), in their order."""
    if len(values) <= 1:
        return values
    chosen = [v for v in values if rng.random() < 0.6]
    return tuple(chosen) if chosen else (rng.choice(values),)


def _vary(behaviour: Behaviour, spread: float, rng: random.Random) -> Behaviour:
    if not spread:
        return behaviour

    def jitter(value: float) -> float:
        return min(1.0, max(0.0, value * rng.uniform(1 - spread, 1 + spread)))

    return replace(
        behaviour,
        interest=jitter(behaviour.interest),
        offer=jitter(behaviour.offer),
        decline=jitter(behaviour.decline),
        silence=jitter(behaviour.silence),
        part=jitter(behaviour.part),
    )


def _generate_packages(
    spec: MarketSpec, rng: random.Random, calendar: WorkingCalendar
) -> tuple[PackageSpec, ...]:
    """Poisson arrivals in working time per area: exponential gaps in working minutes."""
    day_minutes = (
        calendar.working_hours_between(
            datetime(2027, 1, 4, 0, tzinfo=LONDON), datetime(2027, 1, 4, 23, 59, tzinfo=LONDON)
        )
        * 60
    )
    arrivals: list[tuple[datetime, int, PackageMix]] = []
    for index, (_area, mix) in enumerate(spec.areas):
        if mix.per_working_day <= 0:
            continue
        per_minute = mix.per_working_day / float(day_minutes)
        at = spec.start
        while True:
            gap = max(1, round(rng.expovariate(per_minute)))
            at = calendar.add_working_hours(at, Decimal(gap) / 60)
            if at > spec.until:
                break
            arrivals.append((at, index, mix))
    arrivals.sort(key=lambda row: (row[0], row[1]))
    packages = []
    for n, (at, index, mix) in enumerate(arrivals):
        area = spec.areas[index][0]
        chances = {name: rng.random() < chance for name, chance in mix.chances}
        after = max(0, round(mix.start_after_days.draw(rng)))
        hours = Decimal(max(1, round(mix.hours_per_week.draw(rng))))
        packages.append(
            PackageSpec(
                id=f"W{n + 1:06d}",
                area=area,
                referred_at=at,
                preferred_start=at.astimezone(LONDON).date() + timedelta(days=after),
                hours_per_week=hours,
                lot=rng.choice(mix.lots) if mix.lots else None,
                support_type=rng.choice(mix.support_types) if mix.support_types else None,
                age=round(mix.age.draw(rng)) if mix.age else None,
                urgent=chances.get("urgent", False),
                hospital_discharge=chances.get("hospital_discharge", False),
                emergency=chances.get("emergency", False),
                change_to_existing=chances.get("change_to_existing", False),
            )
        )
    return tuple(packages)
