"""Provider capacity and the policy's `capacity` option (docs/policies.md §8), in the engine."""

import tomllib
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carebroker.engine.policy import PRESETS_DIR, PolicyError
from carebroker.engine.policy_reader import load_policy
from carebroker.engine.scenario import ScenarioError, parse_scenario
from carebroker.engine.simulation import simulate
from carebroker.engine.whatif_reader import MarketError, read_market
from carebroker.engine.whatif_summary import requests_per_placement
from tests.engine.replay import answer, events, only, package, provider, replay, scenario

AREA = "Ashford A"
COMPLETE = ["financial_authorisation", "referral_form", "charging_letter"]
OPEN = {"area": AREA, "until": "2026-12-31"}  # current on the referral day, 23 Nov 2026


def kent(capacity: str) -> dict:
    with (PRESETS_DIR / "kent-oppd.toml").open("rb") as file:
        policy = tomllib.load(file)
    policy["capacity"] = capacity
    return policy


def cluster(c1=None, c2=None, c3=None) -> list[dict]:
    """C1, C2, C3 at protocol positions 1, 2, 3 of one cluster, each with its declarations."""
    rows = []
    for pid, rank, declared in (("C1", 1, c1), ("C2", 2, c2), ("C3", 3, c3)):
        row = provider(pid, kind="clustered", areas={AREA: rank})
        if declared is not None:
            row["capacity"] = declared
        rows.append(row)
    return rows


def asked(option: str, market: list[dict]) -> list[str]:
    """Who the Kent cluster cascade asks, in order, when nobody answers (3 x 2 working hours)."""
    pkg = only(replay(scenario(kent(option), market, [_package()], [],
                               until="2026-11-23T16:30:00Z")))  # fmt: skip
    return [r["provider"] for r in pkg["requests"] if r["stage"] == "cluster"]


def _package() -> dict:
    return package(area=AREA, postcode="TN23 1AA", referred_at="2026-11-23T10:00:00Z",
                   preferred_start="2026-12-07", documents=COMPLETE)  # fmt: skip


FULL = [{**OPEN, "packages": 0}]
ROOM = [{**OPEN, "hours_per_week": 20}]
STALE_FULL = [{"area": AREA, "until": "2026-11-20", "packages": 0}]


def test_ignore_asks_in_protocol_order_whatever_is_declared():
    assert asked("ignore", cluster(c1=FULL, c3=ROOM)) == ["C1", "C2", "C3"]


def test_skip_declared_full_skips_only_a_current_declaration_of_none():
    assert asked("skip_declared_full", cluster(c1=FULL, c3=ROOM)) == ["C2", "C3"]


def test_skip_declared_full_records_the_skip_on_the_timeline():
    pkg = only(replay(scenario(kent("skip_declared_full"), cluster(c1=FULL), [_package()], [],
                               until="2026-11-23T11:00:00Z")))  # fmt: skip
    skips = [(e["provider"], e["why"]) for e in events(pkg, "provider_skipped")]
    assert ("C1", "declared no capacity") in skips


def test_a_stale_declaration_of_none_counts_as_nothing_declared():
    assert asked("skip_declared_full", cluster(c1=STALE_FULL)) == ["C1", "C2", "C3"]


def test_ask_declared_first_puts_declared_capacity_first_keeping_protocol_order():
    market = cluster(c1=FULL, c2=None, c3=ROOM)
    assert asked("ask_declared_first", market) == ["C3", "C1", "C2"]
    both = cluster(c2=ROOM, c3=ROOM)
    assert asked("ask_declared_first", both) == ["C2", "C3", "C1"]


def test_capacity_option_must_be_one_of_the_three_named_by_field():
    try:
        load_policy(kent("sometimes"))
    except PolicyError as exc:
        assert exc.errors == [
            "capacity: must be one of ignore, skip_declared_full, ask_declared_first "
            "(got 'sometimes')"
        ]
    else:
        raise AssertionError("a bad capacity option was accepted")


def test_presets_default_to_ignore():
    for name in ("essex-lah", "kent-oppd", "leics-short-breaks"):
        assert load_policy(name).capacity == "ignore"


def test_bad_declarations_are_named_by_their_path():
    market = cluster(c1=[{"area": AREA, "until": "soon", "packages": -1}],
                     c2=[{"area": AREA, "until": "2026-12-31"}])  # fmt: skip
    source = scenario(kent("skip_declared_full"), market, [_package()], [])
    try:
        parse_scenario(source)
    except ScenarioError as exc:
        text = str(exc)
    else:
        raise AssertionError("bad declarations were accepted")
    assert "providers[0].capacity[0].packages: must be a number of 0 or more, not -1" in text
    assert "providers[0].capacity[0].until: not a date YYYY-MM-DD: 'soon'" in text
    assert "providers[1].capacity[0]: give exactly one of packages or hours_per_week" in text


DECLARATION = st.one_of(
    st.none(),
    st.sampled_from([FULL, ROOM, STALE_FULL, [{**OPEN, "packages": 3}]]),
)


@settings(max_examples=25, deadline=None)
@given(
    option=st.sampled_from(["ignore", "skip_declared_full", "ask_declared_first"]),
    declared=st.tuples(DECLARATION, DECLARATION, DECLARATION),
)
def test_a_provider_with_no_declaration_is_never_skipped(option, declared):
    """Whatever the others declared, every provider that declared nothing is asked."""
    market = cluster(*declared)
    silent = {row["id"] for row in market if "capacity" not in row}
    assert silent <= set(asked(option, market))


def _whatif(capacity: dict) -> dict:
    with open("examples/whatif-kent.toml", "rb") as file:
        market = tomllib.load(file)
    market["capacity"] = capacity
    return market


def test_whatif_runs_each_policy_once_per_capacity_option():
    spec = read_market(_whatif({"options": ["ignore", "ask_declared_first"], "room": 0.3}))
    assert [(p.name, p.capacity) for p in spec.policies] == [
        ("kent-oppd", "ignore"),
        ("kent-oppd", "ask_declared_first"),
    ]


def test_whatif_capacity_mistakes_are_named_by_field():
    with pytest.raises(MarketError) as raised:
        read_market(_whatif({"options": ["sometimes"], "room": 0.7, "full": 0.5, "odd": 1}))
    assert raised.value.errors == [
        "capacity.odd: unknown key; one of full, options, room, when_full, with_room",
        "capacity: room + full must be at most 1, got 1.2",
        "capacity.options[0]: must be one of ignore, skip_declared_full, ask_declared_first, "
        "got 'sometimes'",
    ]


def test_requests_per_placement_counts_every_request_over_the_packages_placed():
    """Placed with C3 after 3 requests: 3 per placement; nothing placed: no ratio."""
    accepted = [answer("2026-11-23T14:30:00Z", "C3", "accept")]
    placed = simulate(parse_scenario(scenario(kent("ignore"), cluster(), [_package()], accepted,
                                              until="2026-11-23T16:30:00Z"))).states  # fmt: skip
    assert requests_per_placement(placed) == Decimal(3)
    waiting = simulate(parse_scenario(scenario(kent("ignore"), cluster(), [_package()], [],
                                               until="2026-11-23T11:00:00Z"))).states  # fmt: skip
    assert requests_per_placement(waiting) is None
