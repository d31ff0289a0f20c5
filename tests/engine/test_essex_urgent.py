"""Essex urgent track: the test of urgency and the cascade alongside the batch (§4.1)."""

from tests.engine.replay import answer, events, only, package, provider, replay, requests, scenario

MARKET = [
    provider("P1", tier=1, areas={"North": 1}),
    provider("P2", tier=1, areas={"North": 2}),
    provider("T1", tier=2, areas={"North": 1}),
]


def run(pkg, script=(), until="2026-12-31T17:00:00Z"):
    return only(replay(scenario("essex-lah", MARKET, [pkg], list(script), until=until)))


def test_start_within_3_working_days_of_referral_is_urgent():
    """Referred Friday 20 Nov, start Wednesday 25 Nov (3 working days): urgent, no flag needed."""
    pkg = run(package(preferred_start="2026-11-25"), until="2026-11-20T11:30:00Z")
    assert events(pkg, "referral_received")[0]["urgent"] is True
    assert [r["stage"] for r in pkg["requests"]] == ["urgent"]


def test_start_4_working_days_after_referral_is_not_urgent():
    """Start Thursday 26 Nov (4 working days after Friday 20 Nov), no flags: not urgent."""
    pkg = run(package(preferred_start="2026-11-26", urgent=False), until="2026-11-20T12:00:00Z")
    assert events(pkg, "referral_received")[0]["urgent"] is False
    assert requests(pkg, stage="urgent") == []


def test_urgent_or_hospital_discharge_flag_makes_a_package_urgent():
    """The referral's urgent or hospital-discharge flag makes a far start urgent too."""
    for flag in ("urgent", "hospital_discharge"):
        pkg = run(
            package(preferred_start="2027-01-20", **{flag: True}), until="2026-11-20T12:00:00Z"
        )
        assert requests(pkg, stage="urgent")[0]["provider"] == "P1", flag


def test_urgent_cascade_tier1_then_tier2_in_rank_order_one_working_hour_each():
    """Silence moves the call on every working hour: P1, P2 (Tier 1), then T1 (Tier 2)."""
    pkg = run(package(urgent=True), until="2026-11-20T15:30:00Z")
    calls = requests(pkg, stage="urgent")
    assert [(r["provider"], r["sent_at"], r["deadline"]) for r in calls] == [
        ("P1", "2026-11-20T11:00:00Z", "2026-11-20T12:00:00Z"),
        ("P2", "2026-11-20T12:00:00Z", "2026-11-20T13:00:00Z"),
        ("T1", "2026-11-20T13:00:00Z", "2026-11-20T14:00:00Z"),
    ]
    assert [r["outcome"] for r in calls] == ["expired", "expired", "expired"]


def test_urgent_package_also_goes_on_the_batch():
    """An urgent package is on the 16:00 batch while the calls go on (§4.1)."""
    pkg = run(package(urgent=True), until="2026-11-20T16:30:00Z")
    assert events(pkg, "batch_issued")[0]["urgent"] is True
    assert {r["stage"] for r in pkg["requests"]} == {"urgent", "batch"}


def test_urgent_acceptance_wins_and_batch_requests_are_withdrawn():
    """An accept on the urgent call awards at once; the batch's open requests are withdrawn."""
    script = [answer("2026-11-20T16:10:00Z", "P1", "accept")]
    pkg = run(package(urgent=True, referred_at="2026-11-20T15:30:00Z"), script)
    assert (pkg["status"], pkg["provider"], pkg["stage"]) == ("awarded", "P1", "urgent")
    assert pkg["awarded_at"] == "2026-11-20T16:10:00Z"
    batch = requests(pkg, stage="batch")
    assert [r["provider"] for r in batch] == ["P1", "P2"]
    assert {r["outcome"] for r in batch} == {"withdrawn"}


def test_batch_award_wins_and_the_urgent_calls_stop():
    """The batch awards first: the open urgent call is withdrawn, no further call is made."""
    script = [
        answer("2026-11-20T11:30:00Z", "P1", "decline", reason="no capacity"),
        answer("2026-11-20T16:05:00Z", "P2", "interest"),
        answer("2026-11-23T10:05:00Z", "P2", "offer"),
    ]
    late_ref = package(urgent=True, referred_at="2026-11-20T11:00:00Z")
    pkg = run(late_ref, script)
    assert (pkg["provider"], pkg["stage"], pkg["awarded_at"]) == (
        "P2",
        "batch",
        "2026-11-23T10:05:00Z",
    )
    assert all(r["outcome"] != "open" for r in pkg["requests"])


def test_change_to_existing_service_is_not_on_the_batch_while_its_provider_is_asked():
    """Increases, decreases, continuations: the current provider is asked first, not the
    batch (§4.2; the rest in tests/engine/test_essex_change_to_existing.py). P2 is the
    current provider: Friday 11:00 + 1 working day is Monday 11:00, so Friday's 16:00 batch
    goes without it."""
    pkg = run(package(change_to_existing=True, current_provider="P2"), until="2026-11-23T10:00:00Z")
    assert events(pkg, "batch_issued") == []
    assert [e["stage"] for e in events(pkg, "stage_started")] == ["current_provider"]
