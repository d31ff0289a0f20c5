"""The weighted award (docs/policies.md §9): its arithmetic pinned by hand, its validation,
and a Leicestershire tender awarded by it through the engine."""

import tomllib
from decimal import Decimal

import pytest

from carebroker.engine.awards import weighted_scores
from carebroker.engine.policy import PRESETS_DIR, PolicyError, Weights
from carebroker.engine.policy_reader import load_policy
from tests.engine.replay import answer, only, package, provider, replay, scenario

QUALITY = {
    "A": ("Good", Decimal(90)),
    "B": ("Outstanding", None),  # no EHM record yet: delivery scores 50
    "C": ("Requires improvement", Decimal(60)),
}


def test_weighted_scores_match_the_hand_computed_numbers():
    """Weights 60/30/10; rates 20, 25, 16 (lowest 16):
    A: price 100x16/20 = 80, CQC Good 75, delivery 90: (80x60 + 75x30 + 90x10)/100 = 79.5
    B: price 100x16/25 = 64, Outstanding 100, no record 50: (3840 + 3000 + 500)/100 = 73.4
    C: price 100, Requires improvement 25, delivery 60: (6000 + 750 + 600)/100 = 73.5"""
    offers = [("A", Decimal("20.00")), ("B", Decimal("25.00")), ("C", Decimal("16.00"))]
    weights = Weights(Decimal(60), Decimal(30), Decimal(10))
    scores = weighted_scores(offers, weights, QUALITY.__getitem__)
    assert [(s.provider, s.price, s.cqc, s.delivery, s.total) for s in scores] == [
        ("A", Decimal(80), Decimal(75), Decimal(90), Decimal("79.5")),
        ("B", Decimal(64), Decimal(100), Decimal(50), Decimal("73.4")),
        ("C", Decimal(100), Decimal(25), Decimal(60), Decimal("73.5")),
    ]


def test_weights_are_relative_so_price_only_weights_rank_by_price():
    offers = [("A", Decimal("20.00")), ("C", Decimal("16.00"))]
    scores = weighted_scores(offers, Weights(Decimal(1), Decimal(0), Decimal(0)),
                             QUALITY.__getitem__)  # fmt: skip
    assert [s.total for s in scores] == [Decimal(80), Decimal(100)]


def leics(award: str, weights: dict | None) -> dict:
    with (PRESETS_DIR / "leics-short-breaks.toml").open("rb") as file:
        policy = tomllib.load(file)
    framework = next(s for s in policy["stages"] if s["name"] == "framework")
    framework["award"] = award
    if weights is not None:
        framework["weights"] = weights
    return policy


@pytest.mark.parametrize(
    ("weights", "error"),
    [
        ({"price": -1, "cqc": 1}, "stages[1].weights.price: must not be negative: -1"),
        ({"price": 0, "cqc": 0, "delivery": 0}, "stages[1].weights: the weights must add up"),
        ({"price": "high"}, "stages[1].weights.price: must be a number, not text"),
        ({"quality": 1}, "stages[1].weights.quality: unknown key"),
        (None, 'stages[1].weights: missing (award = "weighted" needs weights'),
    ],
)
def test_bad_weights_are_named_by_field(weights, error):
    with pytest.raises(PolicyError) as raised:
        load_policy(leics("weighted", weights))
    assert any(line.startswith(error) for line in raised.value.errors), raised.value.errors


def test_weights_without_the_weighted_award_are_refused():
    with pytest.raises(PolicyError) as raised:
        load_policy(leics("best_price", {"price": 1}))
    assert raised.value.errors == ['stages[1].weights: only with award = "weighted"']


def test_presets_are_unchanged_by_the_weighted_rule():
    assert load_policy("leics-short-breaks").stage("framework").award == "best_price"
    assert load_policy("leics-short-breaks").stage("framework").weights is None


def test_a_tender_under_weighted_awards_the_best_total_not_the_cheapest():
    area = "Charnwood"

    def fw(pid, rank, rating, delivery):
        return provider(pid, kind="framework", areas={area: rank}, lots=[1],
                        support_types=["community"], cqc={"registered": True, "rating": rating},
                        delivery=delivery)  # fmt: skip

    market = [fw("A", 1, "Good", 90), fw("B", 2, "Outstanding", None),
              fw("C", 3, "Requires improvement", 60)]  # fmt: skip
    row = package(area=area, postcode="LE3 9QP", referred_at="2026-11-23T10:00:00Z",
                  preferred_start="2027-01-11", lot=1, support_type="community", age=9,
                  documents=["manager_signature"])  # fmt: skip
    offers = [
        answer("2026-11-24T10:00:00Z", "A", "offer", coverage="full", rate="20.00"),
        answer("2026-11-24T10:00:00Z", "B", "offer", coverage="full", rate="25.00"),
        answer("2026-11-24T10:00:00Z", "C", "offer", coverage="full", rate="16.00"),
    ]
    policy = leics("weighted", {"price": 60, "cqc": 30, "delivery": 10})
    pkg = only(replay(scenario(policy, market, [row], offers)))
    assert (pkg["status"], pkg["provider"]) == ("awarded", "A")
    cheapest = only(replay(scenario(leics("best_price", None), market, [row], offers)))
    assert cheapest["provider"] == "C"
