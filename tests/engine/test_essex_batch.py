"""Essex batch: the 16:00 report, the interest round, the ISP round, highest-rank award (§4.2)."""

import json
from pathlib import Path

from tests.engine.replay import answer, events, only, package, provider, replay, requests, scenario

SPEC_EXAMPLE = {
    "policy": "essex-lah",
    "start": "2026-11-20T09:00:00Z",
    "until": "2026-12-04T17:00:00Z",
    "providers": [
        {
            "id": "P1",
            "name": "Alder Homecare",
            "tier": 1,
            "areas": {"North": 1, "Mid": 4},
            "kind": "framework",
            "lots": [1],
            "support_types": ["community"],
            "min_age": None,
            "max_age": None,
            "cqc": {"registered": True, "rating": "Good"},
            "sanctioned": False,
        }
    ],
    "packages": [
        {
            "id": "M1001",
            "area": "North",
            "postcode": "CO4 3SQ",
            "referred_at": "2026-11-20T11:00:00Z",
            "preferred_start": "2026-12-07",
            "urgent": False,
            "hospital_discharge": False,
            "emergency": False,
            "hours_per_week": 14,
            "lot": 1,
            "support_type": "community",
            "change_to_existing": False,
            "person": {
                "name": "Ada Lovelace",
                "dob": "1941-03-02",
                "address": "1 High Street, Colchester",
                "phone": "01206 000000",
                "relations": [
                    {"relation": "sister", "name": "Bea Lovelace"},
                    {"relation": "mum", "name": "Cara Lovelace"},
                ],
                "worker": "Dan Evans",
                "needs": "Ada needs help ...",
            },
            "documents": ["financial_authorisation", "referral_form"],
        }
    ],
    "events": [
        {"at": "2026-11-23T09:30:00Z", "package": "M1001", "provider": "P1", "action": "interest"},
        {
            "at": "2026-11-23T10:20:00Z",
            "package": "M1001",
            "provider": "P1",
            "action": "offer",
            "coverage": "full",
            "rate": "24.10",
        },
    ],
}

TIER1 = [
    provider("P1", tier=1, areas={"North": 1}),
    provider("P2", tier=1, areas={"North": 2}),
    provider("P3", tier=1, areas={"North": 3}),
]


def test_scenario_format_example_is_awarded_to_p1_in_the_batch():
    """The docs/scenarios.md example: Friday batch, interest Monday 09:30, offer 10:20, award.

    The award is at 10:20, the last answer (§4.2 "as soon as every offer request has an
    answer"); the example's 11:00 would be an hour the rules do not ask for.
    """
    result = replay(SPEC_EXAMPLE)
    assert result["policy"] == "essex-lah"
    pkg = only(result)
    assert (pkg["id"], pkg["status"], pkg["provider"], pkg["stage"], pkg["gate"]) == (
        "M1001",
        "awarded",
        "P1",
        "batch",
        None,
    )
    assert pkg["awarded_at"] == "2026-11-23T10:20:00Z"
    core = [{k: r[k] for k in list(r)[:7]} for r in pkg["requests"]]
    assert core == [
        {
            "provider": "P1",
            "stage": "batch",
            "round": "interest",
            "sent_at": "2026-11-20T16:00:00Z",
            "deadline": "2026-11-23T10:00:00Z",
            "outcome": "interest",
            "responded_at": "2026-11-23T09:30:00Z",
        },
        {
            "provider": "P1",
            "stage": "batch",
            "round": "offer",
            "sent_at": "2026-11-23T10:00:00Z",
            "deadline": "2026-11-23T11:00:00Z",
            "outcome": "offer",
            "responded_at": "2026-11-23T10:20:00Z",
        },
    ]
    view = pkg["provider_view"]
    assert (view["name"], view["dob"], view["postcode"]) == ("A.L.", "03/1941", "CO4 3")
    assert "01206" not in json.dumps(view)
    times = [e["at"] for e in pkg["events"]]
    assert times == sorted(times)
    assert [e["type"] for e in pkg["events"]][:4] == [
        "referral_received",
        "referral_checked",
        "stage_started",
        "batch_issued",
    ]


