"""Median and 90th percentile, by the nearest-rank rule (a value that occurred, so a
figure on the dashboard can be found among the packages by counting)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal


def nearest_rank(values: Sequence[Decimal], share: float) -> Decimal | None:
    """The smallest value with at least `share` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[Decimal]) -> Decimal | None:
    return nearest_rank(values, 0.5)


def p90(values: Sequence[Decimal]) -> Decimal | None:
    return nearest_rank(values, 0.9)
