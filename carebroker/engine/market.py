"""The market a policy runs over: providers, packages, and which providers a stage approaches."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property

from carebroker.engine.policy import Policy, ProviderSelection, Stage, UrgentRule
from carebroker.engine.provider_view import PersonRecord
from carebroker.engine.workingtime import WorkingCalendar
from carebroker.lib.london import LONDON

UNRANKED = 10_000  # a provider with no rank in the package's area goes last
_BY_DAY = ("skip_declared_full", "ask_declared_first")  # capacity options that read the day
CAPACITY_UNITS = ("packages", "hours")


@dataclass(frozen=True)
class Capacity:
    """What a provider declared it can take in one area until a day (docs/policies.md §8):
    `amount` new packages, or hours per week; 0 is a declaration of no capacity (full)."""

    area: str
    amount: Decimal
    unit: str  # one of CAPACITY_UNITS
    until: date

    def current(self, on: date) -> bool:
        """A declaration past its day is stale and counts as nothing declared."""
        return on <= self.until


@dataclass(frozen=True)
class MarketProvider:
    """A provider as the council's directory holds it (docs/scenarios.md `providers[]`)."""

    id: str
    name: str
    kind: str
    areas: tuple[tuple[str, int], ...]  # area -> rank / protocol position (1 = first)
    tier: int | None = None
    lots: tuple[int, ...] = ()
    support_types: tuple[str, ...] = ()
    min_age: int | None = None
    max_age: int | None = None
    cqc_registered: bool = False
    cqc_rating: str | None = None
    sanctioned: bool = False
    capacity: tuple[Capacity, ...] = ()
    delivery: Decimal | None = None  # % of planned visits delivered on time (latest EHM)

    def rank_in(self, area: str) -> int:
        return self._ranks.get(area, UNRANKED)

    @cached_property
    def _ranks(self) -> dict[str, int]:
        return dict(self.areas)

    def declared(self, area: str, on: date) -> Capacity | None:
        """The provider's current declaration for `area` on day `on`; None: nothing declared
        (never declared, or only stale declarations). The latest `until` wins."""
        current = [c for c in self.capacity if c.area == area and c.current(on)]
        return max(current, key=lambda c: c.until) if current else None


@dataclass(frozen=True)
class PackageSpec:
    """One person's need for care to be sourced (docs/scenarios.md `packages[]`)."""

    id: str
    area: str
    referred_at: datetime
    preferred_start: date
    postcode: str | None = None
    urgent: bool = False
    hospital_discharge: bool = False
    emergency: bool = False
    hours_per_week: Decimal | None = None
    lot: int | None = None
    support_type: str | None = None
    change_to_existing: bool = False
    current_provider: str | None = None  # a change's provider today (docs/policies.md §4.2)
    age: int | None = None
    person: PersonRecord | None = None
    documents: tuple[str, ...] | None = None  # None: not given, the referral counts as complete
    flags: frozenset[str] = field(default_factory=frozenset)  # known_to_team, risk, ...
    enhanced_rate: bool = False
    target_supply_area: bool = False
    # docs/policies.md §6.2: False holds the package at acceptance until a broker confirms
    # the provider view (`ConfirmView`) when the policy asks for it (`review_provider_view`).
    # The database sets it; a scenario's package has no broker, so its view counts as
    # confirmed and `simulate` is unchanged (docs/scenarios.md).
    view_confirmed: bool = True


