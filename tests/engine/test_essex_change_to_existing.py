"""Issue 11 finding 2, docs/policies.md §4.2: a change to an existing service (increase,
decrease, continuation) asks its current provider directly first: one request, 1 working
day. Only if it declines or lets the request expire is the change sourced like a new package,
from the next batch on; never straight to Tier 2."""

import pytest

from carebroker.engine.scenario import ScenarioError
from tests.engine.replay import answer, events, only, package, provider, replay, requests, scenario

PROVIDERS = [
    provider("T1", tier=1, areas={"North": 1}),
    provider("T1b", tier=1, areas={"North": 2}),
    provider("T2", tier=2, areas={"North": 3}),
    provider("S1", kind="spot", areas={"North": 9}),
]
# Monday 23 November 2026, 10:00 in London (GMT).
CHANGE = package(
    referred_at="2026-11-23T10:00:00Z",
    preferred_start="2026-12-21",
    change_to_existing=True,
    current_provider="S1",
)


def run(script, pkg=CHANGE):
    return only(replay(scenario("essex-lah", PROVIDERS, [pkg], script)))


def _stages(pkg):
    return [e["stage"] for e in events(pkg, "stage_started")]


def test_a_change_asks_its_current_provider_alone_first_with_one_working_day():
    """Monday 10:00 + 1 working day = Tuesday 10:00; nobody else is asked meanwhile."""
    pkg = run([answer("2026-11-23T11:00:00Z", "S1", "accept")])
    [asked] = requests(pkg, stage="current_provider")
    assert asked["provider"] == "S1"
    assert asked["deadline"] == "2026-11-24T10:00:00Z"
    assert len(pkg["requests"]) == 1


def test_the_current_provider_accepting_wins_without_a_batch():
    pkg = run([answer("2026-11-23T11:00:00Z", "S1", "accept")])
    assert (pkg["status"], pkg["provider"]) == ("awarded", "S1")
    assert not events(pkg, "batch_issued")


def test_a_decline_sources_the_change_like_new_from_the_next_batch():
    """Declined Monday 11:00: the change goes on Monday's 16:00 batch to Tier 1, not to Tier 2."""
    pkg = run([answer("2026-11-23T11:00:00Z", "S1", "decline", reason="no_capacity")])
    assert _stages(pkg)[:2] == ["current_provider", "batch"]
    batch = requests(pkg, stage="batch", round="interest")
    assert {r["provider"] for r in batch} == {"T1", "T1b"}
    assert min(r["sent_at"] for r in batch) == "2026-11-23T16:00:00Z"


def test_silence_for_a_working_day_is_a_decline_and_the_next_batch_follows():
    """No answer by Tuesday 10:00: expired; the change goes on Tuesday's 16:00 batch."""
    pkg = run([])
    [asked] = requests(pkg, stage="current_provider")
    assert asked["outcome"] == "expired"
    assert _stages(pkg)[:2] == ["current_provider", "batch"]
    batch = requests(pkg, stage="batch", round="interest")
    assert min(r["sent_at"] for r in batch) == "2026-11-24T16:00:00Z"


def test_a_change_naming_no_current_provider_goes_on_the_batch_not_to_tier_2():
    pkg = run([], pkg=package(referred_at="2026-11-23T10:00:00Z", change_to_existing=True))
    assert _stages(pkg)[0] == "batch"


def test_current_provider_must_be_a_provider_of_the_scenario():
    bad = {**CHANGE, "current_provider": "NOPE"}
    with pytest.raises(ScenarioError, match=r"packages\[0\]\.current_provider"):
        run([], pkg=bad)
