"""Award rules (docs/policies.md §3): who wins among a round's offers.

Pure functions over requests: `highest_rank` (lowest rank number first), `best_price`
(lowest hourly rate; every offer at that rate is returned, so that an exact tie can go to a
mini-competition) and `weighted` (price, CQC rating and delivery record, docs/policies.md
§9). `first_accept` needs no choosing: the cascade awards the first accept.
`not_awarded_reason` says why an offer lost. Every comparison of prices is here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from carebroker.engine.policy import Weights
from carebroker.engine.state import Request

# docs/policies.md §9: a CQC rating as points out of 100 (no rating: 0).
CQC_POINTS = {
    "Outstanding": Decimal(100),
    "Good": Decimal(75),
    "Requires improvement": Decimal(25),
    "Inadequate": Decimal(0),
}
NO_DELIVERY_RECORD = Decimal(50)  # a provider with no EHM record yet: neither good nor bad
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Score:
    """One offer's scores out of 100 under `weighted`, and its weighted total out of 100."""

    provider: str
    price: Decimal
    cqc: Decimal
    delivery: Decimal
    total: Decimal


def weighted_scores(
    offers: Sequence[tuple[str, Decimal | None]],
    weights: Weights,
    quality: Callable[[str], tuple[str | None, Decimal | None]],
) -> list[Score]:
    """Each offer (provider, hourly rate) scored (docs/policies.md §9):

    - price: 100 x the lowest rate offered / this offer's rate (the cheapest scores 100; no
      rate: 0);
    - cqc: the rating's points (`CQC_POINTS`);
    - delivery: the share of planned visits delivered on time in the provider's latest EHM
      return, in percent (no record: `NO_DELIVERY_RECORD`);
    - total: (price x w_price + cqc x w_cqc + delivery x w_delivery) / (sum of weights).

    `quality(provider)` gives (CQC rating, delivery percent). Nothing is rounded here.
    """
    rates = [rate for _, rate in offers if rate is not None and rate > 0]
    lowest = min(rates) if rates else None
    weight_sum = weights.price + weights.cqc + weights.delivery
    scores = []
    for provider, rate in offers:
        price = HUNDRED * lowest / rate if lowest is not None and rate else Decimal(0)
        rating, delivered = quality(provider)
        cqc = CQC_POINTS.get(rating or "", Decimal(0))
        delivery = NO_DELIVERY_RECORD if delivered is None else delivered
        total = (
            price * weights.price + cqc * weights.cqc + delivery * weights.delivery
        ) / weight_sum
        scores.append(Score(provider, price, cqc, delivery, total))
    return scores


def weighted(
    requests: Sequence[Request],
    indexes: Sequence[int],
    weights: Weights,
    quality: Callable[[str], tuple[str | None, Decimal | None]],
) -> list[int]:
    """Every offer with the highest weighted total (more than one: an exact tie)."""
    if not indexes:
        return []
    scores = weighted_scores([(requests[i].provider, requests[i].rate) for i in indexes],
                             weights, quality)  # fmt: skip
    best = max(score.total for score in scores)
    return [i for i, score in zip(indexes, scores, strict=True) if score.total == best]


def by_rank(
    requests: Sequence[Request], indexes: Sequence[int], rank: Callable[[str], int]
) -> list[int]:
    """`indexes` ordered highest rank first (rank 1 before rank 2); ties keep request order."""
    return sorted(indexes, key=lambda i: rank(requests[i].provider))


def highest_rank(
    requests: Sequence[Request], indexes: Sequence[int], rank: Callable[[str], int]
) -> list[int]:
    """The winner under `highest_rank`, as a one-item list (empty without offers)."""
    return by_rank(requests, indexes, rank)[:1]


def best_price(requests: Sequence[Request], indexes: Sequence[int]) -> list[int]:
    """Every offer at the lowest hourly rate (more than one: an exact tie).

    Offers without a rate come after priced ones; with no rate at all, the first offer.
    """
    priced = [i for i in indexes if requests[i].rate is not None]
    if not priced:
        return list(indexes[:1])
    lowest = min(rate for i in priced if (rate := requests[i].rate) is not None)
    return [i for i in priced if requests[i].rate == lowest]


def not_awarded_reason(winner: Request, other: Request) -> str:
    """Why `other`'s offer lost to `winner`'s (docs/policies.md §6.3 codes D1-D4): a part
    offer against a full one, a higher price, the same price (it lost the mini-competition),
    else the package was filled elsewhere."""
    if other.coverage != "full" and winner.coverage == "full":
        return "part_offer_only"
    if other.rate is not None and winner.rate is not None and other.rate > winner.rate:
        return "higher_price"
    if other.rate is not None and other.rate == winner.rate:
        return "lost_mini_competition"
    return "filled_elsewhere"


def choose(
    rule: str,
    requests: Sequence[Request],
    indexes: Sequence[int],
    rank: Callable[[str], int],
    weights: Weights | None = None,
    quality: Callable[[str], tuple[str | None, Decimal | None]] | None = None,
) -> list[int]:
    """The winners of `indexes` under `rule`; more than one means an exact tie."""
    if rule == "best_price":
        return best_price(requests, indexes)
    if rule == "weighted" and weights is not None and quality is not None:
        return weighted(requests, indexes, weights, quality)
    return highest_rank(requests, indexes, rank)
