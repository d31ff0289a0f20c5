"""Award rules as pure functions (docs/policies.md §3): highest_rank, best_price and its ties."""

from datetime import UTC, datetime
from decimal import Decimal

from carebroker.engine.awards import best_price, choose, highest_rank
from carebroker.engine.state import Request

AT = datetime(2026, 11, 23, 10, tzinfo=UTC)


def offer(provider: str, rate: str | None) -> Request:
    return Request(provider, "framework", "offer", AT, AT, outcome="offer",
                   rate=Decimal(rate) if rate else None)  # fmt: skip


RANKS = {"A": 3, "B": 1, "C": 2}


def test_highest_rank_is_the_lowest_rank_number():
    """highest_rank: rank 1 beats rank 2 and 3 whatever the order of answers."""
    offers = [offer("A", None), offer("B", None), offer("C", None)]
    assert highest_rank(offers, [0, 1, 2], RANKS.__getitem__) == [1]
    assert highest_rank(offers, [], RANKS.__getitem__) == []


def test_best_price_is_the_lowest_hourly_rate():
    """best_price: the lowest rate wins."""
    offers = [offer("A", "21.00"), offer("B", "19.99"), offer("C", "20.00")]
    assert best_price(offers, [0, 1, 2]) == [1]


def test_best_price_exact_tie_returns_every_tied_offer():
    """An exact tie returns both, for the mini-competition gate."""
    offers = [offer("A", "20.00"), offer("B", "21.00"), offer("C", "20.0")]
    assert best_price(offers, [0, 1, 2]) == [0, 2]


def test_best_price_prefers_priced_offers():
    """An offer without a rate never beats a priced one; with no rates, the first offer."""
    offers = [offer("A", None), offer("B", "25.00")]
    assert best_price(offers, [0, 1]) == [1]
    assert best_price([offer("A", None), offer("B", None)], [0, 1]) == [0]


def test_choose_follows_the_stage_rule():
    """A council copy may award a tender by rank instead of price."""
    offers = [offer("A", "18.00"), offer("B", "30.00")]
    assert choose("best_price", offers, [0, 1], RANKS.__getitem__) == [0]
    assert choose("highest_rank", offers, [0, 1], RANKS.__getitem__) == [1]