@dataclass(frozen=True)
class Market:
    """Everything fixed while packages are sourced: the policy, its calendar, the providers."""

    policy: Policy
    providers: tuple[MarketProvider, ...]
    calendar: WorkingCalendar

    @classmethod
    def of(cls, policy: Policy, providers: tuple[MarketProvider, ...]) -> Market:
        calendar = WorkingCalendar(
            day_start=policy.working_time.day_start,
            day_end=policy.working_time.day_end,
            closures=frozenset(policy.working_time.closures),
        )
        return cls(policy, providers, calendar)

    @cached_property
    def _by_id(self) -> dict[str, MarketProvider]:
        return {provider.id: provider for provider in self.providers}

    def provider(self, provider_id: str) -> MarketProvider | None:
        return self._by_id.get(provider_id)

    @cached_property
    def _selections(self) -> dict[tuple[object, ...], list[tuple[int, MarketProvider]]]:
        return {}

    def _candidates(self, rule: ProviderSelection, area: str) -> list[tuple[int, MarketProvider]]:
        """The providers that pass `rule`'s kind, tier and area tests for a package in `area`,
        in directory order (the order skips are reported in), each with its place in the
        policy's order. Built once per rule and area: `select` runs for every batch issue and
        cascade step, and scanning the whole directory each time was most of its cost."""
        key = (rule.kinds, rule.tiers, "area" in rule.match, rule.order, area)
        found = self._selections.get(key)
        if found is None:
            passing = [
                provider
                for provider in self.providers
                if provider.kind in rule.kinds
                and not (rule.tiers and provider.tier not in rule.tiers)
                and ("area" not in rule.match or area in provider._ranks)
            ]
            # a stable sort of the directory order, as `select` did on each call
            ordered = sorted(
                range(len(passing)), key=lambda i: (_order_key(rule, passing[i], area), i)
            )
            place = {index: position for position, index in enumerate(ordered)}
            found = [(place[i], provider) for i, provider in enumerate(passing)]
            self._selections[key] = found
        return found

    def is_urgent(self, package: PackageSpec) -> bool:
        """docs/policies.md §4.1: a flag, or a preferred start within N working days of referral."""
        return is_urgent(
            self.policy.urgent,
            self.calendar,
            referred_on=package.referred_at.astimezone(LONDON).date(),
            preferred_start=package.preferred_start,
            urgent=package.urgent,
            hospital_discharge=package.hospital_discharge,
            emergency=package.emergency,
        )

    def applies(self, stage: Stage, package: PackageSpec) -> bool:
        """Whether `stage` runs for `package` (docs/policies.md §3: all, urgent, emergencies)."""
        if (
            stage.kind == "batch"
            and stage.exclude_change_to_existing
            and package.change_to_existing
        ):
            return False  # docs/policies.md §4.2: the current provider is asked directly
        if stage.applies_to == "change_to_existing":
            # docs/policies.md §4.2: a change asks its current provider first, when one is named
            return package.change_to_existing and package.current_provider is not None
        if stage.applies_to == "urgent":
            return self.is_urgent(package)
        if stage.applies_to == "emergency":
            return package.emergency
        return True

    def select(
        self,
        stage: Stage,
        package: PackageSpec,
        approved: frozenset[str] = frozenset(),
        *,
        now: datetime,
    ) -> tuple[list[MarketProvider], list[tuple[MarketProvider, str]]]:
        """The providers `stage` approaches in order, and those skipped with the reason.

        Only providers that pass the kind and tier test are reported as skipped. The policy's
        `capacity` option (docs/policies.md §8) reads declarations current on `now`'s day.
        """
        option = self.policy.capacity
        rule = stage.providers
        if "current_provider" in rule.match:  # docs/policies.md §4.2: that provider alone
            current = self.provider(package.current_provider or "")
            return ([current] if current is not None else []), []
        if option not in _BY_DAY:
            # Without declarations the answer depends only on the rule, the area, what
            # `_excluded` reads of the package and the approvals: worked out once for each.
            key = (rule, package.area, package.lot, package.support_type, package.age, approved)
            known = self._chosen.get(key)
            if known is None:
                known = self._chosen[key] = self._select(rule, package, approved, now, option)
            return list(known[0]), list(known[1])
        return self._select(rule, package, approved, now, option)

    @cached_property
    def _chosen(
        self,
    ) -> dict[tuple[object, ...], tuple[list[MarketProvider], list[tuple[MarketProvider, str]]]]:
        return {}

    def _select(
        self,
        rule: ProviderSelection,
        package: PackageSpec,
        approved: frozenset[str],
        now: datetime,
        option: str,
    ) -> tuple[list[MarketProvider], list[tuple[MarketProvider, str]]]:
        on = now.astimezone(LONDON).date()
        skipped: list[tuple[MarketProvider, str]] = []
        in_order: list[tuple[int, MarketProvider]] = []
        for position, provider in self._candidates(rule, package.area):
            reason = _excluded(rule, provider, package, approved)
            if reason is None and option == "skip_declared_full":
                reason = _declared_full(provider, package.area, on)
            if reason:
                skipped.append((provider, reason))
            else:
                in_order.append((position, provider))
        in_order.sort(key=_first)  # the policy's order, worked out once per rule and area
        chosen = [provider for _, provider in in_order]
        if option == "ask_declared_first":
            # A stable sort: the policy's own order is kept within each group.
            chosen.sort(key=lambda p: not has_capacity(p, package.area, on))
        return chosen, skipped