def test_bundled_essex_example_matches_the_rulebook():
    """examples/essex-lah.json runs and awards at least one package in the batch."""
    path = Path(__file__).resolve().parents[2] / "examples" / "essex-lah.json"
    result = replay(json.loads(path.read_text()))
    assert any(p["status"] == "awarded" for p in result["packages"])


def test_batch_issued_at_16_on_the_referral_day():
    """A package referred on a working day before 16:00 is on that day's 16:00 batch."""
    pkg = only(
        replay(scenario("essex-lah", TIER1, [package(referred_at="2026-11-18T10:00:00Z")], []))
    )
    (issued,) = events(pkg, "batch_issued")
    assert issued["at"] == "2026-11-18T16:00:00Z"
    assert issued["providers"] == ["P1", "P2", "P3"]


def test_referral_after_16_waits_for_the_next_working_days_batch():
    """Referred Wednesday 16:30: the batch is Thursday 16:00."""
    pkg = only(
        replay(scenario("essex-lah", TIER1, [package(referred_at="2026-11-18T16:30:00Z")], []))
    )
    assert events(pkg, "batch_issued")[0]["at"] == "2026-11-19T16:00:00Z"


def test_friday_batch_interest_due_monday_10am():
    """Friday's batch: interest by 10:00 on Monday (§4.2)."""
    pkg = only(
        replay(scenario("essex-lah", TIER1, [package(referred_at="2026-11-20T11:00:00Z")], []))
    )
    assert {r["deadline"] for r in requests(pkg, round="interest")} == {"2026-11-23T10:00:00Z"}


def test_batch_before_christmas_interest_due_after_the_bank_holidays():
    """Thursday 24 Dec 2026 batch: 25 Dec and the Boxing Day substitute (28 Dec) are skipped."""
    pkg = only(
        replay(
            scenario(
                "essex-lah",
                TIER1,
                [package(referred_at="2026-12-24T10:00:00Z", preferred_start="2027-01-20")],
                [],
                start="2026-12-20T08:00:00Z",
                until="2027-01-10T17:00:00Z",
            )
        )
    )
    assert events(pkg, "batch_issued")[0]["at"] == "2026-12-24T16:00:00Z"
    assert requests(pkg, round="interest")[0]["deadline"] == "2026-12-29T10:00:00Z"


def test_batch_goes_only_to_tier1_providers_of_the_quadrant():
    """Tier 2 providers and providers of other quadrants get no batch report (§4.2)."""
    market = [
        *TIER1,
        provider("T2", tier=2, areas={"North": 1}),
        provider("M1x", tier=1, areas={"Mid": 1}),
        provider("S1", tier=None, kind="spot", areas={"North": 1}),
    ]
    pkg = only(replay(scenario("essex-lah", market, [package()], [], until="2026-11-20T17:00:00Z")))
    assert [r["provider"] for r in requests(pkg, round="interest")] == ["P1", "P2", "P3"]


def test_isp_sent_at_the_interest_deadline_to_everyone_interested_one_working_hour():
    """At 10:00 every provider that expressed interest gets the ISP, due 1 working hour later."""
    script = [
        answer("2026-11-23T08:00:00Z", "P1", "interest"),
        answer("2026-11-23T09:59:00Z", "P3", "interest"),
    ]
    pkg = only(
        replay(scenario("essex-lah", TIER1, [package()], script, until="2026-11-23T10:30:00Z"))
    )
    offers = requests(pkg, round="offer")
    assert [(r["provider"], r["sent_at"], r["deadline"]) for r in offers] == [
        ("P1", "2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z"),
        ("P3", "2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z"),
    ]
    assert requests(pkg, provider="P2", round="interest")[0]["outcome"] == "expired"
    assert pkg["status"] == "sourcing"


