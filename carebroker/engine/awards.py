"""Award rules (docs/policies.md §3): who wins among a round's offers.

Pure functions over requests: `highest_rank` (lowest rank number first) and `best_price`
(lowest hourly rate; every offer at that rate is returned, so that an exact tie can go to a
mini-competition). `first_accept` needs no choosing: the cascade awards the first accept.
`not_awarded_reason` says why an offer lost. Every comparison of prices is here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from carebroker.engine.state import Request


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
    rule: str, requests: Sequence[Request], indexes: Sequence[int], rank: Callable[[str], int]
) -> list[int]:
    """The winners of `indexes` under `rule`; more than one means an exact tie."""
    if rule == "best_price":
        return best_price(requests, indexes)
    return highest_rank(requests, indexes, rank)
