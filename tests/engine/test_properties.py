"""Properties of the engine over generated scenarios of each preset (issue 3 item 5).

Hypothesis draws a market (providers, package mix, behaviour, council speed) and a seed; the
what-if runner drives the REAL engine (`step` / `next_due`) through it, keeping every effect.
The checks below re-derive each rule from the policy and the working-time module rather
than asking the engine's own selection code.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carebroker.engine.market import MarketProvider, PackageSpec
from carebroker.engine.policy import Policy, Stage
from carebroker.engine.whatif import simulate_market
from carebroker.engine.whatif_run import WhatIfRun
from carebroker.engine.whatif_summary import earliest_award
from carebroker.engine.workingtime import WorkingCalendar
from carebroker.lib.london import LONDON
from tests.engine.whatif_markets import PRESET_MARKETS, spec

pytestmark = pytest.mark.slow  # heavy property tests (hypothesis)

PRESETS = sorted(PRESET_MARKETS)
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def generated_runs(draw: st.DrawFn, preset: str) -> WhatIfRun:
    """A two-week run of `preset` over a drawn market, with every effect kept."""
    table = PRESET_MARKETS[preset](until="2027-02-12T17:00:00Z")
    chance = st.floats(min_value=0.0, max_value=1.0)
    table["behaviour"].update(
        interest=draw(chance),
        offer=draw(chance),
        decline=draw(chance),
        silence=draw(st.floats(min_value=0.01, max_value=1.0)),
        part=draw(chance),
        delay={
            "distribution": "lognormal",
            "median": draw(st.integers(min_value=1, max_value=600)),
            "sigma": draw(st.floats(min_value=0.0, max_value=1.5)),
        },
    )
    generate = table["providers"]["generate"]
    generate["count"] = draw(st.integers(min_value=1, max_value=24))
    generate["sanctioned"] = draw(st.sampled_from([0.0, 0.3]))
    for area in table["areas"]:
        area["packages_per_working_day"] = draw(st.sampled_from([0.5, 1.0, 3.0]))
    for name in ("urgent", "hospital_discharge", "emergency", "change_to_existing"):
        table["packages"][name] = draw(st.sampled_from([0.0, 0.2, 0.6]))
    table["council"]["delay"] = {
        "distribution": "uniform",
        "low": 1,
        "high": draw(st.integers(min_value=1, max_value=2000)),
    }
    market = spec(table)
    seed = draw(st.integers(min_value=0, max_value=2**32 - 1))
    return simulate_market(market, market.policies[0], seed, keep_effects=True)


def _is_urgent(policy: Policy, calendar: WorkingCalendar, package: PackageSpec) -> bool:
    """docs/policies.md §4.1: a flag the policy names, or a start within N working days."""
    flags = {
        "urgent": package.urgent,
        "hospital_discharge": package.hospital_discharge,
        "emergency": package.emergency,
    }
    if any(flags[name] for name in policy.urgent.flags):
        return True
    within = policy.urgent.within_working_days
    referred = package.referred_at.astimezone(LONDON).date()
    return within is not None and (
        calendar.working_days_between(referred, package.preferred_start) <= within
    )


def _why_excluded(
    stage: Stage,
    provider: MarketProvider,
    package: PackageSpec,
    policy: Policy,
    calendar: WorkingCalendar,
) -> str | None:
    """Why `stage` may not approach `provider` about `package` (None: it may)."""
    rule = stage.providers
    if stage.applies_to == "urgent" and not _is_urgent(policy, calendar, package):
        return "the stage is for urgent packages only"
    if stage.applies_to == "emergency" and not package.emergency:
        return "the stage is for emergencies only"
    if stage.kind == "batch" and stage.exclude_change_to_existing and package.change_to_existing:
        return "a change to an existing service never goes on the batch"
    if provider.kind not in rule.kinds:
        return f"kind {provider.kind}"
    if rule.tiers and provider.tier not in rule.tiers:
        return f"tier {provider.tier}"
    areas = dict(provider.areas)
    if "area" in rule.match and package.area not in areas:
        return "area"
    if "lot" in rule.match and package.lot is not None and package.lot not in provider.lots:
        return "lot"
    if (
        "support_type" in rule.match
        and package.support_type is not None
        and package.support_type not in provider.support_types
    ):
        return "support type"
    if "age" in rule.match and package.age is not None:
        if provider.min_age is not None and package.age < provider.min_age:
            return "too young"
        if provider.max_age is not None and package.age > provider.max_age:
            return "too old"
    if rule.cqc_registered and not provider.cqc_registered:
        return "not CQC registered"
    if rule.cqc_ratings and provider.cqc_rating not in rule.cqc_ratings:
        return f"CQC rating {provider.cqc_rating}"
    if provider.sanctioned and rule.sanctioned != "include":
        return "sanctioned (no manager approves sanctioned providers in these runs)"
    return None


@pytest.mark.parametrize("preset", PRESETS)
@SETTINGS
@given(data=st.data())
def test_no_package_is_awarded_twice(preset: str, data: st.DataObject) -> None:
    """At most one `award` effect and one award event per package, never to two providers."""
    run = data.draw(generated_runs(preset))
    awards: dict[str, list[str | None]] = defaultdict(list)
    for package_id, _, effect in run.effects:
        if effect.kind == "award":
            awards[package_id].append(effect.to)
    for state in run.states:
        effects = awards.get(state.package.id, [])
        events = [e for e in state.events if e.type == "award"]
        assert len(effects) <= 1 and len(events) <= 1, state.package.id
        assert len(effects) == len(events) == (1 if state.status == "awarded" else 0)
        if effects:
            assert effects == [state.provider] == [events[0].details["provider"]]


@pytest.mark.parametrize("preset", PRESETS)
@SETTINGS
@given(data=st.data())
def test_no_request_goes_to_a_provider_the_stage_filters_exclude(
    preset: str, data: st.DataObject
) -> None:
    """Every request sent passes its stage's filters (kind, tier, area, lot, support type,
    age, CQC, sanction) and the stage applies to the package (urgent, emergency, batch)."""
    run = data.draw(generated_runs(preset))
    policy = run.market.policy
    calendar = WorkingCalendar(
        policy.working_time.day_start,
        policy.working_time.day_end,
        frozenset(policy.working_time.closures),
    )
    providers = {p.id: p for p in run.market.providers}
    packages = {s.package.id: s.package for s in run.states}
    for package_id, _, effect in run.effects:
        if effect.kind != "send_request":
            continue
        stage = policy.stage(str(effect.details["stage"]))
        assert effect.to is not None
        why = _why_excluded(stage, providers[effect.to], packages[package_id], policy, calendar)
        assert why is None, f"{package_id}: {stage.name} asked {effect.to}: {why}"


@pytest.mark.parametrize("preset", PRESETS)
@SETTINGS
@given(data=st.data())
def test_no_tender_award_before_its_deadline(preset: str, data: st.DataObject) -> None:
    """docs/policies.md §6.3: a tender awards at or after its deadline (after a chase), not before,
    even when everyone has answered."""
    run = data.draw(generated_runs(preset))
    policy = run.market.policy
    for state in run.states:
        if state.awarded_at is None or state.stage is None:
            continue
        if policy.stage(state.stage).kind != "tender":
            continue
        requests = [r for r in state.requests if r.stage == state.stage]
        assert requests
        assert state.awarded_at >= max(r.deadline for r in requests), state.package.id


def _listing(stage: Stage, calendar: WorkingCalendar, at: datetime) -> bool:
    local = at.astimezone(LONDON)
    return (
        local.weekday() in stage.weekdays
        and calendar.is_working_day(local.date())
        and local.time() == stage.issue_at
    )


@pytest.mark.parametrize("preset", PRESETS)
@SETTINGS
@given(data=st.data())
def test_every_request_deadline_is_the_working_time_modules_answer(
    preset: str, data: st.DataObject
) -> None:
    """Each request's deadline is `WorkingCalendar.deadline(sent_at, the stage's window)`, or
    that deadline extended once by the chase (§6.3); open-market requests run to a listing."""
    run = data.draw(generated_runs(preset))
    policy = run.market.policy
    calendar = WorkingCalendar(
        policy.working_time.day_start,
        policy.working_time.day_end,
        frozenset(policy.working_time.closures),
    )
    for state in run.states:
        urgent = _is_urgent(policy, calendar, state.package)
        for request in state.requests:
            stage = policy.stage(request.stage)
            if stage.kind == "open_market":
                assert request.deadline > request.sent_at
                assert _listing(stage, calendar, request.deadline)
                continue
            if stage.kind == "batch":
                window = (
                    stage.interest_deadline if request.round == "interest" else stage.offer_window
                )
            elif stage.kind == "tender" and urgent and stage.urgent_window:
                window = stage.urgent_window
            else:
                window = stage.window
            assert window is not None
            expected = calendar.deadline(request.sent_at, window)
            if request.chased:
                assert stage.chase_extend is not None and request.chased <= stage.chase_times
                expected = calendar.deadline(expected, stage.chase_extend)
            assert request.deadline == expected, (state.package.id, request)


@pytest.mark.parametrize("preset", PRESETS)
@SETTINGS
@given(data=st.data())
def test_every_award_is_at_the_earliest_instant_the_rules_allow(
    preset: str, data: st.DataObject
) -> None:
    """Issue 3 item 4: the engine and its clock add no delay: each award happens exactly at
    the last answer, or the deadline, or the decision that made it possible."""
    run = data.draw(generated_runs(preset))
    for state in run.states:
        earliest = earliest_award(state, run.market)
        assert earliest == state.awarded_at, state.package.id
