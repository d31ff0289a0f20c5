"""The what-if summary: outcomes, waits in working hours, requests, and the delay check.

`earliest_award` is the earliest instant the rules allow an award, read back from the
package's own record (issue 3 item 4): cascade, the accepting answer; batch, the last
answer of the ISP round or its deadline (and the assessment's end when there was one);
tender, its deadline (after any chase); an award through a gate, the decision. The summary
prints the total of actual − earliest, which must be 0.

`policy_minimum` is the wait the policy itself imposes before an award in a stage, had the
stage started at the referral and the first provider said yes at once: 0 for a cascade,
the first interest deadline for a batch, the window for a tender, the first listing for
the open market (where a person then decides).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from carebroker.engine.market import Market, PackageSpec
from carebroker.engine.policy import Stage
from carebroker.engine.state import PackageState
from carebroker.engine.vocabulary import EventType, PackageStatus
from carebroker.engine.whatif_market import MarketSpec
from carebroker.engine.whatif_run import WhatIfRun
from carebroker.lib.london import LONDON

STATUS_LABELS = (
    ("awarded", "placed"),
    ("unfilled", "unfilled"),
    ("on_hold", "waiting for a decision"),
    ("sourcing", "still sourcing"),
)


def award_stage(state: PackageState) -> tuple[str, datetime, int] | None:
    """The stage, instant and timeline position of the package's award, if awarded."""
    for position in range(len(state.events) - 1, -1, -1):
        event = state.events[position]
        if event.type == EventType.AWARD:
            return str(event.details.get("stage", "")), event.at, position
    return None


def earliest_award(state: PackageState, market: Market) -> datetime | None:
    """The earliest instant the rules allow this package's award (None if not awarded)."""
    found = award_stage(state)
    if found is None:
        return None
    name, awarded_at, position = found
    started = max(
        (
            e.at
            for e in state.events[:position]
            if e.type == "stage_started" and e.details.get("stage") == name
        ),
        default=state.package.referred_at,
    )
    before = state.events[position - 1] if position else None
    if before is not None and before.type == "gate_passed" and before.at == awarded_at:
        return before.at  # a person decided: the decision is the earliest instant
    mine = [r for r in state.requests if r.stage == name and r.sent_at >= started]
    kind = market.policy.stage(name).kind
    if kind == "cascade":
        won = [r for r in mine if r.provider == state.provider and r.outcome == "offer"]
        return max(r.responded_at for r in won if r.responded_at is not None)
    if kind == "tender":
        return max(r.deadline for r in mine)  # no award before the deadline (§6.3)
    if kind == "batch":
        won = [r for r in mine if r.provider == state.provider and r.round == "offer"]
        cycle = won[-1].cycle
        isps = [r for r in mine if r.round == "offer" and r.cycle == cycle]
        # §4.2: as soon as every ISP has an answer or has expired
        instants = [
            r.responded_at if r.responded_at is not None and r.outcome != "expired" else r.deadline
            for r in isps
        ]
        instants.extend(
            e.at
            for e in state.events[:position]
            if e.type in ("assessment_done", "assessment_expired") and e.at >= started
        )
        return max(instants)
    return awarded_at  # open market: only through its gate, handled above


def policy_minimum(stage: Stage, package: PackageSpec, market: Market) -> datetime:
    """The earliest award `stage` allows after the referral if every answer came at once."""
    referred = package.referred_at
    calendar = market.calendar
    if stage.kind == "batch" and stage.issue_at and stage.interest_deadline:
        issue = _first_on(market, referred, stage, tuple(range(5)))
        return calendar.deadline(issue, stage.interest_deadline)
    if stage.kind == "tender":
        urgent = market.is_urgent(package)
        window = stage.urgent_window if urgent and stage.urgent_window else stage.window
        return calendar.deadline(referred, window) if window else referred
    if stage.kind == "open_market" and stage.issue_at:
        return _first_on(market, referred, stage, stage.weekdays)
    return referred


def _first_on(market: Market, after: datetime, stage: Stage, weekdays: tuple[int, ...]) -> datetime:
    assert stage.issue_at is not None
    try:
        return market.calendar.next_issue_at(after, stage.issue_at, weekdays)
    except ValueError:
        return after


def percentile(values: Sequence[Decimal], share: int) -> Decimal:
    """Nearest-rank percentile of sorted `values` (0 when there are none)."""
    if not values:
        return Decimal(0)
    return values[max(0, math.ceil(share * len(values) / 100) - 1)]


