"""A tender offer can be changed or withdrawn before the deadline, and not after it
(docs/policies.md §6.3: no award before the deadline, so until then an offer may move)."""

from tests.engine.replay import answer, events
from tests.engine.test_leics_tender import run

OFFERS = [
    answer("2026-11-24T10:00:00Z", "F1", "offer", coverage="full", rate="21.00"),
    answer("2026-11-24T10:00:00Z", "F2", "offer", coverage="full", rate="19.50"),
    answer("2026-11-24T10:00:00Z", "F3", "decline", reason="N3"),
]


def test_a_lower_rate_offered_again_before_the_deadline_wins_the_award():
    pkg = run([*OFFERS, answer("2026-11-26T12:00:00Z", "F1", "offer", coverage="full",
                               rate="18.75")])  # fmt: skip
    assert pkg["provider"] == "F1"
    assert events(pkg, "offer_changed")[0]["provider"] == "F1"
    rates = {r["provider"]: r.get("rate") for r in pkg["requests"]}
    assert rates["F1"] == "18.75"


def test_an_offer_withdrawn_before_the_deadline_is_not_awarded():
    pkg = run([*OFFERS, answer("2026-11-27T09:00:00Z", "F2", "withdraw")])
    assert pkg["provider"] == "F1"
    assert events(pkg, "offer_withdrawn")[0]["provider"] == "F2"
    f2 = next(r for r in pkg["requests"] if r["provider"] == "F2")
    assert (f2["outcome"], f2["reason"]) == ("decline", "offer withdrawn")


def test_a_withdrawal_after_the_deadline_is_refused_and_the_award_stands():
    pkg = run([*OFFERS, answer("2026-11-30T10:30:00Z", "F2", "withdraw")])
    assert pkg["provider"] == "F2"
    assert not events(pkg, "offer_withdrawn")
    assert any(e.get("provider") == "F2" for e in events(pkg, "ignored"))


def test_a_part_offer_changed_to_full_says_so():
    pkg = run([
        answer("2026-11-24T10:00:00Z", "F1", "offer", coverage="part", rate="20.00",
               text="Saturdays only"),
        answer("2026-11-25T10:00:00Z", "F1", "offer", coverage="full", rate="20.00"),
    ])  # fmt: skip
    assert pkg["provider"] == "F1"  # a full offer now: no part-offer gate
    assert events(pkg, "offer")[0]["part"] == "Saturdays only"
    assert events(pkg, "offer_changed")[0]["coverage"] == "full"
