"""Leicestershire: referral check, filters, the framework tender and its award (§6.1, §6.3–5)."""

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

AREA = "Charnwood"


def fw(pid, rank, **fields):
    row = {"kind": "framework", "areas": {AREA: rank}, "lots": [1], "support_types": ["community"],
           "min_age": 5, "max_age": 18}  # fmt: skip
    row.update(fields)
    return provider(pid, **row)


MARKET = [
    fw("F1", 1),
    fw("F2", 2),
    fw("F3", 3),
    fw("FL", 4, lots=[2]),
    fw("FS", 5, support_types=["group"]),
    fw("FA", 6, min_age=12),
    fw("FX", 7, areas={"Melton": 1}),
    provider("NF1", kind="non_framework", areas={AREA: 1}, lots=[1], support_types=["community"]),
]
SIGNED = ["manager_signature"]


def run(script=(), until="2026-12-31T17:00:00Z", **fields):
    # Monday 23 Nov 2026 10:00 GMT; a 9-year-old, lot 1 community support
    row = {"area": AREA, "postcode": "LE3 9QP", "referred_at": "2026-11-23T10:00:00Z",
           "preferred_start": "2027-01-11", "lot": 1, "support_type": "community", "age": 9,
           "documents": SIGNED}  # fmt: skip
    row.update(fields)
    return only(replay(scenario("leics-short-breaks", MARKET, [package(**row)], list(script),
                                until=until)))  # fmt: skip


def test_unsigned_brokerage_form_returns_to_the_worker_manager_copied():
    """No manager's signature: returned to the worker with the manager copied (§6.1)."""
    pkg = run(documents=[])
    assert pkg["status"] == "returned"
    returned = events(pkg, "referral_returned")[0]
    assert (returned["missing"], returned["copy_manager"]) == (["manager_signature"], True)


def test_tender_goes_to_providers_matching_lot_support_type_area_and_age():
    """Only F1–F3 match lot 1, community, Charnwood and age 9 (§6.3)."""
    pkg = run(until="2026-11-23T11:00:00Z")
    assert [r["provider"] for r in pkg["requests"]] == ["F1", "F2", "F3"]
    skipped = {e["provider"]: e["why"] for e in events(pkg, "provider_skipped")}
    assert skipped == {"FL": "lot", "FS": "support_type", "FA": "age"}


def test_tender_deadline_five_working_days():
    """Sent Monday 10:00: due next Monday 10:00 (5 working days)."""
    pkg = run(until="2026-11-23T11:00:00Z")
    assert {r["deadline"] for r in pkg["requests"]} == {"2026-11-30T10:00:00Z"}


def test_urgent_tender_deadline_two_working_days():
    """Urgent: due Wednesday 10:00 (2 working days)."""
    pkg = run(until="2026-11-23T11:00:00Z", urgent=True)
    assert {r["deadline"] for r in pkg["requests"]} == {"2026-11-25T10:00:00Z"}


def test_no_award_before_the_deadline_even_when_everyone_has_answered():
    """All three answer on Tuesday; the award waits for Monday 10:00 (§6.3)."""
    script = [
        answer("2026-11-24T10:00:00Z", "F1", "offer", coverage="full", rate="21.00"),
        answer("2026-11-24T10:00:00Z", "F2", "offer", coverage="full", rate="19.50"),
        answer("2026-11-24T10:00:00Z", "F3", "decline", reason="N3"),
    ]
    early = run(script, until="2026-11-30T09:59:00Z")
    assert early["status"] == "sourcing"
    pkg = run(script)
    assert (pkg["provider"], pkg["awarded_at"]) == ("F2", "2026-11-30T10:00:00Z")


def test_best_price_wins_others_get_codes():
    """The lowest hourly rate among full offers wins; higher price D1, part offer D2 (§6.3)."""
    script = [
        answer("2026-11-24T10:00:00Z", "F1", "offer", coverage="full", rate="21.00"),
        answer("2026-11-24T10:00:00Z", "F2", "offer", coverage="full", rate="19.50"),
        answer("2026-11-24T10:00:00Z", "F3", "offer", coverage="part", rate="15.00"),
    ]
    pkg = run(script)
    assert pkg["provider"] == "F2"
    codes = {r["provider"]: r.get("not_awarded") for r in pkg["requests"]}
    assert codes == {"F1": "D1", "F2": None, "F3": "D2"}


