"""Essex after the first round: late interest, rounds = 1, Tier 2, the open market (§4.2–4)."""

from tests.engine.replay import (
    answer,
    decision,
    events,
    only,
    package,
    provider,
    replay,
    requests,
    scenario,
)

MARKET = [
    provider("P1", tier=1, areas={"North": 1}),
    provider("P2", tier=1, areas={"North": 2}),
    provider("T1", tier=2, areas={"North": 2}),
    provider("T2", tier=2, areas={"North": 1}),
    provider("S1", kind="spot", areas={"North": 1}),
    provider("X9", tier=1, areas={"Mid": 1}),
]


def run(script, until="2026-12-31T17:00:00Z", **fields):
    return only(replay(scenario("essex-lah", MARKET, [package(**fields)], script, until=until)))


def test_late_interest_is_kept_and_gets_one_further_isp_round():
    """P2 asks at 10:30 (late); P1's offer round ends without an award: P2 gets the ISP then."""
    script = [
        answer("2026-11-23T09:00:00Z", "P1", "interest"),
        answer("2026-11-23T10:30:00Z", "P2", "interest"),
        answer("2026-11-23T10:45:00Z", "P1", "decline", reason="no capacity"),
        answer("2026-11-23T11:05:00Z", "P2", "offer"),
    ]
    pkg = run(script)
    late = requests(pkg, provider="P2", round="interest")[0]
    assert (late["outcome"], late["late"]) == ("interest", True)
    isp = requests(pkg, provider="P2", round="offer")[0]
    assert (isp["sent_at"], isp["deadline"]) == ("2026-11-23T10:45:00Z", "2026-11-23T11:45:00Z")
    assert (pkg["provider"], pkg["stage"], pkg["awarded_at"]) == (
        "P2",
        "batch",
        "2026-11-23T11:05:00Z",
    )


def test_late_interest_waits_while_the_first_round_can_still_award():
    """Late interest is reviewed only when the round ends without an award (§4.2)."""
    script = [
        answer("2026-11-23T09:00:00Z", "P2", "interest"),
        answer("2026-11-23T10:30:00Z", "P1", "interest"),
        answer("2026-11-23T10:40:00Z", "P2", "offer"),
    ]
    pkg = run(script)
    assert pkg["provider"] == "P2"
    assert requests(pkg, provider="P1", round="offer") == []


def test_one_round_then_the_batch_ends_and_tier2_cascade_starts():
    """rounds = 1: after one round without an award the batch stage ends; no second batch."""
    script = [
        answer("2026-11-23T09:00:00Z", "P1", "interest"),
        answer("2026-11-23T10:10:00Z", "P1", "decline", reason="no capacity"),
    ]
    pkg = run(script, until="2026-11-24T17:00:00Z")
    assert len(events(pkg, "batch_issued")) == 1
    assert events(pkg, "stage_ended")[0]["at"] == "2026-11-23T10:10:00Z"
    assert requests(pkg, stage="tier2")[0]["sent_at"] == "2026-11-23T10:10:00Z"


def test_tier2_cascade_in_rank_order_two_working_hours_each():
    """Tier 2 of the quadrant by rank (T2 then T1), 2 working hours each (§4.3)."""
    pkg = run([], until="2026-11-23T15:00:00Z")
    calls = requests(pkg, stage="tier2")
    assert [(r["provider"], r["sent_at"], r["deadline"]) for r in calls] == [
        ("T2", "2026-11-23T10:00:00Z", "2026-11-23T12:00:00Z"),
        ("T1", "2026-11-23T12:00:00Z", "2026-11-23T14:00:00Z"),
    ]


def test_tier2_accept_awards_at_once():
    """first_accept: the Tier 2 provider that accepts is awarded at its answer."""
    script = [
        answer("2026-11-23T10:30:00Z", "T2", "decline", reason="no capacity"),
        answer("2026-11-23T11:00:00Z", "T1", "accept"),
    ]
    pkg = run(script)
    assert (pkg["provider"], pkg["stage"], pkg["awarded_at"]) == (
        "T1",
        "tier2",
        "2026-11-23T11:00:00Z",
    )


def test_open_market_listed_monday_or_thursday_at_9_to_framework_and_spot():
    """Tier 2 exhausted on Monday 14:00: the package is listed Thursday 09:00 (§4.4)."""
    pkg = run([], until="2026-11-27T17:00:00Z")
    (listed,) = events(pkg, "open_market_listed")
    assert listed["at"] == "2026-11-26T09:00:00Z"
    # every framework and spot provider of the council, any quadrant or tier
    assert set(listed["providers"]) == {"P1", "P2", "T1", "T2", "S1", "X9"}
    assert pkg["stage"] == "open_market"


def test_open_market_relisted_on_the_next_listing_day():
    """Still unplaced: listed again the following Monday 09:00."""
    pkg = run([], until="2026-12-01T17:00:00Z")
    assert [e["at"] for e in events(pkg, "open_market_listed")] == [
        "2026-11-26T09:00:00Z",
        "2026-11-30T09:00:00Z",
    ]


def test_open_market_proposal_waits_for_the_councils_choice():
    """A provider proposes a rate: the package is on hold at open_market_choice until a decision."""
    script = [
        answer("2026-11-26T11:00:00Z", "S1", "offer", rate="27.50"),
        decision("2026-11-27T10:00:00Z", "broker", "decide", choice="award", provider="S1"),
    ]
    held = run(script[:1], until="2026-11-26T12:00:00Z")
    assert (held["status"], held["gate"]) == ("on_hold", "open_market_choice")
    pkg = run(script)
    assert (pkg["status"], pkg["provider"], pkg["awarded_at"]) == (
        "awarded",
        "S1",
        "2026-11-27T10:00:00Z",
    )


def test_council_allowing_two_rounds_reissues_the_batch_at_the_next_batch_time():
    """A council copy with rounds = 2: after a round without an award, the next 16:00 batch."""
    import tomllib

    from carebroker.engine.policy import PRESETS_DIR

    policy = tomllib.loads((PRESETS_DIR / "essex-lah.toml").read_text())
    [batch] = [s for s in policy["stages"] if s["name"] == "batch"]
    batch["rounds"] = 2
    pkg = only(replay(scenario(policy, MARKET, [package()], [], until="2026-11-24T11:00:00Z")))
    assert [e["at"] for e in events(pkg, "batch_issued")] == [
        "2026-11-20T16:00:00Z",
        "2026-11-23T16:00:00Z",
    ]
    assert events(pkg, "stage_ended")[0]["at"] == "2026-11-24T10:00:00Z"


def test_no_tier1_provider_in_the_quadrant_no_report():
    """No Tier 1 provider serves the quadrant: no batch report; the batch stage ends at once."""
    pkg = run([], area="South East", postcode="SS1 1AA", until="2026-11-20T17:00:00Z")
    assert events(pkg, "batch_issued") == []
    assert events(pkg, "batch_not_issued")[0]["at"] == "2026-11-20T16:00:00Z"


def test_cancel_withdraws_every_open_request():
    """The council cancels: every open request is withdrawn, nothing more is sent."""
    script = [decision("2026-11-23T09:00:00Z", "broker", "cancel")]
    pkg = run(script)
    assert pkg["status"] == "cancelled"
    assert {r["outcome"] for r in pkg["requests"]} == {"withdrawn"}
    assert all(r["sent_at"] < "2026-11-23T09:00:00Z" for r in pkg["requests"])
