"""What-if simulation (issue 3 items 3–4): generated markets through the real engine."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from carebroker.engine.whatif import run_whatif, simulate_market
from carebroker.engine.whatif_reader import MarketError, load_market, read_market
from carebroker.engine.whatif_run import WhatIfRun
from carebroker.engine.whatif_summary import added_delay, earliest_award, policy_minimum
from carebroker.lib.london import LONDON
from tests.engine.whatif_markets import PRESET_MARKETS, essex, leics, spec

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "whatif-essex.toml"


def _run(table: dict, seed: int = 11) -> WhatIfRun:
    market = spec(table)
    return simulate_market(market, market.policies[0], seed)


def test_same_seed_gives_a_byte_identical_summary() -> None:
    """The example market run twice with one seed prints the same text; another seed differs."""
    first = run_whatif(EXAMPLE, 7)
    assert first == run_whatif(EXAMPLE, 7)
    assert first != run_whatif(EXAMPLE, 8)


def test_summary_shows_outcomes_waits_requests_and_added_delay() -> None:
    """The summary names placed / unfilled / waiting for a decision / still sourcing, the stages
    and the delay."""
    text = run_whatif(EXAMPLE, 7)
    waiting = "waiting for a decision"
    for words in ("placed", "unfilled", waiting, "still sourcing", "requests per package"):
        assert words in text
    assert "policy minimum" in text
    assert "added delay" in text and " 0.0 working hours" in text
    for stage in ("batch", "urgent", "tier2"):
        assert f"    {stage} " in text


@pytest.mark.parametrize("preset", sorted(PRESET_MARKETS))
def test_every_award_is_at_the_earliest_instant_the_rules_allow(preset: str) -> None:
    """Issue 3 item 4: over a generated run of each preset, actual − earliest totals 0."""
    run = _run(PRESET_MARKETS[preset]())
    total, late, early, awards = added_delay(run)
    assert awards > 10
    assert (total, late, early) == (Decimal(0), 0, 0)


def test_a_late_award_shows_as_added_delay() -> None:
    """An award an hour after the earliest instant is counted late, with its working time."""
    run = _run(essex())
    index, state = next(
        (i, s)
        for i, s in enumerate(run.states)
        if s.awarded_at is not None and s.awarded_at.astimezone(LONDON).hour < 15
    )
    late = replace(state, awarded_at=state.awarded_at + timedelta(hours=1))  # type: ignore[operator]
    states = run.states[:index] + (late,) + run.states[index + 1 :]
    total, late_count, early, _ = added_delay(replace(run, states=states))
    assert (late_count, early) == (1, 0)
    assert total == Decimal(1)


def test_tender_award_earliest_is_the_tender_deadline() -> None:
    """Leicestershire framework tender: the earliest award is the deadline, not the last answer."""
    run = _run(leics())
    tendered = [
        s
        for s in run.states
        if s.stage == "framework"
        and s.status == "awarded"
        and not any(e.type == "gate_passed" for e in s.events)  # a decision is its own instant
    ]
    assert tendered
    for state in tendered:
        deadlines = [r.deadline for r in state.requests if r.stage == "framework"]
        assert earliest_award(state, run.market) == max(deadlines)


def test_policy_minimum_of_a_batch_is_the_first_interest_deadline() -> None:
    """Essex: referred Monday 11:00, the 16:00 batch's interest round ends Tuesday 10:00."""
    run = _run(essex())
    package = replace(
        run.states[0].package,
        referred_at=run.states[0].package.referred_at.replace(
            year=2027, month=2, day=1, hour=11, minute=0, tzinfo=LONDON
        ),
    )
    batch = run.market.policy.stage("batch")
    floor = policy_minimum(batch, package, run.market).astimezone(LONDON)
    assert (floor.date().isoformat(), floor.hour) == ("2027-02-02", 10)


def test_policy_minimum_of_a_tender_is_its_window() -> None:
    """Leicestershire: 5 working days (2 when urgent) from the referral."""
    run = _run(leics())
    package = next(s.package for s in run.states if not s.package.urgent)
    tender = run.market.policy.stage("framework")
    expected = run.market.calendar.add_working_days(package.referred_at, 5)
    assert policy_minimum(tender, package, run.market) == expected


def test_generated_packages_arrive_in_working_hours_between_start_and_until() -> None:
    """Poisson arrivals in working time: every referral in working hours inside the period."""
    market = spec(essex())
    run = simulate_market(market, market.policies[0], 5)
    calendar = run.market.calendar
    for state in run.states:
        at = state.package.referred_at
        assert market.start <= at <= market.until
        local = at.astimezone(LONDON)
        assert calendar.is_working_day(local.date())
        assert 9 <= local.hour < 17 or (local.hour, local.minute) == (17, 0)