def test_exact_price_tie_is_a_mini_competition_gate():
    """Two full offers at the same rate: on hold at mini_competition; the broker awards (§6.3)."""
    script = [
        answer("2026-11-24T10:00:00Z", "F1", "offer", coverage="full", rate="20.00"),
        answer("2026-11-24T10:00:00Z", "F2", "offer", coverage="full", rate="20.00"),
    ]
    held = run(script, until="2026-12-08T17:00:00Z")
    assert (held["status"], held["gate"]) == ("on_hold", "mini_competition")
    assert events(held, "gate_raised")[0]["tied"] == ["F1", "F2"]
    pkg = run([*script, decision("2026-12-01T12:00:00Z", "broker", "decide", choice="award",
                                 provider="F2")])  # fmt: skip
    assert (pkg["provider"], pkg["awarded_at"]) == ("F2", "2026-12-01T12:00:00Z")
    assert requests(pkg, provider="F1")[0]["not_awarded"] == "D3"


def test_outstanding_and_nothing_positive_chased_once_two_more_working_days():
    """F1 declined, F2 and F3 silent: chased once, due Wednesday 10:00; then the stage ends."""
    script = [answer("2026-11-24T10:00:00Z", "F1", "decline", reason="N1")]
    pkg = run(script, until="2026-12-02T11:00:00Z")
    chased = events(pkg, "chased")
    assert [(e["provider"], e["at"], e["deadline"]) for e in chased] == [
        ("F2", "2026-11-30T10:00:00Z", "2026-12-02T10:00:00Z"),
        ("F3", "2026-11-30T10:00:00Z", "2026-12-02T10:00:00Z"),
    ]
    assert requests(pkg, provider="F2")[0]["deadline"] == "2026-12-02T10:00:00Z"
    assert requests(pkg, provider="F2")[0]["outcome"] == "expired"
    assert events(pkg, "stage_ended")[0]["at"] == "2026-12-02T10:00:00Z"


def test_nothing_outstanding_nothing_positive_goes_off_framework_worker_told():
    """All decline: at the deadline the worker is told and the off-framework tender starts."""
    script = [answer("2026-11-24T10:00:00Z", p, "decline", reason="N2") for p in ("F1", "F2", "F3")]
    pkg = run(script, until="2026-11-30T11:00:00Z")
    assert events(pkg, "chased") == []
    assert events(pkg, "referrer_told")[0]["at"] == "2026-11-30T10:00:00Z"
    off = requests(pkg, stage="off_framework")
    assert [(r["provider"], r["sent_at"]) for r in off] == [("NF1", "2026-11-30T10:00:00Z")]


def test_only_part_offers_gate_for_the_worker_accept_part():
    """Only a part offer: on hold at part_offer; the worker accepts the part: award (§6.3)."""
    script = [answer("2026-11-24T10:00:00Z", "F3", "offer", coverage="part", rate="18.00")]
    held = run(script, until="2026-12-03T17:00:00Z")
    assert (held["status"], held["gate"]) == ("on_hold", "part_offer")
    assert events(held, "gate_raised")[0]["decided_by"] == "referrer"
    pkg = run([*script, decision("2026-12-01T09:30:00Z", "referrer", "decide",
                                 choice="accept_part")])  # fmt: skip
    assert (pkg["provider"], pkg["awarded_at"]) == ("F3", "2026-12-01T09:30:00Z")


def test_only_part_offers_worker_chooses_off_framework():
    """The worker asks for the full package off framework: the off-framework tender starts."""
    script = [
        answer("2026-11-24T10:00:00Z", "F3", "offer", coverage="part", rate="18.00"),
        decision("2026-12-01T09:30:00Z", "referrer", "decide", choice="off_framework"),
    ]
    pkg = run(script, until="2026-12-01T10:00:00Z")
    assert requests(pkg, stage="off_framework")[0]["sent_at"] == "2026-12-01T09:30:00Z"


def test_query_answer_is_shared_with_every_provider_approached():
    """A material question: the answer goes to every provider approached (§6.3)."""
    script = [answer("2026-11-24T10:00:00Z", "F1", "query", text="Is there parking?")]
    pkg = run(script, until="2026-11-24T11:00:00Z")
    assert events(pkg, "query_answer_shared")[0]["providers"] == ["F1", "F2", "F3"]
    assert requests(pkg, provider="F1")[0]["outcome"] == "open"