def added_delay(run: WhatIfRun) -> tuple[Decimal, int, int, int]:
    """Working hours of actual − earliest over every award; awards late; awards early; awards."""
    calendar = run.market.calendar
    total, late, early, awards = Decimal(0), 0, 0, 0
    for state in run.states:
        earliest = earliest_award(state, run.market)
        if earliest is None or state.awarded_at is None:
            continue
        awards += 1
        if state.awarded_at > earliest:
            late += 1
            total += calendar.working_hours_between(earliest, state.awarded_at)
        elif state.awarded_at < earliest:
            early += 1
            total -= calendar.working_hours_between(state.awarded_at, earliest)
    return total, late, early, awards


def summary(spec: MarketSpec, runs: Sequence[WhatIfRun], name: str, seed: int) -> str:
    """The text `carebroker simulate --generate` prints."""
    start = spec.start.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")
    until = spec.until.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")
    lines = [f"What-if {name}, seed {seed}: {start} to {until} (Europe/London)"]
    for run in runs:
        lines.append("")
        lines.extend(_policy_block(run, with_capacity=spec.capacity is not None))
    return "\n".join(lines) + "\n"


def _policy_block(run: WhatIfRun, with_capacity: bool = False) -> list[str]:
    market = run.market
    policy = market.policy
    states = run.states
    option = f" (capacity {policy.capacity})" if with_capacity else ""
    lines = [
        f"Policy {policy.name}{option}: {len(market.providers)} providers, "
        f"{len(states):,} packages, {run.steps:,} engine steps"
    ]
    counts = Counter("sourcing" if s.status == PackageStatus.NEW else s.status for s in states)
    shown = [f"{label} {counts.pop(status, 0):,}" for status, label in STATUS_LABELS]
    shown.extend(f"{status} {count:,}" for status, count in sorted(counts.items()))
    lines.append("  " + " | ".join(shown))
    waits: dict[str, list[tuple[Decimal, Decimal]]] = {}
    calendar = market.calendar
    for state in states:
        found = award_stage(state)
        if found is None:
            continue
        stage_name, awarded_at, _ = found
        referred = state.package.referred_at
        actual = calendar.working_hours_between(referred, awarded_at)
        floor = policy_minimum(policy.stage(stage_name), state.package, market)
        minimum = calendar.working_hours_between(referred, floor)
        waits.setdefault(stage_name, []).append((actual, minimum))
    lines.append(
        "  referral to award, working hours: awards, actual median / p90, "
        "policy minimum median / p90"
    )
    rows = [("all stages", [w for stage in policy.stages for w in waits.get(stage.name, [])])]
    rows.extend((stage.name, waits[stage.name]) for stage in policy.stages if stage.name in waits)
    for label, pairs in rows:
        actuals = sorted(a for a, _ in pairs)
        minimums = sorted(m for _, m in pairs)
        lines.append(
            f"    {label:<20} {len(pairs):>7,}  {_hours(percentile(actuals, 50))} / "
            f"{_hours(percentile(actuals, 90))}  {_hours(percentile(minimums, 50))} / "
            f"{_hours(percentile(minimums, 90))}"
        )
    sent = sorted(Decimal(len(s.requests)) for s in states)
    mean = sum(sent, Decimal(0)) / len(sent) if sent else Decimal(0)
    lines.append(
        f"  requests per package: mean {mean:.1f}, median {percentile(sent, 50)}, "
        f"p90 {percentile(sent, 90)}"
    )
    lines.append(f"  requests per placement: {_per_placement(states)}")
    total, late, early, awards = added_delay(run)
    lines.append(
        f"  added delay, actual award - earliest the rules allow: {_hours(total)} working hours "
        f"over {awards:,} awards ({late} late, {early} early)"
    )
    return lines


def requests_per_placement(states: Sequence[PackageState]) -> Decimal | None:
    """Every request sent, over every package placed (docs/policies.md §8: what declared
    capacity should lower); None when nothing was placed."""
    placed = sum(1 for s in states if s.status == PackageStatus.AWARDED)
    if not placed:
        return None
    return Decimal(sum(len(s.requests) for s in states)) / placed


def _per_placement(states: Sequence[PackageState]) -> str:
    value = requests_per_placement(states)
    return "none placed" if value is None else f"{value:.2f}"


def _hours(value: Decimal) -> str:
    return f"{value:7.1f}"