def test_a_withdrawn_request_gets_no_answer_after_the_award() -> None:
    """A provider whose requests were all withdrawn at the award sends nothing after it.

    (A provider whose request expired may still answer late: that answer is kept or ignored.)
    """
    run = _run(essex())
    checked = 0
    for state in run.states:
        if state.awarded_at is None:
            continue
        withdrawn = {r.provider for r in state.requests if r.outcome == "withdrawn"}
        withdrawn -= {r.provider for r in state.requests if r.outcome != "withdrawn"}
        checked += len(withdrawn)
        late = [
            e
            for e in state.events
            if e.at > state.awarded_at and e.details.get("provider") in withdrawn
        ]
        assert late == []
    assert checked > 0


def test_bad_market_names_every_bad_field() -> None:
    """A MARKET.toml with several mistakes is refused with each field named."""
    table = essex()
    table["policy"] = "nowhere-lah"
    table["areas"][1]["packages_per_working_day"] = "lots"
    table["packages"]["urgent"] = 1.5
    table["behaviour"]["delay"] = {"distribution": "normal"}
    table["council"]["choices"] = {"open_market_choice": "shrug"}
    with pytest.raises(MarketError) as caught:
        read_market(table)
    text = "\n".join(caught.value.errors)
    for path in (
        "policy:",
        "areas[1].packages_per_working_day:",
        "packages.urgent:",
        "behaviour.delay.distribution:",
        "council.choices.open_market_choice:",
    ):
        assert path in text


def test_unreadable_market_file_is_named(tmp_path: Path) -> None:
    """A missing file or broken TOML is one clear error naming the file."""
    with pytest.raises(MarketError, match="cannot read"):
        load_market(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("policy = \n", encoding="utf-8")
    with pytest.raises(MarketError, match="not valid TOML"):
        load_market(broken)


def test_two_policies_run_over_the_same_packages() -> None:
    """`policy` as a list compares policies: each block sees the same package stream."""
    table = essex(until="2027-02-05T17:00:00Z")
    table["policy"] = ["essex-lah", "essex-lah"]
    market = spec(table)
    first, second = (simulate_market(market, p, 3) for p in market.policies)
    assert [s.package for s in first.states] == [s.package for s in second.states]
    assert first.steps == second.steps


def test_kept_effects_hold_every_request_sent() -> None:
    """With effects kept, each package's `send_request` effects match its requests one to one."""
    market = spec(essex())
    run = simulate_market(market, market.policies[0], 2, keep_effects=True)
    sent: dict[str, list[str | None]] = {}
    for package_id, _, effect in run.effects:
        if effect.kind == "send_request":
            sent.setdefault(package_id, []).append(effect.to)
    assert sum(len(s.requests) for s in run.states) > 100
    for state in run.states:
        assert sent.get(state.package.id, []) == [r.provider for r in state.requests]


def test_simulate_generate_prints_the_summary_of_run_whatif() -> None:
    """`carebroker simulate --generate MARKET.toml --seed N` prints exactly `run_whatif`."""
    out = io.StringIO()
    call_command("simulate", "--generate", str(EXAMPLE), "--seed", "7", stdout=out)
    assert out.getvalue() == run_whatif(EXAMPLE, 7)


def test_simulate_generate_refuses_a_bad_market_on_stderr_only(tmp_path: Path) -> None:
    """A bad MARKET.toml: each bad field on stderr, nothing on stdout, a CommandError."""
    bad = tmp_path / "market.toml"
    bad.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("urgent = 0.05", "urgent = 2"),
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("simulate", "--generate", str(bad), "--seed", "1", stdout=out, stderr=err)
    assert out.getvalue() == ""
    assert "packages.urgent: must be a chance between 0 and 1, got 2" in err.getvalue()


@pytest.mark.parametrize("name", ["whatif-essex.toml", "whatif-kent.toml", "whatif-leics.toml"])
def test_bundled_what_if_examples_place_packages_without_added_delay(name: str) -> None:
    """Each bundled example runs under its preset, places packages and adds no delay."""
    text = run_whatif(EXAMPLE.parent / name, 3)
    placed = int(text.split("placed ")[1].split(" ")[0].replace(",", ""))
    assert placed > 50
    assert "added delay, actual award - earliest the rules allow:     0.0 working hours" in text
    assert "(0 late, 0 early)" in text