def test_award_to_highest_rank_as_soon_as_every_isp_is_answered():
    """P2 offers first, P1 (rank 1) last: the award goes to P1 at P1's answer (§4.2)."""
    script = [
        answer("2026-11-23T09:00:00Z", "P1", "interest"),
        answer("2026-11-23T09:00:00Z", "P2", "interest"),
        answer("2026-11-23T10:10:00Z", "P2", "offer", coverage="full"),
        answer("2026-11-23T10:40:00Z", "P1", "offer", coverage="full"),
    ]
    pkg = only(replay(scenario("essex-lah", TIER1, [package()], script)))
    assert (pkg["provider"], pkg["awarded_at"]) == ("P1", "2026-11-23T10:40:00Z")


def test_award_waits_for_the_offer_deadline_when_an_isp_is_unanswered():
    """P1 is silent: the award to P2 comes at 11:00, when P1's ISP expires."""
    script = [
        answer("2026-11-23T09:00:00Z", "P1", "interest"),
        answer("2026-11-23T09:00:00Z", "P2", "interest"),
        answer("2026-11-23T10:10:00Z", "P2", "offer", coverage="full"),
    ]
    pkg = only(replay(scenario("essex-lah", TIER1, [package()], script)))
    assert (pkg["provider"], pkg["awarded_at"]) == ("P2", "2026-11-23T11:00:00Z")
    assert requests(pkg, provider="P1", round="offer")[0]["outcome"] == "expired"


def test_lower_ranked_offerers_are_told_they_were_not_chosen():
    """Every lower-ranked offer is marked not chosen and gets a notice (§4.2)."""
    script = [answer("2026-11-23T09:00:00Z", p, "interest") for p in ("P1", "P2", "P3")] + [
        answer("2026-11-23T10:05:00Z", "P3", "offer"),
        answer("2026-11-23T10:06:00Z", "P2", "decline", reason="no capacity"),
        answer("2026-11-23T10:07:00Z", "P1", "offer"),
    ]
    pkg = only(replay(scenario("essex-lah", TIER1, [package()], script)))
    assert pkg["provider"] == "P1"
    assert requests(pkg, provider="P3", round="offer")[0]["not_awarded"] == "not_chosen"
    assert "not_awarded" not in requests(pkg, provider="P2", round="offer")[0]
    assert [n["provider"] for n in events(pkg, "notice_sent")] == ["P3"]


def test_nil_response_means_no_interest_and_the_batch_ends():
    """Nobody asks for the ISP: the batch ends at 10:00 and the Tier 2 cascade starts (§4.2–3)."""
    market = [*TIER1, provider("T2", tier=2, areas={"North": 1})]
    pkg = only(replay(scenario("essex-lah", market, [package()], [], until="2026-11-23T10:30:00Z")))
    ended = events(pkg, "stage_ended")
    assert (ended[0]["stage"], ended[0]["at"]) == ("batch", "2026-11-23T10:00:00Z")
    assert pkg["stage"] == "tier2"
    assert requests(pkg, stage="tier2")[0]["provider"] == "T2"


def test_batch_award_is_at_the_framework_rate():
    """Every Essex award is at the framework rate: the award names that basis, no offered rate."""
    pkg = only(replay(SPEC_EXAMPLE))
    award = events(pkg, "award")[0]
    assert award["rate_basis"] == "framework"
    assert "rate" not in award


def test_batch_times_are_london_wall_clock_across_the_clock_change():
    """Friday 23 Oct 2026 16:00 BST (15:00Z) batch; interest due Monday 10:00 GMT (10:00Z)."""
    pkg = only(
        replay(
            scenario(
                "essex-lah",
                TIER1,
                [package(referred_at="2026-10-23T09:00:00+01:00", preferred_start="2026-11-30")],
                [],
                start="2026-10-20T08:00:00Z",
                until="2026-10-26T09:00:00Z",
            )
        )
    )
    assert events(pkg, "batch_issued")[0]["at"] == "2026-10-23T15:00:00Z"
    assert requests(pkg, round="interest")[0]["deadline"] == "2026-10-26T10:00:00Z"