def has_capacity(provider: MarketProvider, area: str, on: date) -> bool:
    """Whether `provider` has a current declaration of some capacity in `area`."""
    declared = provider.declared(area, on)
    return declared is not None and declared.amount > 0


def _declared_full(provider: MarketProvider, area: str, on: date) -> str | None:
    """docs/policies.md §8: only a current declaration of none skips; nothing declared never
    does."""
    declared = provider.declared(area, on)
    if declared is not None and declared.amount <= 0:
        return "declared no capacity"
    return None


def _excluded(
    rule: ProviderSelection,
    provider: MarketProvider,
    package: PackageSpec,
    approved: frozenset[str],
) -> str | None:
    if "lot" in rule.match and package.lot is not None and package.lot not in provider.lots:
        return "lot"
    if (
        "support_type" in rule.match
        and package.support_type is not None
        and package.support_type not in provider.support_types
    ):
        return "support_type"
    if "age" in rule.match and package.age is not None:
        if provider.min_age is not None and package.age < provider.min_age:
            return "age"
        if provider.max_age is not None and package.age > provider.max_age:
            return "age"
    if rule.cqc_registered and not provider.cqc_registered:
        return "not CQC registered"  # docs/policies.md §5.5
    if rule.cqc_ratings and provider.cqc_rating not in rule.cqc_ratings:
        return "CQC rating not " + " or ".join(rule.cqc_ratings)
    # docs/policies.md §5.2: sanctioned providers are skipped unless a manager approves
    approved_here = rule.sanctioned == "skip_unless_approved" and provider.id in approved
    if provider.sanctioned and rule.sanctioned != "include" and not approved_here:
        return "sanctioned"
    return None


def _first(entry: tuple[int, MarketProvider]) -> int:
    return entry[0]


def _order_key(rule: ProviderSelection, provider: MarketProvider, area: str) -> tuple[int, ...]:
    rank = provider.rank_in(area)
    if rule.order == "tier_then_rank":
        return (provider.tier or UNRANKED, rank)
    return (rank,)


def is_urgent(
    rule: UrgentRule,
    calendar: WorkingCalendar,
    *,
    referred_on: date,
    preferred_start: date,
    urgent: bool = False,
    hospital_discharge: bool = False,
    emergency: bool = False,
) -> bool:
    """The one urgency rule (docs/policies.md §4.1), for the engine, the batch page, the batch
    email and the .xlsx alike: a flag the policy counts, or a preferred start no more than
    `within_working_days` working days after the day of referral (never after the day a
    report is made: the dates decide on their own, once)."""
    flags = {"urgent": urgent, "hospital_discharge": hospital_discharge, "emergency": emergency}
    if any(flags[name] for name in rule.flags):
        return True
    if rule.within_working_days is None:
        return False
    waiting = calendar.working_days_between(referred_on, preferred_start)
    return waiting <= rule.within_working_days
